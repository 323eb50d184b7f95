// Package parallel splits index ranges over the CPUs for the backend's large per-row
// stages (the join, the frame builders).
package parallel

import "runtime"

// Chunks runs f over [0, n) in up to GOMAXPROCS contiguous chunks of at least minChunk
// indices (one chunk when n is smaller), one goroutine each, and waits. w numbers the
// chunk from 0; a single chunk runs on the calling goroutine. A panic in a chunk is raised
// again on the calling goroutine (Group).
func Chunks(n, minChunk int, f func(w, lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), max(n/minChunk, 1))
	if workers == 1 {
		f(0, 0, n)
		return
	}
	var g Group
	for w := range workers {
		g.Go(func() { f(w, n*w/workers, n*(w+1)/workers) })
	}
	g.Wait()
}
