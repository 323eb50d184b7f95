package localstores

import (
	"strings"
	"testing"
	"time"
)

func TestPrometheusConfigGroupsTargetsByJob(t *testing.T) {
	got, err := prometheusConfig(PrometheusOptions{
		ScrapeInterval: 2 * time.Second,
		Targets: []ScrapeTarget{
			{URL: "http://127.0.0.1:1/metrics", Job: "a"},
			{URL: "https://127.0.0.1:2/other?x=y", Job: "a"},
			{URL: "http://127.0.0.1:3"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"scrape_interval: 2s",
		`- job_name: "a"`,
		`- job_name: "testenv"`,
		`"__metrics_path__": "/other"`,
		`"__scheme__": "https"`,
		`"__param_x": "y"`,
		`"__metrics_path__": "/metrics"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("config lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "job_name") != 2 {
		t.Errorf("want 2 jobs:\n%s", got)
	}
	if _, err := prometheusConfig(PrometheusOptions{Targets: []ScrapeTarget{{URL: "not a url"}}}); err == nil {
		t.Error("bad URL accepted")
	}
}

func TestTempoConfigRemoteWriteAddsSpanMetrics(t *testing.T) {
	p := TempoPorts{HTTP: 1, GRPC: 2, OTLPHTTP: 3, OTLPGRPC: 4, Memberlist: 5}
	plain := tempoConfig("/d", p, TempoOptions{})
	for _, want := range []string{
		"processors: [local-blocks]\n",
		"  trace_idle_period: 1s\n  flush_check_period: 1s\n  max_block_duration: 30s\n",
		"    path: /d/generator/wal\n  traces_storage:\n",
		"endpoint: 127.0.0.1:3\n",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("default config lacks %q:\n%s", want, plain)
		}
	}
	for _, unwanted := range []string{"remote_write", "registry", "span-metrics"} {
		if strings.Contains(plain, unwanted) {
			t.Errorf("default config has %q", unwanted)
		}
	}

	demo := tempoConfig("/d", p, TempoOptions{
		RemoteWriteURL:  "http://127.0.0.1:9090/api/v1/write",
		TraceIdlePeriod: 2 * time.Second, FlushCheckPeriod: 2 * time.Second, MaxBlockDuration: time.Minute,
	})
	for _, want := range []string{
		"processors: [service-graphs, span-metrics, local-blocks]\n",
		"    remote_write:\n      - url: \"http://127.0.0.1:9090/api/v1/write\"\n        send_exemplars: true\n",
		"  registry:\n    external_labels:\n      source: tempo\n    collection_interval: 5s\n  processor:\n",
		"  trace_idle_period: 2s\n  flush_check_period: 2s\n  max_block_duration: 1m\n",
		"      flush_check_period: 2s\n      trace_idle_period: 2s\n      max_block_duration: 1m\n",
	} {
		if !strings.Contains(demo, want) {
			t.Errorf("remote-write config lacks %q:\n%s", want, demo)
		}
	}
}

func TestDurationOrIsCompact(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "5s", time.Second: "1s", time.Minute: "1m", 90 * time.Second: "1m30s", time.Hour: "1h", 500 * time.Millisecond: "500ms",
	} {
		if got := durationOr(d, 5*time.Second); got != want {
			t.Errorf("durationOr(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestLokiConfigAppendsExtraLimits(t *testing.T) {
	cfg := lokiConfig("/d", 1, 2, []string{"max_query_length: 1h", "split_queries_by_interval: 1h"})
	if !strings.Contains(cfg, "  query_timeout: 30s\n  max_query_length: 1h\n  split_queries_by_interval: 1h\n\nanalytics:") {
		t.Errorf("extra limits not under limits_config:\n%s", cfg)
	}
}
