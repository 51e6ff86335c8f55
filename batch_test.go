package gym_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/rollout"
)

// scripted is an environment whose rollouts are decided by a function of
// the row's "id" and the rollout index: it returns the reward, or an error.
type scripted struct {
	started, running, peak atomic.Int64
	fn                     func(ctx context.Context, id, rolloutIndex int) (float64, error)
}

func (s *scripted) env() gym.Environment {
	return gym.Environment{Agent: agent.Func(func(ctx context.Context, task rollout.Task) (*rollout.Result, error) {
		s.started.Add(1)
		n := s.running.Add(1)
		defer s.running.Add(-1)
		for {
			p := s.peak.Load()
			if n <= p || s.peak.CompareAndSwap(p, n) {
				break
			}
		}
		var id, ri int
		_ = task.Decode("id", &id)
		_ = task.Decode(rollout.KeyRolloutIndex, &ri)
		reward, err := s.fn(ctx, id, ri)
		if err != nil {
			return nil, &rollout.Failure{Class: rollout.FailModel, Stage: "model", Err: err}
		}
		return &rollout.Result{Reward: reward}, nil
	})}
}

// varied gives each group both rewards 0 and 1.
func varied(_ context.Context, id, ri int) (float64, error) { return float64((id + ri) % 2), nil }

func register(t *testing.T, envs map[string]*scripted) *gym.Registry {
	var reg gym.Registry
	for name, s := range envs {
		require.NoError(t, reg.Register(name, s.env()))
	}
	return &reg
}

func sourcesOf(t *testing.T, rows int, weights map[string]float64, order ...string) []gym.Source {
	var out []gym.Source
	for _, name := range order {
		out = append(out, gym.Source{Rows: gym.FromSlice(rowsOf(t, name, rows)), Weight: weights[name]})
	}
	return out
}

func TestBatchesExactShape(t *testing.T) {
	a, b := &scripted{fn: varied}, &scripted{fn: varied}
	var out bytes.Buffer
	bt := gym.Batcher{
		Collector:   &gym.Collector{Registry: register(t, map[string]*scripted{"a": a, "b": b}), Concurrency: 16, Output: &out},
		Blend:       gym.Blend{Seed: 5, Epochs: -1, Sources: sourcesOf(t, 10, map[string]float64{"a": 3, "b": 1}, "a", "b")},
		Prompts:     8,
		Generations: 4,
	}
	steps := 0
	ids := map[int]bool{}
	for batch, err := range bt.Batches(context.Background()) {
		require.NoError(t, err)
		require.Equal(t, steps, batch.Step)
		require.Len(t, batch.Groups, 8)
		count := map[string]int{}
		for _, g := range batch.Groups {
			require.Len(t, g.Results, 4)
			require.False(t, ids[g.TaskIndex], "task index %d used twice", g.TaskIndex)
			ids[g.TaskIndex] = true
			for i, r := range g.Results {
				require.NoError(t, r.Err)
				require.Equal(t, i, r.RolloutIndex)
				require.Equal(t, g.TaskIndex, r.TaskIndex)
				require.Equal(t, g.Agent, r.Agent)
			}
			count[g.Agent]++
		}
		require.Equal(t, map[string]int{"a": 6, "b": 2}, count)
		st := batch.Stats
		require.Equal(t, 32, st.Rollouts)
		require.Equal(t, 6, st.Sources["a"].Groups)
		require.Equal(t, 24, st.Sources["a"].Rollouts)
		require.InDelta(t, 0.5, st.RewardMean, 1e-9)
		require.InDelta(t, 0.5, st.PassRate, 1e-9)
		require.Greater(t, st.RewardStd, 0.4)
		steps++
		if steps == 20 {
			break
		}
	}
	require.Equal(t, 20, steps)
	// Every rollout run is written, those of the batches collected ahead too.
	lines := bytes.Count(out.Bytes(), []byte("\n"))
	require.GreaterOrEqual(t, lines, 20*32)
	require.Equal(t, a.started.Load()+b.started.Load(), int64(lines))
}

func batchOrder(t *testing.T, seed uint64) [][]string {
	bt := gym.Batcher{
		Collector:   &gym.Collector{Registry: register(t, map[string]*scripted{"a": {fn: varied}, "b": {fn: varied}, "c": {fn: varied}}), Concurrency: 7},
		Blend:       gym.Blend{Seed: seed, Epochs: 2, Sources: sourcesOf(t, 9, map[string]float64{"a": 0.5, "b": 0.3, "c": 0.2}, "a", "b", "c")},
		Prompts:     5,
		Generations: 3,
	}
	var out [][]string
	for batch, err := range bt.Batches(context.Background()) {
		require.NoError(t, err)
		var ids []string
		for _, g := range batch.Groups {
			var id int
			require.NoError(t, g.Results[0].Task.Decode("id", &id))
			ids = append(ids, g.Agent+strconv.Itoa(id))
		}
		out = append(out, ids)
	}
	return out
}

func TestBatchesDeterministic(t *testing.T) {
	first := batchOrder(t, 11)
	require.Len(t, first, 54/5, "two epochs of 27 rows in batches of 5; the last, short one is not handed out")
	require.Equal(t, first, batchOrder(t, 11))
	require.NotEqual(t, first, batchOrder(t, 12))
}

func TestBatchesDynamicSampling(t *testing.T) {
	// Rows with an even id get the same reward on every rollout.
	fn := func(_ context.Context, id, ri int) (float64, error) {
		if id%2 == 0 {
			return 1, nil
		}
		return float64(ri % 2), nil
	}
	run := func(maxExtra int) []*gym.Batch {
		bt := gym.Batcher{
			Collector:        &gym.Collector{Registry: register(t, map[string]*scripted{"a": {fn: fn}, "b": {fn: fn}}), Concurrency: 8},
			Blend:            gym.Blend{Seed: 2, Epochs: -1, Sources: sourcesOf(t, 12, map[string]float64{"a": 1, "b": 1}, "a", "b")},
			Prompts:          4,
			Generations:      2,
			DynamicSampling:  true,
			MaxExtraRollouts: maxExtra,
		}
		var out []*gym.Batch
		for batch, err := range bt.Batches(context.Background()) {
			require.NoError(t, err)
			out = append(out, batch)
			if len(out) == 10 {
				break
			}
		}
		return out
	}
	dropped := 0
	for _, b := range run(0) {
		require.Len(t, b.Groups, 4)
		n := map[string]int{}
		for _, g := range b.Groups {
			require.NotEqual(t, g.Results[0].Reward, g.Results[1].Reward, "a uniform group was kept")
			n[g.Agent]++
		}
		require.Equal(t, map[string]int{"a": 2, "b": 2}, n, "refills come from the dropped group's source")
		require.Equal(t, 8+2*b.Stats.DroppedUniform, b.Stats.Rollouts)
		require.False(t, b.Stats.CapReached)
		dropped += b.Stats.DroppedUniform
	}
	require.Greater(t, dropped, 0)

	// With no extra rollouts allowed, uniform groups are kept and the
	// stats say so.
	capped := 0
	for _, b := range run(-1) {
		require.Len(t, b.Groups, 4)
		require.Equal(t, 8, b.Stats.Rollouts)
		if b.Stats.CapReached {
			capped++
		}
	}
	require.Greater(t, capped, 0)
}

func TestBatchesFailedGroups(t *testing.T) {
	// Rollout 1 of rows with id 0 or 3 fails the first time.
	var mu sync.Mutex
	seen := map[string]bool{}
	fn := func(_ context.Context, id, ri int) (float64, error) {
		mu.Lock()
		defer mu.Unlock()
		key := strconv.Itoa(id) + "/" + strconv.Itoa(ri)
		if (id == 0 || id == 3) && ri == 1 && !seen[key] {
			seen[key] = true
			return 0, errors.New("flaky")
		}
		return 1, nil
	}
	run := func(p gym.GroupFailure) *gym.Batch {
		clear(seen)
		var fails bytes.Buffer
		bt := gym.Batcher{
			Collector:   &gym.Collector{Registry: register(t, map[string]*scripted{"a": {fn: fn}}), Failures: &fails},
			Blend:       gym.Blend{Sources: sourcesOf(t, 6, nil, "a")},
			Prompts:     4,
			Generations: 3,
			OnFailure:   p,
			Bulkhead:    gym.Bulkhead{FailureRate: -1},
		}
		var got []*gym.Batch
		for batch, err := range bt.Batches(context.Background()) {
			require.NoError(t, err)
			got = append(got, batch)
		}
		require.Len(t, got, 1, "6 rows make one batch of 4")
		require.NotZero(t, fails.Len(), "failed rollouts are written to Failures")
		return got[0]
	}
	ids := func(b *gym.Batch) map[int]int {
		out := map[int]int{}
		for _, g := range b.Groups {
			var id int
			require.NoError(t, g.Results[0].Task.Decode("id", &id))
			out[id] = len(g.Results)
		}
		return out
	}

	b := run(gym.DropGroup)
	for id, n := range ids(b) {
		require.Equal(t, 3, n, "row %d", id)
	}
	require.Equal(t, b.Stats.Failures, b.Stats.DroppedFailed)
	require.Positive(t, b.Stats.DroppedFailed)

	b = run(gym.KeepSuccesses)
	short := 0
	for _, n := range ids(b) {
		if n == 2 {
			short++
		}
	}
	require.Equal(t, b.Stats.Failures, short, "each group with a failure keeps its two successes")
	require.Equal(t, 12, b.Stats.Rollouts)

	b = run(gym.RetryFailed)
	for _, g := range b.Groups {
		require.Len(t, g.Results, 3)
		for _, r := range g.Results {
			require.NoError(t, r.Err)
		}
	}
	require.Equal(t, b.Stats.Failures, b.Stats.Retried)
	require.Equal(t, 12+b.Stats.Retried, b.Stats.Rollouts)
}

// An environment that fails every rollout is paused; the run goes on with
// the other's batches whole, and its pause is reported.
func TestBatchesPauseFailingEnvironment(t *testing.T) {
	bad := &scripted{fn: func(context.Context, int, int) (float64, error) { return 0, errors.New("model down") }}
	good := &scripted{fn: varied}
	bt := gym.Batcher{
		Collector:   &gym.Collector{Registry: register(t, map[string]*scripted{"bad": bad, "good": good}), Concurrency: 8},
		Blend:       gym.Blend{Seed: 1, Sources: sourcesOf(t, 60, nil, "good", "bad")},
		Prompts:     6,
		Generations: 2,
		Bulkhead:    gym.Bulkhead{Window: 4, ProbeAfter: time.Hour},
	}
	n := 0
	for batch, err := range bt.Batches(context.Background()) {
		require.NoError(t, err)
		require.Len(t, batch.Groups, 6)
		for _, g := range batch.Groups {
			require.Equal(t, "good", g.Agent)
			require.Len(t, g.Results, 2)
		}
		require.Len(t, batch.Stats.Paused, 1)
		p := batch.Stats.Paused[0]
		require.ErrorIs(t, p, gym.ErrPaused)
		require.Equal(t, "bad", p.Source)
		require.Equal(t, rollout.FailModel, p.Class)
		require.Equal(t, 4, p.Failures)
		require.ErrorContains(t, p, "environment bad paused: 4 of its last 4 rollouts failed (mostly model_error; last: model down)")
		n++
	}
	// good's 60 rows make 10 batches of 6 (those drawn for the first
	// batch's bad slots included); the run then ends without an error.
	require.Equal(t, 10, n)
	require.LessOrEqual(t, bad.started.Load(), int64(4+8), "the paused environment gets no more rollouts than were in flight")
}

// A paused environment is probed; when the probe succeeds it is back.
func TestBatchesProbeResumes(t *testing.T) {
	var calls atomic.Int64
	flaky := &scripted{fn: func(_ context.Context, id, ri int) (float64, error) {
		if calls.Add(1) <= 4 {
			return 0, errors.New("warming up")
		}
		return varied(nil, id, ri)
	}}
	bt := gym.Batcher{
		Collector:   &gym.Collector{Registry: register(t, map[string]*scripted{"flaky": flaky, "ok": {fn: varied}}), Concurrency: 2},
		Blend:       gym.Blend{Epochs: -1, Sources: sourcesOf(t, 10, nil, "flaky", "ok")},
		Prompts:     2,
		Generations: 2,
		// The pause lasts long enough that a batch is cut while it is on,
		// however slowly the machine runs the rollouts.
		Bulkhead: gym.Bulkhead{Window: 4, ProbeAfter: 20 * time.Millisecond},
	}
	paused, back := false, false
	start := time.Now()
	for batch, err := range bt.Batches(context.Background()) {
		require.NoError(t, err)
		require.Len(t, batch.Groups, 2)
		if len(batch.Stats.Paused) > 0 {
			paused = true
		}
		if paused && batch.Stats.Sources["flaky"] != nil && batch.Stats.Sources["flaky"].Groups > 0 && len(batch.Stats.Paused) == 0 {
			back = true
			break
		}
		if time.Since(start) > 20*time.Second {
			break
		}
	}
	require.True(t, paused, "the failing environment was paused")
	require.True(t, back, "it came back after a successful probe")
}

// A slow environment keeps to its share of the slots: the fast one goes
// on with the rest.
func TestBatchesSlowBesideFast(t *testing.T) {
	release := make(chan struct{})
	slow := &scripted{fn: func(ctx context.Context, id, ri int) (float64, error) {
		select {
		case <-release:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		return varied(ctx, id, ri)
	}}
	fast := &scripted{fn: varied}
	bt := gym.Batcher{
		Collector:   &gym.Collector{Registry: register(t, map[string]*scripted{"slow": slow, "fast": fast}), Concurrency: 8},
		Blend:       gym.Blend{Epochs: -1, Sources: sourcesOf(t, 50, nil, "slow", "fast")},
		Prompts:     8,
		Generations: 4,
		MaxAge:      2,
	}
	// While the slow environment's rollouts hang, the fast one runs all
	// its rollouts of the three batches the age bound opens, and the slow
	// one holds no more than its half of the slots.
	want := int64(3 * 4 * 4)
	next, stop := iter.Pull2(bt.Batches(context.Background()))
	defer stop()
	go func() {
		deadline := time.Now().Add(10 * time.Second)
		for fast.started.Load() < want && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond) // the slow one's chance to take more slots
		close(release)
	}()
	batch, err, ok := next()
	require.True(t, ok)
	require.NoError(t, err)
	require.Len(t, batch.Groups, 8)
	require.GreaterOrEqual(t, fast.started.Load(), want)
	require.Equal(t, int64(4), slow.peak.Load(), "the slow environment holds its share, 4 of 8 slots, and no more")
}

func TestBatchesAgeBound(t *testing.T) {
	for _, age := range []int{-1, 1, 2} {
		t.Run(fmt.Sprint(age), func(t *testing.T) {
			a := &scripted{fn: varied}
			bt := gym.Batcher{
				Collector:   &gym.Collector{Registry: register(t, map[string]*scripted{"a": a}), Concurrency: 4},
				Blend:       gym.Blend{Epochs: -1, Sources: sourcesOf(t, 10, nil, "a")},
				Prompts:     2,
				Generations: 2,
				MaxAge:      age,
			}
			ahead := max(age, 0)
			steps := 0
			for batch, err := range bt.Batches(context.Background()) {
				require.NoError(t, err)
				// Holding batch k, the rollouts of batches up to k+age run, and no further.
				want := int64((batch.Step + 1 + ahead) * 4)
				deadline := time.Now().Add(5 * time.Second)
				for a.started.Load() < want && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				time.Sleep(10 * time.Millisecond)
				require.Equal(t, want, a.started.Load(), "step %d", batch.Step)
				if steps++; steps == 3 {
					break
				}
			}
		})
	}
}

func TestBatchesCancelAndErrors(t *testing.T) {
	hang := &scripted{fn: func(ctx context.Context, _, _ int) (float64, error) { <-ctx.Done(); return 0, ctx.Err() }}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	bt := gym.Batcher{
		Collector: &gym.Collector{Registry: register(t, map[string]*scripted{"h": hang})},
		Blend:     gym.Blend{Sources: sourcesOf(t, 40, nil, "h")},
		Prompts:   2, Generations: 2,
	}
	var errs []error
	for batch, err := range bt.Batches(ctx) {
		require.Nil(t, batch)
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], context.DeadlineExceeded)

	bt = gym.Batcher{Collector: &gym.Collector{Registry: register(t, map[string]*scripted{"h": hang})},
		Blend:    gym.Blend{Sources: sourcesOf(t, 4, nil, "h")},
		Bulkhead: gym.Bulkhead{MaxInFlight: map[string]int{"x": 1}}}
	for _, err := range bt.Batches(context.Background()) {
		require.ErrorContains(t, err, `Bulkhead.MaxInFlight names "x", which is not a source of the blend (sources: h)`)
	}
	bt = gym.Batcher{Blend: gym.Blend{Sources: sourcesOf(t, 4, nil, "h")}}
	for _, err := range bt.Batches(context.Background()) {
		require.ErrorContains(t, err, "no Collector")
	}
	// Every source paused.
	bad := &scripted{fn: func(context.Context, int, int) (float64, error) { return 0, errors.New("down") }}
	bt = gym.Batcher{Collector: &gym.Collector{Registry: register(t, map[string]*scripted{"bad": bad})},
		Blend: gym.Blend{Epochs: -1, Sources: sourcesOf(t, 4, nil, "bad")}, Prompts: 2, Generations: 2,
		Bulkhead: gym.Bulkhead{Window: 4, ProbeAfter: time.Hour}}
	for batch, err := range bt.Batches(context.Background()) {
		require.Nil(t, batch)
		require.ErrorIs(t, err, gym.ErrAllPaused)
		require.ErrorIs(t, err, gym.ErrPaused)
	}
}

// An invalid row of a source is reported in the stats and written to
// Failures; the batches go on.
func TestBatchesInvalidRows(t *testing.T) {
	rows := func(yield func(gym.Task, error) bool) {
		if !yield(gym.Task{}, &rollout.LineError{Path: "a.jsonl", Line: 2, Err: errors.New("not JSON")}) {
			return
		}
		for _, r := range rowsOf(t, "a", 4) {
			if !yield(r, nil) {
				return
			}
		}
	}
	var fails bytes.Buffer
	bt := gym.Batcher{
		Collector: &gym.Collector{Registry: register(t, map[string]*scripted{"a": {fn: varied}}), Failures: &fails},
		Blend:     gym.Blend{Sources: []gym.Source{{Name: "a", Rows: rows}}},
		Prompts:   2, Generations: 2,
	}
	invalid, n := 0, 0
	for batch, err := range bt.Batches(context.Background()) {
		require.NoError(t, err)
		invalid += batch.Stats.Invalid
		n++
	}
	require.Equal(t, 2, n)
	require.Equal(t, 1, invalid)
	require.Contains(t, fails.String(), `"_ng_failure_class":"invalid_row"`)
	require.Contains(t, fails.String(), "a.jsonl:2")
}

// MaxSteps ends the run after that many batches, and nothing beyond them
// is collected.
func TestBatchesMaxSteps(t *testing.T) {
	a := &scripted{fn: varied}
	bt := gym.Batcher{
		Collector: &gym.Collector{Registry: register(t, map[string]*scripted{"a": a})},
		Blend:     gym.Blend{Epochs: -1, Sources: sourcesOf(t, 3, nil, "a")},
		Prompts:   2, Generations: 3, MaxSteps: 3, MaxAge: 2,
	}
	n := 0
	for batch, err := range bt.Batches(context.Background()) {
		require.NoError(t, err)
		require.Equal(t, n, batch.Step)
		n++
	}
	require.Equal(t, 3, n)
	require.Equal(t, int64(3*2*3), a.started.Load())
}

// A source whose rows name an agent that is not registered fails as
// invalid rows, is paused, and the others fill the batches; rows without
// agent_ref run on the Collector's DefaultAgent.
func TestBatchesUnknownAgentAndDefault(t *testing.T) {
	a := &scripted{fn: varied}
	var fails bytes.Buffer
	untagged := make([]gym.Task, 6)
	for i := range untagged {
		untagged[i] = row(t, "", "q"+strconv.Itoa(i), `"id":`+strconv.Itoa(i))
	}
	bt := gym.Batcher{
		Collector: &gym.Collector{Registry: register(t, map[string]*scripted{"a": a}), DefaultAgent: "a", Failures: &fails},
		Blend: gym.Blend{Epochs: -1, Sources: []gym.Source{
			{Name: "ghost", Rows: gym.FromSlice(rowsOf(t, "ghost", 4))},
			{Name: "plain", Rows: gym.FromSlice(untagged)},
		}},
		Prompts: 2, Generations: 2,
		Bulkhead: gym.Bulkhead{Window: 2, ProbeAfter: time.Hour},
	}
	n := 0
	for batch, err := range bt.Batches(context.Background()) {
		require.NoError(t, err)
		for _, g := range batch.Groups {
			require.Equal(t, "a", g.Agent)
			require.Len(t, g.Results, 2)
		}
		require.Len(t, batch.Stats.Paused, 1)
		require.Equal(t, rollout.FailInvalidRow, batch.Stats.Paused[0].Class)
		require.ErrorContains(t, batch.Stats.Paused[0].Last, `agent "ghost" is not registered`)
		if n++; n == 3 {
			break
		}
	}
	require.Contains(t, fails.String(), `"_ng_failure_class":"invalid_row"`)
}

type brokenWriter struct{}

func (brokenWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// A write error of the output ends the run with the error.
func TestBatchesOutputError(t *testing.T) {
	bt := gym.Batcher{
		Collector: &gym.Collector{Registry: register(t, map[string]*scripted{"a": {fn: varied}}), Output: brokenWriter{}},
		Blend:     gym.Blend{Epochs: -1, Sources: sourcesOf(t, 4, nil, "a")},
		Prompts:   2, Generations: 2,
	}
	var errs []error
	for batch, err := range bt.Batches(context.Background()) {
		require.Nil(t, batch)
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	require.ErrorContains(t, errs[0], "disk full")
}

// MaxInFlight caps a source below its share; Borrow lets a source with
// work waiting use the slots of one that has none.
func TestBatchesInFlightCaps(t *testing.T) {
	run := func(bh gym.Bulkhead) (a, b *scripted) {
		a = &scripted{fn: func(_ context.Context, id, ri int) (float64, error) {
			time.Sleep(50 * time.Millisecond)
			return varied(nil, id, ri)
		}}
		b = &scripted{fn: varied}
		bt := gym.Batcher{
			Collector: &gym.Collector{Registry: register(t, map[string]*scripted{"a": a, "b": b}), Concurrency: 8},
			Blend:     gym.Blend{Epochs: -1, Sources: sourcesOf(t, 8, nil, "a", "b")},
			Prompts:   4, Generations: 8, MaxSteps: 2, Bulkhead: bh,
		}
		for batch, err := range bt.Batches(context.Background()) {
			require.NoError(t, err)
			require.Len(t, batch.Groups, 4)
		}
		return a, b
	}
	a, b := run(gym.Bulkhead{MaxInFlight: map[string]int{"b": 1}})
	require.Equal(t, int64(4), a.peak.Load(), "a keeps to its share of 4")
	require.Equal(t, int64(1), b.peak.Load(), "b is capped at 1")

	// b's rollouts are done at once; then only a has rollouts waiting and
	// borrows b's slots.
	a, _ = run(gym.Bulkhead{Borrow: true})
	require.Greater(t, a.peak.Load(), int64(4))
	require.LessOrEqual(t, a.peak.Load(), int64(8))
}

// StopWhenDry ends the batches when a source runs dry.
func TestBatchesStopWhenDry(t *testing.T) {
	bt := gym.Batcher{
		Collector: &gym.Collector{Registry: register(t, map[string]*scripted{"a": {fn: varied}, "b": {fn: varied}})},
		Blend:     gym.Blend{OnDry: gym.StopWhenDry, Sources: []gym.Source{{Rows: gym.FromSlice(rowsOf(t, "a", 20))}, {Rows: gym.FromSlice(rowsOf(t, "b", 3))}}},
		Prompts:   2, Generations: 2,
	}
	var dry []string
	n := 0
	for batch, err := range bt.Batches(context.Background()) {
		require.NoError(t, err)
		dry = append(dry, batch.Stats.Dry...)
		n++
	}
	require.Equal(t, 3, n, "b's three rows, one per batch")
	require.Equal(t, []string{"b"}, dry)
}

// The Batcher's batches hold the blend's exact quotas: for several
// weightings over 300 batches, each source has floor or ceil of P·w groups
// per batch and stays within a group of P·w·steps.
func TestBatchesQuotas(t *testing.T) {
	for _, weights := range [][]float64{{0.7, 0.2, 0.1}, {1, 1, 1}, {5, 0.3, 0.01}} {
		t.Run(fmt.Sprint(weights), func(t *testing.T) {
			envs := map[string]*scripted{}
			var srcs []gym.Source
			var total float64
			for i, w := range weights {
				name := "e" + strconv.Itoa(i)
				envs[name] = &scripted{fn: varied}
				srcs = append(srcs, gym.Source{Rows: gym.FromSlice(rowsOf(t, name, 4)), Weight: w})
				total += w
			}
			const p, steps = 10, 300
			bt := gym.Batcher{
				Collector: &gym.Collector{Registry: register(t, envs), Concurrency: 32},
				Blend:     gym.Blend{Seed: 4, Epochs: -1, Sources: srcs},
				Prompts:   p, Generations: 1, MaxSteps: steps, MaxAge: 3,
			}
			cum := make([]int, len(weights))
			for batch, err := range bt.Batches(context.Background()) {
				require.NoError(t, err)
				for i, w := range weights {
					exact := p * w / total
					n := batch.Stats.Sources["e"+strconv.Itoa(i)]
					got := 0
					if n != nil {
						got = n.Groups
					}
					require.GreaterOrEqual(t, got, int(math.Floor(exact)), "step %d source %d", batch.Step, i)
					require.LessOrEqual(t, got, int(math.Ceil(exact)), "step %d source %d", batch.Step, i)
					cum[i] += got
					require.LessOrEqual(t, math.Abs(float64(cum[i])-exact*float64(batch.Step+1)), 1+1e-9)
				}
			}
		})
	}
}
