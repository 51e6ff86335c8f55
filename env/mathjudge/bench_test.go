package mathjudge_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gymkit/gym/internal/reftest"
	"github.com/gymkit/gym/rollout"
	"github.com/gymkit/gym/verifier"
)

// BenchmarkVerifyRecorded verifies NeMo Gym's recorded math_with_judge
// rollouts (judge off, as in its config) on all cores and reports the
// 99th-percentile latency.
//
//	go test ./env/mathjudge -run '^$' -bench . -benchtime 2000x -cpu 2
func BenchmarkVerifyRecorded(b *testing.B) {
	data := reftest.Path(b, "resources_servers", "math_with_judge", "data")
	var reqs []*verifier.Request
	questions := map[string]string{}
	for row, err := range rollout.ReadTasksFile(filepath.Join(data, "example.jsonl")) {
		if err != nil {
			b.Fatal(err)
		}
		questions[row.String("expected_answer")] = row.String("question")
	}
	for row, err := range rollout.ReadTasksFile(filepath.Join(data, "example_rollouts.jsonl")) {
		if err != nil {
			b.Fatal(err)
		}
		var resp rollout.Response
		if err := row.Decode("response", &resp); err != nil {
			b.Fatal(err)
		}
		reqs = append(reqs, &verifier.Request{Task: task(b, questions[row.String("expected_answer")], row.String("expected_answer")), Response: &resp})
	}
	v := newVerifier(b, nil)
	var mu sync.Mutex
	var lat []time.Duration
	next := 0
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var local []time.Duration
		for pb.Next() {
			mu.Lock()
			req := reqs[next%len(reqs)]
			next++
			mu.Unlock()
			start := time.Now()
			if _, err := v.Verify(context.Background(), req); err != nil {
				b.Error(err)
				return
			}
			local = append(local, time.Since(start))
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
	}
	if per := float64((cpuTime() - cpu0).Microseconds()) / float64(b.N); per > 0 {
		b.ReportMetric(per, "cpu-us/op")
		b.ReportMetric(1e6/per, "verifies/s/core")
	}
}

// cpuTime is the process's user+system CPU time (see verifier/math's
// benchmarks: the load-independent figure on a shared machine).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
