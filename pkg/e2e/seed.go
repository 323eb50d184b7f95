package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/testenv"
)

// Seed is the running set of seed services started by tests/seed/launch.py.
type Seed struct {
	WebApp struct {
		URL     string `json:"url"`
		Metrics string `json:"metrics"`
		Service string `json:"service"`
	} `json:"webapp"`
	Broker struct {
		URL string `json:"url"`
	} `json:"broker"`
	Producer struct {
		Record  string `json:"record"`
		Service string `json:"service"`
	} `json:"producer"`
	Consumer struct {
		Record  string `json:"record"`
		Service string `json:"service"`
	} `json:"consumer"`
	Workdir string            `json:"workdir"`
	Logs    map[string]string `json:"logs"`
	Pids    map[string]int    `json:"pids"`

	python string
	dir    string // tests/seed
	cmd    *exec.Cmd
	done   chan struct{}
	mu     sync.Mutex
	closed bool
}

// SeedOptions says where the seed services send their telemetry.
type SeedOptions struct {
	// TracesEndpoints are OTLP/HTTP trace URLs (…/v1/traces), e.g. Tempo's and Jaeger's.
	TracesEndpoints []string
	// LogsEndpoints are OTLP/HTTP log URLs, e.g. Loki's …/otlp/v1/logs.
	LogsEndpoints []string
	// Messages the producer sends (0: until stopped) and the gap between them.
	Messages        int
	MessageInterval time.Duration
	// Seed of the services' own random draws.
	Seed int
}

// missing skips the test, or fails it when LATENCYLENS_REQUIRE_STORES is set.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(testenv.RequireStoresEnv) != "" {
		t.Fatalf("%s (%s is set)", msg, testenv.RequireStoresEnv)
	}
	t.Skip(msg)
}

// repoRoot finds the repository root (the directory holding tests/seed) above the working directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		// The repository root holds the seed services; a nested module (demo/) has its own
		// go.mod, so go.mod alone does not mark the root.
		if _, err := os.Stat(filepath.Join(dir, "tests", "seed", "setup.sh")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("e2e: tests/seed/setup.sh not found above the working directory")
		}
		dir = parent
	}
}

var (
	venvOnce sync.Once
	venvPath string
	venvErr  error
)

// SeedPython runs tests/seed/setup.sh once per test binary (a no-op when the venv is
// cached) and returns the venv's python. A missing interpreter or a failed install
// skips the test, or fails it under LATENCYLENS_REQUIRE_STORES.
func SeedPython(t testing.TB) (python, seedDir string) {
	t.Helper()
	seedDir = filepath.Join(repoRoot(t), "tests", "seed")
	venvOnce.Do(func() {
		var stderr bytes.Buffer
		cmd := exec.Command("bash", filepath.Join(seedDir, "setup.sh"))
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			venvErr = fmt.Errorf("tests/seed/setup.sh: %v: %s", err, bytes.TrimSpace(stderr.Bytes()))
			return
		}
		venvPath = strings.TrimSpace(string(out))
	})
	if venvErr != nil {
		missing(t, "seed venv: %v", venvErr)
	}
	return filepath.Join(venvPath, "bin", "python"), seedDir
}

// StartSeed runs the launcher, waits for its JSON line and stops every service in
// t.Cleanup, checking that none is left.
func StartSeed(t testing.TB, opts SeedOptions) *Seed {
	t.Helper()
	python, dir := SeedPython(t)
	work := t.TempDir()
	args := []string{filepath.Join(dir, "launch.py"), "--workdir", work,
		"--messages", strconv.Itoa(opts.Messages), "--seed", strconv.Itoa(max(opts.Seed, 1))}
	if opts.MessageInterval > 0 {
		args = append(args, "--message-interval", strconv.FormatFloat(opts.MessageInterval.Seconds(), 'f', 3, 64))
	}
	for _, u := range opts.TracesEndpoints {
		args = append(args, "--traces-endpoint", u)
	}
	for _, u := range opts.LogsEndpoints {
		args = append(args, "--logs-endpoint", u)
	}
	cmd := exec.Command(python, args...)
	cmd.Dir = dir
	stderrPath := filepath.Join(work, "launch.stderr")
	stderr, err := os.Create(stderrPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("e2e: start seed launcher: %v", err)
	}
	s := &Seed{python: python, dir: dir, cmd: cmd, done: make(chan struct{})}
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, r)
	}()
	go func() {
		_ = cmd.Wait()
		stderr.Close()
		close(s.done)
	}()
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("e2e: stop seed services: %v", err)
		}
		if t.Failed() {
			s.dumpLogs(t, stderrPath)
		}
	})
	select {
	case line := <-lines:
		if err := json.Unmarshal([]byte(line), s); err != nil || s.WebApp.URL == "" {
			s.dumpLogs(t, stderrPath)
			t.Fatalf("e2e: seed launcher did not start (first line %q: %v)", line, err)
		}
	case <-time.After(90 * time.Second):
		s.dumpLogs(t, stderrPath)
		t.Fatal("e2e: seed launcher not ready after 90s")
	}
	return s
}

func (s *Seed) dumpLogs(t testing.TB, stderrPath string) {
	t.Helper()
	paths := []string{stderrPath}
	for _, p := range s.Logs {
		paths = append(paths, p)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
		if len(lines) > 25 {
			lines = lines[len(lines)-25:]
		}
		t.Logf("e2e: last lines of %s:\n%s", p, strings.Join(lines, "\n"))
	}
}

// Stop stops the launcher (which stops its services) and checks that its process
// group is empty afterwards.
func (s *Seed) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	pgid := s.cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-s.done
		return errors.New("launcher did not stop within 30s of SIGTERM; killed")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) {
			return nil
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			return fmt.Errorf("process group %d still had members after the launcher exited", pgid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// LoadOptions are the load driver's knobs (tests/seed/loadgen.py flags).
type LoadOptions struct {
	Requests      int
	Seed          int
	Rate          float64 // requests per second
	Concurrency   int
	SlowFraction  float64 // share of requests in the slow tail; <0 keeps the default
	SlowMedianMs  float64
	ErrorRate     float64 // <0 keeps the default
	Scale         float64 // multiplies each route's median; 0 keeps 1
	ExtraFlags    []string
	ProgressLimit time.Duration // how long the run may take; default 5m
}

// DefaultLoad is the mix the e2e tests use: 2,000 requests at 100/s.
func DefaultLoad() LoadOptions {
	return LoadOptions{Requests: 2000, Seed: 42, Rate: 100, Concurrency: 32, SlowFraction: -1, ErrorRate: -1}
}

// RunLoad runs the load driver against the web app and returns its ground truth.
func (s *Seed) RunLoad(t testing.TB, o LoadOptions) *GroundTruth {
	t.Helper()
	out := filepath.Join(t.TempDir(), "ground-truth.json")
	args := []string{filepath.Join(s.dir, "loadgen.py"), "--url", s.WebApp.URL, "--out", out,
		"--requests", strconv.Itoa(o.Requests), "--seed", strconv.Itoa(o.Seed),
		"--rate", ftoa(o.Rate), "--concurrency", strconv.Itoa(max(o.Concurrency, 1))}
	if o.SlowFraction >= 0 {
		args = append(args, "--slow-fraction", ftoa(o.SlowFraction))
	}
	if o.SlowMedianMs > 0 {
		args = append(args, "--slow-median-ms", ftoa(o.SlowMedianMs))
	}
	if o.ErrorRate >= 0 {
		args = append(args, "--error-rate", ftoa(o.ErrorRate))
	}
	if o.Scale > 0 {
		args = append(args, "--scale", ftoa(o.Scale))
	}
	args = append(args, o.ExtraFlags...)
	limit := o.ProgressLimit
	if limit <= 0 {
		limit = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.python, args...)
	cmd.Dir = s.dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("e2e: load driver: %v\n%s", err, stderr.String())
	}
	t.Logf("e2e: %s", strings.TrimSpace(stderr.String()))
	gt, err := ReadGroundTruth(out)
	if err != nil {
		t.Fatal(err)
	}
	return gt
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// Quantiles are the statistics of one set of latencies, in milliseconds.
type Quantiles struct {
	Count int     `json:"count"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
	Mean  float64 `json:"mean"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
}

// RequestSet summarises a set of requests.
type RequestSet struct {
	Count      int       `json:"count"`
	Errors     int       `json:"errors"`
	InjectedMs Quantiles `json:"injectedMs"`
	ObservedMs Quantiles `json:"observedMs"`
}

// LoadRequest is one request the load driver sent.
type LoadRequest struct {
	ID            string  `json:"id"`
	Route         string  `json:"route"`
	Method        string  `json:"method"`
	Path          string  `json:"path"`
	InjectedMs    float64 `json:"injectedMs"`
	SlowTail      bool    `json:"slowTail"`
	PlannedStatus int     `json:"plannedStatus"`
	Status        int     `json:"status"`
	// ObservedMs is what the server observed into its histogram (Server-Timing).
	ObservedMs  *float64 `json:"observedMs"`
	ClientMs    float64  `json:"clientMs"`
	StartUnixMs float64  `json:"startUnixMs"`
	TraceID     string   `json:"traceId"`
	SpanID      string   `json:"spanId"`
}

// GroundTruth is the load driver's account of what it sent (tests/seed/loadgen.py --out).
type GroundTruth struct {
	Service          string  `json:"service"`
	Metric           string  `json:"metric"`
	QuantileMethod   string  `json:"quantileMethod"`
	StartUnixMs      float64 `json:"startUnixMs"`
	EndUnixMs        float64 `json:"endUnixMs"`
	TransportErrors  int     `json:"transportErrors"`
	StatusMismatches int     `json:"statusMismatches"`
	Summary          struct {
		All     RequestSet            `json:"all"`
		ByRoute map[string]RequestSet `json:"byRoute"`
	} `json:"summary"`
	Requests []LoadRequest `json:"requests"`
}

// Start and End bound the load run.
func (g *GroundTruth) Start() time.Time { return time.UnixMicro(int64(g.StartUnixMs * 1000)) }
func (g *GroundTruth) End() time.Time   { return time.UnixMicro(int64(g.EndUnixMs * 1000)) }

// ReadGroundTruth reads a ground-truth file.
func ReadGroundTruth(path string) (*GroundTruth, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var g GroundTruth
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, fmt.Errorf("ground truth %s: %w", path, err)
	}
	return &g, nil
}

// Message is one producer→consumer message with the IDs both sides recorded.
type Message struct {
	MessageID     string `json:"messageId"`
	TraceID       string `json:"traceId"`
	RootSpanID    string `json:"rootSpanId"`    // producer "place order"
	SendSpanID    string `json:"sendSpanId"`    // producer "orders publish"
	ProcessSpanID string `json:"processSpanId"` // consumer "orders process"
	DBSpanID      string `json:"dbSpanId"`      // consumer "INSERT shipments"
	// ParentSpanID is the parent the consumer read from the traceparent header.
	ParentSpanID string `json:"parentSpanId"`
	SentUnixNano int64  `json:"-"`
	DoneUnixNano int64  `json:"-"`
}

// WaitMessages waits until the consumer has processed n messages and returns them
// joined with the producer's record.
func (s *Seed) WaitMessages(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msgs, err := s.messages()
		if err == nil && len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("e2e: %d of %d messages processed after %s (err %v)", len(msgs), n, timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *Seed) messages() ([]Message, error) {
	type rec struct {
		Message
		TimeUnixNano int64 `json:"timeUnixNano"`
	}
	read := func(path string) ([]rec, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var out []rec
		for _, line := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var r rec
			if err := json.Unmarshal(line, &r); err != nil {
				return nil, nil // a line still being written
			}
			out = append(out, r)
		}
		return out, nil
	}
	sent, err := read(s.Producer.Record)
	if err != nil {
		return nil, err
	}
	done, err := read(s.Consumer.Record)
	if err != nil {
		return nil, err
	}
	byID := map[string]rec{}
	for _, r := range sent {
		byID[r.MessageID] = r
	}
	var out []Message
	for _, c := range done {
		p, ok := byID[c.MessageID]
		if !ok {
			continue
		}
		m := c.Message
		m.RootSpanID, m.SendSpanID = p.RootSpanID, p.SendSpanID
		m.SentUnixNano, m.DoneUnixNano = p.TimeUnixNano, c.TimeUnixNano
		out = append(out, m)
	}
	return out, nil
}
