//go:build unix

package web

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time this process has used (user + system). On a
// shared machine it measures the work better than wall time does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loopCPU runs f in a benchmark loop and reports the CPU milliseconds per
// operation next to the wall time.
func loopCPU(b *testing.B, f func()) {
	b.ReportAllocs()
	var cpu time.Duration
	n := 0
	for b.Loop() {
		start := cpuTime()
		f()
		cpu += cpuTime() - start
		n++
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "cpu-ms/op")
}
