package localstores

import (
	"context"
	"fmt"
)

// LokiPorts are Loki's listening ports on 127.0.0.1; zero ones are picked
// free.
type LokiPorts struct {
	HTTP, GRPC int
}

// LokiOptions configures StartLoki.
type LokiOptions struct {
	Common
	Ports LokiPorts
	// ExtraLimits are extra YAML lines appended under limits_config, each
	// without indentation, e.g. "max_query_series: 10".
	ExtraLimits []string
}

// Loki is a running single-binary Loki with filesystem storage.
type Loki struct {
	// Server has DataDir (chunks, index, WAL), ConfigPath, Version, Stop.
	Server
	// URL is the HTTP base: /loki/api/v1/query_range, /loki/api/v1/push,
	// /otlp/v1/logs, /ready.
	URL string
	// OTLPLogsURL is URL + "/otlp/v1/logs" (OTLP/HTTP, protobuf or JSON).
	OTLPLogsURL string
	// GRPCEndpoint is host:port of Loki's own gRPC server (not OTLP).
	GRPCEndpoint string
}

// StartLoki runs Loki (all targets in one process) with filesystem storage
// in opts.DataDir and waits for /ready. OTLP log ingestion keeps structured
// metadata.
func StartLoki(ctx context.Context, opts LokiOptions) (*Loki, error) {
	p := opts.Ports
	srv, err := launchGrafanaStore(ctx, StoreLoki, opts.Common, []*int{&p.HTTP, &p.GRPC}, func() string {
		return lokiConfig(opts.DataDir, p.HTTP, p.GRPC, opts.ExtraLimits)
	})
	if err != nil {
		return nil, err
	}
	return &Loki{URL: loopback(p.HTTP), OTLPLogsURL: loopback(p.HTTP) + "/otlp/v1/logs", GRPCEndpoint: hostPort(p.GRPC), Server: *srv}, nil
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

%[2]s
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
%[3]s
analytics:
  reporting_enabled: false

ruler:
  alertmanager_url: ""
`, dir, serverConfig(httpPort, grpcPort), limits)
}
