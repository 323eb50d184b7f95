// Package gctune sets the Go garbage collector for the plugin process, which builds large,
// short-lived frames (see TuneGC).
package gctune

import (
	"os"
	"runtime/debug"
)

// GCPercent is the garbage collector's goal for the plugin process (Go's GOGC; Go's
// default is 100). The frames of a large trace are big and short-lived: a trace with a
// million log lines allocates about twice its parsed input in one query (span details,
// logs frame, join). At 100 the collector runs once or twice per such query, each time
// marking all the parsed input again, and the heap it keeps is too small for the next
// query, so that memory is handed back to the kernel and faulted in again; together
// that was 40 % of the query's CPU time. At 400 the heap may grow to five times the live
// data before a collection (instead of twice); TuneGC caps that with a soft memory limit.
const GCPercent = 400

// TuneGC sets the collector for a process that builds large frames, unless the
// environment does: GOGC=GCPercent, and a soft memory limit (GOMEMLIMIT) of a quarter of
// the memory available to the process (the machine's, or its cgroup's limit if lower;
// none where that is not known). Past the limit the collector runs as often as it
// must to stay under it, so the higher GOGC only spends memory that is there.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		if m := memoryAvailable(); m > 0 {
			debug.SetMemoryLimit(int64(m / 4))
		}
	}
}
