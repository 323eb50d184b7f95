package gctune

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// memoryAvailable is the machine's RAM, or the cgroup's memory limit if lower (v2, then
// v1); 0 if unknown.
func memoryAvailable() uint64 {
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) != nil {
		return 0
	}
	m := uint64(si.Totalram) * uint64(si.Unit)
	for _, path := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 && v < m {
			m = v
		}
	}
	return m
}
