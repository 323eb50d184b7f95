package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/localstores"
	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// DefaultPrometheusBinary is where Debian's prometheus package installs the
// server (`apt-get install -y prometheus`, 2.42 on bookworm).
const DefaultPrometheusBinary = localstores.DefaultPrometheusBinary

// ScrapeTarget is one endpoint for the test Prometheus to scrape.
type ScrapeTarget = localstores.ScrapeTarget

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
	// Backfill, when set, is OpenMetrics text (ending in "# EOF") written into the TSDB
	// with promtool (Debian's prometheus package ships it) before the server starts;
	// retention is then unlimited so that old samples stay.
	Backfill string
}

// Prometheus is a running test Prometheus: URL, DataDir, ConfigPath, Pid,
// Stop and Query come from localstores.Prometheus. Stop stops it before the
// test ends; cleanup does it otherwise.
type Prometheus struct {
	*localstores.Prometheus
}

// StartPrometheus runs a Prometheus server on a free 127.0.0.1 port with a
// temporary TSDB, scraping opts.Targets, waits for /-/ready and stops it in
// t.Cleanup. It skips (or fails, with LATENCYLENS_REQUIRE_STORES set) when
// the binary is missing.
func StartPrometheus(t testing.TB, opts PrometheusOptions) *Prometheus {
	t.Helper()
	c := localstores.Common{Binary: opts.Binary, ExtraArgs: opts.ExtraArgs}
	var promtool string
	if opts.Backfill != "" {
		var err error
		if promtool, err = exec.LookPath("promtool"); err != nil {
			if storesRequired() {
				t.Fatalf("testenv: promtool not found (apt-get install prometheus; %s is set)", RequireStoresEnv)
			}
			t.Skip("testenv: promtool not found (apt-get install prometheus)")
		}
		c.ExtraArgs = append(c.ExtraArgs, "--storage.tsdb.retention.time=100y")
	}
	p := start(t, "prometheus", c, func(c localstores.Common) (*localstores.Prometheus, error) {
		if opts.Backfill != "" {
			src := filepath.Join(t.TempDir(), "backfill.om")
			if err := os.WriteFile(src, []byte(opts.Backfill), 0o600); err != nil {
				return nil, err
			}
			if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", src, filepath.Join(c.DataDir, "data")).CombinedOutput(); err != nil {
				return nil, fmt.Errorf("promtool tsdb create-blocks-from openmetrics: %v: %s", err, out)
			}
		}
		return localstores.StartPrometheus(context.Background(), localstores.PrometheusOptions{
			Common: c, Targets: opts.Targets, ScrapeInterval: opts.ScrapeInterval, Features: opts.Features,
		})
	})
	return &Prometheus{p}
}

// WaitForQuery polls an instant query until it returns at least one series
// (or scalar) and returns that data; it fails the test after timeout.
// A typical use is waiting for the first scrape:
//
//	prom.WaitForQuery(t, `up{job="app"} == 1`, 30*time.Second)
func (p *Prometheus) WaitForQuery(t testing.TB, query string, timeout time.Duration) *prometheus.Data {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	got, err := p.Prometheus.WaitForQuery(ctx, query)
	if err != nil {
		t.Fatalf("testenv: query %q returned no data within %s: %v", query, timeout, err)
	}
	return got
}
