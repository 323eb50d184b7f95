package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// JaegerOptions configures StartJaeger. The zero value is valid.
type JaegerOptions struct {
	// MaxTraces kept by the in-memory store; defaults to 100000.
	MaxTraces int
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
}

// Jaeger is a running Jaeger v2 (memory storage, OTLP receivers,
// jaeger_query extension).
type Jaeger struct {
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
	// Version is the pinned module version (versions.env).
	Version string
	// DataDir is the working directory; ConfigPath the generated YAML.
	DataDir, ConfigPath string
	proc                *process
}

// Pid is the process (and process group) id of the server.
func (j *Jaeger) Pid() int { return j.proc.Pid() }

// Stop stops the server before the test ends; cleanup does it otherwise.
func (j *Jaeger) Stop() error { return j.proc.stop(15 * time.Second) }

// StartJaeger runs the pinned Jaeger v2 binary on free 127.0.0.1 ports with
// in-memory storage, waits until its health check and query API answer, and
// stops it in t.Cleanup. A missing binary skips the test (fails with
// LATENCYLENS_REQUIRE_STORES set).
func StartJaeger(t testing.TB, opts JaegerOptions) *Jaeger {
	t.Helper()
	bin := SkipIfNoBinary(t, StoreJaeger)
	version, _ := StoreVersion(StoreJaeger)
	if opts.MaxTraces <= 0 {
		opts.MaxTraces = 100000
	}
	var j *Jaeger
	launch(t, "jaeger", readyTimeout(60*time.Second), func() (*process, []string) {
		dir := t.TempDir()
		p := freePorts(t, 5)
		ports := jaegerPorts{QueryHTTP: p[0], QueryGRPC: p[1], OTLPHTTP: p[2], OTLPGRPC: p[3], Health: p[4]}
		cfgPath := filepath.Join(dir, "jaeger.yaml")
		if err := os.WriteFile(cfgPath, []byte(jaegerConfig(ports, opts.MaxTraces)), 0o644); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"--config", "file:" + cfgPath}, opts.ExtraArgs...)
		j = &Jaeger{
			URL:               fmt.Sprintf("http://127.0.0.1:%d", ports.QueryHTTP),
			QueryGRPCEndpoint: fmt.Sprintf("127.0.0.1:%d", ports.QueryGRPC),
			OTLPHTTPEndpoint:  fmt.Sprintf("http://127.0.0.1:%d", ports.OTLPHTTP),
			OTLPGRPCEndpoint:  fmt.Sprintf("127.0.0.1:%d", ports.OTLPGRPC),
			HealthURL:         fmt.Sprintf("http://127.0.0.1:%d/status", ports.Health),
			Version:           version,
			DataDir:           dir,
			ConfigPath:        cfgPath,
			proc:              startProcess(t, "jaeger", dir, bin, args...),
		}
		j.OTLPTracesURL = j.OTLPHTTPEndpoint + "/v1/traces"
		return j.proc, []string{j.HealthURL, j.URL + "/api/v3/services"}
	})
	return j
}

type jaegerPorts struct {
	QueryHTTP, QueryGRPC, OTLPHTTP, OTLPGRPC, Health int
}

// jaegerConfig is a Jaeger v2 (OpenTelemetry Collector) configuration:
// OTLP in, memory storage, query extension, nothing listening beyond
// loopback and no internal telemetry endpoint.
func jaegerConfig(p jaegerPorts, maxTraces int) string {
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
      endpoint: 127.0.0.1:%[5]d
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
          max_traces: %[6]d

receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:%[4]d
      http:
        endpoint: 127.0.0.1:%[3]d

exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`, p.QueryHTTP, p.QueryGRPC, p.OTLPHTTP, p.OTLPGRPC, p.Health, maxTraces)
}
