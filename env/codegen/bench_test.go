package codegen_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/gymkit/gym/env/codegen"
	"github.com/gymkit/gym/verifier"
)

// BenchmarkVerifyRecorded verifies NeMo Gym's five recorded rollouts (one
// python3 process each, running up to 82 unit tests), two at a time, as
// num_processes: 2 does on 2 cores.
func BenchmarkVerifyRecorded(b *testing.B) {
	v := newVerifier(b, codegen.Config{NumProcesses: 2, UnitTestTimeoutSecs: 10})
	rows := recorded(b)
	b.SetParallelism(1) // GOMAXPROCS goroutines: as many as num_processes here
	b.ResetTimer()
	var i atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := rows[int(i.Add(1))%len(rows)]
			vd, err := verifier.Run(context.Background(), v, &verifier.Request{Task: rec.Task, Response: rec.Response})
			if err != nil || vd.Reward != rec.Reward {
				b.Error(err, vd)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
}
