package workplace_test

import (
	"context"
	"encoding/json"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/gymkit/gym/env/workplace"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

type episode struct {
	task     rollout.Task
	response *rollout.Response
}

func referenceEpisodes(b *testing.B) []episode {
	rollouts, dataset := referenceDatasetB(b)
	ix, err := rollout.IndexByInput(rollout.ReadTasksFile(dataset))
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(rollouts)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var eps []episode
	for rec, err := range rollout.ReadResults(f, rollouts) {
		if err != nil {
			b.Fatal(err)
		}
		task, ok, err := ix.Complete(rollout.Task{Object: rec.Task.Clone()})
		if err != nil || !ok {
			b.Fatal("no ground truth", err)
		}
		eps = append(eps, episode{task: task, response: rec.Response})
	}
	return eps
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
	start, cpu0 := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			ep := eps[i%len(eps)]
			i++
			sess, err := srv.Seed(ctx, ep.task)
			if err != nil {
				b.Fatal(err)
			}
			for _, it := range ep.response.Output {
				if it.Type() == rollout.TypeFunctionCall {
					if _, err := sess.CallTool(ctx, it.Name(), json.RawMessage(it.Arguments())); err != nil {
						b.Fatal(err)
					}
				}
			}
			if _, err := v.Verify(ctx, &verifier.Request{Task: ep.task, Response: ep.response, Session: sess}); err != nil {
				b.Fatal(err)
			}
			sess.Close()
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "episodes/s")
	// CPU time per episode (all threads, GC included) does not depend on
	// how many other processes share the machine: 2 cores / cpu-µs/episode
	// is the throughput on 2 idle cores.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e3, "cpu-µs/episode")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
