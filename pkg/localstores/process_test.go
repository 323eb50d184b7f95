package localstores

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeStore is a spec whose "store" is a shell script: script(attempt)
// gives the script and the readiness URL of each attempt.
func fakeStore(t *testing.T, port *int, script func(attempt int) (string, string)) (*spec, *int, *[]string) {
	attempts := 0
	var logged []string
	var url string
	return &spec{
		name: "fake",
		Common: Common{
			DataDir: t.TempDir(), Binary: "/bin/sh",
			Logf: func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) },
		},
		timeout:    5 * time.Second,
		ports:      []*int{port},
		configFile: "fake.yaml",
		config:     func() (string, error) { return fmt.Sprintf("port: %d\n", *port), nil },
		args: func(string) []string {
			attempts++
			var s string
			s, url = script(attempts)
			return []string{"-c", s}
		},
		ready: func() []string { return []string{url} },
	}, &attempts, &logged
}

// portClash dies like a store whose port was taken; nothing listens.
const portClash = "echo 'listen tcp 127.0.0.1:1234: bind: address already in use' >&2; exit 1"

func assertGroupGone(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("process group %d alive after stop: %v", pid, err)
	}
}

func TestLaunchRetriesWhenAPortWasTaken(t *testing.T) {
	ready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer ready.Close()

	var port int
	s, attempts, logged := fakeStore(t, &port, func(attempt int) (string, string) {
		if attempt == 1 {
			return portClash, "http://127.0.0.1:1/ready"
		}
		return "sleep 60", ready.URL
	})
	srv, err := launch(context.Background(), *s)
	if err != nil {
		t.Fatal(err)
	}
	if *attempts != 2 || len(*logged) != 1 || !strings.Contains((*logged)[0], "a port was taken") {
		t.Fatalf("attempts = %d, logged %q; want a retry after the port clash", *attempts, *logged)
	}
	if port == 0 || srv.ConfigPath != filepath.Join(s.DataDir, "fake.yaml") || srv.DataDir != s.DataDir {
		t.Errorf("port %d, config %s, data %s", port, srv.ConfigPath, srv.DataDir)
	}
	pid := srv.Pid()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	assertGroupGone(t, pid)
}

func TestLaunchDoesNotRetryFixedPorts(t *testing.T) {
	port := 1234
	s, attempts, _ := fakeStore(t, &port, func(int) (string, string) { return portClash, "http://127.0.0.1:1/ready" })
	_, err := launch(context.Background(), *s)
	if !errors.Is(err, ErrPortTaken) || *attempts != 1 {
		t.Fatalf("err = %v after %d attempts; want one attempt ending in ErrPortTaken", err, *attempts)
	}
}

func TestLaunchFailsWithTheLogWhenTheStoreDies(t *testing.T) {
	var port int
	s, attempts, _ := fakeStore(t, &port, func(int) (string, string) {
		return "echo 'bad config: field nope not found' >&2; exit 3", "http://127.0.0.1:1/ready"
	})
	_, err := launch(context.Background(), *s)
	if err == nil || !strings.HasPrefix(err.Error(), "fake exited before ready") || !strings.Contains(err.Error(), "field nope not found") {
		t.Fatalf("failure does not name the store and carry the log tail: %v", err)
	}
	if errors.Is(err, ErrPortTaken) || *attempts != 1 {
		t.Errorf("retried (%d attempts) a store that did not clash on a port", *attempts)
	}
}

func TestLaunchStopsAStoreThatIsNeverReadyWhenCtxEnds(t *testing.T) {
	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "starting", http.StatusServiceUnavailable)
	}))
	defer notReady.Close()
	var port int
	s, _, _ := fakeStore(t, &port, func(int) (string, string) { return "echo $$ > pid; sleep 60", notReady.URL })
	pidFile := filepath.Join(s.DataDir, "pid")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err := launch(ctx, *s)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "503 starting") {
		t.Fatalf("err = %v, want the deadline and the last answer", err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("launch took %s after a 1s context", d)
	}
	b, err := os.ReadFile(pidFile)
	pid, convErr := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || convErr != nil {
		t.Fatalf("pid file: %v %v", err, convErr)
	}
	assertGroupGone(t, pid)
}

func TestLaunchReportsAMissingBinary(t *testing.T) {
	var port int
	s, attempts, _ := fakeStore(t, &port, func(int) (string, string) { return "", "" })
	s.Binary = filepath.Join(t.TempDir(), "nope")
	s.howToGet = "apt-get install -y nope"
	_, err := launch(context.Background(), *s)
	var missing *MissingBinaryError
	if !errors.As(err, &missing) || missing.Path != s.Binary || err.Error() != "fake binary not found at "+s.Binary+"; run: apt-get install -y nope" {
		t.Fatalf("err = %v", err)
	}
	if *attempts != 0 {
		t.Error("started a missing binary")
	}
}

func TestStopKillsChildrenThatIgnoreSIGTERM(t *testing.T) {
	// The shell's child ignores SIGTERM; the group must still be gone.
	dir := t.TempDir()
	p, err := Start(Cmd{Name: "stubborn", Path: "/bin/sh", Args: []string{"-c", "trap '' TERM; sleep 60 & wait"}, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	if err := p.Stop(time.Second); err != nil {
		t.Fatal(err)
	}
	assertGroupGone(t, p.Pid())
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("stop took %s", d)
	}
	if err := p.Stop(time.Second); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestProcessLogsToLogDirAndKeepsTheExitError(t *testing.T) {
	dir, logs := t.TempDir(), t.TempDir()
	p, err := Start(Cmd{Name: "talker", Path: "/bin/sh", Args: []string{"-c", "echo one; echo two; echo \"$X\"; exit 4"},
		Env: []string{"X=three"}, Dir: dir, LogDir: logs})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !p.Exited() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if p.LogPath() != filepath.Join(logs, "talker.log") || p.LogTail(2) != "two\nthree" {
		t.Errorf("log %s tail %q", p.LogPath(), p.LogTail(2))
	}
	if p.ExitErr() == nil || !strings.Contains(p.ExitErr().Error(), "exit status 4") {
		t.Errorf("exit error %v", p.ExitErr())
	}
	if err := p.Stop(time.Second); err != nil {
		t.Fatal(err)
	}
}
