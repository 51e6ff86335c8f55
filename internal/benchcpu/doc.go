// Package benchcpu reports the CPU time a benchmark's process spends per
// op, and the ops per second two cores give at that cost: on a shared
// machine the wall-clock figures of a benchmark count the time other
// processes hold the cores.
//
//	start := benchcpu.Now()
//	b.ResetTimer()
//	... b.RunParallel(...) ...
//	benchcpu.Report(b, start, "verifies")
package benchcpu
