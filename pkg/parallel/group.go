package parallel

import "sync"

// Group runs functions on goroutines of their own and waits for them. A panic on a
// worker would end the whole process, as nothing up a goroutine's own stack recovers it;
// Group recovers it there and Wait raises it again on the waiting goroutine, after every
// worker has finished, where the query's own recover turns it into that query's error.
// The zero Group is ready to use.
type Group struct {
	wg       sync.WaitGroup
	mu       sync.Mutex
	panicked bool
	value    any
}

// Go runs f on a goroutine of its own.
func (g *Group) Go(f func()) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		defer func() {
			if p := recover(); p != nil {
				g.mu.Lock()
				if !g.panicked {
					g.panicked, g.value = true, p
				}
				g.mu.Unlock()
			}
		}()
		f()
	}()
}

// Wait waits for every function started with Go, then raises the first panic among
// them, if any.
func (g *Group) Wait() {
	g.wg.Wait()
	if g.panicked {
		panic(g.value)
	}
}

// Run runs fns concurrently and waits, as a Group.
func Run(fns ...func()) {
	var g Group
	for _, f := range fns {
		g.Go(f)
	}
	g.Wait()
}
