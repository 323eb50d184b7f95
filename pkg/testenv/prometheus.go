package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// DefaultPrometheusBinary is where Debian's prometheus package installs the
// server (`apt-get install -y prometheus`, 2.42 on bookworm).
const DefaultPrometheusBinary = "/usr/bin/prometheus"

// ScrapeTarget is one endpoint for the test Prometheus to scrape.
type ScrapeTarget struct {
	// URL of the metrics endpoint, e.g. "http://127.0.0.1:4321/metrics".
	// Query parameters are passed on to the target.
	URL string
	// Job becomes the job label; defaults to "testenv".
	Job string
	// Labels are added to every series scraped from this target.
	Labels map[string]string
}

// PrometheusOptions configures StartPrometheus. The zero value is valid.
type PrometheusOptions struct {
	// Targets to scrape.
	Targets []ScrapeTarget
	// ScrapeInterval defaults to 1s; it is also the evaluation interval.
	ScrapeInterval time.Duration
	// Features for --enable-feature; defaults to
	// exemplar-storage and native-histograms. Prometheus 2.42 has no
	// scrape_classic_histograms: with native-histograms on, a histogram that
	// the target exposes with native buckets is stored as native only.
	// Set Features to []string{"exemplar-storage"} to keep classic buckets.
	Features []string
	// Binary overrides the server path; defaults to $LATENCYLENS_PROMETHEUS_BIN,
	// then /usr/bin/prometheus, then prometheus on PATH.
	Binary string
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
}

// Prometheus is a running test Prometheus.
type Prometheus struct {
	// URL is the base URL of the HTTP API and UI, e.g. http://127.0.0.1:38211.
	URL string
	// DataDir is the TSDB directory.
	DataDir string
	// ConfigPath is the generated prometheus.yml.
	ConfigPath string
	proc       *process
}

// Pid is the process (and process group) id of the server.
func (p *Prometheus) Pid() int { return p.proc.Pid() }

// Stop stops the server before the test ends; cleanup does it otherwise.
func (p *Prometheus) Stop() error { return p.proc.stop(15 * time.Second) }

func prometheusBinary(opts PrometheusOptions) string {
	if opts.Binary != "" {
		return opts.Binary
	}
	if b := os.Getenv("LATENCYLENS_PROMETHEUS_BIN"); b != "" {
		return b
	}
	if _, err := os.Stat(DefaultPrometheusBinary); err == nil {
		return DefaultPrometheusBinary
	}
	if b, err := exec.LookPath("prometheus"); err == nil {
		return b
	}
	return DefaultPrometheusBinary
}

// StartPrometheus runs a Prometheus server on a free 127.0.0.1 port with a
// temporary TSDB, scraping opts.Targets, waits for /-/ready and stops it in
// t.Cleanup. It skips (or fails, with LATENCYLENS_REQUIRE_STORES set) when
// the binary is missing.
func StartPrometheus(t testing.TB, opts PrometheusOptions) *Prometheus {
	t.Helper()
	bin := prometheusBinary(opts)
	if _, err := os.Stat(bin); err != nil {
		missingBinary(t, "prometheus", bin, "apt-get install -y prometheus")
	}
	if opts.ScrapeInterval <= 0 {
		opts.ScrapeInterval = time.Second
	}
	features := opts.Features
	if features == nil {
		features = []string{"exemplar-storage", "native-histograms"}
	}

	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	cfg, err := prometheusConfig(opts)
	if err != nil {
		t.Fatalf("testenv: prometheus config: %v", err)
	}
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var p *Prometheus
	launch(t, "prometheus", readyTimeout(60*time.Second), func() (*process, []string) {
		addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
		args := []string{
			"--config.file=" + cfgPath,
			"--storage.tsdb.path=" + dataDir,
			"--web.listen-address=" + addr,
			"--web.enable-lifecycle",
			"--log.level=warn",
		}
		if len(features) > 0 {
			args = append(args, "--enable-feature="+strings.Join(features, ","))
		}
		args = append(args, opts.ExtraArgs...)
		p = &Prometheus{URL: "http://" + addr, DataDir: dataDir, ConfigPath: cfgPath,
			proc: startProcess(t, "prometheus", dir, bin, args...)}
		return p.proc, []string{p.URL + "/-/ready"}
	})
	return p
}

// prometheusConfig renders prometheus.yml. JSON is valid YAML, so values are
// JSON-quoted to keep URLs and labels safe.
func prometheusConfig(opts PrometheusOptions) (string, error) {
	iv := opts.ScrapeInterval.String()
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\n  scrape_timeout: %s\n  evaluation_interval: %s\n", iv, iv, iv)
	b.WriteString("scrape_configs:\n")
	if len(opts.Targets) == 0 {
		b.WriteString("  []\n")
		return b.String(), nil
	}
	// One scrape config per job; per-target scheme, path and parameters go
	// in the target's reserved labels, which Prometheus honours.
	jobs := map[string][]ScrapeTarget{}
	var order []string
	for _, tg := range opts.Targets {
		job := tg.Job
		if job == "" {
			job = "testenv"
		}
		if _, ok := jobs[job]; !ok {
			order = append(order, job)
		}
		jobs[job] = append(jobs[job], tg)
	}
	for _, job := range order {
		fmt.Fprintf(&b, "  - job_name: %s\n    honor_labels: true\n    static_configs:\n", q(job))
		for _, tg := range jobs[job] {
			u, err := url.Parse(tg.URL)
			if err != nil || u.Host == "" {
				return "", fmt.Errorf("bad target URL %q", tg.URL)
			}
			labels := map[string]string{
				"__scheme__":       u.Scheme,
				"__metrics_path__": u.EscapedPath(),
			}
			if labels["__metrics_path__"] == "" {
				labels["__metrics_path__"] = "/metrics"
			}
			for k, vs := range u.Query() {
				if len(vs) > 0 {
					labels["__param_"+k] = vs[0]
				}
			}
			for k, v := range tg.Labels {
				labels[k] = v
			}
			keys := make([]string, 0, len(labels))
			for k := range labels {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			fmt.Fprintf(&b, "      - targets: [%s]\n        labels:\n", q(u.Host))
			for _, k := range keys {
				fmt.Fprintf(&b, "          %s: %s\n", q(k), q(labels[k]))
			}
		}
	}
	return b.String(), nil
}

func q(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// PromResponse is the envelope of a Prometheus HTTP API answer.
type PromResponse struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType,omitempty"`
	Error     string          `json:"error,omitempty"`
	Warnings  []string        `json:"warnings,omitempty"`
}

// PromQueryData is data of an instant or range query.
type PromQueryData struct {
	ResultType string            `json:"resultType"`
	Result     []json.RawMessage `json:"result"`
}

// Query runs an instant PromQL query at the current time.
func (p *Prometheus) Query(ctx context.Context, query string) (*PromQueryData, error) {
	v := url.Values{"query": {query}}
	return p.get(ctx, "/api/v1/query?"+v.Encode())
}

func (p *Prometheus) get(ctx context.Context, pathAndQuery string) (*PromQueryData, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+pathAndQuery, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var env PromResponse
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("prometheus %s: status %d: %s", pathAndQuery, resp.StatusCode, body)
	}
	if env.Status != "success" {
		return nil, fmt.Errorf("prometheus %s: %s: %s", pathAndQuery, env.ErrorType, env.Error)
	}
	var d PromQueryData
	if err := json.Unmarshal(env.Data, &d); err != nil {
		return nil, fmt.Errorf("prometheus %s: data: %w", pathAndQuery, err)
	}
	return &d, nil
}

// WaitForQuery polls an instant query until it returns at least one series
// (or scalar) and returns that data; it fails the test after timeout.
// A typical use is waiting for the first scrape:
//
//	prom.WaitForQuery(t, `up{job="app"} == 1`, 30*time.Second)
func (p *Prometheus) WaitForQuery(t testing.TB, query string, timeout time.Duration) *PromQueryData {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var got *PromQueryData
	err := poll(ctx, 250*time.Millisecond, func() (bool, error) {
		d, err := p.Query(ctx, query)
		if err != nil {
			return false, err
		}
		if len(d.Result) > 0 || d.ResultType == "scalar" || d.ResultType == "string" {
			got = d
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("testenv: query %q returned no data within %s: %v", query, timeout, err)
	}
	return got
}
