package demotest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/latencylens/lens/pkg/testenv"
)

// repo is the repository root (the directory above demo/).
func repo(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir := wd
	for {
		if _, err := os.Stat(filepath.Join(dir, "docker-compose.yaml")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "provisioning")); err == nil {
				return dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("repository root not found above %s", wd)
		}
		dir = parent
	}
}

// required reports whether anything missing must fail the test.
func required() bool { return os.Getenv(testenv.RequireStoresEnv) != "" }

// missing skips, or fails when LATENCYLENS_REQUIRE_STORES is set.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if required() {
		t.Fatalf(format+" ("+testenv.RequireStoresEnv+" is set)", args...)
	}
	t.Skipf(format, args...)
}

// requireLive skips the tests that start stores unless the end-to-end tier is asked for.
func requireLive(t testing.TB) {
	t.Helper()
	if os.Getenv("LATENCYLENS_E2E") == "" && !required() {
		t.Skipf("live demo tests: set LATENCYLENS_E2E=1 (or %s=1 to fail on anything missing)", testenv.RequireStoresEnv)
	}
}
