// Package stack runs the demo without Docker: the stores through pkg/localstores
// (Prometheus from Debian; Tempo, Loki and Jaeger from the tests' binary cache), the
// seed services (tests/seed/launch.py with its background load), a local alert sink,
// and wires a Grafana installed on the host to them (plugin link + provisioning files).
//
// Guarantees: Up either returns a running stack or stops whatever it started; Close
// stops every process it started (each in its own process group) and checks none is left.
package stack

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/latencylens/lens/demo/internal/harness"
	"github.com/latencylens/lens/pkg/e2e"
	"github.com/latencylens/lens/pkg/localstores"
)

// Options configure Up.
type Options struct {
	// Repo is the repository root; Dist the built plugin (default Repo/dist).
	Repo, Dist string
	// PluginsDir and ProvisioningDir belong to the Grafana to wire up; empty skips that part.
	PluginsDir, ProvisioningDir string
	// WorkDir holds configs, data and logs (a new temporary directory when empty).
	WorkDir string
	// Jaeger also starts Jaeger and sends traces to it.
	Jaeger bool
	// BuildStores builds missing store binaries with tests/stores/build.sh.
	BuildStores bool
	// LoadRPS and SlowFraction drive the background load on the web app.
	LoadRPS, SlowFraction float64
	// Progress receives one line per step.
	Progress io.Writer
}

// Stack is the running demo.
type Stack struct {
	Endpoints Endpoints
	WebApp    string
	WorkDir   string
	LogDir    string
	// Written are the provisioning files; PluginLink the plugin directory link.
	Written    []string
	PluginLink string
	Sink       *AlertSink

	tb     *harness.TB
	prom   *localstores.Prometheus
	stores []store // in start order
	seed   *localstores.Process
	pids   map[string]int
	out    io.Writer
}

// store is a running store of pkg/localstores.
type store struct {
	name string
	stop func() error
}

func (s *Stack) say(format string, args ...any) { fmt.Fprintf(s.out, "demo: "+format+"\n", args...) }

// Up starts everything and wires the Grafana; on error it stops what it started.
func Up(ctx context.Context, o Options) (st *Stack, err error) {
	out := o.Progress
	if out == nil {
		out = io.Discard
	}
	if o.Dist == "" {
		o.Dist = filepath.Join(o.Repo, "dist")
	}
	if o.LoadRPS <= 0 {
		o.LoadRPS = 10
	}
	if o.SlowFraction < 0 || o.SlowFraction > 1 {
		return nil, fmt.Errorf("slow fraction %v is not in [0, 1]", o.SlowFraction)
	}
	if _, err := os.Stat(filepath.Join(o.Dist, "plugin.json")); err != nil && o.PluginsDir != "" {
		return nil, fmt.Errorf("the plugin is not built (%s/plugin.json missing): run `npm run build` first", o.Dist)
	}
	work := o.WorkDir
	if work == "" {
		if work, err = os.MkdirTemp("", "latencylens-demo-"); err != nil {
			return nil, err
		}
	}
	logDir := filepath.Join(work, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	s := &Stack{WorkDir: work, LogDir: logDir, out: out, tb: harness.New("demo", work, out), pids: map[string]int{}}
	defer func() {
		if err != nil {
			s.Close()
			st = nil
		}
	}()

	if s.Sink, err = startAlertSink(out); err != nil {
		return s, err
	}
	s.Endpoints.AlertSink = s.Sink.URL

	// Binaries first, so a missing one fails (or is built) before anything runs.
	bins := map[string]string{}
	names := []string{localstores.StoreTempo, localstores.StoreLoki}
	if o.Jaeger {
		names = append(names, localstores.StoreJaeger)
	}
	for _, n := range names {
		if bins[n], err = storeBinary(n, o.BuildStores, func(m string) { s.say("%s", m) }); err != nil {
			return s, err
		}
	}
	// Each store keeps its data in work/<store> and writes its log to logs/<store>.log.
	common := func(name string) localstores.Common {
		return localstores.Common{
			DataDir: filepath.Join(work, name), LogDir: logDir, Binary: bins[name],
			Logf: func(format string, args ...any) { s.say(format, args...) },
		}
	}

	s.say("starting Prometheus (exemplar storage, remote-write receiver)")
	c := common("prometheus")
	c.ExtraArgs = []string{"--web.enable-remote-write-receiver"}
	if s.prom, err = localstores.StartPrometheus(ctx, localstores.PrometheusOptions{Common: c, ScrapeInterval: 5 * time.Second}); err != nil {
		return s, err
	}
	s.started("prometheus", s.prom.Pid(), s.prom.Stop)
	s.Endpoints.Prometheus = s.prom.URL

	s.say("starting Loki (OTLP ingestion, structured metadata)")
	loki, err := localstores.StartLoki(ctx, localstores.LokiOptions{Common: common(localstores.StoreLoki)})
	if err != nil {
		return s, err
	}
	s.started("loki", loki.Pid(), loki.Stop)
	s.Endpoints.Loki = loki.URL

	s.say("starting Tempo (OTLP, TraceQL metrics, span metrics to Prometheus)")
	c = common(localstores.StoreTempo)
	c.ReadyTimeout = 3 * time.Minute
	tempo, err := localstores.StartTempo(ctx, localstores.TempoOptions{
		Common: c, RemoteWriteURL: s.prom.URL + "/api/v1/write",
		// The demo's own block timings; the tests use 1s, 1s and 30s.
		TraceIdlePeriod: 2 * time.Second, FlushCheckPeriod: 2 * time.Second, MaxBlockDuration: time.Minute,
	})
	if err != nil {
		return s, err
	}
	s.started("tempo", tempo.Pid(), tempo.Stop)
	s.Endpoints.Tempo = tempo.URL
	tracesOTLP := []string{tempo.OTLPTracesURL}

	if o.Jaeger {
		s.say("starting Jaeger (in-memory)")
		var jaeger *localstores.Jaeger
		if jaeger, err = localstores.StartJaeger(ctx, localstores.JaegerOptions{Common: common(localstores.StoreJaeger)}); err != nil {
			return s, err
		}
		s.started("jaeger", jaeger.Pid(), jaeger.Stop)
		s.Endpoints.Jaeger = jaeger.URL
		tracesOTLP = append(tracesOTLP, jaeger.OTLPTracesURL)
	}

	s.say("starting the seed services (web app, broker, producer, consumer, load at %g req/s)", o.LoadRPS)
	if s.WebApp, err = s.startSeed(ctx, o, tracesOTLP, loki.OTLPLogsURL); err != nil {
		return s, err
	}
	if err = s.scrapeWebApp(ctx); err != nil {
		return s, err
	}

	if o.PluginsDir != "" {
		if s.PluginLink, err = LinkPlugin(o.Dist, o.PluginsDir); err != nil {
			return s, err
		}
	}
	if o.ProvisioningDir != "" {
		pluginDir := filepath.Join(o.PluginsDir, PluginID)
		if o.PluginsDir == "" {
			pluginDir = o.Dist
		}
		if s.Written, err = WriteProvisioning(o.Repo, o.ProvisioningDir, pluginDir, s.Endpoints); err != nil {
			return s, err
		}
	}
	return s, nil
}

// startSeed runs tests/seed/launch.py (through the venv the tests use) and returns the
// web app's metrics URL from its readiness line.
func (s *Stack) startSeed(ctx context.Context, o Options, traces []string, logs string) (string, error) {
	var python, seedDir string
	if err := s.tb.Run(func() { python, seedDir = e2e.SeedPython(s.tb) }); err != nil {
		return "", fmt.Errorf("seed services: %w", err)
	}
	seedWork := filepath.Join(s.WorkDir, "seed")
	if err := os.MkdirAll(seedWork, 0o755); err != nil {
		return "", err
	}
	args := []string{filepath.Join(seedDir, "launch.py"), "--workdir", seedWork,
		"--background-rps", strconv.FormatFloat(o.LoadRPS, 'g', -1, 64),
		"--background-slow-fraction", strconv.FormatFloat(o.SlowFraction, 'g', -1, 64),
		"--logs-endpoint", logs}
	for _, u := range traces {
		args = append(args, "--traces-endpoint", u)
	}
	p, err := localstores.Start(localstores.Cmd{Name: "seed", Path: python, Args: args, Dir: seedDir, LogDir: s.LogDir})
	if err != nil {
		return "", err
	}
	s.seed = p
	s.pids["seed"] = p.Pid()
	waitCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		if line := firstJSONLine(p.LogPath()); line != nil {
			var ready struct {
				WebApp struct {
					Metrics string `json:"metrics"`
				} `json:"webapp"`
			}
			if err := json.Unmarshal(line, &ready); err != nil || ready.WebApp.Metrics == "" {
				return "", fmt.Errorf("seed launcher: unexpected readiness line %s", line)
			}
			return ready.WebApp.Metrics, nil
		}
		if p.Exited() {
			return "", fmt.Errorf("seed launcher exited (%v); log %s:\n%s", p.ExitErr(), p.LogPath(), p.LogTail(30))
		}
		select {
		case <-waitCtx.Done():
			return "", fmt.Errorf("seed launcher not ready; log %s:\n%s", p.LogPath(), p.LogTail(30))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// firstJSONLine returns the first line of the file that is a JSON object, if any.
func firstJSONLine(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "{") && json.Valid([]byte(line)) {
			return []byte(line)
		}
	}
	return nil
}

// scrapeWebApp points the running Prometheus at the web app and reloads it, then
// waits for the first successful scrape.
func (s *Stack) scrapeWebApp(ctx context.Context) error {
	cfg := fmt.Sprintf(`# Written by npm run demo:local; mirrors demo/config/prometheus.yaml.
global:
  scrape_interval: 5s
  scrape_timeout: 5s
  evaluation_interval: 5s
scrape_configs:
  - job_name: shop-web
    honor_labels: true
    metrics_path: %q
    static_configs:
      - targets: [%q]
`, urlPath(s.WebApp), urlHost(s.WebApp))
	if err := os.WriteFile(s.prom.ConfigPath, []byte(cfg), 0o644); err != nil {
		return err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.prom.URL+"/-/reload", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("prometheus reload: %w", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("prometheus reload: %d %s", resp.StatusCode, body)
	}
	waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := s.prom.WaitForQuery(waitCtx, `up{job="shop-web"} == 1`); err != nil {
		return fmt.Errorf("prometheus: no successful scrape of the web app within a minute: %w", err)
	}
	return nil
}

func urlHost(u string) string {
	rest := strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
	host, _, _ := strings.Cut(rest, "/")
	return host
}

func urlPath(u string) string {
	rest := strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
	if _, p, ok := strings.Cut(rest, "/"); ok {
		return "/" + p
	}
	return "/metrics"
}

// started records a running store for Pids and Close.
func (s *Stack) started(name string, pid int, stop func() error) {
	s.stores = append(s.stores, store{name: name, stop: stop})
	s.pids[name] = pid
}

// Close stops the seed services, the stores (last started first) and the sink, in
// that order, and reports any process group that was left.
func (s *Stack) Close() error {
	var errs []error
	if s.seed != nil {
		if err := s.seed.Stop(30 * time.Second); err != nil {
			errs = append(errs, fmt.Errorf("stop seed: %w", err))
		}
	}
	for i := len(s.stores) - 1; i >= 0; i-- {
		if err := s.stores[i].stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop %s: %w", s.stores[i].name, err))
		}
	}
	s.tb.Close() // pkg/e2e's cleanups, if it registered any
	if s.tb.Failed() {
		errs = append(errs, errors.New("a harness cleanup failed (see the lines above)"))
	}
	if s.Sink != nil {
		errs = append(errs, s.Sink.Close())
	}
	return errors.Join(errs...)
}

// Pids are the process (group) ids the stack runs, by name.
func (s *Stack) Pids() map[string]int {
	m := make(map[string]int, len(s.pids))
	for k, v := range s.pids {
		m[k] = v
	}
	return m
}
