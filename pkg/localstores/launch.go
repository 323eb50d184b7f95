package localstores

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Common are the options every store takes; the stores' option types embed
// it.
type Common struct {
	// DataDir holds the store's generated configuration and its data, and is
	// its working directory. Required; created when missing.
	DataDir string
	// LogDir gets the store's output, <store>.log; defaults to DataDir.
	LogDir string
	// Binary overrides the store's program. By default Loki, Tempo and Jaeger
	// run their pinned binary (PinnedBinary), Prometheus
	// $LATENCYLENS_PROMETHEUS_BIN, /usr/bin/prometheus or prometheus on PATH.
	Binary string
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
	// ReadyTimeout bounds each readiness wait. Zero means the store's default
	// (120s for Loki and Tempo, 60s for Jaeger and Prometheus), which
	// LATENCYLENS_STORE_READY_TIMEOUT (a Go duration) overrides.
	ReadyTimeout time.Duration
	// Logf, when set, hears about retries after a port clash.
	Logf func(format string, args ...any)
}

// StopGrace is how long Stop waits after SIGTERM before SIGKILL.
const StopGrace = 15 * time.Second

// Server is what every running store has; the store types embed it.
type Server struct {
	// Version is the pinned module version (versions.env); empty for
	// Prometheus, which comes from Debian.
	Version string
	// DataDir holds the store's data (for Prometheus its TSDB,
	// <Common.DataDir>/data); ConfigPath is the generated configuration.
	DataDir, ConfigPath string

	proc *Process
}

// Pid is the process (and process group) id of the server.
func (s *Server) Pid() int { return s.proc.Pid() }

// Stop stops the server (SIGTERM, SIGKILL after StopGrace) and checks that
// nothing of its process group is left. Later calls return nil.
func (s *Server) Stop() error { return s.proc.Stop(StopGrace) }

// LogTail returns the last n lines of the server's log.
func (s *Server) LogTail(n int) string { return s.proc.LogTail(n) }

// LogPath is the server's log file.
func (s *Server) LogPath() string { return s.proc.LogPath() }

// spec is one store for launch: everything that differs between stores.
type spec struct {
	name string
	Common
	// defaultBin finds the program when Common.Binary is empty (default:
	// PinnedBinary); howToGet is what a missing one says to run (default:
	// BuildCommand).
	defaultBin func() (string, error)
	howToGet   string
	// timeout is the default readiness timeout.
	timeout time.Duration
	// ports point at the store's port options; zero ones are picked free on
	// each attempt.
	ports []*int
	// configFile is written in DataDir with what config renders once the
	// ports are set.
	configFile string
	config     func() (string, error)
	// args is the command line (before ExtraArgs), given the config path.
	args func(configPath string) []string
	// ready are the URLs that must answer 200, once the ports are set.
	ready func() []string
}

// launch starts a store and waits until each of its readiness URLs answers
// 200. Ports are picked free but only bound by the store later, so another
// process can take one in between; the store then exits, and launch tries
// again with fresh ports, up to three times (once when every port is fixed).
// On error nothing it started is left running.
func launch(ctx context.Context, s spec) (*Server, error) {
	if s.DataDir == "" {
		return nil, fmt.Errorf("%s: no data directory (DataDir)", s.name)
	}
	bin := s.Binary
	if bin == "" {
		find := s.defaultBin
		if find == nil {
			find = func() (string, error) { return PinnedBinary(s.name) }
		}
		var err error
		if bin, err = find(); err != nil {
			var missing *MissingBinaryError
			if errors.As(err, &missing) {
				return nil, err
			}
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	if _, err := os.Stat(bin); err != nil {
		how := s.howToGet
		if how == "" {
			how = BuildCommand(s.name)
		}
		return nil, &MissingBinaryError{Store: s.name, Path: bin, HowToGet: how}
	}
	for _, d := range []string{s.DataDir, s.LogDir} {
		if d != "" {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return nil, fmt.Errorf("%s: %w", s.name, err)
			}
		}
	}
	cfgPath := filepath.Join(s.DataDir, s.configFile)
	var free []*int
	for _, p := range s.ports {
		if *p == 0 {
			free = append(free, p)
		}
	}
	attempts := 3
	if len(free) == 0 {
		attempts = 1
	}
	timeout := readyTimeout(s.ReadyTimeout, s.timeout)

	var err error
	for attempt := 1; attempt <= attempts; attempt++ {
		var proc *Process
		if proc, err = s.start(bin, cfgPath, free); err != nil {
			return nil, err
		}
		for _, u := range s.ready() {
			if err = proc.WaitReady(ctx, u, timeout); err != nil {
				break
			}
		}
		if err == nil {
			version, _ := StoreVersion(s.name)
			return &Server{Version: version, DataDir: s.DataDir, ConfigPath: cfgPath, proc: proc}, nil
		}
		_ = proc.Stop(5 * time.Second)
		if !errors.Is(err, ErrPortTaken) || ctx.Err() != nil {
			break
		}
		if s.Logf != nil && attempt < attempts {
			s.Logf("%s: a port was taken, retrying with new ports", s.name)
		}
	}
	return nil, err
}

// launchGrafanaStore starts Loki or Tempo, which run the same way: one
// binary given -config.file=<DataDir>/<name>.yaml, ready when /ready on the
// HTTP port (the first of ports) answers, 120s by default.
func launchGrafanaStore(ctx context.Context, name string, c Common, ports []*int, config func() string) (*Server, error) {
	httpPort := ports[0]
	return launch(ctx, spec{
		name: name, Common: c, timeout: 120 * time.Second,
		ports: ports, configFile: name + ".yaml",
		config: func() (string, error) { return config(), nil },
		args:   func(cfgPath string) []string { return []string{"-config.file=" + cfgPath} },
		ready:  func() []string { return []string{loopback(*httpPort) + "/ready"} },
	})
}

// start is one attempt: fresh ports, the configuration, the process. Its
// errors name the store.
func (s *spec) start(bin, cfgPath string, free []*int) (*Process, error) {
	ports, err := FreePorts(len(free))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	for i, p := range free {
		*p = ports[i]
	}
	cfg, err := s.config()
	if err != nil {
		return nil, fmt.Errorf("%s config: %w", s.name, err)
	}
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, fmt.Errorf("%s config: %w", s.name, err)
	}
	return Start(Cmd{
		Name: s.name, Path: bin, Args: append(s.args(cfgPath), s.ExtraArgs...),
		Dir: s.DataDir, LogDir: s.LogDir,
	})
}

// readyTimeout returns the readiness timeout: the one asked for, else the
// store's default, which LATENCYLENS_STORE_READY_TIMEOUT (a Go duration)
// overrides for slow machines.
func readyTimeout(asked, def time.Duration) time.Duration {
	if asked > 0 {
		return asked
	}
	if v := os.Getenv("LATENCYLENS_STORE_READY_TIMEOUT"); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
	}
	return def
}

// serverConfig is the server block of Loki and Tempo (both built on dskit):
// HTTP and gRPC on loopback, warnings and errors only.
func serverConfig(httpPort, grpcPort int) string {
	return fmt.Sprintf(`server:
  http_listen_address: 127.0.0.1
  http_listen_port: %d
  grpc_listen_address: 127.0.0.1
  grpc_listen_port: %d
  log_level: warn
`, httpPort, grpcPort)
}

// otlpReceiver is the OpenTelemetry Collector's otlp receiver, which Tempo's
// distributor and Jaeger v2 both embed, on loopback; every line starts with
// indent.
func otlpReceiver(indent string, grpcPort, httpPort int) string {
	var b strings.Builder
	for _, l := range []string{"otlp:", "  protocols:", "    grpc:", "      endpoint: " + hostPort(grpcPort),
		"    http:", "      endpoint: " + hostPort(httpPort)} {
		b.WriteString(indent + l + "\n")
	}
	return b.String()
}

// loopback is the base URL of a port on 127.0.0.1.
func loopback(port int) string { return fmt.Sprintf("http://127.0.0.1:%d", port) }

// hostPort is host:port of a port on 127.0.0.1.
func hostPort(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }

// q quotes s for YAML: JSON strings are valid YAML.
func q(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
