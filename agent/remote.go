package agent

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gymkit/gym/internal/httpjson"
	"github.com/gymkit/gym/rollout"
)

// Remote is an Agent served over HTTP by a NeMo Gym agent server (or by
// Handler): Run posts the row to <base>/run and reads the output row back.
type Remote struct {
	c httpjson.Client
}

// RemoteOption configures a Remote.
type RemoteOption func(*Remote)

// WithHTTPClient sends the requests with c (http.DefaultClient by default).
func WithHTTPClient(c *http.Client) RemoteOption {
	return func(r *Remote) {
		if c != nil {
			r.c.HTTP = c
		}
	}
}

// WithTimeout bounds each rollout (one POST /run) by d; 0 means no bound
// beyond the context's.
func WithTimeout(d time.Duration) RemoteOption {
	return func(r *Remote) { r.c.Timeout = d }
}

// NewRemote returns the agent served at baseURL, e.g.
// http://127.0.0.1:8001 (the server's root, where /run lives).
func NewRemote(baseURL string, opts ...RemoteOption) *Remote {
	r := &Remote{c: httpjson.Client{Base: strings.TrimRight(baseURL, "/"), Server: "agent server", Prefix: "agent: ",
		MaxAnswer: maxAnswerBytes}}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Run runs one rollout on the server. The Result's Response, Reward and
// Rewards are read from the output row, and Fields are the verifier's
// extra fields: the row's members that the task did not have, other than
// agent_ref and the _ng_ bookkeeping fields, in order.
//
// Failures are *rollout.Failure values with Stage "agent" and the HTTP
// status: a refused or broken connection, the Remote's timeout or an
// answer that is not an output row is FailRemote and retryable; the
// caller's cancellation and deadline are FailCancelled and FailTimeout; an
// error answer keeps the failure class (and stage and retryability) its
// body carries, as Handler writes it, and is otherwise FailRemote,
// retryable for 408, 429 and 5xx.
func (r *Remote) Run(ctx context.Context, task rollout.Task) (*rollout.Result, error) {
	if id, ok := rollout.IDFrom(ctx); ok {
		task = task.WithRolloutID(id) // the server's agent runs under the same identity
	}
	ans, err := r.c.Post(ctx, "agent", "/run", task.AppendJSON(nil), nil)
	if err != nil {
		return nil, err
	}
	if !ans.OK() {
		return nil, ans.Failure("agent")
	}
	row, err := rollout.ParseResult(ans.Body)
	if err != nil {
		// A truncated or garbled answer is a glitch worth another attempt.
		return nil, &rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Status: ans.Status, Retryable: true,
			Err: fmt.Errorf("%s answered something that is not an output row: %w (body %.200q)", ans.Request, err, ans.Body)}
	}
	if row.Err != nil {
		// A server that writes failed rollouts as rows, as NeMo Gym's
		// collection does in its failures file.
		return nil, row.Err
	}
	res := &rollout.Result{Response: row.Response, Reward: row.Reward, Rewards: row.Rewards}
	for _, f := range row.Task.Fields() {
		if task.Has(f.Name) || f.Name == rollout.KeyAgentRef || strings.HasPrefix(f.Name, "_ng_") {
			continue
		}
		res.Fields.Set(f.Name, f.Value)
	}
	return res, nil
}

// maxAnswerBytes bounds an answer: an output row with token ids on every
// turn of a long episode is a few megabytes.
const maxAnswerBytes = 256 << 20
