package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gymkit/gym/rollout"
)

// Remote is an Agent served over HTTP by a NeMo Gym agent server (or by
// Handler): Run posts the row to <base>/run and reads the output row back.
type Remote struct {
	url     string
	client  *http.Client
	timeout time.Duration
}

// RemoteOption configures a Remote.
type RemoteOption func(*Remote)

// WithHTTPClient sends the requests with c (http.DefaultClient by default).
func WithHTTPClient(c *http.Client) RemoteOption {
	return func(r *Remote) {
		if c != nil {
			r.client = c
		}
	}
}

// WithTimeout bounds each rollout (one POST /run) by d; 0 means no bound
// beyond the context's.
func WithTimeout(d time.Duration) RemoteOption {
	return func(r *Remote) { r.timeout = d }
}

// NewRemote returns the agent served at baseURL, e.g.
// http://127.0.0.1:8001 (the server's root, where /run lives).
func NewRemote(baseURL string, opts ...RemoteOption) *Remote {
	r := &Remote{url: strings.TrimRight(baseURL, "/") + "/run", client: http.DefaultClient}
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
	parent := ctx
	if r.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(task.AppendJSON(nil)))
	if err != nil {
		return nil, &rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Err: fmt.Errorf("agent: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, r.transportError(parent, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return nil, r.transportError(parent, fmt.Errorf("reading the answer: %w", err))
	}
	if len(body) > maxAnswerBytes {
		return nil, &rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Status: resp.StatusCode,
			Err: fmt.Errorf("agent: POST %s: the answer is larger than %d bytes", r.url, maxAnswerBytes)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, r.answerError(resp.StatusCode, body)
	}
	row, err := rollout.ParseResult(body)
	if err != nil {
		// A truncated or garbled answer is a glitch worth another attempt.
		return nil, &rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Status: resp.StatusCode, Retryable: true,
			Err: fmt.Errorf("agent: POST %s answered something that is not an output row: %w (body %.200q)", r.url, err, body)}
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

// transportError classifies an exchange that got no (complete) answer: the
// caller's cancellation or deadline (parent's) as such; a refused or
// broken connection, or the Remote's own timeout, as a retryable
// FailRemote.
func (r *Remote) transportError(parent context.Context, err error) error {
	switch parent.Err() {
	case context.Canceled:
		return &rollout.Failure{Class: rollout.FailCancelled, Stage: "agent", Err: fmt.Errorf("agent: POST %s: %w", r.url, err)}
	case context.DeadlineExceeded:
		return &rollout.Failure{Class: rollout.FailTimeout, Stage: "agent", Retryable: true, Err: fmt.Errorf("agent: POST %s: %w", r.url, err)}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no answer within the timeout of %v: %w", r.timeout, err)
	} else {
		err = fmt.Errorf("%w (is the agent server running at %s?)", err, strings.TrimSuffix(r.url, "/run"))
	}
	return &rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Retryable: true, Err: fmt.Errorf("agent: POST %s: %w", r.url, err)}
}

// answerError turns an error answer into a Failure, rebuilding the class
// from an OpenAI-style error body that carries one in its code.
func (r *Remote) answerError(status int, body []byte) error {
	f := &rollout.Failure{Class: rollout.FailRemote, Stage: "agent", Status: status,
		Retryable: status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500}
	msg := errorMessage(body, f)
	f.Err = fmt.Errorf("agent: POST %s: HTTP %d: %s", r.url, status, msg)
	return f
}

// errorMessage returns the message of an error body and sets f's class,
// stage and retryability from it when it carries them. It reads
// {"error": {"message", "code", "stage", "retryable"}}, {"error": "..."}
// and FastAPI's {"detail": ...}; any other body is its own message.
func errorMessage(body []byte, f *rollout.Failure) string {
	var e struct {
		Error  json.RawMessage `json:"error"`
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &e) == nil {
		var s string
		var obj struct {
			Message   string `json:"message"`
			Class     string `json:"class"` // the errors of env.Handler
			Code      string `json:"code"`
			Stage     string `json:"stage"`
			Retryable *bool  `json:"retryable"`
		}
		switch {
		case json.Unmarshal(e.Error, &obj) == nil && obj.Message != "":
			if obj.Class == "" {
				obj.Class = obj.Code
			}
			if class := rollout.FailureClass(obj.Class); knownClass(class) {
				f.Class = class
				if obj.Stage != "" {
					f.Stage = obj.Stage
				}
				if obj.Retryable != nil {
					f.Retryable = *obj.Retryable
				}
			}
			return obj.Message
		case json.Unmarshal(e.Error, &s) == nil && s != "":
			return s
		case json.Unmarshal(e.Detail, &s) == nil && s != "":
			return s
		case len(e.Detail) > 0:
			return string(e.Detail)
		}
	}
	if len(body) == 0 {
		return http.StatusText(f.Status)
	}
	return fmt.Sprintf("%.200q", body)
}

func knownClass(c rollout.FailureClass) bool {
	switch c {
	case rollout.FailModel, rollout.FailTimeout, rollout.FailToolPanic, rollout.FailVerifier,
		rollout.FailInvalidRow, rollout.FailRemote, rollout.FailCancelled, rollout.FailAgent, rollout.FailResources:
		return true
	}
	return false
}
