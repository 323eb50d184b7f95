package stack

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

// Store binaries: the same pinned builds the tests run, from the cache that
// tests/stores/build.sh fills (versions in tests/stores/versions.env).

// storeVersions reads tests/stores/versions.env (KEY=value lines).
func storeVersions(repo string) (map[string]string, error) {
	f, err := os.Open(filepath.Join(repo, "tests", "stores", "versions.env"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out, sc.Err()
}

// cacheDir is ${LATENCYLENS_CACHE:-$HOME/.cache/latency-lens}.
func cacheDir() string {
	if c := os.Getenv("LATENCYLENS_CACHE"); c != "" {
		return c
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "latency-lens")
}

// storeBinary returns the cached binary of tempo, loki or jaeger, building it with
// tests/stores/build.sh when it is missing and build is set.
func storeBinary(repo, name string, build bool, progress func(string)) (string, error) {
	versions, err := storeVersions(repo)
	if err != nil {
		return "", fmt.Errorf("store versions: %w", err)
	}
	version := versions[strings.ToUpper(name)+"_VERSION"]
	if version == "" {
		return "", fmt.Errorf("tests/stores/versions.env has no %s_VERSION", strings.ToUpper(name))
	}
	bin := filepath.Join(cacheDir(), "stores", name+"-"+version, name)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	script := filepath.Join(repo, "tests", "stores", "build.sh")
	if !build {
		return "", fmt.Errorf("%s %s is not built (%s); run: bash %s %s", name, version, bin, script, name)
	}
	progress(fmt.Sprintf("building %s %s with tests/stores/build.sh (minutes on a cold Go cache; once)", name, version))
	cmd := exec.Command("bash", script, name)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("build %s: %v\n%s", name, err, tail(stderr.String(), 30))
	}
	built := strings.TrimSpace(string(out))
	if i := strings.LastIndexByte(built, '\n'); i >= 0 {
		built = built[i+1:]
	}
	if built == "" {
		built = bin
	}
	return built, nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// storeProc is a running store with its endpoints.
type storeProc struct {
	*proc
	// URL is the query API base URL.
	URL string
	// OTLP is the OTLP/HTTP ingest URL of the signal the store takes (traces or logs).
	OTLP string
}

// renderConfig writes a text/template config with the given values.
func renderConfig(path, tmpl string, values any) error {
	t, err := template.New(filepath.Base(path)).Option("missingkey=error").Parse(tmpl)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, values); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// lokiConfig mirrors demo/config/loki.yaml, on loopback ports with a data directory.
const lokiConfig = `# Written by npm run demo:local; mirrors demo/config/loki.yaml.
auth_enabled: false
server:
  http_listen_address: 127.0.0.1
  http_listen_port: {{.HTTP}}
  grpc_listen_address: 127.0.0.1
  grpc_listen_port: {{.GRPC}}
  log_level: warn
common:
  instance_addr: 127.0.0.1
  path_prefix: {{.Dir}}
  storage:
    filesystem:
      chunks_directory: {{.Dir}}/chunks
      rules_directory: {{.Dir}}/rules
  replication_factor: 1
  ring:
    kvstore:
      store: inmemory
schema_config:
  configs:
    - from: 2024-01-01
      store: tsdb
      object_store: filesystem
      schema: v13
      index:
        prefix: index_
        period: 24h
limits_config:
  allow_structured_metadata: true
  volume_enabled: true
  ingestion_rate_mb: 16
  ingestion_burst_size_mb: 32
query_range:
  results_cache:
    cache:
      embedded_cache:
        enabled: true
        max_size_mb: 50
analytics:
  reporting_enabled: false
`

func startLoki(ctx context.Context, bin, dir, logDir string) (*storeProc, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "loki")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "loki.yaml")
	if err := renderConfig(cfg, lokiConfig, map[string]any{"HTTP": ports[0], "GRPC": ports[1], "Dir": data}); err != nil {
		return nil, err
	}
	p, err := startProc("loki", dir, logDir, bin, []string{"-config.file=" + cfg}, nil)
	if err != nil {
		return nil, err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	s := &storeProc{proc: p, URL: base, OTLP: base + "/otlp/v1/logs"}
	return s, p.waitHTTP(ctx, base+"/ready")
}

// tempoConfig mirrors demo/config/tempo.yaml on loopback ports: rings in memory,
// span metrics written to the demo's Prometheus.
const tempoConfig = `# Written by npm run demo:local; mirrors demo/config/tempo.yaml.
stream_over_http_enabled: true
server:
  http_listen_address: 127.0.0.1
  http_listen_port: {{.HTTP}}
  grpc_listen_address: 127.0.0.1
  grpc_listen_port: {{.GRPC}}
  log_level: warn
memberlist:
  bind_addr: [127.0.0.1]
  bind_port: {{.Memberlist}}
distributor:
  ring:
    kvstore:
      store: inmemory
    instance_addr: 127.0.0.1
  receivers:
    otlp:
      protocols:
        grpc:
          endpoint: 127.0.0.1:{{.OTLPGRPC}}
        http:
          endpoint: 127.0.0.1:{{.OTLPHTTP}}
ingester:
  max_block_duration: 5m
  lifecycler:
    address: 127.0.0.1
    ring:
      kvstore:
        store: inmemory
      replication_factor: 1
compactor:
  ring:
    kvstore:
      store: inmemory
    instance_addr: 127.0.0.1
  compaction:
    block_retention: 24h
querier:
  frontend_worker:
    frontend_address: 127.0.0.1:{{.GRPC}}
metrics_generator:
  ring:
    kvstore:
      store: inmemory
    instance_addr: 127.0.0.1
  registry:
    external_labels:
      source: tempo
  storage:
    path: {{.Dir}}/generator/wal
    remote_write:
      - url: {{.RemoteWrite}}
        send_exemplars: true
  traces_storage:
    path: {{.Dir}}/generator/traces
  processor:
    local_blocks:
      filter_server_spans: false
      flush_to_storage: true
storage:
  trace:
    backend: local
    wal:
      path: {{.Dir}}/wal
    local:
      path: {{.Dir}}/blocks
overrides:
  defaults:
    metrics_generator:
      processors: [service-graphs, span-metrics, local-blocks]
usage_report:
  reporting_enabled: false
`

func startTempo(ctx context.Context, bin, dir, logDir, remoteWrite string) (*storeProc, error) {
	ports, err := freePorts(5)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "tempo")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "tempo.yaml")
	values := map[string]any{
		"HTTP": ports[0], "GRPC": ports[1], "OTLPGRPC": ports[2], "OTLPHTTP": ports[3], "Memberlist": ports[4],
		"Dir": data, "RemoteWrite": remoteWrite,
	}
	if err := renderConfig(cfg, tempoConfig, values); err != nil {
		return nil, err
	}
	p, err := startProc("tempo", dir, logDir, bin, []string{"-config.file=" + cfg}, nil)
	if err != nil {
		return nil, err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	s := &storeProc{proc: p, URL: base, OTLP: fmt.Sprintf("http://127.0.0.1:%d/v1/traces", ports[3])}
	return s, p.waitHTTP(ctx, base+"/ready")
}

// jaegerConfig: Jaeger v2 all-in-one with in-memory storage, OTLP in, the query API
// (v1 /api/traces and v3 /api/v3/traces) and UI on one port. Its own telemetry is off
// so that no fixed port (8888) is taken.
const jaegerConfig = `# Written by npm run demo:local: Jaeger v2, in-memory, loopback ports.
service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    resource:
      service.name: jaeger
    metrics:
      level: none
    logs:
      level: warn
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:{{.Health}}
  jaeger_query:
    storage:
      traces: demo_store
    http:
      endpoint: 127.0.0.1:{{.Query}}
    grpc:
      endpoint: 127.0.0.1:{{.QueryGRPC}}
  jaeger_storage:
    backends:
      demo_store:
        memory:
          max_traces: 100000
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{{.OTLPGRPC}}
      http:
        endpoint: 127.0.0.1:{{.OTLPHTTP}}
processors:
  batch: {}
exporters:
  jaeger_storage_exporter:
    trace_storage: demo_store
`

func startJaeger(ctx context.Context, bin, dir, logDir string) (*storeProc, error) {
	ports, err := freePorts(5)
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "jaeger.yaml")
	values := map[string]any{"Health": ports[0], "Query": ports[1], "QueryGRPC": ports[2], "OTLPGRPC": ports[3], "OTLPHTTP": ports[4]}
	if err := renderConfig(cfg, jaegerConfig, values); err != nil {
		return nil, err
	}
	p, err := startProc("jaeger", dir, logDir, bin, []string{"--config=" + cfg}, nil)
	if err != nil {
		return nil, err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	s := &storeProc{proc: p, URL: base, OTLP: fmt.Sprintf("http://127.0.0.1:%d/v1/traces", ports[4])}
	waitCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	return s, p.waitHTTP(waitCtx, base+"/api/services")
}
