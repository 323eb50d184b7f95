// Package testenv starts real metric, log and trace stores on loopback ports
// for integration tests, and stops them when the test ends. It is a thin
// testing.TB wrapper over pkg/localstores, which does the work.
//
// Every store gets a fresh temporary data directory, a configuration written
// at start-up, free 127.0.0.1 ports picked at run time, a readiness wait, and
// a t.Cleanup that kills its whole process group, checks that nothing is
// left running and, if the test failed, prints the tail of the store's log.
//
// A store whose binary is missing makes the test skip, unless the
// environment variable LATENCYLENS_REQUIRE_STORES is set, in which case the
// test fails and names the command that builds the binary.
package testenv

import (
	"errors"
	"os"
	"testing"

	"github.com/latencylens/lens/pkg/localstores"
)

// RequireStoresEnv names the environment variable that turns a missing store
// binary from a skip into a test failure.
const RequireStoresEnv = "LATENCYLENS_REQUIRE_STORES"

// storesRequired reports whether missing binaries must fail the test.
func storesRequired() bool { return os.Getenv(RequireStoresEnv) != "" }

// missingBinary skips or fails the test for a binary that is not there,
// naming how to get it.
func missingBinary(t testing.TB, missing *localstores.MissingBinaryError) {
	t.Helper()
	msg := missing.Error()
	if storesRequired() {
		t.Fatalf("%s (%s is set)", msg, RequireStoresEnv)
	}
	t.Skip(msg)
}

// running is what every store of pkg/localstores has.
type running interface {
	Stop() error
	LogTail(n int) string
	LogPath() string
}

// start runs one of localstores' Start functions for a test: c gets a fresh
// temporary data directory and reports retries to the test log; a missing
// binary skips (or fails) the test, any other error fails it; the cleanup
// stops the store and, if the test failed, prints the tail of its log.
func start[S running](t testing.TB, name string, c localstores.Common, run func(localstores.Common) (S, error)) S {
	t.Helper()
	c.DataDir = t.TempDir()
	c.Logf = func(format string, args ...any) { t.Logf("testenv: "+format, args...) }
	s, err := run(c)
	if err != nil {
		var missing *localstores.MissingBinaryError
		if errors.As(err, &missing) {
			missingBinary(t, missing)
		}
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("testenv: stop %s: %v", name, err)
		}
		if t.Failed() {
			t.Logf("testenv: last lines of %s log (%s):\n%s", name, s.LogPath(), s.LogTail(40))
		}
	})
	return s
}

// Store names, as used by tests/stores/build.sh and the binary cache.
const (
	StoreTempo  = localstores.StoreTempo
	StoreLoki   = localstores.StoreLoki
	StoreJaeger = localstores.StoreJaeger
)

// VersionsFile is the pinned-versions file, relative to the repository root.
const VersionsFile = localstores.VersionsFile

// BuildScript is the store build script, relative to the repository root.
const BuildScript = localstores.BuildScript

// StoreVersion returns the pinned version of a store (StoreTempo,
// StoreLoki or StoreJaeger) from tests/stores/versions.env.
func StoreVersion(name string) (string, error) { return localstores.StoreVersion(name) }

// CacheDir returns the root of the binary cache, as build.sh computes it:
// $LATENCYLENS_CACHE, or $HOME/.cache/latency-lens.
func CacheDir() string { return localstores.CacheDir() }

// StoreBinary returns where build.sh puts the pinned binary of a store:
// <CacheDir>/stores/<name>-<version>/<name>. The environment variable
// LATENCYLENS_<NAME>_BIN (e.g. LATENCYLENS_TEMPO_BIN) overrides it.
func StoreBinary(name string) (string, error) { return localstores.StoreBinary(name) }

// BuildCommand returns the shell command that builds a store's binary.
func BuildCommand(name string) string { return localstores.BuildCommand(name) }

// SkipIfNoBinary returns the path of a store's pinned binary. When it is
// missing the test is skipped, or fails with the build command when
// LATENCYLENS_REQUIRE_STORES is set.
func SkipIfNoBinary(t testing.TB, name string) string {
	t.Helper()
	bin, err := localstores.PinnedBinary(name)
	var missing *localstores.MissingBinaryError
	switch {
	case errors.As(err, &missing):
		missingBinary(t, missing)
	case err != nil:
		if storesRequired() {
			t.Fatalf("testenv: %s: %v", name, err)
		}
		t.Skipf("testenv: %s: %v", name, err)
	}
	return bin
}
