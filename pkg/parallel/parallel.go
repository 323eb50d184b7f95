// Package parallel splits index ranges over the CPUs for the backend's large per-row
// stages (the join, the frame builders).
package parallel

import (
	"runtime"
	"sync"
)

// Chunks runs f over [0, n) in up to GOMAXPROCS contiguous chunks of at least minChunk
// indices (one chunk when n is smaller), one goroutine each, and waits. w numbers the
// chunk from 0; a single chunk runs on the calling goroutine.
func Chunks(n, minChunk int, f func(w, lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), max(n/minChunk, 1))
	if workers == 1 {
		f(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(w, n*w/workers, n*(w+1)/workers)
		}()
	}
	wg.Wait()
}
