package gym_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/gymtest"
	"github.com/gymkit/gym/internal/endpointtest"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// fourTurns calls the tool "step" three times, then answers.
var fourTurns = model.Func(func(_ context.Context, req *model.Request) (*rollout.Response, error) {
	n := 0
	for _, it := range req.Input {
		if it.Type() == rollout.TypeFunctionCallOutput {
			n++
		}
	}
	if n < 3 {
		return model.NewResponse(rollout.NewFunctionCall(fmt.Sprintf("call_%d", n), "step", `{}`)), nil
	}
	return model.NewResponse(rollout.NewOutputMessage("msg", "done")), nil
})

var stepTool = env.NewTool("step", "Take a step.", func(context.Context, struct{}) (string, error) { return "ok", nil })

// Every call of one rollout goes to one of the model's endpoints, for both
// clients, through the library.
func TestRolloutsStickToOneEndpoint(t *testing.T) {
	for _, api := range []string{"openai", "vllm"} {
		t.Run(api, func(t *testing.T) {
			var tr endpointtest.Tracker
			var urls []string
			for i := range 2 {
				srv := gymtest.NewServer(gymtest.Policy(tr.Policy(i, fourTurns)))
				defer srv.Close()
				urls = append(urls, srv.URL)
			}
			var policy model.Model
			var err error
			if api == "openai" {
				policy, err = model.NewOpenAI(model.OpenAIConfig{BaseURL: strings.Join(urls, ","), Model: "m"})
			} else {
				policy, err = model.NewVLLM(model.VLLMConfig{BaseURL: urls, Model: "m"})
			}
			require.NoError(t, err)
			var reg gym.Registry
			require.NoError(t, reg.Register("a", gym.Environment{Model: policy, Resources: env.NewServer(stepTool), Verifier: verifier.Constant(1)}))
			var tasks []gym.Task
			for i := range 8 {
				tasks = append(tasks, row(t, "a", fmt.Sprintf("task %d", i)))
			}
			c := gym.Collector{Registry: &reg, NumRepeats: 4, Concurrency: 8}
			for _, res := range collectAll(t, &c, gym.FromSlice(tasks)) {
				require.NoError(t, res.Err)
			}
			require.Empty(t, tr.Check(32, 4))
		})
	}
}

// The identity of each attempt reaches every model call, the resources
// server's Seed, the verifier and the output row; a retry has a new one.
func TestIdentityReachesEveryPart(t *testing.T) {
	var mu sync.Mutex
	seen := map[string][]string{} // uid → parts that saw it
	see := func(part string, id rollout.ID) {
		mu.Lock()
		defer mu.Unlock()
		seen[id.UID] = append(seen[id.UID], fmt.Sprintf("%s %d/%d/%d", part, id.Task, id.Rollout, id.Attempt))
	}
	var fails sync.Map // (task, rollout) → failed once
	srv := env.NewServer(stepTool)
	srv.NewState = func(ctx context.Context, task rollout.Task) (any, error) {
		id, ok := rollout.IDFrom(ctx)
		require.True(t, ok)
		see("seed", id)
		return nil, nil
	}
	policy := model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
		see("model", req.ID)
		return fourTurns(ctx, req)
	})
	v := verifier.Func(func(ctx context.Context, req *verifier.Request) (*verifier.Verdict, error) {
		see("verify", req.ID)
		key := [2]int{req.ID.Task, req.ID.Rollout}
		if _, failed := fails.LoadOrStore(key, true); !failed {
			return nil, &rollout.Failure{Class: rollout.FailModel, Retryable: true, Err: fmt.Errorf("first attempt fails")}
		}
		return verifier.Reward(1), nil
	})
	var reg gym.Registry
	require.NoError(t, reg.Register("a", gym.Environment{Model: policy, Resources: srv, Verifier: v}))
	var failures strings.Builder
	var out strings.Builder
	c := gym.Collector{Registry: &reg, NumRepeats: 2, MaxAttempts: 2, RetryBackoff: 1, Failures: &failures, Output: &out}
	results := collectAll(t, &c, gym.FromSlice([]gym.Task{row(t, "a", "x"), row(t, "a", "y")}))
	require.Len(t, results, 4)

	uids := map[string]bool{}
	for _, res := range results {
		require.NoError(t, res.Err)
		id := res.ID
		require.Equal(t, rollout.ID{Task: res.TaskIndex, Rollout: res.RolloutIndex, Attempt: 2, UID: id.UID}, id)
		require.Len(t, id.UID, 32)
		uids[id.UID] = true
		want := []string{fmt.Sprintf("seed %d/%d/2", id.Task, id.Rollout)}
		for range 4 {
			want = append(want, fmt.Sprintf("model %d/%d/2", id.Task, id.Rollout))
		}
		want = append(want, fmt.Sprintf("verify %d/%d/2", id.Task, id.Rollout))
		require.Equal(t, want, seen[id.UID])
	}
	require.Len(t, uids, 4, "every rollout has its own id")

	// The output rows and the failure lines record the identity.
	lines := func(s string) []map[string]json.RawMessage {
		var rows []map[string]json.RawMessage
		for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
			var m map[string]json.RawMessage
			require.NoError(t, json.Unmarshal([]byte(l), &m), l)
			rows = append(rows, m)
		}
		return rows
	}
	for _, r := range lines(out.String()) {
		require.JSONEq(t, "2", string(r[rollout.KeyAttempt]))
		var uid string
		require.NoError(t, json.Unmarshal(r[rollout.KeyRolloutUID], &uid))
		require.True(t, uids[uid])
	}
	failed := lines(failures.String())
	require.Len(t, failed, 4, "one failed first attempt per rollout")
	for _, r := range failed {
		require.JSONEq(t, "1", string(r[rollout.KeyAttempt]))
		var uid string
		require.NoError(t, json.Unmarshal(r[rollout.KeyRolloutUID], &uid))
		require.False(t, uids[uid], "the retry has a new id")
		require.Len(t, seen[uid], 6, "the failed attempt's parts saw its id")
	}
}
