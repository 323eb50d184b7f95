package localstores

import (
	"context"
	"fmt"
	"time"
)

// JaegerPorts are Jaeger's listening ports on 127.0.0.1; zero ones are
// picked free.
type JaegerPorts struct {
	QueryHTTP, QueryGRPC, OTLPHTTP, OTLPGRPC, Health int
}

// JaegerOptions configures StartJaeger.
type JaegerOptions struct {
	Common
	Ports JaegerPorts
	// MaxTraces kept by the in-memory store; defaults to 100000.
	MaxTraces int
}

// Jaeger is a running Jaeger v2 (memory storage, OTLP receivers,
// jaeger_query extension).
type Jaeger struct {
	// Server has DataDir (the working directory), ConfigPath, Version, Stop.
	Server
	// URL is the query HTTP base: /api/traces/<id> (v1 JSON),
	// /api/v3/traces/<id> (OTLP JSON), /api/services, /api/v3/services.
	URL string
	// QueryGRPCEndpoint is host:port of the query gRPC API (api_v2, api_v3).
	QueryGRPCEndpoint string
	// OTLPHTTPEndpoint is the OTLP/HTTP receiver base, e.g. http://127.0.0.1:4318.
	OTLPHTTPEndpoint string
	// OTLPTracesURL is OTLPHTTPEndpoint + "/v1/traces".
	OTLPTracesURL string
	// OTLPGRPCEndpoint is host:port of the OTLP/gRPC receiver.
	OTLPGRPCEndpoint string
	// HealthURL is the healthcheckv2 status endpoint.
	HealthURL string
}

// StartJaeger runs Jaeger v2 with in-memory storage and waits until its
// health check and query API answer.
func StartJaeger(ctx context.Context, opts JaegerOptions) (*Jaeger, error) {
	if opts.MaxTraces <= 0 {
		opts.MaxTraces = 100000
	}
	p := opts.Ports
	health := func() string { return fmt.Sprintf("http://127.0.0.1:%d/status", p.Health) }
	srv, err := launch(ctx, spec{
		name: StoreJaeger, Common: opts.Common, timeout: 60 * time.Second,
		ports:      []*int{&p.QueryHTTP, &p.QueryGRPC, &p.OTLPHTTP, &p.OTLPGRPC, &p.Health},
		configFile: "jaeger.yaml",
		config:     func() (string, error) { return jaegerConfig(p, opts.MaxTraces), nil },
		args:       func(cfg string) []string { return []string{"--config", "file:" + cfg} },
		ready:      func() []string { return []string{health(), loopback(p.QueryHTTP) + "/api/v3/services"} },
	})
	if err != nil {
		return nil, err
	}
	return &Jaeger{
		URL: loopback(p.QueryHTTP), QueryGRPCEndpoint: hostPort(p.QueryGRPC),
		OTLPHTTPEndpoint: loopback(p.OTLPHTTP), OTLPTracesURL: loopback(p.OTLPHTTP) + "/v1/traces",
		OTLPGRPCEndpoint: hostPort(p.OTLPGRPC), HealthURL: health(), Server: *srv,
	}, nil
}

// jaegerConfig is a Jaeger v2 (OpenTelemetry Collector) configuration:
// OTLP in, memory storage, query extension, nothing listening beyond
// loopback and no internal telemetry endpoint.
func jaegerConfig(p JaegerPorts, maxTraces int) string {
	return fmt.Sprintf(`service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: []
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: info

extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:%[4]d
  jaeger_query:
    # Otherwise the query service traces itself to an OTLP exporter at
    # 127.0.0.1:4317, which may be another test's store.
    enable_tracing: false
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:%[1]d
    grpc:
      endpoint: 127.0.0.1:%[2]d
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: %[5]d

receivers:
%[3]s
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`, p.QueryHTTP, p.QueryGRPC, otlpReceiver("  ", p.OTLPGRPC, p.OTLPHTTP), p.Health, maxTraces)
}
