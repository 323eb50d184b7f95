package stack

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// PluginID is the app that nests the data source and the panel; the built dist/ is
// the app's plugin directory.
const PluginID = "latencylens-lens-app"

// Endpoints are the loopback URLs the provisioning points at.
type Endpoints struct {
	Prometheus, Loki, Tempo, Jaeger string
	// AlertSink is the webhook URL of the contact point.
	AlertSink string
}

// dockerURLs are the URLs in the repository's provisioning/ (docker-compose service
// names) and what each becomes for a local Grafana.
func (e Endpoints) replacements(pluginDir string) []string {
	jaeger := e.Jaeger
	if jaeger == "" {
		jaeger = "''" // an empty URL: the trace store is not configured
	}
	return []string{
		"http://prometheus:9090", e.Prometheus,
		"http://loki:3100", e.Loki,
		"http://tempo:3200", e.Tempo,
		"http://jaeger:16686", jaeger,
		"http://alert-sink:9099/alerts", e.AlertSink,
		"/var/lib/grafana/plugins/" + PluginID, pluginDir,
	}
}

// provisioningFiles: the repository's provisioning file → the name it gets in the
// target Grafana's provisioning directory. The names carry "-demo" so they never
// overwrite a file of the user's own.
var provisioningFiles = [][2]string{
	{"datasources/latency-lens.yaml", "datasources/latency-lens-demo.yaml"},
	{"dashboards/latency-lens.yaml", "dashboards/latency-lens-demo.yaml"},
	{"alerting/latency-lens.yaml", "alerting/latency-lens-demo.yaml"},
	{"plugins/apps.yaml", "plugins/latency-lens-demo.yaml"},
}

// WriteProvisioning writes the repository's provisioning files into provDir with the
// Docker service URLs replaced by the local endpoints, and returns the paths written.
// Every Docker URL must be replaced: a file that still names one is an error.
func WriteProvisioning(repo, provDir, pluginDir string, e Endpoints) ([]string, error) {
	r := strings.NewReplacer(e.replacements(pluginDir)...)
	var written []string
	for _, f := range provisioningFiles {
		src := filepath.Join(repo, "provisioning", f[0])
		b, err := os.ReadFile(src)
		if err != nil {
			return written, err
		}
		text := r.Replace(string(b))
		for _, host := range []string{"//prometheus:", "//loki:", "//tempo:", "//jaeger:", "//alert-sink:"} {
			if strings.Contains(text, host) {
				return written, fmt.Errorf("%s still names the Docker host %q after rewriting", src, strings.Trim(host, "/:"))
			}
		}
		header := fmt.Sprintf("# Written by `npm run demo:local` from %s; rewritten on every start.\n",
			filepath.ToSlash(filepath.Join("provisioning", f[0])))
		dst := filepath.Join(provDir, f[1])
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return written, err
		}
		if err := os.WriteFile(dst, []byte(header+text), 0o644); err != nil {
			return written, err
		}
		written = append(written, dst)
	}
	return written, nil
}

// LinkPlugin makes <pluginsDir>/latencylens-lens-app a symbolic link to dist. An
// existing link to the same place is kept; anything else there is an error, so a
// user's own install is never replaced.
func LinkPlugin(dist, pluginsDir string) (string, error) {
	if _, err := os.Stat(filepath.Join(dist, "plugin.json")); err != nil {
		return "", fmt.Errorf("%s has no plugin.json: build the plugin first (npm run build)", dist)
	}
	if err := os.MkdirAll(pluginsDir, 0o755); err != nil {
		return "", err
	}
	link := filepath.Join(pluginsDir, PluginID)
	fi, err := os.Lstat(link)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return link, os.Symlink(dist, link)
	case err != nil:
		return "", err
	case fi.Mode()&os.ModeSymlink != 0:
		target, err := os.Readlink(link)
		if err != nil {
			return "", err
		}
		if filepath.Clean(target) == filepath.Clean(dist) {
			return link, nil
		}
		return "", fmt.Errorf("%s already links to %s, not %s; remove it first", link, target, dist)
	default:
		return "", fmt.Errorf("%s already exists (an installed copy of the plugin?); remove it or choose another --plugins-dir", link)
	}
}
