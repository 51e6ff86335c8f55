//go:build unix

package gym

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used (user + system), which a
// loaded machine does not inflate the way it inflates wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
