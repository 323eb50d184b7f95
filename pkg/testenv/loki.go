package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// LokiOptions configures StartLoki. The zero value is valid.
type LokiOptions struct {
	// ExtraLimits are extra YAML lines appended under limits_config, each
	// without indentation, e.g. "max_query_series: 10".
	ExtraLimits []string
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
}

// Loki is a running single-binary Loki with filesystem storage.
type Loki struct {
	// URL is the HTTP base: /loki/api/v1/query_range, /loki/api/v1/push,
	// /otlp/v1/logs, /ready.
	URL string
	// OTLPLogsURL is URL + "/otlp/v1/logs" (OTLP/HTTP, protobuf or JSON).
	OTLPLogsURL string
	// GRPCEndpoint is host:port of Loki's own gRPC server (not OTLP).
	GRPCEndpoint string
	// Version is the pinned module version (versions.env).
	Version string
	// DataDir holds chunks, index and WAL; ConfigPath the generated YAML.
	DataDir, ConfigPath string
	proc                *process
}

// Pid is the process (and process group) id of the server.
func (l *Loki) Pid() int { return l.proc.Pid() }

// Stop stops the server before the test ends; cleanup does it otherwise.
func (l *Loki) Stop() error { return l.proc.stop(15 * time.Second) }

// StartLoki runs the pinned Loki binary (all targets in one process) on free
// 127.0.0.1 ports with filesystem storage in a temporary directory, waits
// for /ready and stops it in t.Cleanup. OTLP log ingestion keeps
// structured metadata. A missing binary skips the test (fails with
// LATENCYLENS_REQUIRE_STORES set).
func StartLoki(t testing.TB, opts LokiOptions) *Loki {
	t.Helper()
	bin := SkipIfNoBinary(t, StoreLoki)
	version, _ := StoreVersion(StoreLoki)
	var l *Loki
	launch(t, "loki", readyTimeout(120*time.Second), func() (*process, []string) {
		dir := t.TempDir()
		p := freePorts(t, 2)
		cfgPath := filepath.Join(dir, "loki.yaml")
		if err := os.WriteFile(cfgPath, []byte(lokiConfig(dir, p[0], p[1], opts.ExtraLimits)), 0o644); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"-config.file=" + cfgPath}, opts.ExtraArgs...)
		l = &Loki{
			URL:          fmt.Sprintf("http://127.0.0.1:%d", p[0]),
			GRPCEndpoint: fmt.Sprintf("127.0.0.1:%d", p[1]),
			Version:      version,
			DataDir:      dir,
			ConfigPath:   cfgPath,
			proc:         startProcess(t, "loki", dir, bin, args...),
		}
		l.OTLPLogsURL = l.URL + "/otlp/v1/logs"
		return l.proc, []string{l.URL + "/ready"}
	})
	return l
}

// lokiConfig is a single-binary configuration: in-memory rings, filesystem
// storage under dir, schema v13 on TSDB, structured metadata allowed, no
// results cache (tests query data that is still arriving), no usage
// reporting, everything on loopback.
func lokiConfig(dir string, httpPort, grpcPort int, extraLimits []string) string {
	limits := ""
	for _, l := range extraLimits {
		limits += "  " + l + "\n"
	}
	return fmt.Sprintf(`auth_enabled: false

server:
  http_listen_address: 127.0.0.1
  http_listen_port: %[2]d
  grpc_listen_address: 127.0.0.1
  grpc_listen_port: %[3]d
  log_level: warn

common:
  instance_addr: 127.0.0.1
  path_prefix: %[1]s
  storage:
    filesystem:
      chunks_directory: %[1]s/chunks
      rules_directory: %[1]s/rules
  replication_factor: 1
  ring:
    kvstore:
      store: inmemory

schema_config:
  configs:
    - from: 2020-10-24
      store: tsdb
      object_store: filesystem
      schema: v13
      index:
        prefix: index_
        period: 24h

ingester:
  lifecycler:
    # Ready at once, not 15s after joining the ring; no sleep on exit.
    min_ready_duration: 0s
    final_sleep: 0s
  wal:
    dir: %[1]s/wal

query_range:
  cache_results: false

# The query frontend is not ready until a worker has found the scheduler;
# look it up every second rather than every 10s.
frontend:
  scheduler_dns_lookup_period: 1s
frontend_worker:
  dns_lookup_duration: 1s

limits_config:
  allow_structured_metadata: true
  volume_enabled: true
  reject_old_samples: false
  ingestion_rate_mb: 64
  ingestion_burst_size_mb: 128
  per_stream_rate_limit: 64MB
  per_stream_rate_limit_burst: 128MB
  max_entries_limit_per_query: 5000
  max_query_series: 5000
  query_timeout: 30s
%[4]s
analytics:
  reporting_enabled: false

ruler:
  alertmanager_url: ""
`, dir, httpPort, grpcPort, limits)
}
