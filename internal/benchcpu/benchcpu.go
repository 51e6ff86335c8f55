package benchcpu

import (
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Now is the CPU time (user and system) the process has used.
func Now() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Report adds the metrics "<unit>/s" (wall clock), "cpu-ns/op" and
// "<unit>/s@2cores" to b, for the b.N ops run since start.
func Report(b *testing.B, start time.Duration, unit string) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit+"/s")
	per := float64(Now()-start) / float64(b.N)
	b.ReportMetric(per, "cpu-ns/op")
	b.ReportMetric(2e9/per, unit+"/s@2cores")
}

// ReportPerCore adds the metrics "cpu-us/op" and "<unit>/s/core" to b,
// for the b.N ops run since start (nothing when no CPU time was counted).
func ReportPerCore(b *testing.B, start time.Duration, unit string) {
	if per := float64((Now() - start).Microseconds()) / float64(b.N); per > 0 {
		b.ReportMetric(per, "cpu-us/op")
		b.ReportMetric(1e6/per, unit+"/s/core")
	}
}

// Latencies runs op b.N times on every core (b.RunParallel), each call
// with the next index 0, 1, 2, ..., and returns the wall time of every
// call, sorted. An op that fails is reported with b.Error and stops its
// goroutine.
func Latencies(b *testing.B, op func(i int) error) []time.Duration {
	var mu sync.Mutex
	var lat []time.Duration
	next := 0
	b.RunParallel(func(pb *testing.PB) {
		var local []time.Duration
		defer func() {
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
		for pb.Next() {
			mu.Lock()
			i := next
			next++
			mu.Unlock()
			start := time.Now()
			if err := op(i); err != nil {
				b.Error(err)
				return
			}
			local = append(local, time.Since(start))
		}
	})
	slices.Sort(lat)
	return lat
}

// ReportLatency adds the metrics "p99-ms", "p50-ms" and "<unit>/s" (wall
// clock) to b for the sorted latencies lat (nothing when lat is empty).
func ReportLatency(b *testing.B, lat []time.Duration, unit string) {
	if len(lat) == 0 {
		return
	}
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit+"/s")
}
