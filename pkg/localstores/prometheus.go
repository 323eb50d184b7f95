package localstores

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// DefaultPrometheusBinary is where Debian's prometheus package installs the
// server (`apt-get install -y prometheus`, 2.42 on bookworm).
const DefaultPrometheusBinary = "/usr/bin/prometheus"

// ScrapeTarget is one endpoint for Prometheus to scrape.
type ScrapeTarget struct {
	// URL of the metrics endpoint, e.g. "http://127.0.0.1:4321/metrics".
	// Query parameters are passed on to the target.
	URL string
	// Job becomes the job label; defaults to "testenv".
	Job string
	// Labels are added to every series scraped from this target.
	Labels map[string]string
}

// PrometheusOptions configures StartPrometheus. Common.Binary defaults to
// $LATENCYLENS_PROMETHEUS_BIN, then /usr/bin/prometheus, then prometheus on
// PATH.
type PrometheusOptions struct {
	Common
	// Port is the HTTP port on 127.0.0.1; zero picks a free one.
	Port int
	// Targets to scrape.
	Targets []ScrapeTarget
	// ScrapeInterval defaults to 1s; it is also the evaluation interval.
	ScrapeInterval time.Duration
	// Features for --enable-feature; nil means exemplar-storage and
	// native-histograms. Prometheus 2.42 has no scrape_classic_histograms:
	// with native-histograms on, a histogram that the target exposes with
	// native buckets is stored as native only. Set Features to
	// []string{"exemplar-storage"} to keep classic buckets.
	Features []string
}

// Prometheus is a running Prometheus (lifecycle API on, so /-/reload
// re-reads ConfigPath).
type Prometheus struct {
	// Server has DataDir (the TSDB, <Common.DataDir>/data), ConfigPath
	// (prometheus.yml), Stop.
	Server
	// URL is the base URL of the HTTP API and UI, e.g. http://127.0.0.1:38211.
	URL string
}

// prometheusBinary is the default server: $LATENCYLENS_PROMETHEUS_BIN, then
// /usr/bin/prometheus, then prometheus on PATH.
func prometheusBinary() (string, error) {
	if b := os.Getenv("LATENCYLENS_PROMETHEUS_BIN"); b != "" {
		return b, nil
	}
	if _, err := os.Stat(DefaultPrometheusBinary); err == nil {
		return DefaultPrometheusBinary, nil
	}
	if b, err := exec.LookPath("prometheus"); err == nil {
		return b, nil
	}
	return DefaultPrometheusBinary, nil
}

// StartPrometheus runs a Prometheus server with its TSDB under
// opts.DataDir, scraping opts.Targets, and waits for /-/ready.
func StartPrometheus(ctx context.Context, opts PrometheusOptions) (*Prometheus, error) {
	if opts.ScrapeInterval <= 0 {
		opts.ScrapeInterval = time.Second
	}
	features := opts.Features
	if features == nil {
		features = []string{"exemplar-storage", "native-histograms"}
	}
	dataDir := filepath.Join(opts.DataDir, "data")
	port := opts.Port
	srv, err := launch(ctx, spec{
		name: "prometheus", Common: opts.Common, timeout: 60 * time.Second,
		defaultBin: prometheusBinary, howToGet: "apt-get install -y prometheus",
		ports:      []*int{&port},
		configFile: "prometheus.yml",
		config:     func() (string, error) { return prometheusConfig(opts) },
		args: func(cfg string) []string {
			args := []string{
				"--config.file=" + cfg,
				"--storage.tsdb.path=" + dataDir,
				"--web.listen-address=" + hostPort(port),
				"--web.enable-lifecycle",
				"--log.level=warn",
			}
			if len(features) > 0 {
				args = append(args, "--enable-feature="+strings.Join(features, ","))
			}
			return args
		},
		ready: func() []string { return []string{loopback(port) + "/-/ready"} },
	})
	if err != nil {
		return nil, err
	}
	srv.DataDir = dataDir
	return &Prometheus{URL: loopback(port), Server: *srv}, nil
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

// Query runs an instant PromQL query at the current time; the answer is read by the
// data source's own parser.
func (p *Prometheus) Query(ctx context.Context, query string) (*prometheus.Data, error) {
	v := url.Values{"query": {query}}
	pathAndQuery := "/api/v1/query?" + v.Encode()
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
	d, err := prometheus.ParseQuery(body)
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: HTTP %d: %w", pathAndQuery, resp.StatusCode, err)
	}
	return d, nil
}

// WaitForQuery polls an instant query until it returns at least one series
// (or scalar) and returns that data; it gives up when ctx ends. A typical
// use is waiting for the first scrape of a job: up{job="app"} == 1.
func (p *Prometheus) WaitForQuery(ctx context.Context, query string) (*prometheus.Data, error) {
	var got *prometheus.Data
	err := Poll(ctx, 250*time.Millisecond, func() (bool, error) {
		d, err := p.Query(ctx, query)
		if err != nil {
			return false, err
		}
		if len(d.Series) > 0 || d.ResultType == prometheus.ResultScalar || d.ResultType == prometheus.ResultString {
			got = d
			return true, nil
		}
		return false, nil
	})
	return got, err
}
