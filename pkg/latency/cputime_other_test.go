//go:build !linux

package latency

import "time"

// threadCPU is not measured off Linux; the benchmarks then report wall time only.
func threadCPU() (time.Duration, bool) { return 0, false }
