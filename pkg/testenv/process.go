// Package testenv starts real metric, log and trace stores on loopback ports
// for integration tests, and stops them when the test ends.
//
// Every store gets a fresh temporary data directory, a configuration written
// at start-up, free 127.0.0.1 ports picked at run time, a readiness wait, and
// a t.Cleanup that kills its whole process group and checks that nothing is
// left running.
//
// A store whose binary is missing makes the test skip, unless the
// environment variable LATENCYLENS_REQUIRE_STORES is set, in which case the
// test fails and names the command that builds the binary.
package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RequireStoresEnv names the environment variable that turns a missing store
// binary from a skip into a test failure.
const RequireStoresEnv = "LATENCYLENS_REQUIRE_STORES"

// storesRequired reports whether missing binaries must fail the test.
func storesRequired() bool { return os.Getenv(RequireStoresEnv) != "" }

// missingBinary skips or fails the test for a binary that is not there,
// naming how to get it.
func missingBinary(t testing.TB, what, path, howToGet string) {
	t.Helper()
	msg := fmt.Sprintf("%s binary not found at %s; run: %s", what, path, howToGet)
	if storesRequired() {
		t.Fatalf("%s (%s is set)", msg, RequireStoresEnv)
	}
	t.Skip(msg)
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: pick free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// freePorts returns n distinct free ports. The listeners are held open until
// all ports are picked so the same port cannot be handed out twice.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("testenv: pick free port: %v", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// process is one store running in its own process group.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	waitErr error
	mu      sync.Mutex
	stopped bool
}

// startProcess runs bin with args in its own process group, output going to
// a log file in dir. Its cleanup stops the group and, if the test failed,
// prints the tail of the log.
func startProcess(t testing.TB, name, dir, bin string, args ...string) *process {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("testenv: %s log: %v", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("testenv: start %s: %v", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		if err := p.stop(15 * time.Second); err != nil {
			t.Errorf("testenv: stop %s: %v", name, err)
		}
		if t.Failed() {
			t.Logf("testenv: last lines of %s log (%s):\n%s", name, logPath, p.logTail(40))
		}
	})
	return p
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the process group, then SIGKILL after grace, and
// checks that no process of the group is left.
func (p *process) stop(grace time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return nil
	}
	p.stopped = true
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
	// The leader has been reaped; make sure no child of the group lingers.
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := syscall.Kill(-pgid, 0)
		if errors.Is(err, syscall.ESRCH) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("process group %d still has members after stop", pgid)
		}
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		time.Sleep(50 * time.Millisecond)
	}
}

// Pid returns the process id, which is also its process group id.
func (p *process) Pid() int { return p.cmd.Process.Pid }

// logTail returns the last n lines of the process log.
func (p *process) logTail(n int) string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// errPortTaken marks a store that exited because a port picked for it was
// taken before it could bind (another process got there first).
var errPortTaken = errors.New("port taken")

// waitReady polls url until it answers 200, the process exits, or timeout
// passes; the last two are errors carrying the log tail.
func (p *process) waitReady(url string, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	var last string
	for {
		if p.exited() {
			tail := p.logTail(40)
			err := fmt.Errorf("%s exited before ready (%v); log tail:\n%s", p.name, p.waitErr, tail)
			if strings.Contains(tail, "address already in use") {
				err = fmt.Errorf("%w: %w", errPortTaken, err)
			}
			return err
		}
		resp, err := client.Get(url)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, bytes.TrimSpace(body))
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready at %s after %s (last: %s); log tail:\n%s",
				p.name, url, timeout, last, p.logTail(40))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// launch starts a store and waits until each of its readiness URLs answers
// 200. Ports are picked free but only bound by the store later, so another
// process can take one in between; the store then exits, and launch tries
// again with fresh ports (start is called anew), up to three times.
func launch(t testing.TB, name string, timeout time.Duration, start func() (*process, []string)) *process {
	t.Helper()
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		proc, urls := start()
		err = nil
		for _, u := range urls {
			if err = proc.waitReady(u, timeout); err != nil {
				break
			}
		}
		if err == nil {
			return proc
		}
		_ = proc.stop(5 * time.Second)
		if !errors.Is(err, errPortTaken) {
			break
		}
		t.Logf("testenv: %s: a port was taken, retrying with new ports", name)
	}
	t.Fatalf("testenv: %v", err)
	return nil
}

// readyTimeout returns the readiness timeout, overridable with
// LATENCYLENS_STORE_READY_TIMEOUT (a Go duration) for slow machines.
func readyTimeout(def time.Duration) time.Duration {
	if v := os.Getenv("LATENCYLENS_STORE_READY_TIMEOUT"); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
	}
	return def
}

// poll calls f every interval until it returns true or ctx ends.
func poll(ctx context.Context, interval time.Duration, f func() (bool, error)) error {
	var lastErr error
	for {
		ok, err := f()
		if ok {
			return nil
		}
		if err != nil {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			if lastErr != nil {
				return fmt.Errorf("%w (last error: %v)", ctx.Err(), lastErr)
			}
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}
