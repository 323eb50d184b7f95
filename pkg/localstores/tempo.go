package localstores

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// TempoPorts are Tempo's listening ports on 127.0.0.1; zero ones are picked
// free.
type TempoPorts struct {
	HTTP, GRPC, OTLPHTTP, OTLPGRPC, Memberlist int
}

// TempoOptions configures StartTempo.
type TempoOptions struct {
	Common
	Ports TempoPorts
	// RemoteWriteURL, when set, adds the metrics-generator's span-metrics and
	// service-graphs processors (labelled source="tempo", collected every
	// 5s) and remote-writes their series, with exemplars, to this URL, e.g.
	// a Prometheus's /api/v1/write.
	RemoteWriteURL string
	// TraceIdlePeriod, FlushCheckPeriod and MaxBlockDuration tune both the
	// ingester and the local-blocks processor; they default to 1s, 1s and
	// 30s, so traces become searchable within seconds.
	TraceIdlePeriod, FlushCheckPeriod, MaxBlockDuration time.Duration
}

// Tempo is a running single-binary Tempo with local storage, OTLP receivers,
// and the metrics-generator's local-blocks processor so TraceQL metrics
// (/api/metrics/query_range, quantile_over_time) work.
type Tempo struct {
	// Server has DataDir (WAL, blocks), ConfigPath, Version, Stop.
	Server
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
}

// StartTempo runs Tempo (target all) with local storage in opts.DataDir and
// waits for /ready.
func StartTempo(ctx context.Context, opts TempoOptions) (*Tempo, error) {
	p := opts.Ports
	ports := []*int{&p.HTTP, &p.GRPC, &p.OTLPHTTP, &p.OTLPGRPC, &p.Memberlist}
	srv, err := launchGrafanaStore(ctx, StoreTempo, opts.Common, ports, func() string {
		return tempoConfig(opts.DataDir, p, opts)
	})
	if err != nil {
		return nil, err
	}
	return &Tempo{
		URL: loopback(p.HTTP), GRPCEndpoint: hostPort(p.GRPC),
		OTLPHTTPEndpoint: loopback(p.OTLPHTTP), OTLPTracesURL: loopback(p.OTLPHTTP) + "/v1/traces",
		OTLPGRPCEndpoint: hostPort(p.OTLPGRPC), Server: *srv,
	}, nil
}

// tempoConfig is a single-binary configuration: in-memory rings, memberlist
// (if anything starts it) on loopback, short idle and flush periods so
// traces become searchable within seconds, local-blocks over all spans (not
// only server spans) for TraceQL metrics, no usage reporting; with a
// remote-write URL also span metrics and service graphs written there.
func tempoConfig(dir string, p TempoPorts, o TempoOptions) string {
	idle := durationOr(o.TraceIdlePeriod, time.Second)
	flush := durationOr(o.FlushCheckPeriod, time.Second)
	maxBlock := durationOr(o.MaxBlockDuration, 30*time.Second)
	registry, remoteWrite, processors := "", "", "local-blocks"
	if o.RemoteWriteURL != "" {
		registry = `  registry:
    external_labels:
      source: tempo
    collection_interval: 5s
`
		remoteWrite = fmt.Sprintf(`    remote_write:
      - url: %s
        send_exemplars: true
`, q(o.RemoteWriteURL))
		processors = "service-graphs, span-metrics, local-blocks"
	}
	return fmt.Sprintf(`target: all
stream_over_http_enabled: true

%[2]s
usage_report:
  reporting_enabled: false

memberlist:
  bind_addr: [127.0.0.1]
  bind_port: %[4]d
  advertise_addr: 127.0.0.1
  advertise_port: %[4]d

distributor:
  ring:
    instance_addr: 127.0.0.1
    kvstore:
      store: inmemory
  receivers:
%[3]s
ingester:
  lifecycler:
    address: 127.0.0.1
    ring:
      kvstore:
        store: inmemory
      replication_factor: 1
    min_ready_duration: 0s
    final_sleep: 0s
  trace_idle_period: %[5]s
  flush_check_period: %[6]s
  max_block_duration: %[7]s

metrics_generator:
  ring:
    instance_addr: 127.0.0.1
    kvstore:
      store: inmemory
%[8]s  processor:
    local_blocks:
      filter_server_spans: false
      flush_to_storage: true
      flush_check_period: %[6]s
      trace_idle_period: %[5]s
      max_block_duration: %[7]s
  storage:
    path: %[1]s/generator/wal
%[9]s  traces_storage:
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
      processors: [%[10]s]
`, dir, serverConfig(p.HTTP, p.GRPC), otlpReceiver("    ", p.OTLPGRPC, p.OTLPHTTP), p.Memberlist,
		idle, flush, maxBlock, registry, remoteWrite, processors)
}

// durationOr formats d, or def when d is zero, as a configuration duration
// ("30s", "1m", "1m30s").
func durationOr(d, def time.Duration) string {
	if d <= 0 {
		d = def
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
