package agent

// The HTTP face of an Agent: NeMo Gym's agent server (responses_api_agents).

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gymkit/gym/internal/failure"
	"github.com/gymkit/gym/internal/httpjson"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
)

// HandlerOption configures Handler.
type HandlerOption func(*handler)

// WithMaxBodyBytes bounds the size of a request body
// (model.DefaultMaxBodyBytes by default); a larger body is answered with
// HTTP 413.
func WithMaxBodyBytes(n int64) HandlerOption {
	return func(h *handler) {
		if n > 0 {
			h.maxBody = n
		}
	}
}

// Handler serves a as a NeMo Gym agent server:
//
//	POST /run           one dataset row in, one output row out
//	POST /v1/responses  the agent loop as if it were a model
//	GET  /              liveness
//
// /run answers the output row in NeMo Gym's layout (what its simple_agent's
// /run returns: the verifier's answer to the row plus the response): the
// row's fields, response, reward, the verifier's extra fields and
// reward_components. _ng_task_index and _ng_rollout_index, when the row
// carries them, are echoed. An invalid row is HTTP 400 and a failed rollout
// HTTP 500, both with an OpenAI-style error body whose code (and class) is
// the failure class, next to its stage and retryability, as model.Handler
// writes errors; Remote rebuilds the failure from it.
//
// /v1/responses is served by model.Handler when a implements model.Model
// (as *Simple does: each request runs the tool loop on a session of its
// own); for other agents it answers HTTP 501. The answer is a Response
// whose output holds every item of the episode, the tool calls and their
// outputs included. There is no /v1/chat/completions: a chat completion's
// tool_calls would ask the client to run calls the agent has already run.
//
// Bodies are bounded (WithMaxBodyBytes), errors are JSON, and a panicking
// agent is recovered and answered with HTTP 500 (class agent_error).
func Handler(a Agent, opts ...HandlerOption) http.Handler {
	h := &handler{a: a, maxBody: model.DefaultMaxBodyBytes}
	for _, o := range opts {
		o(h)
	}
	if m, ok := a.(model.Model); ok {
		h.model = model.Handler(m, model.WithMaxBodyBytes(h.maxBody))
	} else {
		h.model = model.Handler(model.Func(func(context.Context, *model.Request) (*rollout.Response, error) {
			return nil, &rollout.Failure{Class: rollout.FailAgent, Stage: "agent", Status: http.StatusNotImplemented,
				Err: fmt.Errorf("agent: %T does not answer Responses API requests (it does not implement model.Model); use POST /run", a)}
		}), model.WithMaxBodyBytes(h.maxBody))
	}
	return h
}

type handler struct {
	a       Agent
	maxBody int64
	model   http.Handler // serves every route but /run
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/run":
	case "/v1/chat/completions":
		// A chat completion's tool_calls ask the client to run them; the
		// agent's function calls have already run.
		httpjson.NotFound(w, r, "an agent server answers POST /run and POST /v1/responses")
		return
	default:
		h.model.ServeHTTP(w, r) // /v1/responses, liveness, unknown routes
		return
	}
	defer httpjson.Recover(w, func(p any) error { return fmt.Errorf("agent: /run panicked: %v", p) })
	if err := httpjson.CheckMethod(w, r, http.MethodPost); err != nil {
		httpjson.WriteError(w, 0, err)
		return
	}
	body, err := httpjson.ReadBody(w, r, h.maxBody, "the request body")
	if err != nil {
		httpjson.WriteError(w, 0, err)
		return
	}
	out, err := h.run(r.Context(), body)
	if err != nil {
		f := *rollout.AsFailure(err)
		f.Status = http.StatusInternalServerError
		if f.Class == rollout.FailInvalidRow {
			f.Status = http.StatusBadRequest
		}
		httpjson.WriteError(w, f.Status, &f)
		return
	}
	httpjson.WriteJSON(w, http.StatusOK, out)
}

// run runs one row and returns its output row.
func (h *handler) run(ctx context.Context, body []byte) ([]byte, error) {
	task, err := rollout.ParseTask(body)
	if err != nil {
		return nil, rollout.Fail(rollout.FailInvalidRow, "seed", fmt.Errorf("agent: row: %w", err))
	}
	res := &rollout.Result{Task: task, Agent: task.AgentName()}
	for _, idx := range []struct {
		name string
		dst  *int
	}{{rollout.KeyTaskIndex, &res.TaskIndex}, {rollout.KeyRolloutIndex, &res.RolloutIndex}} {
		if err := task.Decode(idx.name, idx.dst); err != nil {
			return nil, rollout.Fail(rollout.FailInvalidRow, "seed", fmt.Errorf("agent: row: %w", err))
		}
	}
	if id := task.RolloutID(); !id.IsZero() {
		// A collector's attempt: its identity reaches the agent as it does in process.
		res.ID = id
		ctx = rollout.WithID(ctx, id)
	}
	got, err := h.runAgent(ctx, task)
	if err != nil {
		return nil, err
	}
	if got == nil {
		return nil, &rollout.Failure{Class: rollout.FailAgent, Stage: "agent", Err: fmt.Errorf("agent: %T returned no result", h.a)}
	}
	res.Response, res.Reward, res.Fields, res.Rewards = got.Response, got.Reward, got.Fields, got.Rewards
	out := res.AppendJSON(nil)
	if task.Has(rollout.KeyTaskIndex) && task.Has(rollout.KeyRolloutIndex) {
		return out, nil
	}
	// NeMo Gym's /run echoes the row: indices it did not send are not added.
	o, err := rollout.ParseObject(out)
	if err != nil {
		return nil, &rollout.Failure{Class: rollout.FailAgent, Stage: "agent", Err: fmt.Errorf("agent: output row: %w", err)}
	}
	for _, k := range []string{rollout.KeyTaskIndex, rollout.KeyRolloutIndex} {
		if !task.Has(k) {
			o.Delete(k)
		}
	}
	return o.AppendJSON(out[:0:0]), nil
}

func (h *handler) runAgent(ctx context.Context, task rollout.Task) (res *rollout.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, failure.Panic(rollout.FailAgent, "agent", "agent", p)
		}
	}()
	return h.a.Run(ctx, task)
}
