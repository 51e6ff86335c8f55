package gym

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/gymkit/gym/rollout"
)

// BenchmarkBookkeeping measures the Batcher's own work per rollout — the
// blend's quotas and draws, the bulkhead's choice of the next rollout, the
// groups, dynamic sampling's check, the batch statistics — with the
// rollouts handed out and finished by hand: no Collector, no agent, no
// goroutine. Batches of 128 × 16 from two sources, 256 slots.
//
//	go test -run='^$' -bench=BenchmarkBookkeeping -benchmem .
func BenchmarkBookkeeping(b *testing.B) {
	rows := func(name string) []Task {
		out := make([]Task, 500)
		for i := range out {
			t, err := rollout.ParseTask([]byte(`{"responses_create_params":{"input":"q` + strconv.Itoa(i) + `"},"id":` + strconv.Itoa(i) + `}`))
			if err != nil {
				b.Fatal(err)
			}
			out[i] = t.WithAgent(name)
		}
		return out
	}
	bt := &Batcher{Collector: &Collector{Registry: &Registry{}}, Prompts: 128, Generations: 16, DynamicSampling: true,
		Blend: Blend{Epochs: -1, Sources: []Source{{Rows: FromSlice(rows("a")), Weight: 3}, {Rows: FromSlice(rows("b"))}}}}
	r, err := newBatchRun(bt)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	r.mu.Lock()
	r.openBatches()
	r.mu.Unlock()
	var flight []*Result
	n, batches := 0, 0
	b.ReportAllocs()
	start, cpu := time.Now(), cpuTime()
	for b.Loop() {
		g, ri, st, _, err := r.take(ctx)
		if err != nil || st == takeStop {
			b.Fatal(err, st)
		}
		if st == takeWait {
			for _, res := range flight {
				r.done(res)
			}
			flight = flight[:0]
			r.mu.Lock()
			for len(r.ready) > 0 {
				r.ready = r.ready[1:]
				r.bodies++
				batches++
				r.openBatches()
			}
			r.mu.Unlock()
			continue
		}
		flight = append(flight, &Result{TaskIndex: g.id, RolloutIndex: ri, Reward: float64((g.id + ri) % 2)})
		n++
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(n), "ns/rollout")
	b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(n), "cpu-ns/rollout")
	b.ReportMetric(float64(batches), "batches")
}
