//go:build unix

package gym_test

import (
	"syscall"
	"time"
)

// cpuTime is the process's user and system CPU time so far (all threads,
// GC included). CPU time per op depends far less than wall time on how many
// other processes share the machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
