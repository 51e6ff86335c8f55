package gym_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/internal/deadline"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// finishes runs f and fails the test if it has not returned within d: a
// collection that waits forever is the defect under test.
func finishes(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still running after %v: something waits forever", d)
	}
}

// countLines counts the results of a JSONL buffer by (task, rollout).
func countLines(t *testing.T, b *bytes.Buffer) map[[2]int]int {
	t.Helper()
	pairs := map[[2]int]int{}
	for res, err := range rollout.ReadResults(bytes.NewReader(b.Bytes()), "") {
		require.NoError(t, err)
		pairs[[2]int{res.TaskIndex, res.RolloutIndex}]++
	}
	return pairs
}

// With the Collector's and the Environment's zero values, a policy that
// never answers 2% of its calls cannot stall the collection: the default
// model deadline (shortened here) fails those calls as timeouts, and every
// pair ends in the output or the failures.
func TestDefaultDeadlinesFinishAHangingCollection(t *testing.T) {
	deadline.SetForTest(t, deadline.Model, 50*time.Millisecond)
	var calls atomic.Int64
	hanging := model.Func(func(ctx context.Context, _ *model.Request) (*rollout.Response, error) {
		if calls.Add(1)%50 == 0 { // 2% of the calls never answer
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return model.NewResponse(rollout.NewOutputMessage("m", "ok")), nil
	})
	var reg gym.Registry
	require.NoError(t, reg.Register("a", gym.Environment{Model: hanging, Resources: env.NewServer(), Verifier: verifier.Constant(1)}))
	const rows = 300
	tasks := make([]gym.Task, rows)
	for i := range tasks {
		tasks[i] = row(t, "a", fmt.Sprintf("q%d", i))
	}
	var out, fail bytes.Buffer
	c := gym.Collector{Registry: &reg, Output: &out, Failures: &fail}
	var summary *gym.Summary
	finishes(t, 20*time.Second, func() {
		var err error
		summary, err = c.Run(context.Background(), gym.FromSlice(tasks))
		require.NoError(t, err)
	})
	ok, failed := countLines(t, &out), countLines(t, &fail)
	require.Len(t, ok, rows-summary.Failures())
	require.Equal(t, rows, len(ok)+len(failed), "every pair is in the output or the failures")
	require.NotZero(t, summary.Failures(), "some calls hung")
	for res, err := range rollout.ReadResults(bytes.NewReader(fail.Bytes()), "") {
		require.NoError(t, err)
		f := rollout.AsFailure(res.Err)
		require.Equal(t, rollout.FailTimeout, f.Class)
		require.Equal(t, "model", f.Stage)
	}
}

// An agent that never returns is bounded by the default rollout deadline.
func TestDefaultRolloutDeadline(t *testing.T) {
	deadline.SetForTest(t, deadline.Rollout, 50*time.Millisecond)
	var n atomic.Int64
	stuck := agent.Func(func(ctx context.Context, task rollout.Task) (*rollout.Result, error) {
		if n.Add(1)%4 == 0 {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return &rollout.Result{Response: &rollout.Response{}, Reward: 1}, nil
	})
	var reg gym.Registry
	require.NoError(t, reg.Register("a", gym.Environment{Agent: stuck}))
	tasks := make([]gym.Task, 40)
	for i := range tasks {
		tasks[i] = row(t, "a", fmt.Sprintf("q%d", i))
	}
	c := gym.Collector{Registry: &reg}
	var results []*gym.Result
	finishes(t, 20*time.Second, func() { results = collectAll(t, &c, gym.FromSlice(tasks)) })
	require.Len(t, results, 40)
	timeouts := 0
	for _, r := range results {
		if r.Err != nil {
			require.Equal(t, rollout.FailTimeout, rollout.AsFailure(r.Err).Class)
			require.Equal(t, "rollout", rollout.AsFailure(r.Err).Stage)
			timeouts++
		}
	}
	require.Equal(t, 10, timeouts)
}

// The defaults are the documented ones; NoTimeout removes a deadline and a
// positive value replaces it.
func TestDeadlineDefaults(t *testing.T) {
	type seen struct {
		model, tool, verify time.Duration // 0: no deadline
	}
	remaining := func(ctx context.Context) time.Duration {
		d, ok := ctx.Deadline()
		if !ok {
			return 0
		}
		return time.Until(d)
	}
	run := func(e gym.Environment) seen {
		var s seen
		step := 0
		e.Model = model.Func(func(ctx context.Context, _ *model.Request) (*rollout.Response, error) {
			s.model = remaining(ctx)
			step++
			if step == 1 {
				return model.NewResponse(rollout.NewFunctionCall("c1", "probe", `{}`)), nil
			}
			return model.NewResponse(rollout.NewOutputMessage("m", "done")), nil
		})
		e.Resources = env.NewServer(env.NewTool("probe", "Probe.", func(ctx context.Context, _ struct{}) (string, error) {
			s.tool = remaining(ctx)
			return "ok", nil
		}))
		e.Verifier = verifier.Func(func(ctx context.Context, _ *verifier.Request) (*verifier.Verdict, error) {
			s.verify = remaining(ctx)
			return verifier.Reward(1), nil
		})
		var reg gym.Registry
		require.NoError(t, reg.Register("a", e))
		c := gym.Collector{Registry: &reg, RolloutTimeout: gym.NoTimeout}
		for _, r := range collectAll(t, &c, gym.FromSlice([]gym.Task{row(t, "a", "q")})) {
			require.NoError(t, r.Err)
		}
		return s
	}
	near := func(want, got time.Duration) {
		t.Helper()
		require.InDelta(t, want.Seconds(), got.Seconds(), 5, "want about %v, got %v", want, got)
	}
	s := run(gym.Environment{})
	near(agent.DefaultModelTimeout, s.model)
	near(agent.DefaultToolTimeout, s.tool)
	near(agent.DefaultVerifyTimeout, s.verify)
	require.Equal(t, 20*time.Minute, agent.DefaultModelTimeout, "as the README says")
	require.Equal(t, 2*time.Hour, gym.DefaultRolloutTimeout, "as the README says")

	s = run(gym.Environment{ModelTimeout: gym.NoTimeout, ToolTimeout: 3 * time.Second, VerifyTimeout: gym.NoTimeout})
	require.Zero(t, s.model)
	near(3*time.Second, s.tool)
	require.Zero(t, s.verify)

	// The Collector's default bounds the rollout: a stage without a
	// deadline of its own still has the rollout's.
	var reg gym.Registry
	var got time.Duration
	require.NoError(t, reg.Register("a", gym.Environment{Agent: agent.Func(func(ctx context.Context, _ rollout.Task) (*rollout.Result, error) {
		got = remaining(ctx)
		return &rollout.Result{Response: &rollout.Response{}}, nil
	})}))
	collectAll(t, &gym.Collector{Registry: &reg}, gym.FromSlice([]gym.Task{row(t, "a", "q")}))
	near(gym.DefaultRolloutTimeout, got)
}

// Each failure line says its attempt and whether it is final: a rollout
// retried and then successful leaves one non-final line; one that never
// succeeds leaves non-final lines and a final one; an invalid row one
// final line without an attempt.
func TestFailureLinesSayAttemptAndFinal(t *testing.T) {
	var mu sync.Mutex
	tries := map[string]int{}
	flaky := agent.Func(func(ctx context.Context, task rollout.Task) (*rollout.Result, error) {
		text := task.String("id")
		mu.Lock()
		tries[text]++
		n := tries[text]
		mu.Unlock()
		if text == "never" || n == 1 {
			return nil, &rollout.Failure{Class: rollout.FailModel, Stage: "model", Retryable: true, Err: errors.New("503")}
		}
		return &rollout.Result{Response: &rollout.Response{}, Reward: 1}, nil
	})
	var reg gym.Registry
	require.NoError(t, reg.Register("a", gym.Environment{Agent: flaky}))
	var fail bytes.Buffer
	c := gym.Collector{Registry: &reg, Failures: &fail, MaxAttempts: 3, RetryBackoff: time.Millisecond}
	collectAll(t, &c, gym.FromSlice([]gym.Task{row(t, "a", "q1", `"id":"once"`), row(t, "a", "q2", `"id":"never"`), row(t, "", "q3")}))
	type line struct {
		task    int
		attempt int
		final   bool
	}
	var got []line
	for res, err := range rollout.ReadResults(bytes.NewReader(fail.Bytes()), "") {
		require.NoError(t, err)
		f := rollout.AsFailure(res.Err)
		got = append(got, line{res.TaskIndex, f.Attempt, f.Final})
	}
	require.ElementsMatch(t, []line{{0, 1, false}, {1, 1, false}, {1, 2, false}, {1, 3, true}, {2, 0, true}}, got)
	require.Contains(t, fail.String(), `"_ng_failure_attempt":3,"_ng_failure_final":true`)
	require.NotContains(t, fail.String(), `"_ng_failure_attempt":0`)
}
