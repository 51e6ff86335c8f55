package benchcpu

import (
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
