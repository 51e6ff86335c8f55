package agent_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// TestRemoteMatchesInProcess runs every example row in process and over
// HTTP (Handler and Remote): reward, verifier fields and items must agree.
func TestRemoteMatchesInProcess(t *testing.T) {
	a := multistepAgent(multistep.Policy())
	url, hc := serveHTTP(t, agent.Handler(a))
	remote := agent.NewRemote(url+"/", agent.WithHTTPClient(hc), agent.WithTimeout(10*time.Second))
	ctx := context.Background()
	rewards := 0.0
	for i, row := range multistepRows(t) {
		local, err := a.Run(ctx, row)
		require.NoError(t, err, "row %d", i)
		got, err := remote.Run(ctx, row)
		require.NoError(t, err, "row %d", i)

		require.Equal(t, local.Reward, got.Reward, "row %d", i)
		rewards += got.Reward
		require.Equal(t, string(local.Fields.AppendJSON(nil)), string(got.Fields.AppendJSON(nil)), "row %d", i)
		var names []string
		for _, f := range got.Fields.Fields() {
			names = append(names, f.Name)
		}
		require.Equal(t, []string{"parsed_synonym_values", "accuracy", "set_overlap",
			"original_term_minefield_hit", "order_instruction_following_failure"}, names, "row %d", i)
		require.Equal(t, local.Rewards, got.Rewards)
		require.Equal(t, itemsJSON(local.Response.Output), itemsJSON(got.Response.Output), "row %d", i)
		require.Equal(t, local.Response.Usage(), got.Response.Usage())
	}
	require.Equal(t, 5.0, rewards) // the scripted policy solves every row
}

func itemsJSON(items []rollout.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = string(it.AppendJSON(nil))
	}
	return out
}

func TestRemoteRewardComponents(t *testing.T) {
	a := agent.Func(func(context.Context, rollout.Task) (*rollout.Result, error) {
		res := &rollout.Result{Response: model.NewResponse(rollout.NewOutputMessage("m", "hi")), Reward: 0.75,
			Rewards: map[string]float64{"format": 1, "answer": 0.5}}
		res.Fields.Set("judge", rollout.Quote("ok"))
		return res, nil
	})
	url, hc := serveHTTP(t, agent.Handler(a))
	got, err := agent.NewRemote(url, agent.WithHTTPClient(hc)).Run(context.Background(), parseTask(t, row))
	require.NoError(t, err)
	require.Equal(t, 0.75, got.Reward)
	require.Equal(t, map[string]float64{"format": 1, "answer": 0.5}, got.Rewards)
	require.Equal(t, `{"judge":"ok"}`, string(got.Fields.AppendJSON(nil)))
	require.Equal(t, "hi", got.Response.Output[0].Text())
}

func TestRemoteFailures(t *testing.T) {
	modelFailure := &rollout.Failure{Class: rollout.FailModel, Stage: "model", Status: http.StatusTooManyRequests,
		Retryable: true, Err: errors.New("rate limited")}
	failing := func(err error) http.Handler {
		return agent.Handler(agent.Func(func(context.Context, rollout.Task) (*rollout.Result, error) { return nil, err }))
	}
	answering := func(status int, body string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		})
	}
	for _, tc := range []struct {
		name      string
		handler   http.Handler
		task      string
		class     rollout.FailureClass
		stage     string
		status    int
		retryable bool
		message   string
	}{
		{name: "invalid row", handler: agent.Handler(multistepAgent(multistep.Policy())), task: `{"responses_create_params": {"input": [1]}}`,
			class: rollout.FailInvalidRow, stage: "seed", status: 400, message: "responses_create_params"},
		{name: "model failure in the loop", handler: agent.Handler(multistepAgent(model.Func(func(context.Context, *model.Request) (*rollout.Response, error) {
			return nil, modelFailure
		}))), class: rollout.FailModel, stage: "model", status: 500, retryable: true, message: "rate limited"},
		{name: "verifier failure", handler: agent.Handler(&agent.Simple{Model: multistep.Policy(), Resources: multistep.NewServer(),
			Verifier: verifier.Func(func(context.Context, *verifier.Request) (*verifier.Verdict, error) {
				return nil, errors.New("no ground truth")
			})}),
			class: rollout.FailVerifier, stage: "verify", status: 500, message: "no ground truth"},
		{name: "plain agent error", handler: failing(errors.New("broken")), class: rollout.FailAgent, stage: "agent", status: 500, message: "broken"},
		{name: "agent panics", handler: agent.Handler(agent.Func(func(context.Context, rollout.Task) (*rollout.Result, error) { panic("bug") })),
			class: rollout.FailAgent, stage: "agent", status: 500, message: "agent panicked: bug"},
		{name: "no result", handler: failing(nil), class: rollout.FailAgent, stage: "agent", status: 500, message: "no result"},
		{name: "proxy error page", handler: answering(502, "<html>Bad Gateway</html>"),
			class: rollout.FailRemote, stage: "agent", status: 502, retryable: true, message: "Bad Gateway"},
		{name: "FastAPI 404", handler: answering(404, `{"detail":"Not Found"}`),
			class: rollout.FailRemote, stage: "agent", status: 404, message: "Not Found"},
		{name: "429 without a body", handler: answering(429, ``),
			class: rollout.FailRemote, stage: "agent", status: 429, retryable: true, message: "Too Many Requests"},
		{name: "garbled answer", handler: answering(200, `{"response": {"output": [`),
			class: rollout.FailRemote, stage: "agent", status: 200, retryable: true, message: "not an output row"},
		{name: "failed row", handler: answering(200, `{"responses_create_params": {}, "_ng_failure_class": "timeout", "_ng_failure_message": "slow", "_ng_failure_retryable": true}`),
			class: rollout.FailTimeout, retryable: true, message: "slow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, hc := serveHTTP(t, tc.handler)
			task := row
			if tc.task != "" {
				task = tc.task
			}
			var o rollout.Object
			require.NoError(t, json.Unmarshal([]byte(task), &o))
			res, err := agent.NewRemote(url, agent.WithHTTPClient(hc)).Run(context.Background(), rollout.Task{Object: o})
			require.Nil(t, res)
			var f *rollout.Failure
			require.ErrorAs(t, err, &f)
			require.Equal(t, tc.class, f.Class, "%v", err)
			require.Equal(t, tc.stage, f.Stage)
			require.Equal(t, tc.status, f.Status)
			require.Equal(t, tc.retryable, f.Retryable)
			require.Contains(t, err.Error(), tc.message)
		})
	}
}

func TestRemoteDeadServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	_, err := agent.NewRemote(url, agent.WithHTTPClient(&http.Client{Transport: tr})).Run(context.Background(), parseTask(t, row))
	var f *rollout.Failure
	require.ErrorAs(t, err, &f)
	require.Equal(t, rollout.FailRemote, f.Class)
	require.Equal(t, "agent", f.Stage)
	require.True(t, f.Retryable)
	require.Zero(t, f.Status)
	require.Contains(t, err.Error(), "is the agent server running at "+url)
}

func TestRemoteTimeoutAndCancel(t *testing.T) {
	release := make(chan struct{})
	url, hc := serveHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer close(release) // before the server closes, which waits for handlers

	start := time.Now()
	_, err := agent.NewRemote(url, agent.WithHTTPClient(hc), agent.WithTimeout(50*time.Millisecond)).Run(context.Background(), parseTask(t, row))
	require.Less(t, time.Since(start), 5*time.Second)
	var f *rollout.Failure
	require.ErrorAs(t, err, &f)
	require.Equal(t, rollout.FailRemote, f.Class)
	require.True(t, f.Retryable)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// The caller's own deadline is a timeout of the rollout.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = agent.NewRemote(url, agent.WithHTTPClient(hc)).Run(ctx, parseTask(t, row))
	require.ErrorAs(t, err, &f)
	require.Equal(t, rollout.FailTimeout, f.Class)
	require.True(t, f.Retryable)

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = agent.NewRemote(url, agent.WithHTTPClient(hc)).Run(ctx, parseTask(t, row))
	require.ErrorAs(t, err, &f)
	require.Equal(t, rollout.FailCancelled, f.Class)
	require.False(t, f.Retryable)
	require.ErrorIs(t, err, context.Canceled)
}
