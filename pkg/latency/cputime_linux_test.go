//go:build linux

package latency

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time the calling OS thread has used (getrusage
// RUSAGE_THREAD). On a machine shared with other work it measures what a
// computation costs, where wall time also measures the neighbours.
func threadCPU() (time.Duration, bool) {
	const rusageThread = 1
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
