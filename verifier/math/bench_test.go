package math_test

import (
	"context"
	"os/exec"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	mathv "github.com/gymkit/gym/verifier/math"
)

// BenchmarkScore scores the 1,000 generated answer pairs (typical answers)
// on all cores and reports the 99th-percentile latency of one Score.
//
//	go test ./verifier/math -run '^$' -bench . -benchtime 5000x -cpu 2
func BenchmarkScore(b *testing.B) {
	pairs := loadPairs(b)
	var mu sync.Mutex
	var lat []time.Duration
	var next int
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var local []time.Duration
		for pb.Next() {
			mu.Lock()
			p := pairs[next%len(pairs)]
			next++
			mu.Unlock()
			start := time.Now()
			mathv.Score(context.Background(), p.Expected, p.Generated)
			local = append(local, time.Since(start))
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	b.StopTimer()
	reportLatency(b, lat)
	reportCPU(b, cpu0)
}

// cpuTime is the process's user+system CPU time: on a machine shared with
// other work, CPU time per verify is the figure that does not depend on
// what else runs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	per := float64((cpuTime() - start).Microseconds()) / float64(b.N)
	if per > 0 {
		b.ReportMetric(per, "cpu-us/op")
		b.ReportMetric(1e6/per, "verifies/s/core")
	}
}

func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
}

// BenchmarkPythonStartup is the floor a Python verifier pays per process:
// one `python3 -c pass`.
func BenchmarkPythonStartup(b *testing.B) {
	if _, err := exec.LookPath("python3"); err != nil {
		b.Skip("no python3")
	}
	// At most 20 processes, whatever -benchtime asks for.
	n := min(b.N, 20)
	start := time.Now()
	for range n {
		if err := exec.Command("python3", "-c", "pass").Run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(n), "ms/process")
}
