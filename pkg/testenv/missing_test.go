package testenv

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func base64Decode(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

// recordingTB captures how a helper ended the test: Skip and Fatal stop the
// calling goroutine as the real ones do.
type recordingTB struct {
	testing.TB
	skipped, fatal string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Skip(args ...any) {
	r.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}
func (r *recordingTB) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recordingTB) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func runHelper(t *testing.T, f func(testing.TB)) *recordingTB {
	r := &recordingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func TestSkipIfNoBinarySkipsUnlessStoresRequired(t *testing.T) {
	t.Setenv("LATENCYLENS_CACHE", t.TempDir())
	t.Setenv("LATENCYLENS_TEMPO_BIN", "")

	t.Setenv(RequireStoresEnv, "")
	r := runHelper(t, func(tb testing.TB) { SkipIfNoBinary(tb, StoreTempo) })
	if r.skipped == "" || r.fatal != "" {
		t.Fatalf("without %s: skipped=%q fatal=%q, want a skip", RequireStoresEnv, r.skipped, r.fatal)
	}

	t.Setenv(RequireStoresEnv, "1")
	r = runHelper(t, func(tb testing.TB) { SkipIfNoBinary(tb, StoreTempo) })
	if r.fatal == "" || r.skipped != "" {
		t.Fatalf("with %s: skipped=%q fatal=%q, want a failure", RequireStoresEnv, r.skipped, r.fatal)
	}
	if !strings.Contains(r.fatal, "build.sh tempo") {
		t.Errorf("failure does not name the build command: %s", r.fatal)
	}

	// A binary that is there is returned.
	bin := t.TempDir() + "/tempo"
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LATENCYLENS_TEMPO_BIN", bin)
	var got string
	r = runHelper(t, func(tb testing.TB) { got = SkipIfNoBinary(tb, StoreTempo) })
	if got != bin || r.fatal != "" || r.skipped != "" {
		t.Fatalf("got %q (skipped=%q fatal=%q), want %q", got, r.skipped, r.fatal, bin)
	}
}

func TestPrometheusMissingBinarySkipsUnlessRequired(t *testing.T) {
	opts := PrometheusOptions{Binary: t.TempDir() + "/no-prometheus"}
	t.Setenv(RequireStoresEnv, "")
	if r := runHelper(t, func(tb testing.TB) { StartPrometheus(tb, opts) }); r.skipped == "" {
		t.Fatalf("want a skip, got fatal=%q", r.fatal)
	}
	t.Setenv(RequireStoresEnv, "1")
	if r := runHelper(t, func(tb testing.TB) { StartPrometheus(tb, opts) }); !strings.Contains(r.fatal, "apt-get install -y prometheus") {
		t.Fatalf("want a failure naming the install, got fatal=%q skipped=%q", r.fatal, r.skipped)
	}
}

func TestStoreThatDiesFailsTheTestWithItsLog(t *testing.T) {
	script := filepath.Join(t.TempDir(), "prometheus")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho 'bad flag: --nope' >&2\nexit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := runHelper(t, func(tb testing.TB) { StartPrometheus(tb, PrometheusOptions{Binary: script}) })
	if !strings.HasPrefix(r.fatal, "testenv: prometheus exited before ready") || !strings.Contains(r.fatal, "bad flag: --nope") {
		t.Fatalf("failure does not name the store and carry its log: fatal=%q skipped=%q", r.fatal, r.skipped)
	}
}
