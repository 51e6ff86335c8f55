package math_test

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/gymkit/gym/internal/benchcpu"
	mathv "github.com/gymkit/gym/verifier/math"
)

// BenchmarkScore scores the 1,000 generated answer pairs (typical answers)
// on all cores and reports the 99th-percentile latency of one Score.
//
//	go test ./verifier/math -run '^$' -bench . -benchtime 5000x -cpu 2
func BenchmarkScore(b *testing.B) {
	pairs := loadPairs(b)
	cpu0 := benchcpu.Now()
	b.ResetTimer()
	lat := benchcpu.Latencies(b, func(i int) error {
		p := pairs[i%len(pairs)]
		mathv.Score(context.Background(), p.Expected, p.Generated)
		return nil
	})
	b.StopTimer()
	benchcpu.ReportLatency(b, lat, "verifies")
	benchcpu.ReportPerCore(b, cpu0, "verifies")
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
