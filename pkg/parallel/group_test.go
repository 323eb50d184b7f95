package parallel

import (
	"strings"
	"sync/atomic"
	"testing"
)

// recovered runs f and returns what it panicked with (nil when it did not).
func recovered(f func()) (p any) {
	defer func() { p = recover() }()
	f()
	return nil
}

// TestGroupRaisesAWorkersPanicOnTheWaitingGoroutine: a panic on a worker goroutine would
// end the whole process (no recover up the worker's own stack); Wait raises it again on
// the goroutine that waits, whose recover (the query's) can turn it into an error, and
// only after every worker has finished.
func TestGroupRaisesAWorkersPanicOnTheWaitingGoroutine(t *testing.T) {
	var finished atomic.Int32
	p := recovered(func() {
		var g Group
		g.Go(func() { panic("bad input") })
		for range 3 {
			g.Go(func() { finished.Add(1) })
		}
		g.Wait()
	})
	if s, _ := p.(string); !strings.Contains(s, "bad input") {
		t.Fatalf("Wait raised %v, want the worker's panic", p)
	}
	if n := finished.Load(); n != 3 {
		t.Errorf("%d of 3 other workers finished before Wait returned", n)
	}
	if p := recovered(func() {
		var g Group
		g.Go(func() {})
		g.Wait()
	}); p != nil {
		t.Errorf("Wait raised %v without a panic", p)
	}
}

func TestChunksRaisesAWorkersPanicOnTheCaller(t *testing.T) {
	p := recovered(func() {
		// The last chunk: a worker goroutine of its own when there are several CPUs.
		Chunks(4*16384, 16384, func(_, _, hi int) {
			if hi == 4*16384 {
				panic("last chunk")
			}
		})
	})
	if s, _ := p.(string); !strings.Contains(s, "last chunk") {
		t.Fatalf("Chunks raised %v, want the chunk's panic", p)
	}
}
