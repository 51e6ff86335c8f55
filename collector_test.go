package gym_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/model"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// echoEnv answers every call with a message and rewards with reward.
func echoEnv(reward float64) gym.Environment {
	return gym.Environment{
		Model: model.Func(func(context.Context, *model.Request) (*rollout.Response, error) {
			return model.NewResponse(rollout.NewOutputMessage("m", "ok")), nil
		}),
		Resources: env.NewServer(),
		Verifier:  verifier.Constant(reward),
	}
}

func row(t testing.TB, agentName, text string, extra ...string) gym.Task {
	t.Helper()
	s := `{"responses_create_params":{"input":` + string(rollout.Quote(text)) + `}`
	if agentName != "" {
		s += `,"agent_ref":{"type":"responses_api_agents","name":` + string(rollout.Quote(agentName)) + `}`
	}
	for _, e := range extra {
		s += "," + e
	}
	task, err := rollout.ParseTask([]byte(s + "}"))
	require.NoError(t, err)
	return task
}

func collectAll(t testing.TB, c *gym.Collector, src iter.Seq2[gym.Task, error]) []*gym.Result {
	t.Helper()
	var out []*gym.Result
	for res, err := range c.Collect(context.Background(), src) {
		require.NoError(t, err)
		out = append(out, res)
	}
	return out
}

func TestCollectRoutesByAgentRef(t *testing.T) {
	var reg gym.Registry
	require.NoError(t, reg.Register("a", echoEnv(0.25)))
	require.NoError(t, reg.Register("b", echoEnv(0.75)))
	tasks := []gym.Task{row(t, "a", "1"), row(t, "b", "2"), row(t, "a", "3"), row(t, "b", "4")}
	c := gym.Collector{Registry: &reg}
	results := collectAll(t, &c, gym.FromSlice(tasks))
	require.Len(t, results, 4)
	for _, r := range results {
		require.NoError(t, r.Err)
		want := map[string]float64{"a": 0.25, "b": 0.75}[r.Agent]
		require.Equal(t, want, r.Reward, "agent %s", r.Agent)
		require.Equal(t, r.Agent, r.Task.AgentName())
	}
}

type key struct{ task, rollout int }

func TestCollectIndicesAsNeMoGym(t *testing.T) {
	var reg gym.Registry
	require.NoError(t, reg.Register("a", echoEnv(1)))
	require.NoError(t, reg.Register("b", echoEnv(1)))
	tasks := []gym.Task{
		row(t, "a", "x"),
		row(t, "b", "y"),
		row(t, "a", "x"), // identical to the first: same task index, next rollout indices
		row(t, "a", "z", `"_ng_task_index":42`),
	}
	c := gym.Collector{Registry: &reg, NumRepeats: 2, RepeatsByAgent: map[string]int{"b": 3}}
	got := map[key]string{}
	for _, r := range collectAll(t, &c, gym.FromSlice(tasks)) {
		require.NoError(t, r.Err)
		k := key{r.TaskIndex, r.RolloutIndex}
		require.NotContains(t, got, k, "duplicate (task, rollout)")
		got[k] = r.Agent
	}
	require.Equal(t, map[key]string{
		{0, 0}: "a", {0, 1}: "a", {0, 2}: "a", {0, 3}: "a",
		{1, 0}: "b", {1, 1}: "b", {1, 2}: "b",
		{42, 0}: "a", {42, 1}: "a",
	}, got)
}

func TestCollectLimitAndDefaultAgent(t *testing.T) {
	var reg gym.Registry
	require.NoError(t, reg.Register("dflt", echoEnv(1)))
	var tasks []gym.Task
	for i := range 10 {
		tasks = append(tasks, row(t, "", fmt.Sprint(i)))
	}
	c := gym.Collector{Registry: &reg, Limit: 3, DefaultAgent: "dflt"}
	results := collectAll(t, &c, gym.FromSlice(tasks))
	require.Len(t, results, 3)
	for _, r := range results {
		require.NoError(t, r.Err)
		require.Equal(t, "dflt", r.Agent)
		out, err := json.Marshal(r)
		require.NoError(t, err)
		require.Contains(t, string(out), `"agent_ref":{"type":"responses_api_agents","name":"dflt"}`)
	}

	c.DefaultAgent = ""
	results = collectAll(t, &c, gym.FromSlice(tasks[:1]))
	require.Len(t, results, 1)
	require.ErrorContains(t, results[0].Err, "no agent_ref and no default agent")
	require.Equal(t, rollout.FailInvalidRow, rollout.AsFailure(results[0].Err).Class)
}

func TestCollectUnknownAgentSuggests(t *testing.T) {
	var reg gym.Registry
	require.NoError(t, reg.Register("example_multi_step_simple_agent", echoEnv(1)))
	c := gym.Collector{Registry: &reg}
	results := collectAll(t, &c, gym.FromSlice([]gym.Task{
		row(t, "example_multi_step_simple_agnt", "x"),
		row(t, "example_multi_step_simple_agent", "y"),
	}))
	require.Len(t, results, 2)
	var failed, ok int
	for _, r := range results {
		if r.Err == nil {
			ok++
			continue
		}
		failed++
		require.ErrorIs(t, r.Err, gym.ErrUnknownAgent)
		var ue *gym.UnknownAgentError
		require.ErrorAs(t, r.Err, &ue)
		require.Equal(t, "example_multi_step_simple_agent", ue.Suggestion)
		require.Contains(t, r.Err.Error(), `did you mean "example_multi_step_simple_agent"?`)
	}
	require.Equal(t, 1, failed)
	require.Equal(t, 1, ok)
}

func TestCollectFailureDoesNotStopOthers(t *testing.T) {
	var reg gym.Registry
	require.NoError(t, reg.Register("ok", echoEnv(1)))
	require.NoError(t, reg.Register("broken", gym.Environment{
		Model: model.Func(func(context.Context, *model.Request) (*rollout.Response, error) {
			return nil, errors.New("upstream 503")
		}),
		Resources: env.NewServer(), Verifier: verifier.Constant(1),
	}))
	require.NoError(t, reg.Register("panics", gym.Environment{Agent: agent.Func(func(context.Context, gym.Task) (*gym.Result, error) {
		panic("boom")
	})}))
	var tasks []gym.Task
	for i := range 30 {
		tasks = append(tasks, row(t, []string{"ok", "broken", "panics"}[i%3], fmt.Sprint(i)))
	}
	var out, fails strings.Builder
	c := gym.Collector{Registry: &reg, Concurrency: 4, Output: &out, Failures: &fails}
	results := collectAll(t, &c, gym.FromSlice(tasks))
	require.Len(t, results, 30)
	classes := map[rollout.FailureClass]int{}
	for _, r := range results {
		if r.Err == nil {
			require.Equal(t, "ok", r.Agent)
			continue
		}
		f := rollout.AsFailure(r.Err)
		classes[f.Class]++
		if r.Agent == "panics" {
			require.Contains(t, f.Stack, "goroutine")
		}
	}
	require.Equal(t, map[rollout.FailureClass]int{rollout.FailModel: 10, rollout.FailAgent: 10}, classes)
	require.Equal(t, 10, strings.Count(out.String(), "\n"))
	require.Equal(t, 20, strings.Count(fails.String(), "\n"))
	for line := range strings.Lines(fails.String()) {
		res, err := rollout.ParseResult([]byte(line))
		require.NoError(t, err)
		require.Error(t, res.Err)
		require.NotEmpty(t, rollout.AsFailure(res.Err).Class)
	}
}

func TestCollectInvalidLinesAreReportedAndSkipped(t *testing.T) {
	var reg gym.Registry
	require.NoError(t, reg.Register("a", echoEnv(1)))
	input := `{"responses_create_params":{"input":"one"},"agent_ref":{"name":"a"}}
{"responses_create_params":
{"agent_ref":{"name":"a"}}
{"responses_create_params":{"input":"four"},"agent_ref":{"name":"a"}}
`
	c := gym.Collector{Registry: &reg}
	src := rollout.ReadTasks(strings.NewReader(input), "in.jsonl")
	var okN int
	var lines []int
	for _, r := range collectAll(t, &c, src) {
		if r.Err == nil {
			okN++
			continue
		}
		var le *rollout.LineError
		require.ErrorAs(t, r.Err, &le)
		require.Equal(t, "in.jsonl", le.Path)
		lines = append(lines, le.Line)
		require.Equal(t, rollout.FailInvalidRow, rollout.AsFailure(r.Err).Class)
	}
	require.Equal(t, 2, okN)
	require.ElementsMatch(t, []int{2, 3}, lines)
}

type failingReader struct{ data io.Reader }

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.data.Read(p)
	if err == io.EOF {
		return n, errors.New("disk on fire")
	}
	return n, err
}

func TestCollectFatalErrors(t *testing.T) {
	var reg gym.Registry
	require.NoError(t, reg.Register("a", echoEnv(1)))
	c := gym.Collector{Registry: &reg}
	src := rollout.ReadTasks(&failingReader{strings.NewReader(`{"responses_create_params":{"input":"x"},"agent_ref":{"name":"a"}}` + "\n")}, "in")
	var fatal error
	n := 0
	for res, err := range c.Collect(context.Background(), src) {
		if err != nil {
			fatal = err
			continue
		}
		require.NoError(t, res.Err)
		n++
	}
	require.ErrorContains(t, fatal, "disk on fire")
	require.LessOrEqual(t, n, 1)

	c.Output = errWriter{}
	fatal = nil
	for _, err := range c.Collect(context.Background(), gym.FromSlice([]gym.Task{row(t, "a", "x")})) {
		if err != nil {
			fatal = err
		}
	}
	require.ErrorContains(t, fatal, "disk full")
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// blockingEnv's model blocks until the rollout's context ends, except for
// rows whose input is "fast".
func blockingEnv(started *atomic.Int32) gym.Environment {
	return gym.Environment{
		Model: model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
			if req.Input[0].Text() == "fast" {
				return model.NewResponse(rollout.NewOutputMessage("m", "done")), nil
			}
			started.Add(1)
			<-ctx.Done()
			return nil, ctx.Err()
		}),
		Resources: env.NewServer(), Verifier: verifier.Constant(1),
	}
}

func TestCollectCancelStopsPromptlyAndHandsBackWhatFinished(t *testing.T) {
	var started atomic.Int32
	var reg gym.Registry
	require.NoError(t, reg.Register("a", blockingEnv(&started)))
	var tasks []gym.Task
	for i := range 100 {
		text := "slow"
		if i < 3 {
			text = "fast"
		}
		tasks = append(tasks, row(t, "a", text, fmt.Sprintf(`"i":%d`, i)))
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := gym.Collector{Registry: &reg, Concurrency: 8}
	var done, cancelled int
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for res, err := range c.Collect(ctx, gym.FromSlice(tasks)) {
			require.NoError(t, err)
			if res.Err == nil {
				done++
				if done == 3 {
					for started.Load() < 5 {
						time.Sleep(time.Millisecond)
					}
					cancel()
				}
				continue
			}
			require.Equal(t, rollout.FailCancelled, rollout.AsFailure(res.Err).Class)
			cancelled++
		}
	}()
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("Collect did not return after cancellation")
	}
	require.Equal(t, 3, done)
	require.Positive(t, cancelled)
	require.LessOrEqual(t, cancelled, 8, "rollouts never started must not be run")
}

func TestCollectBreakEarlyReleasesEverything(t *testing.T) {
	var started atomic.Int32
	var reg gym.Registry
	require.NoError(t, reg.Register("a", blockingEnv(&started)))
	tasks := []gym.Task{row(t, "a", "fast")}
	for range 50 {
		tasks = append(tasks, row(t, "a", "slow"))
	}
	c := gym.Collector{Registry: &reg, Concurrency: 16}
	for res, err := range c.Collect(context.Background(), gym.FromSlice(tasks)) {
		require.NoError(t, err)
		require.NoError(t, res.Err)
		break
	}
	// goleak in TestMain checks that no rollout goroutine survives.
}

func TestCollectConcurrencyCap(t *testing.T) {
	var inFlight, peak atomic.Int32
	var reg gym.Registry
	require.NoError(t, reg.Register("a", gym.Environment{
		Model: model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			return model.NewResponse(rollout.NewOutputMessage("m", "ok")), nil
		}),
		Resources: env.NewServer(), Verifier: verifier.Constant(1),
	}))
	var tasks []gym.Task
	for i := range 200 {
		tasks = append(tasks, row(t, "a", fmt.Sprint(i)))
	}
	c := gym.Collector{Registry: &reg, Concurrency: 7}
	require.Len(t, collectAll(t, &c, gym.FromSlice(tasks)), 200)
	require.LessOrEqual(t, peak.Load(), int32(7))
	require.Greater(t, peak.Load(), int32(1))
}

func TestCollectGroups(t *testing.T) {
	var reg gym.Registry
	var calls atomic.Int32
	require.NoError(t, reg.Register("a", gym.Environment{
		Model: model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
			calls.Add(1)
			return model.NewResponse(rollout.NewOutputMessage("m", req.Input[0].Text())), nil
		}),
		Resources: env.NewServer(),
		Verifier: verifier.Func(func(_ context.Context, req *verifier.Request) (*verifier.Verdict, error) {
			var i int
			require.NoError(t, req.Task.Decode("_ng_rollout_index", &i))
			return verifier.Reward(float64(i)), nil
		}),
	}))
	var tasks []gym.Task
	for i := range 20 {
		tasks = append(tasks, row(t, "a", fmt.Sprint(i)))
	}
	c := gym.Collector{Registry: &reg, NumRepeats: 4, Concurrency: 5}
	seen := map[int]bool{}
	for g, err := range c.CollectGroups(context.Background(), gym.FromSlice(tasks)) {
		require.NoError(t, err)
		require.Len(t, g.Results, 4)
		require.False(t, seen[g.TaskIndex])
		seen[g.TaskIndex] = true
		for i, r := range g.Results {
			require.Equal(t, i, r.RolloutIndex)
			require.Equal(t, g.TaskIndex, r.TaskIndex)
			require.Equal(t, float64(i), r.Reward)
		}
		require.Equal(t, 1.5, g.MeanReward())
	}
	require.Len(t, seen, 20)
	require.Equal(t, int32(80), calls.Load())
}

func TestRegistry(t *testing.T) {
	var reg gym.Registry // the zero value works
	_, err := reg.Lookup("x")
	require.ErrorIs(t, err, gym.ErrUnknownAgent)
	require.ErrorContains(t, err, "registry is empty")

	require.NoError(t, reg.Register("weather", echoEnv(1)))
	require.ErrorContains(t, reg.Register("weather", echoEnv(1)), "already registered")
	require.ErrorContains(t, reg.Register("", echoEnv(1)), "empty agent name")
	err = reg.Register("broken", gym.Environment{Resources: env.NewServer()})
	require.ErrorContains(t, err, "Model")
	require.ErrorContains(t, err, "Verifier")
	require.NoError(t, reg.Register("synonyms", echoEnv(1)))
	require.Equal(t, []string{"synonyms", "weather"}, reg.Names())

	_, err = reg.Lookup("wether")
	require.ErrorContains(t, err, `did you mean "weather"?`)
	_, err = reg.Lookup("completely_different")
	require.ErrorContains(t, err, "registered: [synonyms weather]")
}

func TestRunSummary(t *testing.T) {
	var reg gym.Registry
	require.NoError(t, reg.Register("a", echoEnv(0.5)))
	c := gym.Collector{Registry: &reg, NumRepeats: 3}
	sum, err := c.Run(context.Background(), gym.FromSlice([]gym.Task{row(t, "a", "1"), row(t, "nope", "2")}))
	require.NoError(t, err)
	require.Equal(t, 3, sum.Agents["a"].Rollouts)
	require.Equal(t, 0.5, sum.Agents["a"].MeanReward())
	require.Equal(t, 1, sum.Failures())
}

func TestTagAndConcat(t *testing.T) {
	src := gym.Concat(
		gym.Tag(gym.FromSlice([]gym.Task{row(t, "", "1"), row(t, "old", "2")}), "x"),
		gym.Tag(gym.FromSlice([]gym.Task{row(t, "", "3")}), "y"),
	)
	var names []string
	for task, err := range src {
		require.NoError(t, err)
		names = append(names, task.AgentName())
	}
	require.Equal(t, []string{"x", "x", "y"}, names)
}

func TestCollectRetriesRetryableFailuresWithAFreshSession(t *testing.T) {
	var calls, seeds atomic.Int32
	var reg gym.Registry
	srv := env.NewServer()
	srv.NewState = func(context.Context, gym.Task) (any, error) { seeds.Add(1); return new(int), nil }
	require.NoError(t, reg.Register("flaky", gym.Environment{
		Model: model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
			if calls.Add(1)%3 != 0 { // two failures, then a success
				return nil, &rollout.Failure{Class: rollout.FailModel, Status: 429, Retryable: true, Err: errors.New("429 slow down")}
			}
			return model.NewResponse(rollout.NewOutputMessage("m", "ok")), nil
		}),
		Resources: srv, Verifier: verifier.Constant(1),
	}))
	require.NoError(t, reg.Register("fatal", gym.Environment{
		Model: model.Func(func(ctx context.Context, req *model.Request) (*rollout.Response, error) {
			return nil, &rollout.Failure{Class: rollout.FailModel, Status: 400, Err: errors.New("400 bad request")}
		}),
		Resources: env.NewServer(), Verifier: verifier.Constant(1),
	}))
	var fails strings.Builder
	c := gym.Collector{Registry: &reg, MaxAttempts: 3, RetryBackoff: time.Millisecond, Failures: &fails, Concurrency: 1}
	results := collectAll(t, &c, gym.FromSlice([]gym.Task{row(t, "flaky", "x"), row(t, "fatal", "y")}))
	require.Len(t, results, 2)
	for _, r := range results {
		switch r.Agent {
		case "flaky":
			require.NoError(t, r.Err)
			require.Equal(t, int32(3), seeds.Load(), "each attempt seeds a fresh session")
		case "fatal":
			require.ErrorContains(t, r.Err, "400 bad request")
		}
	}
	// Two failed attempts of the flaky rollout and the one attempt of the fatal one.
	require.Equal(t, 3, strings.Count(fails.String(), "\n"))
}

func TestCollectRolloutTimeout(t *testing.T) {
	var started atomic.Int32
	var reg gym.Registry
	require.NoError(t, reg.Register("a", blockingEnv(&started)))
	c := gym.Collector{Registry: &reg, RolloutTimeout: 20 * time.Millisecond, MaxAttempts: 2, RetryBackoff: time.Millisecond}
	results := collectAll(t, &c, gym.FromSlice([]gym.Task{row(t, "a", "slow")}))
	require.Len(t, results, 1)
	f := rollout.AsFailure(results[0].Err)
	require.Equal(t, rollout.FailTimeout, f.Class)
	require.True(t, f.Retryable)
	require.Equal(t, int32(2), started.Load(), "a timed-out rollout is retried up to MaxAttempts")
}

// Shards split a dataset by task index: together they run every rollout
// once, with the indices of a whole run.
func TestCollectShards(t *testing.T) {
	var reg gym.Registry
	require.NoError(t, reg.Register("a", echoEnv(1)))
	var tasks []gym.Task
	for i := range 10 {
		tasks = append(tasks, row(t, "a", fmt.Sprint(i)))
	}
	tasks = append(tasks, row(t, "nope", "bad"))
	whole := map[key]bool{}
	c := gym.Collector{Registry: &reg, NumRepeats: 2}
	for _, r := range collectAll(t, &c, gym.FromSlice(tasks)) {
		whole[key{r.TaskIndex, r.RolloutIndex}] = true
	}
	got := map[key]int{}
	for shard := range 3 {
		c := gym.Collector{Registry: &reg, NumRepeats: 2, Shard: shard, Shards: 3}
		for _, r := range collectAll(t, &c, gym.FromSlice(tasks)) {
			require.Equal(t, shard, r.TaskIndex%3)
			got[key{r.TaskIndex, r.RolloutIndex}]++
		}
	}
	require.Len(t, got, len(whole))
	for k := range whole {
		require.Equal(t, 1, got[k], "%v", k)
	}
}

// Concurrency is a cap, not an allocation: any value, however large, runs.
func TestCollectConcurrencyExtremes(t *testing.T) {
	var reg gym.Registry
	require.NoError(t, reg.Register("a", echoEnv(1)))
	tasks := []gym.Task{row(t, "a", "x"), row(t, "a", "y"), row(t, "a", "z")}
	for _, tc := range []struct {
		name string
		conc int
	}{
		{"one", 1},
		{"default", 0},
		{"huge", math.MaxInt},
		{"negative", -5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := gym.Collector{Registry: &reg, Concurrency: tc.conc, NumRepeats: 2}
			require.Len(t, collectAll(t, &c, gym.FromSlice(tasks)), 6)
		})
	}
}
