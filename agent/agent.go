package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/internal/deadline"
	"github.com/gymkit/gym/internal/failure"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// Agent runs one rollout of a dataset row: it produces the episode's
// response and the verifier's reward, returned in a Result whose Response,
// Reward, Fields and Rewards are set (the caller sets the row and indices).
// On failure it returns an error, and may return a Result holding what was
// produced before it. An Agent must be safe for concurrent use. In a
// collection, ctx carries the attempt's identity (rollout.IDFrom), which an
// agent passes on to its model calls and verifier.
type Agent interface {
	Run(ctx context.Context, task rollout.Task) (*rollout.Result, error)
}

// Func adapts a function to an Agent.
type Func func(ctx context.Context, task rollout.Task) (*rollout.Result, error)

// Run calls f.
func (f Func) Run(ctx context.Context, task rollout.Task) (*rollout.Result, error) {
	return f(ctx, task)
}

// Simple is the tool-calling loop of NeMo Gym's simple_agent: seed a session
// with the row; call the model with the row's input plus every item produced
// so far; run each function call in order on the session and append its
// output; stop when the response is incomplete, when a turn has a message and
// no function call, or after MaxSteps model calls; then verify.
type Simple struct {
	Model     model.Model
	Resources env.ResourcesServer
	Verifier  verifier.Verifier

	// MaxSteps bounds the model calls of a rollout; 0 means no bound other
	// than the context's deadline.
	MaxSteps int

	// Deadlines of one model call, one tool call (its wait for the
	// session's turn included) and the verification. 0 means the default
	// (DefaultModelTimeout, DefaultToolTimeout, DefaultVerifyTimeout);
	// NoTimeout (any negative value) means none beyond the rollout's
	// context. A call that overruns its deadline fails the rollout as a
	// timeout. In a Collector's rollout the call runs on the attempt's own
	// context, which carries the call's deadline (ctx.Deadline reports it)
	// and ends when the attempt ends, not when the call returns: the
	// deadlines of all rollouts share a few timers instead of a context
	// and a timer per call.
	ModelTimeout, ToolTimeout, VerifyTimeout time.Duration
}

// Default deadlines of the stages of a rollout: generous enough that a
// healthy vLLM policy, tool or verifier never reaches them, finite so that
// a call that never answers fails as a timeout (retryable) instead of
// holding its rollout forever.
const (
	// DefaultModelTimeout bounds one model call: a 32k-token generation
	// on a loaded server takes minutes, not tens of minutes.
	DefaultModelTimeout = 20 * time.Minute
	// DefaultToolTimeout bounds one tool call (code execution, a search).
	DefaultToolTimeout = 10 * time.Minute
	// DefaultVerifyTimeout bounds the verification (an LLM judge, unit tests).
	DefaultVerifyTimeout = 10 * time.Minute
)

// NoTimeout, as a deadline, asks for none: the stage is bounded only by
// its context.
const NoTimeout time.Duration = -1

// Run runs one rollout. The identity of the attempt (rollout.IDFrom on
// ctx, set by the Collector) goes on every model call and on the verifier's
// request; the resources server's Seed receives it on its context.
func (a *Simple) Run(ctx context.Context, task rollout.Task) (res *rollout.Result, err error) {
	id, _ := rollout.IDFrom(ctx)
	err = a.inSession(ctx, task, func(sess env.Session) error {
		req, err := request(task)
		if err != nil {
			return err
		}
		req.ID = id
		resp, err := a.Loop(ctx, sess, req)
		res = &rollout.Result{Response: resp}
		if err != nil {
			return err
		}
		v, err := a.verify(ctx, &verifier.Request{Task: task, Response: resp, Session: sess, ID: id})
		if err != nil {
			return err
		}
		res.Reward = v.Reward
		res.Fields = v.Fields
		res.Rewards = v.Components
		return nil
	})
	return res, err
}

// request is the first model request of a row: its responses_create_params
// and their input. A row without them is an invalid row.
func request(task rollout.Task) (*model.Request, error) {
	params, err := task.Params()
	if err != nil {
		return nil, rollout.Fail(rollout.FailInvalidRow, "seed", err)
	}
	input, err := params.Input()
	if err != nil {
		return nil, rollout.Fail(rollout.FailInvalidRow, "seed", fmt.Errorf("%s.%w", rollout.KeyCreateParams, err))
	}
	return &model.Request{Params: params, Input: input}, nil
}

// Respond runs the tool loop for one Responses API request, as NeMo Gym's
// simple_agent answers /v1/responses: it seeds a session with the row
// {"responses_create_params": <req>}, runs Loop from req's input, and
// closes the session. The response holds every item of the episode. It
// makes a Simple a model.Model, so that Handler serves it on /v1/responses
// and an agent can stand where a model is expected.
func (a *Simple) Respond(ctx context.Context, req *model.Request) (resp *rollout.Response, err error) {
	if _, ok := rollout.IDFrom(ctx); !ok && !req.ID.IsZero() {
		ctx = rollout.WithID(ctx, req.ID)
	}
	var row rollout.Task
	row.Set(rollout.KeyCreateParams, req.AppendJSON(nil))
	err = a.inSession(ctx, row, func(sess env.Session) error {
		var lerr error
		resp, lerr = a.Loop(ctx, sess, req)
		return lerr
	})
	return resp, err
}

// inSession seeds a session with task, runs f on it and closes it. A
// session that cannot release its state fails an otherwise successful f;
// an earlier failure is the one to report.
func (a *Simple) inSession(ctx context.Context, task rollout.Task, f func(env.Session) error) (err error) {
	sess, err := a.Resources.Seed(ctx, task)
	if err != nil {
		return rollout.Fail(rollout.FailResources, "seed", fmt.Errorf("seed session: %w", err))
	}
	defer func() {
		if cerr := sess.Close(); cerr != nil && err == nil {
			err = rollout.Fail(rollout.FailResources, "close", fmt.Errorf("close session: %w", cerr))
		}
	}()
	return f(sess)
}

// verify runs the verifier (see verifier.Run) within VerifyTimeout.
func (a *Simple) verify(ctx context.Context, req *verifier.Request) (*verifier.Verdict, error) {
	ctx, cancel := deadline.With(ctx, deadline.Resolve(deadline.Verify, a.VerifyTimeout, DefaultVerifyTimeout))
	defer cancel()
	return verifier.Run(ctx, a.Verifier, req)
}

// Loop runs the tool loop on an open session, starting from req (whose
// Input is the conversation so far), and returns the episode's response: the
// last model response with every output item of every turn and every tool
// output, in order, and the usage summed over turns. On failure the returned
// response holds what was produced before it.
func (a *Simple) Loop(ctx context.Context, sess env.Session, req *model.Request) (*rollout.Response, error) {
	history := make([]rollout.Item, len(req.Input), len(req.Input)+8)
	copy(history, req.Input)
	start := len(history)
	var usage rollout.Usage
	var last *rollout.Response
	finish := func() *rollout.Response {
		return last.Episode(history[start:len(history):len(history)], usage)
	}
	for step := 1; ; step++ {
		call := &model.Request{Params: req.Params, Input: history[:len(history):len(history)], ID: req.ID}
		resp, err := a.callModel(ctx, call)
		if err != nil {
			return finish(), err
		}
		last = resp
		usage.Add(resp.Usage())
		history = append(history, resp.Output...)
		if resp.Incomplete() {
			break
		}
		calls, messages := 0, 0
		for _, it := range resp.Output {
			switch it.Type() {
			case rollout.TypeFunctionCall:
				calls++
				out, err := a.callTool(ctx, sess, it)
				if err != nil {
					return finish(), err
				}
				history = append(history, rollout.NewFunctionCallOutput(it.CallID(), out))
			case rollout.TypeMessage:
				if it.Role() == "assistant" || it.Role() == "" {
					messages++
				}
			}
		}
		if calls == 0 && messages > 0 {
			break
		}
		if a.MaxSteps > 0 && step >= a.MaxSteps {
			break
		}
	}
	return finish(), nil
}

func (a *Simple) callModel(ctx context.Context, req *model.Request) (*rollout.Response, error) {
	ctx, cancel := deadline.With(ctx, deadline.Resolve(deadline.Model, a.ModelTimeout, DefaultModelTimeout))
	defer cancel()
	resp, err := a.Model.Respond(ctx, req)
	if err != nil {
		return nil, failure.Of(ctx, rollout.FailModel, "model", fmt.Errorf("model call: %w", err))
	}
	if resp == nil {
		return nil, &rollout.Failure{Class: rollout.FailModel, Stage: "model", Err: fmt.Errorf("model call: the model returned no response")}
	}
	return resp, nil
}

// callTool runs one function call. Invalid arguments are answered with an
// error output that the model sees; the rollout goes on.
func (a *Simple) callTool(ctx context.Context, sess env.Session, call rollout.Item) (string, error) {
	args := call.ArgumentsJSON()
	if !isJSONObject(args) {
		return env.ErrorOutput(fmt.Sprintf("the arguments of %s are not a valid JSON object: %q", call.Name(), args)), nil
	}
	ctx, cancel := deadline.With(ctx, deadline.Resolve(deadline.Tool, a.ToolTimeout, DefaultToolTimeout))
	defer cancel()
	out, err := sess.CallTool(ctx, call.Name(), args)
	if err != nil {
		return "", failure.Of(ctx, rollout.FailAgent, "tool", fmt.Errorf("tool %q: %w", call.Name(), err))
	}
	return out, nil
}

func isJSONObject(b []byte) bool {
	if !rollout.Valid(b) {
		return false
	}
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c == '{'
	}
	return false
}
