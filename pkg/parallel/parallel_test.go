package parallel

import (
	"runtime"
	"sync/atomic"
	"testing"
)

func TestChunksCoverEveryIndexOnce(t *testing.T) {
	for _, tc := range []struct{ n, minChunk int }{{0, 4}, {1, 4}, {7, 4}, {100, 4}, {1000, 1}, {99, 1000}} {
		hits := make([]atomic.Int32, tc.n)
		var chunks atomic.Int32
		Chunks(tc.n, tc.minChunk, func(w, lo, hi int) {
			chunks.Add(1)
			if w < 0 || w >= runtime.GOMAXPROCS(0) || lo > hi {
				t.Errorf("n=%d: chunk %d [%d, %d)", tc.n, w, lo, hi)
			}
			for i := lo; i < hi; i++ {
				hits[i].Add(1)
			}
		})
		if c := int(chunks.Load()); c > max(1, tc.n/tc.minChunk) {
			t.Errorf("n=%d: %d chunks, some smaller than minChunk %d", tc.n, c, tc.minChunk)
		}
		for i := range hits {
			if h := hits[i].Load(); h != 1 {
				t.Fatalf("n=%d: index %d run %d times", tc.n, i, h)
			}
		}
	}
}
