package demotest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// composeFile is `docker-compose config` output, the parts these checks read.
type composeFile struct {
	Services map[string]struct {
		Image    string   `yaml:"image"`
		Profiles []string `yaml:"profiles"`
		Build    *struct {
			Context    string            `yaml:"context"`
			Dockerfile string            `yaml:"dockerfile"`
			Args       map[string]string `yaml:"args"`
		} `yaml:"build"`
		Healthcheck *struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		DependsOn map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Volumes []volume `yaml:"volumes"`
		Ports   []port   `yaml:"ports"`
	} `yaml:"services"`
}

// port is a published port in either syntax: `[ip:]published:target[/protocol]`
// (docker-compose 1.x output for a port with a host IP) or {host_ip, published, target}.
type port struct {
	HostIP    string `yaml:"host_ip"`
	Published string `yaml:"published"`
	Target    string `yaml:"target"`
}

func (p *port) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		spec, _, _ := strings.Cut(n.Value, "/")
		parts := strings.Split(spec, ":")
		switch len(parts) {
		case 1:
			p.Target = parts[0]
		case 2:
			p.Published, p.Target = parts[0], parts[1]
		default:
			p.HostIP = strings.Join(parts[:len(parts)-2], ":")
			p.Published, p.Target = parts[len(parts)-2], parts[len(parts)-1]
		}
		return nil
	}
	type plain port
	return n.Decode((*plain)(p))
}

// volume is a mount in either syntax: `source:target[:mode]` (docker-compose 1.x
// output) or {type, source, target} (Compose v2 output).
type volume struct {
	Type   string `yaml:"type"`
	Source string `yaml:"source"`
}

func (v *volume) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		src, _, _ := strings.Cut(n.Value, ":")
		v.Source = src
		if strings.HasPrefix(src, "/") || strings.HasPrefix(src, ".") {
			v.Type = "bind"
		} else {
			v.Type = "volume"
		}
		return nil
	}
	type plain volume
	return n.Decode((*plain)(v))
}

// composeConfig runs `docker-compose config` (validating the file) and parses its output.
func composeConfig(t *testing.T, root string, args ...string) composeFile {
	t.Helper()
	bin, err := exec.LookPath("docker-compose")
	if err != nil {
		missing(t, "docker-compose is not installed (apt-get install -y docker-compose)")
	}
	full := append([]string{"-f", filepath.Join(root, "docker-compose.yaml")}, args...)
	cmd := exec.Command(bin, append(full, "config")...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("docker-compose %s config: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var c composeFile
	if err := yaml.Unmarshal(out, &c); err != nil {
		t.Fatalf("parse docker-compose config output: %v", err)
	}
	return c
}

// pinned is an image reference with an exact release tag: no `latest`, no bare major or
// minor (`3`, `3.6`), optionally a digest.
var pinned = regexp.MustCompile(`^[a-z0-9][a-z0-9._/-]*:v?\d+\.\d+\.\d+(?:[-.][A-Za-z0-9.-]+)?(?:@sha256:[a-f0-9]{64})?$`)

func TestPinnedReferencePattern(t *testing.T) {
	for ref, want := range map[string]bool{
		"prom/prometheus:v3.9.1":                       true,
		"grafana/tempo:2.10.4":                         true,
		"busybox:1.37.0-musl":                          true,
		"python:3.11.7-slim-bookworm":                  true,
		"otel/opentelemetry-collector-contrib:0.144.0": true,
		"grafana/loki:latest":                          false,
		"grafana/loki":                                 false,
		"python:3.11":                                  false,
		"python:3":                                     false,
		"jaegertracing/jaeger:${VERSION}":              false,
	} {
		if got := pinned.MatchString(ref); got != want {
			t.Errorf("pinned(%q) = %v, want %v", ref, got, want)
		}
	}
}

// dockerfileImages returns the images a Dockerfile's FROM lines name, with ARG
// references resolved from the build args, then the ARG defaults; stage names are skipped.
func dockerfileImages(t *testing.T, path string, args map[string]string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	defaults := map[string]string{}
	stages := map[string]bool{}
	ref := regexp.MustCompile(`\$\{?(\w+)\}?`)
	var images []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "ARG":
			name, def, _ := strings.Cut(fields[1], "=")
			defaults[name] = def
		case "FROM":
			img := ref.ReplaceAllStringFunc(fields[1], func(m string) string {
				name := ref.FindStringSubmatch(m)[1]
				if v, ok := args[name]; ok {
					return v
				}
				return defaults[name]
			})
			if len(fields) >= 4 && strings.EqualFold(fields[2], "AS") {
				stages[fields[3]] = true
			}
			if !stages[img] {
				images = append(images, img)
			}
		}
	}
	return images
}

func TestComposeValidAndEveryImagePinned(t *testing.T) {
	root := repo(t)
	for _, profile := range [][]string{nil, {"--profile", "jaeger"}} {
		name := "default"
		if profile != nil {
			name = "jaeger"
		}
		t.Run(name, func(t *testing.T) {
			c := composeConfig(t, root, profile...)
			var names []string
			for n := range c.Services {
				names = append(names, n)
			}
			sort.Strings(names)
			want := []string{"alert-sink", "broker", "consumer", "grafana", "jaeger", "loadgen", "loki", "otel-collector", "producer", "prometheus", "tempo", "webapp"}
			if profile == nil {
				// docker-compose 1.x lists services of inactive profiles too; Compose v2 does not.
				if _, ok := c.Services["jaeger"]; !ok {
					want = append(want[:4], want[5:]...)
				}
			}
			if fmt.Sprint(names) != fmt.Sprint(want) {
				t.Fatalf("services = %v, want %v", names, want)
			}
			for _, n := range names {
				s := c.Services[n]
				var images []string
				if s.Image != "" {
					images = append(images, s.Image)
				}
				if s.Build != nil {
					df := s.Build.Dockerfile
					if df == "" {
						df = "Dockerfile"
					}
					images = append(images, dockerfileImages(t, filepath.Join(s.Build.Context, df), s.Build.Args)...)
				}
				if len(images) == 0 {
					t.Errorf("%s: no image and no build", n)
				}
				for _, img := range images {
					if !pinned.MatchString(img) {
						t.Errorf("%s: image %q is not pinned to an exact release", n, img)
					}
				}
			}
		})
	}
}

func TestComposeStartOrderHealthAndMounts(t *testing.T) {
	root := repo(t)
	c := composeConfig(t, root, "--profile", "jaeger")
	// Processes without an HTTP endpoint of their own are not health-checked; what
	// depends on them waits for service_started.
	noHealth := map[string]bool{"producer": true, "consumer": true, "loadgen": true}
	for n, s := range c.Services {
		if !noHealth[n] && (s.Healthcheck == nil || len(s.Healthcheck.Test) == 0) {
			t.Errorf("%s has no health check", n)
		}
		for dep, d := range s.DependsOn {
			if d.Condition == "" {
				t.Errorf("%s depends on %s without a condition", n, dep)
			}
			if d.Condition == "service_healthy" && noHealth[dep] {
				t.Errorf("%s waits for %s to be healthy, which has no health check", n, dep)
			}
		}
		for _, v := range s.Volumes {
			if v.Type == "bind" && !strings.HasPrefix(filepath.Clean(v.Source)+"/", filepath.Clean(root)+"/") {
				t.Errorf("%s mounts %s, outside the repository", n, v.Source)
			}
		}
	}
	for _, dep := range []string{"prometheus", "loki", "tempo"} {
		if c.Services["grafana"].DependsOn[dep].Condition != "service_healthy" {
			t.Errorf("grafana does not wait for %s to be healthy", dep)
		}
	}
	if got := c.Services["jaeger"].Profiles; fmt.Sprint(got) != "[jaeger]" {
		t.Errorf("jaeger profiles = %v, want [jaeger]", got)
	}
	if got := c.Services["tempo"].DependsOn["prometheus"].Condition; got != "service_healthy" {
		t.Errorf("tempo (remote write) should wait for a healthy prometheus, got %q", got)
	}
}

// Grafana runs with anonymous Admin and every store without authentication: a port
// published on all interfaces hands them to anyone on the network. Every published
// port binds to the loopback interface.
func TestComposePublishesPortsOnLoopbackOnly(t *testing.T) {
	root := repo(t)
	c := composeConfig(t, root, "--profile", "jaeger")
	for _, n := range []string{"grafana", "prometheus", "loki", "tempo", "otel-collector"} {
		if len(c.Services[n].Ports) == 0 {
			t.Errorf("%s publishes no port", n)
		}
	}
	for n, s := range c.Services {
		for _, p := range s.Ports {
			if ip := strings.Trim(p.HostIP, "[]"); ip != "127.0.0.1" && ip != "::1" {
				t.Errorf("%s publishes port %s (container %s) on %q, not on the loopback interface", n, p.Published, p.Target, p.HostIP)
			}
		}
	}
}

// The Prometheus of the compose file takes Tempo's span metrics by remote write and
// keeps exemplars; Tempo writes to it.
func TestComposeWiresRemoteWriteAndExemplars(t *testing.T) {
	root := repo(t)
	b, err := os.ReadFile(filepath.Join(root, "docker-compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Services map[string]struct {
			Command []string `yaml:"command"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	cmd := strings.Join(raw.Services["prometheus"].Command, " ")
	for _, flag := range []string{"--web.enable-remote-write-receiver", "--enable-feature=exemplar-storage"} {
		if !strings.Contains(cmd, flag) {
			t.Errorf("prometheus command lacks %s", flag)
		}
	}
	var tempo struct {
		MetricsGenerator struct {
			Storage struct {
				RemoteWrite []struct {
					URL string `yaml:"url"`
				} `yaml:"remote_write"`
			} `yaml:"storage"`
		} `yaml:"metrics_generator"`
		Overrides struct {
			Defaults struct {
				MetricsGenerator struct {
					Processors []string `yaml:"processors"`
				} `yaml:"metrics_generator"`
			} `yaml:"defaults"`
		} `yaml:"overrides"`
	}
	readYAML(t, filepath.Join(root, "demo", "config", "tempo.yaml"), &tempo)
	rw := tempo.MetricsGenerator.Storage.RemoteWrite
	if len(rw) != 1 || rw[0].URL != "http://prometheus:9090/api/v1/write" {
		t.Errorf("tempo remote_write = %+v, want prometheus:9090/api/v1/write", rw)
	}
	if p := fmt.Sprint(tempo.Overrides.Defaults.MetricsGenerator.Processors); !strings.Contains(p, "span-metrics") || !strings.Contains(p, "local-blocks") {
		t.Errorf("tempo processors = %s, want span-metrics and local-blocks", p)
	}
}

func readYAML(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
