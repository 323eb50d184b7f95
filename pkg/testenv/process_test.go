package testenv

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLaunchRetriesWhenAPortWasTaken(t *testing.T) {
	ready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer ready.Close()

	attempts := 0
	var procs []*process
	proc := launch(t, "fake", 5*time.Second, func() (*process, []string) {
		attempts++
		script, url := "sleep 60", ready.URL
		if attempts == 1 {
			// Dies like a store whose port was taken; nothing listens.
			script = "echo 'listen tcp 127.0.0.1:1234: bind: address already in use' >&2; exit 1"
			url = "http://127.0.0.1:1/ready"
		}
		p := startProcess(t, "fake", t.TempDir(), "/bin/sh", "-c", script)
		procs = append(procs, p)
		return p, []string{url}
	})
	if attempts != 2 || proc != procs[1] {
		t.Fatalf("attempts = %d, want a retry after the port clash", attempts)
	}
	pid := proc.Pid()
	if err := proc.stop(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(-pid, 0); err != syscall.ESRCH {
		t.Fatalf("process group %d alive after stop: %v", pid, err)
	}
}

func TestLaunchFailsWithTheLogWhenTheStoreDies(t *testing.T) {
	r := runHelper(t, func(tb testing.TB) {
		launch(tb, "fake", 5*time.Second, func() (*process, []string) {
			p := startProcess(t, "fake", t.TempDir(), "/bin/sh", "-c", "echo 'bad config: field nope not found' >&2; exit 3")
			return p, []string{"http://127.0.0.1:1/ready"}
		})
	})
	if !strings.Contains(r.fatal, "field nope not found") || !strings.Contains(r.fatal, "exited before ready") {
		t.Fatalf("failure does not carry the log tail: %q", r.fatal)
	}
}

func TestStopKillsChildrenThatIgnoreSIGTERM(t *testing.T) {
	// The shell's child ignores SIGTERM; the group must still be gone.
	p := startProcess(t, "stubborn", t.TempDir(), "/bin/sh", "-c", "trap '' TERM; sleep 60 & wait")
	time.Sleep(200 * time.Millisecond)
	pid := p.Pid()
	start := time.Now()
	if err := p.stop(time.Second); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(-pid, 0); err != syscall.ESRCH {
		t.Fatalf("process group %d alive after stop: %v", pid, err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("stop took %s", d)
	}
}
