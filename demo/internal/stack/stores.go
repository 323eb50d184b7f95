package stack

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/latencylens/lens/pkg/testenv"
)

// storeBinary returns the pinned binary of tempo, loki or jaeger from the tests' cache
// (pkg/testenv), building it with tests/stores/build.sh when it is missing and build
// is set.
func storeBinary(name string, build bool, progress func(string)) (string, error) {
	bin, err := testenv.StoreBinary(name)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	cmdline := testenv.BuildCommand(name)
	if !build {
		return "", fmt.Errorf("%s is not built (%s); run: bash %s", name, bin, cmdline)
	}
	version, _ := testenv.StoreVersion(name)
	progress(fmt.Sprintf("building %s %s with tests/stores/build.sh (minutes on a cold Go cache; once)", name, version))
	cmd := exec.Command("bash", strings.Fields(cmdline)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build %s: %v\n%s", name, err, tail(stderr.String(), 30))
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("build %s: %s is still missing", name, bin)
	}
	return bin, nil
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

// tempoConfig mirrors demo/config/tempo.yaml on loopback ports: rings in memory,
// span metrics written to the demo's Prometheus.
const tempoConfig = `# Written by npm run demo:local: pkg/testenv's Tempo settings plus
# demo/config/tempo.yaml's span metrics, remote-written to the demo's Prometheus.
target: all
stream_over_http_enabled: true
server:
  http_listen_address: 127.0.0.1
  http_listen_port: {{.HTTP}}
  grpc_listen_address: 127.0.0.1
  grpc_listen_port: {{.GRPC}}
  log_level: warn
usage_report:
  reporting_enabled: false
memberlist:
  bind_addr: [127.0.0.1]
  bind_port: {{.Memberlist}}
  advertise_addr: 127.0.0.1
  advertise_port: {{.Memberlist}}
distributor:
  ring:
    instance_addr: 127.0.0.1
    kvstore:
      store: inmemory
  receivers:
    otlp:
      protocols:
        grpc:
          endpoint: 127.0.0.1:{{.OTLPGRPC}}
        http:
          endpoint: 127.0.0.1:{{.OTLPHTTP}}
ingester:
  lifecycler:
    address: 127.0.0.1
    ring:
      kvstore:
        store: inmemory
      replication_factor: 1
    min_ready_duration: 0s
    final_sleep: 0s
  trace_idle_period: 2s
  flush_check_period: 2s
  max_block_duration: 1m
metrics_generator:
  ring:
    instance_addr: 127.0.0.1
    kvstore:
      store: inmemory
  registry:
    external_labels:
      source: tempo
    collection_interval: 5s
  processor:
    local_blocks:
      filter_server_spans: false
      flush_to_storage: true
      flush_check_period: 2s
      trace_idle_period: 2s
      max_block_duration: 1m
  storage:
    path: {{.Dir}}/generator/wal
    remote_write:
      - url: {{.RemoteWrite}}
        send_exemplars: true
  traces_storage:
    path: {{.Dir}}/generator/traces
compactor:
  compaction:
    block_retention: 24h
storage:
  trace:
    backend: local
    wal:
      path: {{.Dir}}/wal
    local:
      path: {{.Dir}}/blocks
    blocklist_poll: 5s
overrides:
  defaults:
    metrics_generator:
      processors: [service-graphs, span-metrics, local-blocks]
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
