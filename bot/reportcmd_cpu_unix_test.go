//go:build unix

package bot

import (
	"syscall"
	"time"
)

// admCPUTime is the CPU time (user + system) this process has used so far,
// for benchmarks on a shared machine where wall time mostly measures the
// other processes.
func admCPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
