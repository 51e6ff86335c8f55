package workplace

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/gymkit/gym/config"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/internal/pyrepr"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// Name is the environment's implementation name in NeMo Gym's configs.
const Name = "workplace_assistant"

// Config is the resources server's config (NeMo Gym's
// WorkbenchResourcesServerConfig). The server reads none of its own
// fields; the ones below are those of its base config, accepted so that
// NeMo Gym's config file decodes as it is.
type Config struct {
	// ExposeToolsOverMCP is NeMo Gym's opt-in to serve the tools over MCP.
	// gym has no MCP transport, so it has no effect; the tools are served
	// over NeMo Gym's HTTP protocol either way (env.NewHandler).
	ExposeToolsOverMCP bool `yaml:"expose_tools_over_mcp"`

	// Descriptive metadata of NeMo Gym's environment listing.
	Domain      string `yaml:"domain"`
	Verified    bool   `yaml:"verified"`
	Description string `yaml:"description"`
	Value       string `yaml:"value"`
}

//go:embed data/*.csv
var dataFS embed.FS

var (
	initialOnce  sync.Once
	initialState *state
	initialErr   error
)

// initial returns the environment's initial state, read once from the
// embedded CSV files: every session starts from it and shares its rows.
func initial() (*state, error) {
	initialOnce.Do(func() { initialState, initialErr = loadInitial() })
	return initialState, initialErr
}

func loadInitial() (*state, error) {
	read := func(name string) (*table, error) {
		b, err := dataFS.ReadFile("data/" + name)
		if err != nil {
			return nil, err
		}
		return readCSV(b, name)
	}
	st := &state{plots: &table{cols: []string{"file_path"}}}
	var err error
	for _, f := range []struct {
		dst  **table
		name string
	}{
		{&st.emails, "emails.csv"},
		{&st.calendar, "calendar_events.csv"},
		{&st.analytics, "analytics_data.csv"},
		{&st.tasks, "project_tasks.csv"},
		{&st.crm, "customer_relationship_manager_data.csv"},
	} {
		if *f.dst, err = read(f.name); err != nil {
			return nil, err
		}
	}
	// read_csv(header=None, names=["email_address"])
	b, err := dataFS.ReadFile("data/email_addresses.csv")
	if err != nil {
		return nil, err
	}
	dir, err := readCSV(append([]byte("email_address\n"), b...), "email_addresses.csv")
	if err != nil {
		return nil, err
	}
	st.directory = dir
	initialSearchText = make(map[*any]string, st.emails.len())
	subj, body, who := st.emails.col("subject"), st.emails.col("body"), st.emails.col("sender/recipient")
	for _, r := range st.emails.rows {
		initialSearchText[&r[0]] = lower(pyStr(r[subj]) + " " + pyStr(r[body]) + " " + pyStr(r[who]))
	}
	// AnalyticsTool.reset_state: user_engaged = (column == "True")
	col := st.analytics.col("user_engaged")
	st.analytics = st.analytics.mapColumn(col, func(v any) any { return v == "True" })
	return st, nil
}

// Server is the workplace_assistant resources server: NeMo Gym's 27 tools
// over a per-session copy of the workplace's tables.
type Server struct {
	cfg   Config
	tools []*env.Tool
	init  *state
}

// New returns the environment's resources server and verifier.
func New(cfg Config) (*Server, verifier.Verifier, error) {
	st, err := initial()
	if err != nil {
		return nil, nil, err
	}
	tools, err := toolList()
	if err != nil {
		return nil, nil, err
	}
	return &Server{cfg: cfg, tools: tools, init: st}, NewVerifier(), nil
}

// FromConfig builds the environment from its instance in a NeMo Gym config.
func FromConfig(s config.Server) (env.ResourcesServer, verifier.Verifier, error) {
	var cfg Config
	if err := s.Decode(&cfg); err != nil {
		return nil, nil, err
	}
	return New(cfg)
}

func toolList() ([]*env.Tool, error) {
	var specs []rollout.Tool
	if err := json.Unmarshal([]byte(toolSpecs), &specs); err != nil {
		return nil, fmt.Errorf("workplace: tool specs: %w", err)
	}
	tools := make([]*env.Tool, len(specs))
	for i, sp := range specs {
		name := sp.Name
		if _, ok := methods[name]; !ok {
			return nil, fmt.Errorf("workplace: tool %q has no implementation", name)
		}
		tools[i] = &env.Tool{
			Name: name, Description: sp.Description, Parameters: sp.Parameters, Strict: false,
			Handler: func(_ context.Context, st any, args json.RawMessage) (json.RawMessage, error) {
				s, ok := st.(*state)
				if !ok {
					return nil, fmt.Errorf("workplace: tool %q needs a workplace session", name)
				}
				return json.RawMessage(s.route(name, args)), nil
			},
		}
	}
	return tools, nil
}

// Tools returns the tools in NeMo Gym's order, with NeMo Gym's schemas.
func (s *Server) Tools() []*env.Tool { return s.tools }

// CatchesAllTools reports that sessions answer any tool name, as NeMo
// Gym's catch-all route does: served over HTTP (env.NewHandler), a call
// of an unknown tool gets NeMo Gym's "Error executing tool" output, not a
// 404.
func (s *Server) CatchesAllTools() bool { return true }

// Specs returns the tools as the function tools of a dataset row's
// responses_create_params.tools, exactly as NeMo Gym's rows list them.
func Specs() []rollout.Tool {
	var specs []rollout.Tool
	_ = json.Unmarshal([]byte(toolSpecs), &specs)
	return specs
}

// Seed starts a session on the initial workplace; nothing is copied until
// a tool changes a table.
func (s *Server) Seed(_ context.Context, _ rollout.Task) (env.Session, error) {
	st := *s.init
	return &session{state: &st, init: s.init}, nil
}

type session struct {
	mu    sync.Mutex
	state *state
	init  *state
}

// CallTool runs a tool as NeMo Gym's server routes POST /<name>: the
// arguments become keyword arguments (null ones dropped), the result is
// sent as {"output": ...}, and an exception as {"output": "Error executing
// tool '<name>': <message>"}.
func (s *session) CallTool(ctx context.Context, name string, args json.RawMessage) (out string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		if p := recover(); p != nil {
			err = &rollout.Failure{
				Class: rollout.FailToolPanic, Stage: "tool",
				Err:   fmt.Errorf("tool %q panicked: %v", name, p),
				Stack: string(debug.Stack()),
			}
		}
	}()
	if name == "seed_session" {
		// POST /seed_session is the server's own route: it starts the
		// session over.
		st := *s.init
		s.state = &st
		return "{}", nil
	}
	return s.state.route(name, args), nil
}

func (s *session) Close() error { return nil }

// route is NeMo Gym's route_to_python_function.
func (st *state) route(name string, args json.RawMessage) string {
	v, err := decodeJSON(args)
	if err != nil {
		return `{"detail":[{"type":"json_invalid","loc":["body",0],"msg":"JSON decode error","input":{},"ctx":{"error":` +
			string(appendString(nil, err.Error())) + `}}]}`
	}
	body, ok := v.(*dict)
	if !ok {
		if v == nil {
			return `{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}`
		}
		return string(appendJSON([]byte(`{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":`), v)) + `}]}`
	}
	kwargs := &dict{}
	for i, k := range body.keys {
		if body.vals[i] != nil {
			kwargs.keys = append(kwargs.keys, k)
			kwargs.vals = append(kwargs.vals, body.vals[i])
		}
	}
	res, err := st.call(name, kwargs)
	b := []byte(`{"output":`)
	if err != nil {
		b = appendString(b, fmt.Sprintf("Error executing tool '%s': %s", name, err.Error()))
	} else {
		b = appendJSON(b, res)
	}
	return string(append(b, '}'))
}

// call is tool_env["functions"][name](**kwargs).
func (st *state) call(name string, kwargs *dict) (any, error) {
	m, ok := methods[name]
	if !ok {
		return nil, raise("%s", pyrepr.Str(name))
	}
	a, err := m.bind(kwargs)
	if err != nil {
		return nil, err
	}
	return try(func() (any, error) { return m.call(st, a) })
}
