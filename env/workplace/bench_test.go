package workplace_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gymkit/gym/env/workplace"
	"github.com/gymkit/gym/internal/benchcpu"
	"github.com/gymkit/gym/internal/replaytest"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// referenceEpisodes is NeMo Gym's recorded episodes with their ground
// truth restored (see referenceDatasetB).
func referenceEpisodes(b *testing.B) []*verifier.Request {
	rollouts, dataset := referenceDatasetB(b)
	return replaytest.Requests(b, rollouts, dataset)
}

// BenchmarkEpisodeReplay replays whole recorded episodes: seed a session,
// run every tool call of the episode, verify (which replays the calls and
// the ground truth on fresh workplaces and compares the end states).
func BenchmarkEpisodeReplay(b *testing.B) {
	eps := referenceEpisodes(b)
	srv, v, err := workplace.New(workplace.Config{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), benchcpu.Now()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			ep := eps[i%len(eps)]
			i++
			sess, err := srv.Seed(ctx, ep.Task)
			if err != nil {
				b.Fatal(err)
			}
			for _, it := range ep.Response.Output {
				if it.Type() == rollout.TypeFunctionCall {
					if _, err := sess.CallTool(ctx, it.Name(), json.RawMessage(it.Arguments())); err != nil {
						b.Fatal(err)
					}
				}
			}
			if _, err := v.Verify(ctx, &verifier.Request{Task: ep.Task, Response: ep.Response, Session: sess}); err != nil {
				b.Fatal(err)
			}
			sess.Close()
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "episodes/s")
	// CPU time per episode (all threads, GC included) does not depend on
	// how many other processes share the machine: 2 cores / cpu-µs/episode
	// is the throughput on 2 idle cores.
	b.ReportMetric(float64(benchcpu.Now()-cpu0)/float64(b.N)/1e3, "cpu-µs/episode")
}
