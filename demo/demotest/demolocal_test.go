package demotest

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/latencylens/lens/demo/internal/stack"
)

// readyFile is what `npm run demo:local --ready-file` writes once everything runs.
type readyFile struct {
	Endpoints   stack.Endpoints `json:"endpoints"`
	WebApp      string          `json:"webAppMetrics"`
	Provisioned []string        `json:"provisioned"`
	PluginLink  string          `json:"pluginLink"`
	Pids        map[string]int  `json:"pids"`
	Pid         int             `json:"pid"`
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

func groupAlive(pgid int) bool { return !errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH) }

// `npm run demo:local` with a temporary plugins and provisioning directory: it reaches
// readiness (plugin linked, provisioning written, stores and services answering) and a
// SIGTERM stops it cleanly, leaving no process behind.
func TestNpmRunDemoLocalStartsAndStopsCleanly(t *testing.T) {
	requireLive(t)
	root := repo(t)
	if _, err := os.Stat(filepath.Join(root, "dist", "plugin.json")); err != nil {
		missing(t, "the plugin is not built (dist/plugin.json); run npm run build first")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		missing(t, "npm is not installed")
	}
	tmp := t.TempDir()
	plugins, prov, ready := filepath.Join(tmp, "plugins"), filepath.Join(tmp, "provisioning"), filepath.Join(tmp, "ready.json")
	outPath := filepath.Join(tmp, "demo-local.out")
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(npm, "run", "--silent", "demo:local", "--",
		"--plugins-dir", plugins, "--provisioning-dir", prov, "--workdir", filepath.Join(tmp, "work"),
		"--ready-file", ready, "--jaeger=false", "--build-stores=false", "--rps", "5")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var info readyFile
	stopped := false
	defer func() {
		if !stopped { // the test failed before the stop: leave nothing behind
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			if info.Pid > 0 {
				_ = syscall.Kill(info.Pid, syscall.SIGTERM)
			}
		}
		if t.Failed() {
			b, _ := os.ReadFile(outPath)
			t.Logf("npm run demo:local output:\n%s", b)
		}
	}()

	// Readiness: the ready file appears (go run compiles first, then the stores start).
	deadline := time.Now().Add(8 * time.Minute)
	for {
		if b, err := os.ReadFile(ready); err == nil && json.Unmarshal(b, &info) == nil && info.Pid > 0 {
			break
		}
		select {
		case err := <-exited:
			b, _ := os.ReadFile(outPath)
			if strings.Contains(string(b), "is not built") {
				missing(t, "demo:local: a store binary is missing:\n%s", b)
			}
			t.Fatalf("npm run demo:local exited before it was ready (%v)", err)
		case <-time.After(time.Second):
		}
		if time.Now().After(deadline) {
			t.Fatal("npm run demo:local not ready after 8 minutes")
		}
	}
	if target, err := os.Readlink(filepath.Join(plugins, stack.PluginID)); err != nil || target != filepath.Join(root, "dist") {
		t.Errorf("plugin link -> %q (%v), want %s", target, err, filepath.Join(root, "dist"))
	}
	if len(info.Provisioned) != 4 {
		t.Errorf("provisioned %v, want 4 files", info.Provisioned)
	}
	for _, f := range info.Provisioned {
		if !strings.HasPrefix(f, prov+string(filepath.Separator)) {
			t.Errorf("wrote %s outside the provisioning directory", f)
		}
	}
	for name, url := range map[string]string{
		"prometheus": info.Endpoints.Prometheus + "/-/ready", "loki": info.Endpoints.Loki + "/ready",
		"tempo": info.Endpoints.Tempo + "/ready", "web app": info.WebApp,
	} {
		resp, err := http.Get(url)
		if err != nil {
			t.Errorf("%s at %s: %v", name, url, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s at %s: HTTP %d", name, url, resp.StatusCode)
		}
	}
	if b, _ := os.ReadFile(outPath); !strings.Contains(string(b), "/d/latencylens-service-latency/") {
		t.Errorf("the output does not say what to open:\n%s", b)
	}

	// Stop: SIGTERM to the whole group npm started, as a terminal's Ctrl-C or a service
	// manager would; the program stops everything and exits.
	stopped = true
	if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(2 * time.Minute)
	for alive(info.Pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(info.Pid, syscall.SIGKILL)
			t.Fatalf("demo:local (pid %d) still running 2 minutes after SIGTERM", info.Pid)
		}
		time.Sleep(200 * time.Millisecond)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Error("npm did not exit after SIGTERM")
	}
	for name, pid := range info.Pids {
		if groupAlive(pid) {
			t.Errorf("%s (process group %d) still has processes after demo:local stopped", name, pid)
			_ = syscall.Kill(-pid, syscall.SIGKILL)
		}
	}
	if b, _ := os.ReadFile(outPath); !strings.Contains(string(b), "demo: stopped") {
		t.Errorf("demo:local did not report a clean stop:\n%s", b)
	}
}
