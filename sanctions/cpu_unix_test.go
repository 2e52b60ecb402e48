//go:build unix

package sanctions

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used, user and system: a
// figure that, unlike wall time, does not depend on what else the machine
// is running.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
