package rollout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Well-known fields of dataset and output rows.
const (
	KeyCreateParams = "responses_create_params"
	KeyAgentRef     = "agent_ref"
	KeyResponse     = "response"
	KeyReward       = "reward"
	KeyTaskIndex    = "_ng_task_index"
	KeyRolloutIndex = "_ng_rollout_index"
	KeyComponents   = "reward_components"

	KeyFailureClass     = "_ng_failure_class"
	KeyFailureStage     = "_ng_failure_stage"
	KeyFailureMessage   = "_ng_failure_message"
	KeyFailureRetryable = "_ng_failure_retryable"
	KeyFailureStatus    = "_ng_failure_status"
	KeyFailureStack     = "_ng_failure_stack"
	KeyFailureAttempt   = "_ng_failure_attempt" // 1 for the first attempt of a rollout
	KeyFailureFinal     = "_ng_failure_final"   // false: the rollout was tried again
)

// AgentKind is the agent_ref type of NeMo Gym agents.
const AgentKind = "responses_api_agents"

// AgentRef names the agent (the environment) that a row is for.
type AgentRef struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// Task is one dataset row: responses_create_params, an optional agent_ref,
// and any other fields, which are task data for the verifier and ride along
// untouched.
type Task struct {
	Object

	src  string // the file the row was read from, if known
	line int    // its 1-based line there, if known
}

// Source returns the file and line the row was read from (by ReadTasks),
// or "" and 0 for a row made in memory.
func (t Task) Source() (path string, line int) { return t.src, t.line }

// ErrNoCreateParams reports a row without responses_create_params.
var ErrNoCreateParams = errors.New(`missing "responses_create_params"`)

// ParseTask parses and validates one dataset row; data is referred to.
func ParseTask(data []byte) (Task, error) {
	o, err := ParseObject(data)
	if err != nil {
		return Task{}, err
	}
	t := Task{Object: o}
	return t, t.Validate()
}

// Validate checks the fields the library relies on: responses_create_params
// is an object whose input is a string or a list of items, and agent_ref, if
// present, is an object with a string name.
func (t Task) Validate() error {
	raw, ok := t.Get(KeyCreateParams)
	if !ok {
		return ErrNoCreateParams
	}
	if t.fastValid(raw) {
		return nil
	}
	return t.validate(raw)
}

// validate is Validate's full check of a row's params (raw) and agent_ref.
func (t Task) validate(raw json.RawMessage) error {
	p, err := parseValid(raw)
	if err != nil {
		return fmt.Errorf("%q: %w", KeyCreateParams, err)
	}
	if in, ok := p.Get("input"); ok {
		if c := firstByte(in); c != '"' && c != '[' {
			return fmt.Errorf("%q.input: want a string or a list of items, got %.40s", KeyCreateParams, in)
		}
	}
	if ref, ok := t.Get(KeyAgentRef); ok && string(ref) != "null" {
		var r struct {
			Name any `json:"name"`
		}
		if err := json.Unmarshal(ref, &r); err != nil {
			return fmt.Errorf("%q: want {\"type\", \"name\"}: %w", KeyAgentRef, err)
		}
		if _, ok := r.Name.(string); !ok {
			return fmt.Errorf("%q.name: want a string, got %v", KeyAgentRef, r.Name)
		}
	}
	return nil
}

func firstByte(raw []byte) byte {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

// AgentName returns agent_ref.name, or "" if the row has no agent_ref.
func (t Task) AgentName() string {
	raw, ok := t.Get(KeyAgentRef)
	if !ok {
		return ""
	}
	o, err := parseValid(raw)
	if err != nil {
		return ""
	}
	return o.String("name")
}

// WithAgent returns a copy of the row whose agent_ref names agent.
func (t Task) WithAgent(agent string) Task {
	c := Task{Object: t.Clone(), src: t.src, line: t.line}
	c.Set(KeyAgentRef, agentRefJSON(agent))
	c.clip()
	return c
}

// WithField returns a copy of the row with the field name set to value (a
// JSON value), which keeps the row's source.
func (t Task) WithField(name string, value json.RawMessage) Task {
	c := Task{Object: t.Clone(), src: t.src, line: t.line}
	c.Set(name, value)
	c.clip()
	return c
}

// WithFields returns a copy of the row with each field set (Set's rules:
// one JSON value each, an existing member keeps its place), which keeps the
// row's source: one allocation however many fields are set.
func (t Task) WithFields(fields ...Field) Task {
	c := Task{Object: Object{fields: make([]Field, len(t.fields), len(t.fields)+len(fields))}, src: t.src, line: t.line}
	copy(c.fields, t.fields)
	for _, f := range fields {
		c.Set(f.Name, f.Value)
	}
	c.clip()
	return c
}

// AgentRefValue returns the agent_ref value naming the agent instance
// name, as WithAgent sets it.
func AgentRefValue(name string) json.RawMessage { return agentRefJSON(name) }

// fastValid reports whether Validate finds nothing wrong, by a scan that
// allocates nothing; false means "look again", and Validate's slower path
// gives the verdict and its message.
func (t Task) fastValid(params json.RawMessage) bool {
	var input []byte
	if !eachMember(params, func(key, v []byte) {
		if string(key) == "input" {
			input = v
		}
	}) {
		return false
	}
	if input != nil {
		if c := firstByte(input); c != '"' && c != '[' {
			return false
		}
	}
	ref, ok := t.Get(KeyAgentRef)
	if !ok || string(ref) == "null" {
		return true
	}
	// encoding/json matches "name" without regard to case, the last
	// match winning: only the plain spelling is taken here.
	var name []byte
	plain := true
	if !eachMember(ref, func(key, v []byte) {
		if bytes.EqualFold(key, []byte("name")) {
			name, plain = v, string(key) == "name"
		}
	}) {
		return false
	}
	return plain && firstByte(name) == '"'
}

// eachMember calls f with the raw key (without its quotes) and raw value
// of each member of the object data, which is valid JSON text. It reports
// false for anything else, and for a key with an escape, which would have
// to be decoded to be compared.
func eachMember(data []byte, f func(key, value []byte)) bool {
	return scanMembers(data, func(key, value []byte) error {
		key = key[1 : len(key)-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return errEscapedKey
		}
		f(key, value)
		return nil
	}) == nil
}

var errEscapedKey = errors.New("an escaped key")

func agentRefJSON(name string) json.RawMessage {
	b := []byte(`{"type":"responses_api_agents","name":`)
	b = appendString(b, name)
	return append(b, '}')
}

// Params returns responses_create_params.
func (t Task) Params() (Params, error) {
	raw, ok := t.Get(KeyCreateParams)
	if !ok {
		return Params{}, ErrNoCreateParams
	}
	o, err := parseValid(raw)
	if err != nil {
		return Params{}, fmt.Errorf("%q: %w", KeyCreateParams, err)
	}
	return Params{o}, nil
}

// Params is an OpenAI Responses API create body (responses_create_params),
// kept lossless.
type Params struct {
	Object
}

// Input returns the input as items; a string input is one user message.
func (p Params) Input() ([]Item, error) {
	raw, ok := p.Get("input")
	if !ok {
		return nil, nil
	}
	if s, ok := unquote(raw); ok {
		return []Item{NewMessage("user", s)}, nil
	}
	items, err := parseItems(raw, false)
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	return items, nil
}

// Tool is a function tool offered to the model, as in responses_create_params.tools.
type Tool struct {
	Type        string          `json:"type"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// Tools returns the function tools of the request.
func (p Params) Tools() ([]Tool, error) {
	var tools []Tool
	if err := p.Decode("tools", &tools); err != nil {
		return nil, err
	}
	return tools, nil
}
