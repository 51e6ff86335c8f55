package gym

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/internal/suggest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/verifier"
)

// Resources is what a resources server instance of a config builds: the
// server with its tools and sessions, and the verifier of its /verify route.
type Resources struct {
	Server   env.ResourcesServer
	Verifier verifier.Verifier
}

// Deps resolves the {type, name} references of an agent instance to the
// models and resources servers they name, building each instance once.
type Deps interface {
	Model(ref config.Ref) (model.Model, error)
	Resources(ref config.Ref) (Resources, error)
}

// Constructors of server instances from their config fields.
type (
	ModelFunc     func(s config.Server) (model.Model, error)
	ResourcesFunc func(s config.Server) (Resources, error)
	AgentFunc     func(s config.Server, deps Deps) (Environment, error)
	// ResourcesDepsFunc builds a resources server that uses other instances
	// of the config, such as the judge model of math_with_judge.
	ResourcesDepsFunc func(s config.Server, deps Deps) (Resources, error)
)

// Implementations maps the implementation names of NeMo Gym config files
// (the key under a server instance's kind: openai_model, simple_agent,
// example_multi_step, ...) to Go constructors, so that NeMo Gym's own
// config files build the same environments here. The zero value is empty;
// Builtin has the library's own implementations.
type Implementations struct {
	models    map[string]ModelFunc
	resources map[string]ResourcesDepsFunc
	agents    map[string]AgentFunc
}

// Builtin returns the implementations of the library itself: simple_agent,
// openai_model and vllm_model, and no environment. A program that builds
// environments from NeMo Gym's config files wants
// bundled.Implementations() instead, the one constructor of every
// implementation gym ships (these, the example environments and the bundled
// environments), which the gym command uses. Add environments of one's own
// with AddResources.
func Builtin() *Implementations {
	im := &Implementations{}
	im.AddAgent("simple_agent", SimpleAgent)
	im.AddModel("openai_model", func(s config.Server) (model.Model, error) {
		var cfg model.OpenAIConfig
		if err := s.Decode(&cfg); err != nil {
			return nil, err
		}
		return model.NewOpenAI(cfg)
	})
	im.AddModel("vllm_model", func(s config.Server) (model.Model, error) {
		var cfg model.VLLMConfig
		if err := s.Decode(&cfg); err != nil {
			return nil, err
		}
		return model.NewVLLM(cfg)
	})
	return im
}

// AddModel adds a model implementation (responses_api_models).
func (im *Implementations) AddModel(name string, fn ModelFunc) {
	if im.models == nil {
		im.models = map[string]ModelFunc{}
	}
	im.models[name] = fn
}

// AddResources adds a resources server implementation (resources_servers).
func (im *Implementations) AddResources(name string, fn ResourcesFunc) {
	im.AddResourcesWithDeps(name, func(s config.Server, _ Deps) (Resources, error) { return fn(s) })
}

// AddResourcesWithDeps adds a resources server implementation whose
// constructor resolves references to other instances of the config (a
// judge model_server, say) through deps, each built once.
func (im *Implementations) AddResourcesWithDeps(name string, fn ResourcesDepsFunc) {
	if im.resources == nil {
		im.resources = map[string]ResourcesDepsFunc{}
	}
	im.resources[name] = fn
}

// AddAgent adds an agent implementation (responses_api_agents).
func (im *Implementations) AddAgent(name string, fn AgentFunc) {
	if im.agents == nil {
		im.agents = map[string]AgentFunc{}
	}
	im.agents[name] = fn
}

// Has reports whether im has a Go implementation called impl of the kind
// of server instance: config.Resources, config.Models or config.Agents
// ("resources_servers", "responses_api_models", "responses_api_agents").
func (im *Implementations) Has(kind config.Kind, impl string) bool {
	switch kind {
	case config.Resources:
		_, ok := im.resources[impl]
		return ok
	case config.Models:
		_, ok := im.models[impl]
		return ok
	case config.Agents:
		_, ok := im.agents[impl]
		return ok
	}
	return false
}

// SimpleAgent builds NeMo Gym's simple_agent: the tool loop over the
// instance's resources_server and model_server, with max_steps, and the
// deadlines model_timeout, tool_timeout and verify_timeout: Go durations
// ("30s", "2m"); unset means the default (agent.DefaultModelTimeout, ...),
// and 0 (or "none") means no deadline.
func SimpleAgent(s config.Server, deps Deps) (Environment, error) {
	var cfg struct {
		ResourcesServer config.Ref `yaml:"resources_server"`
		ModelServer     config.Ref `yaml:"model_server"`
		MaxSteps        int        `yaml:"max_steps"`
		ModelTimeout    timeout    `yaml:"model_timeout"`
		ToolTimeout     timeout    `yaml:"tool_timeout"`
		VerifyTimeout   timeout    `yaml:"verify_timeout"`
	}
	if err := s.Decode(&cfg); err != nil {
		return Environment{}, err
	}
	m, err := deps.Model(cfg.ModelServer)
	if err != nil {
		return Environment{}, err
	}
	res, err := deps.Resources(cfg.ResourcesServer)
	if err != nil {
		return Environment{}, err
	}
	return Environment{Model: m, Resources: res.Server, Verifier: res.Verifier, MaxSteps: cfg.MaxSteps,
		ModelTimeout: time.Duration(cfg.ModelTimeout), ToolTimeout: time.Duration(cfg.ToolTimeout),
		VerifyTimeout: time.Duration(cfg.VerifyTimeout)}, nil
}

// timeout is a deadline in a config: a Go duration, or 0 or "none" for no
// deadline (NoTimeout). Unset, it stays 0: the default.
type timeout time.Duration

func (t *timeout) UnmarshalYAML(n *yaml.Node) error {
	switch v := strings.TrimSpace(n.Value); {
	case n.Kind != yaml.ScalarNode:
		return fmt.Errorf("line %d: want a duration (\"30s\", \"20m\") or 0 for none", n.Line)
	case v == "0" || v == "none" || v == "0s":
		*t = timeout(NoTimeout)
	case v == "" || v == "null" || v == "~":
		*t = 0
	default:
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a duration (\"30s\", \"20m\"; 0 for none)", v)
		}
		*t = timeout(d)
	}
	return nil
}

// Registry builds the environment of every agent instance in cfg and
// registers it under the instance's name. Models and resources servers
// named by several agents are built once. Every problem is reported, joined.
func (im *Implementations) Registry(cfg *config.Config) (*Registry, error) {
	inst, err := im.build(cfg, false)
	if err != nil {
		return nil, err
	}
	return inst.Registry, nil
}

// Verifiers builds the resources server of every agent instance in cfg —
// the one its resources_server field names, as every NeMo Gym agent has —
// and returns each agent's verifier by agent name. No model is built, so a
// config without a model server, or with its policy_* values unset, will
// do: verifying stored rollouts again (gym reverify) needs nothing else.
// Every problem is reported, joined.
func (im *Implementations) Verifiers(cfg *config.Config) (map[string]verifier.Verifier, error) {
	b := &builder{im: im, cfg: cfg, models: map[string]model.Model{}, resources: map[string]Resources{}}
	out := map[string]verifier.Verifier{}
	var errs []error
	for _, s := range cfg.Servers() {
		if s.Kind != config.Agents {
			continue
		}
		ref, err := s.Ref("resources_server")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		res, err := b.Resources(ref)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if res.Verifier == nil {
			errs = append(errs, fmt.Errorf("gym: %s: resources server %q has no verifier", s.Path(), ref.Name))
			continue
		}
		out[s.Name] = res.Verifier
	}
	if err := errors.Join(dedupe(errs)...); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("gym: the config defines no agent (no responses_api_agents instance)")
	}
	return out, nil
}

// Instances are the built server instances of a config, by name.
type Instances struct {
	Registry  *Registry // the environment of every agent instance
	Models    map[string]model.Model
	Resources map[string]Resources
}

// Build builds every server instance of cfg — also models and resources
// servers no agent uses — as a server of them all (gym run) needs.
func (im *Implementations) Build(cfg *config.Config) (*Instances, error) {
	return im.build(cfg, true)
}

func (im *Implementations) build(cfg *config.Config, all bool) (*Instances, error) {
	b := &builder{im: im, cfg: cfg, models: map[string]model.Model{}, resources: map[string]Resources{}}
	reg := &Registry{}
	var errs []error
	for _, s := range cfg.Servers() {
		ref := config.Ref{Type: s.Kind, Name: s.Name}
		switch {
		case s.Kind == config.Models && all:
			if _, err := b.Model(ref); err != nil {
				errs = append(errs, err)
			}
			continue
		case s.Kind == config.Resources && all:
			if _, err := b.Resources(ref); err != nil {
				errs = append(errs, err)
			}
			continue
		case s.Kind != config.Agents:
			continue
		}
		fn, err := lookup(im.agents, s, remoteAgent)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		e, err := fn(s, b)
		if err != nil {
			var be *buildError
			var ie *implError
			if !errors.As(err, &be) && !errors.As(err, &ie) {
				err = fmt.Errorf("gym: build %s: %w", s.Path(), err)
			}
			errs = append(errs, err)
			continue
		}
		if err := reg.Register(s.Name, e); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(dedupe(errs)...); err != nil {
		return nil, err
	}
	if len(reg.Names()) == 0 {
		return nil, errors.New("gym: the config defines no agent (no responses_api_agents instance)")
	}
	return &Instances{Registry: reg, Models: b.models, Resources: b.resources}, nil
}

// lookup finds the constructor of a server instance: its Go implementation,
// or — for an instance with a url (or host and port) and no Go
// implementation, such as a NeMo Gym server written in Python — remote,
// which calls it over HTTP.
func lookup[F any](table map[string]F, s config.Server, remote F) (F, error) {
	if fn, ok := table[s.Impl]; ok {
		return fn, nil
	}
	var zero F
	if u, err := s.URL(); err != nil {
		return zero, err
	} else if u != "" {
		return remote, nil
	}
	names := slices.Sorted(maps.Keys(table))
	msg := fmt.Sprintf("gym: %s: no Go implementation of %s %q", s.Path(), s.Kind, s.Impl)
	if near, ok := suggest.Closest(s.Impl, names); ok {
		return zero, &implError{fmt.Sprintf("%s (did you mean %q?)", msg, near)}
	}
	return zero, &implError{fmt.Sprintf("%s (known: %v; bundled.Implementations() has every implementation gym ships, or add one with Implementations.Add...)", msg, names)}
}

func remoteAgent(s config.Server, _ Deps) (Environment, error) {
	u, err := s.URL()
	if err != nil {
		return Environment{}, err
	}
	return Environment{Agent: agent.NewRemote(u)}, nil
}

func remoteResources(s config.Server, _ Deps) (Resources, error) {
	u, err := s.URL()
	if err != nil {
		return Resources{}, err
	}
	r := env.NewRemote(u)
	return Resources{Server: r, Verifier: r.Verifier()}, nil
}

// remoteModel calls a model server's /v1/responses; the model name is the
// instance's, which a NeMo Gym model server replaces with its own.
func remoteModel(s config.Server) (model.Model, error) {
	u, err := s.URL()
	if err != nil {
		return nil, err
	}
	return model.NewOpenAI(model.OpenAIConfig{BaseURL: strings.TrimSuffix(u, "/") + "/v1", Model: s.Name})
}

// implError is a server instance whose implementation is unknown.
type implError struct{ msg string }

func (e *implError) Error() string { return e.msg }

type builder struct {
	im        *Implementations
	cfg       *config.Config
	mu        sync.Mutex
	models    map[string]model.Model
	resources map[string]Resources
	building  map[string]bool // resources servers being built
}

func (b *builder) server(ref config.Ref, kind config.Kind) (config.Server, error) {
	if ref.Type != "" && ref.Type != kind {
		return config.Server{}, fmt.Errorf("gym: reference to %q has type %q, want %q", ref.Name, ref.Type, kind)
	}
	s, err := b.cfg.Server(ref.Name)
	if err != nil {
		return config.Server{}, err
	}
	if s.Kind != kind {
		return config.Server{}, fmt.Errorf("gym: %q is a %s, want a %s", ref.Name, s.Kind, kind)
	}
	return s, nil
}

func (b *builder) Model(ref config.Ref) (model.Model, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if m, ok := b.models[ref.Name]; ok {
		return m, nil
	}
	s, err := b.server(ref, config.Models)
	if err != nil {
		return nil, err
	}
	fn, err := lookup(b.im.models, s, remoteModel)
	if err != nil {
		return nil, err
	}
	m, err := fn(s)
	if err != nil {
		return nil, &buildError{path: s.Path(), err: err}
	}
	b.models[ref.Name] = m
	return m, nil
}

// Resources builds a resources server instance once. The lock is not held
// while the constructor runs, since it may resolve models through b.
func (b *builder) Resources(ref config.Ref) (Resources, error) {
	b.mu.Lock()
	if r, ok := b.resources[ref.Name]; ok {
		b.mu.Unlock()
		return r, nil
	}
	if b.building[ref.Name] {
		b.mu.Unlock()
		return Resources{}, fmt.Errorf("gym: resources server %q refers to itself", ref.Name)
	}
	s, err := b.server(ref, config.Resources)
	if err != nil {
		b.mu.Unlock()
		return Resources{}, err
	}
	fn, err := lookup(b.im.resources, s, remoteResources)
	if err != nil {
		b.mu.Unlock()
		return Resources{}, err
	}
	if b.building == nil {
		b.building = map[string]bool{}
	}
	b.building[ref.Name] = true
	b.mu.Unlock()

	r, err := fn(s, b)

	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.building, ref.Name)
	if err != nil {
		var be *buildError
		var ie *implError
		if errors.As(err, &be) || errors.As(err, &ie) {
			return Resources{}, err
		}
		return Resources{}, &buildError{path: s.Path(), err: err}
	}
	if prev, ok := b.resources[ref.Name]; ok {
		return prev, nil
	}
	b.resources[ref.Name] = r
	return r, nil
}

// dedupe drops repeated errors: a model that fails to build is named by
// every agent that uses it.
func dedupe(errs []error) []error {
	seen := map[string]bool{}
	var out []error
	for _, err := range errs {
		msg := err.Error()
		for _, prev := range out {
			if strings.Contains(msg, prev.Error()) || seen[msg] {
				msg = ""
				break
			}
		}
		if msg == "" {
			continue
		}
		seen[msg] = true
		out = append(out, err)
	}
	return out
}

// buildError is the failure to build a model or resources server instance,
// reported once however many agents use it.
type buildError struct {
	path string
	err  error
}

func (e *buildError) Error() string { return fmt.Sprintf("gym: build %s: %v", e.path, e.err) }
func (e *buildError) Unwrap() error { return e.err }
