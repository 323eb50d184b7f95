package harness

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestRunTurnsFatalAndSkipIntoErrors(t *testing.T) {
	var log bytes.Buffer
	tb := New("demo", t.TempDir(), &log)

	if err := tb.Run(func() { tb.Fatalf("store %s did not start", "loki") }); err == nil || err.Error() != "store loki did not start" {
		t.Fatalf("Fatalf: err = %v", err)
	}
	if !tb.Failed() {
		t.Error("Failed() = false after Fatalf")
	}
	err := tb.Run(func() { tb.Skip("prometheus binary not found") })
	if !errors.Is(err, ErrSkipped) || !strings.Contains(err.Error(), "prometheus binary not found") {
		t.Fatalf("Skip: err = %v", err)
	}
	if err := tb.Run(func() { tb.Logf("hello %d", 1) }); err != nil {
		t.Fatalf("plain call: %v", err)
	}
	if log.String() != "hello 1\n" {
		t.Errorf("log = %q", log.String())
	}
}

func TestCloseRunsCleanupsLastFirstOnce(t *testing.T) {
	tb := New("demo", t.TempDir(), &bytes.Buffer{})
	var order []int
	tb.Cleanup(func() { order = append(order, 1) })
	tb.Cleanup(func() { order = append(order, 2) })
	tb.Close()
	tb.Close()
	if len(order) != 2 || order[0] != 2 || order[1] != 1 {
		t.Fatalf("cleanup order = %v, want [2 1]", order)
	}
	if tb.Context().Err() == nil {
		t.Error("context not cancelled by Close")
	}
}

func TestTempDirAndSetenv(t *testing.T) {
	root := t.TempDir()
	tb := New("demo", root, &bytes.Buffer{})
	d := tb.TempDir()
	if !strings.HasPrefix(d, root) {
		t.Fatalf("TempDir %q not under %q", d, root)
	}
	const key = "LATENCYLENS_HARNESS_TEST_VAR"
	os.Unsetenv(key)
	tb.Setenv(key, "x")
	if os.Getenv(key) != "x" {
		t.Fatal("Setenv did not set")
	}
	tb.Close()
	if _, ok := os.LookupEnv(key); ok {
		t.Fatal("Close did not restore the environment")
	}
}

func TestPanicsThatAreNotAbortsPropagate(t *testing.T) {
	tb := New("demo", t.TempDir(), &bytes.Buffer{})
	defer func() {
		if recover() == nil {
			t.Fatal("a foreign panic was swallowed")
		}
	}()
	_ = tb.Run(func() { panic("boom") })
}
