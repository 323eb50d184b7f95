// Package localstores runs real metric, log and trace stores (Prometheus,
// Loki, Tempo, Jaeger) as local processes on 127.0.0.1 ports, for the
// integration tests (through pkg/testenv) and for the demo without Docker
// (demo/cmd/demo-local).
//
// Each store runs in its own process group with its output in a log file,
// from a configuration written at start-up, on free ports unless the caller
// fixes them. Start… returns once the store answers its readiness checks;
// Stop ends the whole group and checks that nothing of it is left.
package localstores

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
	"time"
)

// Cmd describes a process to start.
type Cmd struct {
	// Name names the log file (<LogDir>/<Name>.log) and the process in errors.
	Name string
	// Path and Args are the program and its arguments (without the program).
	Path string
	Args []string
	// Env is added to this program's environment.
	Env []string
	// Dir is the working directory; LogDir defaults to it.
	Dir, LogDir string
}

// Process is one program running in its own process group, its output going
// to a log file. The group gets SIGKILL if this program dies without
// stopping it (Pdeathsig).
type Process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	waitErr error
	mu      sync.Mutex
	stopped bool
}

// Start runs c in its own process group.
func Start(c Cmd) (*Process, error) {
	logDir := c.LogDir
	if logDir == "" {
		logDir = c.Dir
	}
	logPath := filepath.Join(logDir, c.Name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("%s log: %w", c.Name, err)
	}
	cmd := exec.Command(c.Path, c.Args...)
	cmd.Dir = c.Dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if c.Env != nil {
		cmd.Env = append(os.Environ(), c.Env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", c.Name, err)
	}
	p := &Process{name: c.Name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// Name is the name the process was started with.
func (p *Process) Name() string { return p.name }

// Pid returns the process id, which is also its process group id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// LogPath is the file that holds the process's output.
func (p *Process) LogPath() string { return p.logPath }

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// ExitErr is what waiting for the process returned (nil for exit status 0);
// meaningful once Exited is true.
func (p *Process) ExitErr() error {
	if !p.Exited() {
		return nil
	}
	return p.waitErr
}

// Stop sends SIGTERM to the process group, then SIGKILL after grace, and
// checks that no process of the group is left. Only the first call stops;
// later ones return nil at once.
func (p *Process) Stop(grace time.Duration) error {
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

// LogTail returns the last n lines of the process log.
func (p *Process) LogTail(n int) string {
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

// ErrPortTaken marks a store that exited because a port picked for it was
// taken before it could bind (another process got there first).
var ErrPortTaken = errors.New("port taken")

// tailLines is how much of a log an error carries.
const tailLines = 40

// WaitReady polls url until it answers 200, the process exits, timeout
// passes or ctx ends; all but the first are errors carrying the log tail.
// An exit caused by a port clash matches ErrPortTaken.
func (p *Process) WaitReady(ctx context.Context, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	var last string
	for {
		if p.Exited() {
			tail := p.LogTail(tailLines)
			err := fmt.Errorf("%s exited before ready (%v); log tail (%s):\n%s", p.name, p.waitErr, p.logPath, tail)
			if strings.Contains(tail, "address already in use") {
				err = fmt.Errorf("%w: %w", ErrPortTaken, err)
			}
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
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
			return fmt.Errorf("%s not ready at %s after %s (last: %s); log tail (%s):\n%s",
				p.name, url, timeout, last, p.logPath, p.LogTail(tailLines))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready at %s: %w (last: %s); log tail (%s):\n%s",
				p.name, url, ctx.Err(), last, p.logPath, p.LogTail(tailLines))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// FreePorts returns n distinct TCP ports on 127.0.0.1 that were free a
// moment ago. The listeners are held open until all ports are picked so the
// same port cannot be handed out twice.
func FreePorts(n int) ([]int, error) {
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
			return nil, fmt.Errorf("pick free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Poll calls f every interval until it returns true or ctx ends.
func Poll(ctx context.Context, interval time.Duration, f func() (bool, error)) error {
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
