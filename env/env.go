package env

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/gymkit/gym/internal/failure"
	"github.com/gymkit/gym/internal/pyjson"
	"github.com/gymkit/gym/rollout"
)

// ResourcesServer is the environment side of a rollout: it seeds a Session
// for each rollout from its dataset row. It must be safe for concurrent use.
// In a collection, Seed's context carries the attempt's identity
// (rollout.IDFrom), also over HTTP (Remote sends it, Handler restores it).
type ResourcesServer interface {
	Seed(ctx context.Context, task rollout.Task) (Session, error)
}

// Session is one rollout's view of a ResourcesServer: its tools and its
// state. The agent closes it on every path, after verification.
//
// The calls of one session never overlap: the agent loop calls its tools
// one after another and verifies after the last, and Handler runs the
// concurrent HTTP calls of one session one at a time. A session's state
// therefore needs no lock; state shared by several sessions does.
type Session interface {
	// CallTool runs the tool called name with args (a JSON object) and
	// returns the function_call_output text the model sees. A tool's
	// ordinary error is part of that text, not an error: err is reserved
	// for infrastructure faults (a panic, a dead remote server), which end
	// the rollout.
	CallTool(ctx context.Context, name string, args json.RawMessage) (output string, err error)
	// Close releases the session's state.
	Close() error
}

// Tool is a function the model can call. Build one with NewTool or
// NewStateTool, which derive Parameters from a Go type.
type Tool struct {
	Name        string
	Description string
	Parameters  json.RawMessage // JSON Schema of the arguments object
	Strict      bool

	// Handler runs the tool with the session's state (nil for a stateless
	// Server) and the arguments object, and returns the tool's result. A
	// returned error is shown to the model as {"error": "..."}.
	Handler func(ctx context.Context, state any, args json.RawMessage) (json.RawMessage, error)
}

// Spec returns the tool as a function tool of responses_create_params.tools.
func (t *Tool) Spec() rollout.Tool {
	strict := t.Strict
	return rollout.Tool{Type: "function", Name: t.Name, Description: t.Description, Parameters: t.Parameters, Strict: &strict}
}

// Server is an in-process ResourcesServer made of tools and an optional
// per-rollout state. The zero value has no tools and no state.
type Server struct {
	tools map[string]*Tool
	names []string

	// NewState, if set, creates the state of each rollout from its row. The
	// state is handed to every tool call and can be read by the verifier
	// through StateOf. If it implements io.Closer it is closed with the session.
	NewState func(ctx context.Context, task rollout.Task) (any, error)
}

// NewServer returns a Server offering tools. It panics if two tools share a
// name, a programming error.
func NewServer(tools ...*Tool) *Server {
	s := &Server{tools: make(map[string]*Tool, len(tools))}
	for _, t := range tools {
		if _, dup := s.tools[t.Name]; dup {
			panic(fmt.Sprintf("env: two tools are called %q", t.Name))
		}
		s.tools[t.Name] = t
		s.names = append(s.names, t.Name)
	}
	return s
}

// Tools returns the server's tools in the order given.
func (s *Server) Tools() []*Tool {
	out := make([]*Tool, len(s.names))
	for i, n := range s.names {
		out[i] = s.tools[n]
	}
	return out
}

// Tool returns the tool called name.
func (s *Server) Tool(name string) (*Tool, bool) {
	t, ok := s.tools[name]
	return t, ok
}

// Seed creates the rollout's session, with its state if NewState is set.
func (s *Server) Seed(ctx context.Context, task rollout.Task) (Session, error) {
	sess := &session{srv: s}
	if s.NewState != nil {
		st, err := s.NewState(ctx, task)
		if err != nil {
			return nil, err
		}
		sess.state = st
	}
	return sess, nil
}

type session struct {
	srv   *Server
	state any
}

// StateOf returns the state of a Server's session as an S. ok is false for
// a session of another kind, or one whose state is not an S. A session that
// wraps another has an Unwrap() Session method, which StateOf follows.
func StateOf[S any](sess any) (s S, ok bool) {
	// A session wrapped by middleware (a counter, a tracer) is unwrapped,
	// as errors.Unwrap does for errors.
	for {
		w, ok := sess.(interface{ Unwrap() Session })
		if !ok {
			break
		}
		sess = w.Unwrap()
	}
	ls, isLocal := sess.(*session)
	if !isLocal {
		return s, false
	}
	s, ok = ls.state.(S)
	return s, ok
}

func (s *session) Close() error {
	if c, ok := s.state.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func (s *session) CallTool(ctx context.Context, name string, args json.RawMessage) (out string, err error) {
	t, ok := s.srv.tools[name]
	if !ok {
		return unknownToolOutput(name, sortedNames(s.srv.names)), nil
	}
	defer func() {
		if p := recover(); p != nil { // the name is formatted on a panic only
			err = failure.Panic(rollout.FailToolPanic, "tool", fmt.Sprintf("tool %q", name), p)
		}
	}()
	res, terr := t.Handler(ctx, s.state, args)
	if f, ok := errors.AsType[*rollout.Failure](terr); ok && f.Class == rollout.FailEnvironment {
		return "", terr // the environment is built wrong: no observation for the model
	}
	if terr != nil {
		if ctx.Err() != nil {
			// The rollout's deadline or cancellation, not the tool's verdict.
			return "", failure.Of(ctx, rollout.FailAgent, "tool", fmt.Errorf("tool %q: %w", name, terr))
		}
		return ErrorOutput(terr.Error()), nil
	}
	return string(res), nil
}

func sortedNames(names []string) []string {
	s := append([]string(nil), names...)
	sort.Strings(s)
	return s
}

// unknownToolOutput is the output of a call of the unknown tool name, in
// process and over HTTP (Handler): the error names the tools, sorted.
func unknownToolOutput(name string, sorted []string) string {
	return ErrorOutput(fmt.Sprintf("unknown tool %q; the tools are: %s", name, strings.Join(sorted, ", ")))
}

// ErrorOutput returns the function_call_output text for a tool error:
// {"error": msg}, formatted as NeMo Gym's Python servers format JSON.
func ErrorOutput(msg string) string {
	return `{"error": ` + pyjson.Quote(msg) + `}`
}
