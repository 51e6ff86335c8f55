package gym

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"

	"github.com/gymkit/gym/internal/suggest"
)

// Shared data types, re-exported from the leaf package rollout.
type (
	Task   = rollout.Task
	Result = rollout.Result
	Group  = rollout.Group
)

// Environment is one training environment: a policy model, a resources
// server (tools and per-rollout state) and a verifier, run by the tool loop
// of agent.Simple, or by Agent when set.
type Environment struct {
	Model     model.Model
	Resources env.ResourcesServer
	Verifier  verifier.Verifier
	MaxSteps  int // model calls per rollout; 0 = unbounded

	// Deadlines of one model call, one tool call and the verification. 0
	// means the default (agent.DefaultModelTimeout, DefaultToolTimeout,
	// DefaultVerifyTimeout: 20, 10 and 10 minutes); NoTimeout means none
	// beyond the rollout's (Collector.RolloutTimeout).
	ModelTimeout, ToolTimeout, VerifyTimeout time.Duration

	// Agent, if set, runs the rollouts instead of the tool loop, and the
	// three parts above are ignored.
	Agent agent.Agent
}

func (e Environment) agent() (agent.Agent, error) {
	if e.Agent != nil {
		return e.Agent, nil
	}
	var missing []string
	if e.Model == nil {
		missing = append(missing, "Model")
	}
	if e.Resources == nil {
		missing = append(missing, "Resources")
	}
	if e.Verifier == nil {
		missing = append(missing, "Verifier")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("environment has no %v (set them, or set Agent)", missing)
	}
	return &agent.Simple{Model: e.Model, Resources: e.Resources, Verifier: e.Verifier, MaxSteps: e.MaxSteps,
		ModelTimeout: e.ModelTimeout, ToolTimeout: e.ToolTimeout, VerifyTimeout: e.VerifyTimeout}, nil
}

// NoTimeout, as any deadline of an Environment or a Collector, asks for
// none; 0 asks for the default.
const NoTimeout = agent.NoTimeout

// ErrUnknownAgent is matched (errors.Is) by the error for a row whose agent
// is not registered.
var ErrUnknownAgent = errors.New("unknown agent")

// UnknownAgentError reports an agent name that is not in the Registry.
type UnknownAgentError struct {
	Name       string
	Suggestion string   // the closest registered name, if any is close
	Known      []string // every registered name, sorted
}

func (e *UnknownAgentError) Error() string {
	msg := fmt.Sprintf("gym: agent %q is not registered", e.Name)
	if e.Suggestion != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", e.Suggestion)
	}
	if len(e.Known) > 0 {
		return msg + fmt.Sprintf(" (registered: %v)", e.Known)
	}
	return msg + " (the registry is empty)"
}

func (e *UnknownAgentError) Is(target error) bool { return target == ErrUnknownAgent }

// Registry maps agent names — agent_ref.name in dataset rows — to
// environments. The zero value is an empty registry ready to use; it is safe
// for concurrent use.
type Registry struct {
	mu     sync.RWMutex
	agents map[string]agent.Agent
	envs   map[string]Environment
}

// Register adds the environment under name. It is an error to register a
// name twice or an environment missing parts.
func (r *Registry) Register(name string, e Environment) error {
	if name == "" {
		return errors.New("gym: register: empty agent name")
	}
	a, err := e.agent()
	if err != nil {
		return fmt.Errorf("gym: register %q: %w", name, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.agents[name]; dup {
		return fmt.Errorf("gym: register %q: already registered", name)
	}
	if r.agents == nil {
		r.agents = make(map[string]agent.Agent)
		r.envs = make(map[string]Environment)
	}
	r.agents[name] = a
	r.envs[name] = e
	return nil
}

// Environment returns the environment registered under name, as given to
// Register (reverification uses its Verifier).
func (r *Registry) Environment(name string) (Environment, error) {
	r.mu.RLock()
	e, ok := r.envs[name]
	r.mu.RUnlock()
	if ok {
		return e, nil
	}
	_, err := r.Lookup(name)
	return Environment{}, err
}

// Lookup returns the agent registered under name, or an *UnknownAgentError
// that suggests the closest registered name.
func (r *Registry) Lookup(name string) (agent.Agent, error) {
	r.mu.RLock()
	a, ok := r.agents[name]
	r.mu.RUnlock()
	if ok {
		return a, nil
	}
	names := r.Names()
	s, ok := suggest.Closest(name, names)
	if !ok {
		s = ""
	}
	return nil, &UnknownAgentError{Name: name, Suggestion: s, Known: names}
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.agents))
	for n := range r.agents {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
