// Package harness lets a program (not a test) call test helpers that take a
// testing.TB (pkg/e2e's SeedPython; the stores come from pkg/localstores, which takes
// none): TB implements the methods they use, turns Fatal and Skip into an error
// returned by Run, and runs the registered cleanups, last first, on Close.
package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
)

// TB is a testing.TB for programs. The embedded interface is nil: it only supplies
// testing.TB's unexported method; every method the harness calls is defined below.
type TB struct {
	testing.TB

	name string
	dir  string
	out  io.Writer

	mu       sync.Mutex
	cleanups []func()
	failed   bool
	skipped  bool
	ctx      context.Context
	cancel   context.CancelFunc
}

// New returns a TB that keeps temporary directories under dir and logs to out.
func New(name, dir string, out io.Writer) *TB {
	ctx, cancel := context.WithCancel(context.Background())
	return &TB{name: name, dir: dir, out: out, ctx: ctx, cancel: cancel}
}

// abort is what Fatal, FailNow and Skip panic with; Run recovers it.
type abort struct {
	msg  string
	skip bool
}

// ErrSkipped wraps the message of a harness call that skipped (a missing binary or
// interpreter, when LATENCYLENS_REQUIRE_STORES is not set).
var ErrSkipped = errors.New("skipped")

// Run calls f and returns the failure or skip it ended with, as an error.
func (t *TB) Run(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			a, ok := r.(abort)
			if !ok {
				panic(r)
			}
			if a.skip {
				err = fmt.Errorf("%w: %s", ErrSkipped, a.msg)
			} else {
				err = errors.New(a.msg)
			}
		}
	}()
	f()
	return nil
}

// Close runs the cleanups, last registered first, once.
func (t *TB) Close() {
	t.mu.Lock()
	cs := t.cleanups
	t.cleanups = nil
	t.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
	t.cancel()
}

func (t *TB) Helper()      {}
func (t *TB) Name() string { return t.name }

func (t *TB) Log(args ...any)                 { fmt.Fprintln(t.out, args...) }
func (t *TB) Logf(format string, args ...any) { fmt.Fprintf(t.out, format+"\n", args...) }

func (t *TB) Fail() {
	t.mu.Lock()
	t.failed = true
	t.mu.Unlock()
}

func (t *TB) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

func (t *TB) Error(args ...any) { t.Fail(); t.Log(args...) }
func (t *TB) Errorf(format string, args ...any) {
	t.Fail()
	t.Logf(format, args...)
}

func (t *TB) FailNow()          { t.Fail(); panic(abort{msg: "failed"}) }
func (t *TB) Fatal(args ...any) { t.Fail(); panic(abort{msg: fmt.Sprint(args...)}) }
func (t *TB) Fatalf(format string, args ...any) {
	t.Fail()
	panic(abort{msg: fmt.Sprintf(format, args...)})
}

func (t *TB) SkipNow()         { t.skip("skipped") }
func (t *TB) Skip(args ...any) { t.skip(fmt.Sprint(args...)) }
func (t *TB) Skipf(format string, args ...any) {
	t.skip(fmt.Sprintf(format, args...))
}

func (t *TB) skip(msg string) {
	t.mu.Lock()
	t.skipped = true
	t.mu.Unlock()
	panic(abort{msg: msg, skip: true})
}

func (t *TB) Skipped() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.skipped
}

// Cleanup registers f to run on Close.
func (t *TB) Cleanup(f func()) {
	t.mu.Lock()
	t.cleanups = append(t.cleanups, f)
	t.mu.Unlock()
}

// TempDir makes a new directory under the TB's directory; Close does not remove it
// (the whole work directory is the caller's).
func (t *TB) TempDir() string {
	d, err := os.MkdirTemp(t.dir, "run-")
	if err != nil {
		t.Fatalf("harness: temp dir: %v", err)
	}
	return d
}

// Setenv sets an environment variable until Close.
func (t *TB) Setenv(key, value string) {
	old, had := os.LookupEnv(key)
	if err := os.Setenv(key, value); err != nil {
		t.Fatalf("harness: setenv %s: %v", key, err)
	}
	t.Cleanup(func() {
		if had {
			_ = os.Setenv(key, old)
		} else {
			_ = os.Unsetenv(key)
		}
	})
}

// Context is cancelled when Close has run the cleanups.
func (t *TB) Context() context.Context { return t.ctx }
