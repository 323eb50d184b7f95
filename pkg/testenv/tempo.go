package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TempoOptions configures StartTempo. The zero value is valid.
type TempoOptions struct {
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
}

// Tempo is a running single-binary Tempo with local storage, OTLP receivers,
// and the metrics-generator's local-blocks processor so TraceQL metrics
// (/api/metrics/query_range, quantile_over_time) work.
type Tempo struct {
	// URL is the HTTP base: /api/traces/<id>, /api/v2/traces/<id>,
	// /api/search, /api/metrics/query_range, /ready.
	URL string
	// GRPCEndpoint is host:port of Tempo's own gRPC server (streaming
	// search and metrics; stream_over_http is also on).
	GRPCEndpoint string
	// OTLPHTTPEndpoint is the OTLP/HTTP receiver base, e.g. http://127.0.0.1:4318.
	OTLPHTTPEndpoint string
	// OTLPTracesURL is OTLPHTTPEndpoint + "/v1/traces".
	OTLPTracesURL string
	// OTLPGRPCEndpoint is host:port of the OTLP/gRPC receiver.
	OTLPGRPCEndpoint string
	// Version is the pinned module version (versions.env).
	Version string
	// DataDir holds WAL and blocks; ConfigPath the generated YAML.
	DataDir, ConfigPath string
	proc                *process
}

// Pid is the process (and process group) id of the server.
func (tp *Tempo) Pid() int { return tp.proc.Pid() }

// Stop stops the server before the test ends; cleanup does it otherwise.
func (tp *Tempo) Stop() error { return tp.proc.stop(15 * time.Second) }

// StartTempo runs the pinned Tempo binary (target all) on free 127.0.0.1
// ports with local storage in a temporary directory, waits for /ready and
// stops it in t.Cleanup. A missing binary skips the test (fails with
// LATENCYLENS_REQUIRE_STORES set).
func StartTempo(t testing.TB, opts TempoOptions) *Tempo {
	t.Helper()
	bin := SkipIfNoBinary(t, StoreTempo)
	version, _ := StoreVersion(StoreTempo)
	var tp *Tempo
	launch(t, "tempo", readyTimeout(120*time.Second), func() (*process, []string) {
		dir := t.TempDir()
		p := freePorts(t, 5)
		ports := tempoPorts{HTTP: p[0], GRPC: p[1], OTLPHTTP: p[2], OTLPGRPC: p[3], Memberlist: p[4]}
		cfgPath := filepath.Join(dir, "tempo.yaml")
		if err := os.WriteFile(cfgPath, []byte(tempoConfig(dir, ports)), 0o644); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"-config.file=" + cfgPath}, opts.ExtraArgs...)
		tp = &Tempo{
			URL:              fmt.Sprintf("http://127.0.0.1:%d", ports.HTTP),
			GRPCEndpoint:     fmt.Sprintf("127.0.0.1:%d", ports.GRPC),
			OTLPHTTPEndpoint: fmt.Sprintf("http://127.0.0.1:%d", ports.OTLPHTTP),
			OTLPGRPCEndpoint: fmt.Sprintf("127.0.0.1:%d", ports.OTLPGRPC),
			Version:          version,
			DataDir:          dir,
			ConfigPath:       cfgPath,
			proc:             startProcess(t, "tempo", dir, bin, args...),
		}
		tp.OTLPTracesURL = tp.OTLPHTTPEndpoint + "/v1/traces"
		return tp.proc, []string{tp.URL + "/ready"}
	})
	return tp
}

type tempoPorts struct {
	HTTP, GRPC, OTLPHTTP, OTLPGRPC, Memberlist int
}

// tempoConfig is a single-binary configuration tuned for tests: in-memory
// rings, memberlist (if anything starts it) on loopback, short idle and
// flush periods so traces become searchable within seconds, local-blocks
// over all spans (not only server spans) for TraceQL metrics, no usage
// reporting.
func tempoConfig(dir string, p tempoPorts) string {
	return fmt.Sprintf(`target: all
stream_over_http_enabled: true

server:
  http_listen_address: 127.0.0.1
  http_listen_port: %[2]d
  grpc_listen_address: 127.0.0.1
  grpc_listen_port: %[3]d
  log_level: warn

usage_report:
  reporting_enabled: false

memberlist:
  bind_addr: [127.0.0.1]
  bind_port: %[6]d
  advertise_addr: 127.0.0.1
  advertise_port: %[6]d

distributor:
  ring:
    instance_addr: 127.0.0.1
    kvstore:
      store: inmemory
  receivers:
    otlp:
      protocols:
        grpc:
          endpoint: 127.0.0.1:%[5]d
        http:
          endpoint: 127.0.0.1:%[4]d

ingester:
  lifecycler:
    address: 127.0.0.1
    ring:
      kvstore:
        store: inmemory
      replication_factor: 1
    min_ready_duration: 0s
    final_sleep: 0s
  trace_idle_period: 1s
  flush_check_period: 1s
  max_block_duration: 30s

metrics_generator:
  ring:
    instance_addr: 127.0.0.1
    kvstore:
      store: inmemory
  processor:
    local_blocks:
      filter_server_spans: false
      flush_to_storage: true
      flush_check_period: 1s
      trace_idle_period: 1s
      max_block_duration: 30s
  storage:
    path: %[1]s/generator/wal
  traces_storage:
    path: %[1]s/generator/traces

compactor:
  compaction:
    block_retention: 24h

storage:
  trace:
    backend: local
    wal:
      path: %[1]s/wal
    local:
      path: %[1]s/blocks
    blocklist_poll: 5s

overrides:
  defaults:
    metrics_generator:
      processors: [local-blocks]
`, dir, p.HTTP, p.GRPC, p.OTLPHTTP, p.OTLPGRPC, p.Memberlist)
}
