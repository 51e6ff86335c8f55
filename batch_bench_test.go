package gym_test

import (
	"context"
	"io"
	"iter"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gymkit/gym"
	"github.com/gymkit/gym/agent"
	"github.com/gymkit/gym/examples/multistep"
	"github.com/gymkit/gym/examples/singletoolcall"
	"github.com/gymkit/gym/rollout"
)

func exampleRows(b *testing.B, path string) []gym.Task {
	var rows []gym.Task
	for t, err := range gym.FromFile(path) {
		if err != nil {
			b.Fatal(err)
		}
		rows = append(rows, t)
	}
	return rows
}

// BenchmarkBatchBookkeeping measures what blends and batches add per
// rollout: rollouts of an agent that does nothing, through Collect and
// through Batches (blend of two sources, batches of 64 × 16), in the same
// run. "bookkeeping-ns/rollout" is the difference.
//
//	go test -run='^$' -bench=BenchmarkBatchBookkeeping -benchtime=20x .
func BenchmarkBatchBookkeeping(b *testing.B) {
	const p, g = 64, 16
	nop := gym.Environment{Agent: agent.Func(func(context.Context, rollout.Task) (*rollout.Result, error) {
		return &rollout.Result{Reward: 1}, nil
	})}
	var reg gym.Registry
	_ = reg.Register("a", nop)
	_ = reg.Register("b", nop)
	rowsA, rowsB := rowsOf(b, "a", 100), rowsOf(b, "b", 100)
	var collectNs, batchNs time.Duration
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		c := gym.Collector{Registry: &reg, NumRepeats: g, Output: io.Discard}
		start := time.Now()
		for _, err := range c.Collect(context.Background(), cycle(append(rowsA[:p/2:p/2], rowsB[:p/2]...), p)) {
			if err != nil {
				b.Fatal(err)
			}
		}
		collectNs += time.Since(start)

		bt := gym.Batcher{Collector: &c, Prompts: p, Generations: g, MaxSteps: 1,
			Blend: gym.Blend{Sources: []gym.Source{{Rows: gym.FromSlice(rowsA)}, {Rows: gym.FromSlice(rowsB)}}}}
		start = time.Now()
		for batch, err := range bt.Batches(context.Background()) {
			if err != nil || len(batch.Groups) != p {
				b.Fatal(err)
			}
		}
		batchNs += time.Since(start)
		n += p * g
	}
	perC := float64(collectNs.Nanoseconds()) / float64(n)
	perB := float64(batchNs.Nanoseconds()) / float64(n)
	b.ReportMetric(perC, "collect-ns/rollout")
	b.ReportMetric(perB, "batches-ns/rollout")
	b.ReportMetric(perB-perC, "bookkeeping-ns/rollout")
}

// BenchmarkStep128x16 runs NVIDIA's Nemotron step shape, 128 prompts × 16
// generations, over the two example environments with their zero-latency
// scripted policies, alternately as a plain in-process collection
// (Collect, NumRepeats 16) and as one batch of a 50/50 blend (Batches), and
// reports both rates and their ratio. One op is one step of each.
//
//	go test -run='^$' -bench=BenchmarkStep128x16 -benchtime=10x .
func BenchmarkStep128x16(b *testing.B) {
	const p, g = 128, 16
	var reg gym.Registry
	_ = reg.Register(singletoolcall.AgentName, singletoolcall.Environment(singletoolcall.Policy()))
	_ = reg.Register(multistep.AgentName, multistep.Environment(multistep.Policy()))
	weather := exampleRows(b, "testdata/singletoolcall.jsonl")
	synonyms := exampleRows(b, "testdata/multistep.jsonl")
	for i := range weather {
		weather[i] = weather[i].WithAgent(singletoolcall.AgentName)
	}
	for i := range synonyms {
		synonyms[i] = synonyms[i].WithAgent(multistep.AgentName)
	}
	// The plain collection's rows: the same 64 + 64 mix, distinct rows.
	mixed := func(yield func(gym.Task, error) bool) {
		for i := range p {
			src := weather
			if i%2 == 1 {
				src = synonyms
			}
			t := gym.Task{Object: src[(i/2)%len(src)].Clone()}
			t.Set("_bench_row", rollout.Int(i))
			if !yield(t, nil) {
				return
			}
		}
	}
	var collectD, batchD time.Duration
	steps := 0
	for b.Loop() {
		c := gym.Collector{Registry: &reg, NumRepeats: g, Output: io.Discard, Failures: io.Discard}
		start := time.Now()
		k := 0
		for res, err := range c.Collect(context.Background(), iter.Seq2[gym.Task, error](mixed)) {
			if err != nil || res.Err != nil {
				b.Fatal(err, res.Err)
			}
			k++
		}
		collectD += time.Since(start)
		if k != p*g {
			b.Fatalf("%d rollouts", k)
		}

		bt := gym.Batcher{Collector: &c, Prompts: p, Generations: g, MaxSteps: 1,
			Blend: gym.Blend{Seed: uint64(steps), Epochs: -1, Sources: []gym.Source{
				{Rows: gym.FromSlice(weather)}, {Rows: gym.FromSlice(synonyms)}}}}
		start = time.Now()
		for batch, err := range bt.Batches(context.Background()) {
			if err != nil || len(batch.Groups) != p || batch.Stats.Rollouts != p*g {
				b.Fatal(err)
			}
		}
		batchD += time.Since(start)
		steps++
	}
	cr := float64(steps*p*g) / collectD.Seconds()
	br := float64(steps*p*g) / batchD.Seconds()
	b.ReportMetric(cr, "collect-rollouts/s")
	b.ReportMetric(br, "batch-rollouts/s")
	b.ReportMetric(100*br/cr, "%-of-collect")
}

// BenchmarkSlowBesideFast measures the fast environment's rate — its
// rollouts of one 256 × 16 batch over the time until its last one is done —
// beside an environment that costs nothing and answers at once ("alone"),
// and beside one whose every rollout takes 2 s, with equal weights and 4,096
// slots (2,048 each). One op is one batch of each.
//
//	go test -run='^$' -bench=BenchmarkSlowBesideFast -benchtime=2x .
func BenchmarkSlowBesideFast(b *testing.B) {
	const p, g = 256, 16
	fast := gym.Environment{Model: singletoolcall.Policy(), Resources: singletoolcall.NewServer(), Verifier: singletoolcall.NewVerifier()}
	slow := gym.Environment{Agent: agent.Func(func(ctx context.Context, _ rollout.Task) (*rollout.Result, error) {
		select {
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return &rollout.Result{Reward: 1}, nil
	})}
	var reg gym.Registry
	_ = reg.Register("fast", fast)
	_ = reg.Register("nop", gym.Environment{Agent: agent.Func(func(context.Context, rollout.Task) (*rollout.Result, error) {
		return &rollout.Result{Reward: 1}, nil
	})})
	_ = reg.Register("slow", slow)
	weather := exampleRows(b, "testdata/singletoolcall.jsonl")
	tagged := func(name string) []gym.Task {
		out := make([]gym.Task, len(weather))
		for i, t := range weather {
			out[i] = t.WithAgent(name)
		}
		return out
	}
	// rate runs one batch of fast beside other and returns fast's rate.
	rate := func(other string) float64 {
		var n atomic.Int64
		var last atomic.Int64
		start := time.Now()
		bt := gym.Batcher{
			Collector: &gym.Collector{Registry: &reg, Concurrency: 4096, Output: io.Discard}, Prompts: p, Generations: g, MaxSteps: 1,
			Blend: gym.Blend{Epochs: -1, Sources: []gym.Source{{Rows: gym.FromSlice(tagged("fast"))}, {Rows: gym.FromSlice(tagged(other))}}},
			OnRollout: func(r *gym.Result) {
				if r.Agent == "fast" {
					n.Add(1)
					last.Store(int64(time.Since(start)))
				}
			},
		}
		for _, err := range bt.Batches(context.Background()) {
			if err != nil {
				b.Fatal(err)
			}
		}
		return float64(n.Load()) / time.Duration(last.Load()).Seconds()
	}
	var alone, beside float64
	for b.Loop() {
		alone += rate("nop")
		beside += rate("slow")
	}
	b.ReportMetric(alone/float64(b.N), "fast-alone-rollouts/s")
	b.ReportMetric(beside/float64(b.N), "fast-beside-slow-rollouts/s")
	b.ReportMetric(100*beside/alone, "%-of-alone")
}
