// Command demo-local is `npm run demo:local`: the Latency Lens demo without Docker, for
// a Grafana installed on this machine (a package, a tarball, a service).
//
// It starts the stores (Prometheus from Debian; Tempo, Loki and Jaeger built from the
// tests' pinned versions, built once into the cache when missing) and the seed services
// with a steady background load, links the built plugin (dist/) into the Grafana's
// plugins directory, writes provisioning files (data sources with the stores' loopback
// URLs, the dashboards provider, the alert rules and their local webhook sink, the app
// enabled), prints the URL to open, and runs until Ctrl-C or SIGTERM, then stops
// every process it started and exits.
//
//	npm run demo:local -- --plugins-dir /var/lib/grafana/plugins --provisioning-dir /etc/grafana/provisioning
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/latencylens/lens/demo/internal/stack"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func envOr(keys ...string) string {
	for _, k := range keys {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return ""
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo:local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		pluginsDir  = fs.String("plugins-dir", envOr("LATENCYLENS_PLUGINS_DIR", "GF_PATHS_PLUGINS"), "Grafana's plugins directory; the built plugin is linked into it (env LATENCYLENS_PLUGINS_DIR, GF_PATHS_PLUGINS)")
		provDir     = fs.String("provisioning-dir", envOr("LATENCYLENS_PROVISIONING_DIR", "GF_PATHS_PROVISIONING"), "Grafana's provisioning directory; demo files are written into it (env LATENCYLENS_PROVISIONING_DIR, GF_PATHS_PROVISIONING)")
		grafanaURL  = fs.String("grafana-url", "http://localhost:3000", "where that Grafana answers (for the printed links and the provisioning reload)")
		grafanaAuth = fs.String("grafana-auth", envOr("LATENCYLENS_GRAFANA_AUTH"), "user:password of a Grafana admin, to reload provisioning without a restart (env LATENCYLENS_GRAFANA_AUTH)")
		repo        = fs.String("repo", "", "repository root (default: found from the working directory)")
		workDir     = fs.String("workdir", "", "configs, data and logs (default: a new temporary directory)")
		jaeger      = fs.Bool("jaeger", true, "also run Jaeger and send traces to it (the \"Latency Lens (Jaeger)\" data source)")
		build       = fs.Bool("build-stores", true, "build missing store binaries with tests/stores/build.sh")
		rps         = fs.Float64("rps", 10, "background load on the web app, requests per second")
		slow        = fs.Float64("slow-fraction", 0.03, "share of that load in the slow tail (0.2 fires the p99 alerts)")
		readyFile   = fs.String("ready-file", "", "write a JSON description of the running stack here once it is ready")
	)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *repo == "" {
		r, err := findRepo()
		if err != nil {
			fmt.Fprintln(stderr, "demo:local:", err)
			return 2
		}
		*repo = r
	}
	// npm runs the program from demo/; relative paths mean the directory npm was
	// started in (INIT_CWD), as the user typed them.
	base := os.Getenv("INIT_CWD")
	for _, p := range []*string{pluginsDir, provDir, workDir, readyFile} {
		if *p != "" {
			if base != "" && !filepath.IsAbs(*p) {
				*p = filepath.Join(base, *p)
			}
			abs, err := filepath.Abs(*p)
			if err != nil {
				fmt.Fprintln(stderr, "demo:local:", err)
				return 2
			}
			*p = abs
		}
	}
	if *pluginsDir == "" || *provDir == "" {
		fmt.Fprintln(stderr, "demo:local: without --plugins-dir and --provisioning-dir only the stores and services run;")
		fmt.Fprintln(stderr, "            pass both (e.g. /var/lib/grafana/plugins and /etc/grafana/provisioning) to wire a Grafana.")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, err := stack.Up(ctx, stack.Options{
		Repo: *repo, PluginsDir: *pluginsDir, ProvisioningDir: *provDir, WorkDir: *workDir,
		Jaeger: *jaeger, BuildStores: *build, LoadRPS: *rps, SlowFraction: *slow, Progress: stdout,
	})
	if err != nil {
		fmt.Fprintln(stderr, "demo:local:", err)
		return 1
	}
	code := 0
	defer func() {
		fmt.Fprintln(stdout, "demo: stopping every process it started")
		if err := st.Close(); err != nil {
			fmt.Fprintln(stderr, "demo:local: stop:", err)
			code = 1
		}
		fmt.Fprintln(stdout, "demo: stopped")
	}()

	reloaded := reloadGrafana(*grafanaURL, *grafanaAuth, st.Written)
	printReady(stdout, st, *grafanaURL, reloaded)
	if *readyFile != "" {
		if err := writeReady(*readyFile, st, *grafanaURL); err != nil {
			fmt.Fprintln(stderr, "demo:local:", err)
			return 1
		}
	}
	<-ctx.Done()
	return code
}

// findRepo walks up from the working directory to the directory that holds
// provisioning/ and tests/seed/.
func findRepo() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isDir(filepath.Join(dir, "provisioning")) && isDir(filepath.Join(dir, "tests", "seed")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root not found above the working directory; pass --repo")
		}
		dir = parent
	}
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// reloadGrafana asks a running Grafana to re-read the provisioning, when credentials
// are given and the app is already loaded; it says what it did.
func reloadGrafana(base, auth string, written []string) string {
	if len(written) == 0 {
		return ""
	}
	if auth == "" {
		return "restart Grafana (or pass --grafana-auth user:password to reload its provisioning)"
	}
	user, pass, _ := strings.Cut(auth, ":")
	client := &http.Client{Timeout: 10 * time.Second}
	call := func(method, path string) (int, error) {
		req, err := http.NewRequest(method, strings.TrimRight(base, "/")+path, nil)
		if err != nil {
			return 0, err
		}
		req.SetBasicAuth(user, pass)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	code, err := call(http.MethodGet, "/api/plugins/"+stack.PluginID+"/settings")
	if err != nil {
		return fmt.Sprintf("Grafana at %s did not answer (%v): start it (it reads the provisioning at start)", base, err)
	}
	if code != http.StatusOK {
		return fmt.Sprintf("Grafana has not loaded %s yet (HTTP %d): restart it so it loads the plugin and the provisioning", stack.PluginID, code)
	}
	var failed []string
	for _, kind := range []string{"plugins", "datasources", "dashboards", "alerting"} {
		if code, err := call(http.MethodPost, "/api/admin/provisioning/"+kind+"/reload"); err != nil || code != http.StatusOK {
			failed = append(failed, fmt.Sprintf("%s (%d %v)", kind, code, err))
		}
	}
	if len(failed) > 0 {
		return "Grafana reload failed for " + strings.Join(failed, ", ") + ": restart Grafana"
	}
	return "Grafana reloaded its provisioning"
}

func printReady(w io.Writer, st *stack.Stack, grafana, reloaded string) {
	g := strings.TrimRight(grafana, "/")
	e := st.Endpoints
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "Latency Lens demo is running.")
	fmt.Fprintf(w, "  Open      %s/d/latencylens-service-latency/service-latency  (Service latency: CDF, percentiles, slow traces)\n", g)
	fmt.Fprintf(w, "            %s/d/latencylens-trace/trace                      (Trace: a slow trace's ID opens here with its logs)\n", g)
	fmt.Fprintf(w, "            %s/alerting/list                                   (p99 alert rules, folder \"Latency Lens\")\n", g)
	if st.PluginLink != "" {
		fmt.Fprintf(w, "  Plugin    %s -> dist/ (allow it unsigned: [plugins] allow_loading_unsigned_plugins = latencylens-lens-app,latencylens-lens-datasource,latencylens-lens-panel)\n", st.PluginLink)
	}
	for _, f := range st.Written {
		fmt.Fprintf(w, "  Wrote     %s\n", f)
	}
	if reloaded != "" {
		fmt.Fprintf(w, "  Grafana   %s\n", reloaded)
	}
	fmt.Fprintf(w, "  Stores    Prometheus %s  Loki %s  Tempo %s", e.Prometheus, e.Loki, e.Tempo)
	if e.Jaeger != "" {
		fmt.Fprintf(w, "  Jaeger %s", e.Jaeger)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  Services  web app metrics %s; alert webhook sink %s\n", st.WebApp, e.AlertSink)
	fmt.Fprintf(w, "  Logs      %s\n", st.LogDir)
	fmt.Fprintln(w, "Press Ctrl-C to stop everything.")
}

// readyInfo is the --ready-file content.
type readyInfo struct {
	Grafana     string          `json:"grafana"`
	Endpoints   stack.Endpoints `json:"endpoints"`
	WebApp      string          `json:"webAppMetrics"`
	Provisioned []string        `json:"provisioned"`
	PluginLink  string          `json:"pluginLink"`
	WorkDir     string          `json:"workDir"`
	Pids        map[string]int  `json:"pids"`
	// Pid is this program's own process id.
	Pid int `json:"pid"`
}

func writeReady(path string, st *stack.Stack, grafana string) error {
	b, err := json.MarshalIndent(readyInfo{
		Grafana: grafana, Endpoints: st.Endpoints, WebApp: st.WebApp, Provisioned: st.Written,
		PluginLink: st.PluginLink, WorkDir: st.WorkDir, Pids: st.Pids(), Pid: os.Getpid(),
	}, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
