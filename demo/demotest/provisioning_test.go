package demotest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latencylens/lens/demo/internal/stack"
)

// ProvisionedUID is the UID the provisioning gives the Latency Lens data source; the
// dashboards' data source variable defaults to it and the alert rules query it.
const ProvisionedUID = "latency-lens"

type alertQuery struct {
	RefID             string `yaml:"refId"`
	DatasourceUID     string `yaml:"datasourceUid"`
	RelativeTimeRange struct {
		From int64 `yaml:"from"`
		To   int64 `yaml:"to"`
	} `yaml:"relativeTimeRange"`
	Model map[string]any `yaml:"model"`
}

type alertRule struct {
	UID                  string            `yaml:"uid"`
	Title                string            `yaml:"title"`
	Condition            string            `yaml:"condition"`
	Data                 []alertQuery      `yaml:"data"`
	For                  string            `yaml:"for"`
	DashboardUID         string            `yaml:"dashboardUid"`
	PanelID              int               `yaml:"panelId"`
	Labels               map[string]string `yaml:"labels"`
	NotificationSettings struct {
		Receiver string `yaml:"receiver"`
	} `yaml:"notification_settings"`
}

type alertingFile struct {
	APIVersion    int `yaml:"apiVersion"`
	ContactPoints []struct {
		Name      string `yaml:"name"`
		Receivers []struct {
			UID      string         `yaml:"uid"`
			Type     string         `yaml:"type"`
			Settings map[string]any `yaml:"settings"`
		} `yaml:"receivers"`
	} `yaml:"contactPoints"`
	Groups []struct {
		Name     string      `yaml:"name"`
		Folder   string      `yaml:"folder"`
		Interval string      `yaml:"interval"`
		Rules    []alertRule `yaml:"rules"`
	} `yaml:"groups"`
}

func loadAlerting(t testing.TB, path string) alertingFile {
	t.Helper()
	var f alertingFile
	readYAML(t, path, &f)
	return f
}

// rulePlan is what a rule computes: the data source query, the reducer, the threshold.
type rulePlan struct {
	Rule      alertRule
	Query     alertQuery
	Reducer   string
	Mode      string
	Op        string
	Threshold float64
}

// planOf checks a rule's expression chain — query A → reduce → threshold = condition —
// and returns it.
func planOf(t testing.TB, r alertRule) rulePlan {
	t.Helper()
	byRef := map[string]alertQuery{}
	var queries []alertQuery
	for _, d := range r.Data {
		byRef[d.RefID] = d
		if d.DatasourceUID != "__expr__" {
			queries = append(queries, d)
		}
	}
	if len(queries) != 1 {
		t.Fatalf("%s: %d data source queries, want exactly one", r.Title, len(queries))
	}
	cond, ok := byRef[r.Condition]
	if !ok || cond.Model["type"] != "threshold" {
		t.Fatalf("%s: condition %q is not a threshold expression", r.Title, r.Condition)
	}
	red, ok := byRef[fmt.Sprint(cond.Model["expression"])]
	if !ok || red.Model["type"] != "reduce" {
		t.Fatalf("%s: the threshold does not read a reduce expression", r.Title)
	}
	if red.Model["expression"] != queries[0].RefID {
		t.Fatalf("%s: the reduce reads %v, not the query %s", r.Title, red.Model["expression"], queries[0].RefID)
	}
	p := rulePlan{Rule: r, Query: queries[0], Reducer: fmt.Sprint(red.Model["reducer"])}
	if settings, ok := red.Model["settings"].(map[string]any); ok {
		p.Mode = fmt.Sprint(settings["mode"])
	}
	conds, _ := cond.Model["conditions"].([]any)
	if len(conds) != 1 {
		t.Fatalf("%s: %d threshold conditions, want 1", r.Title, len(conds))
	}
	ev, _ := conds[0].(map[string]any)["evaluator"].(map[string]any)
	params, _ := ev["params"].([]any)
	if len(params) < 1 {
		t.Fatalf("%s: threshold without a value", r.Title)
	}
	p.Op = fmt.Sprint(ev["type"])
	switch v := params[0].(type) {
	case int:
		p.Threshold = float64(v)
	case float64:
		p.Threshold = v
	default:
		t.Fatalf("%s: threshold %v is not a number", r.Title, params[0])
	}
	return p
}

func rulePlans(t testing.TB, path string) []rulePlan {
	t.Helper()
	f := loadAlerting(t, path)
	var out []rulePlan
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			out = append(out, planOf(t, r))
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no alert rules", path)
	}
	return out
}

func TestAlertRulesUseTheLatencyQueryWithReduceAndThreshold(t *testing.T) {
	root := repo(t)
	path := filepath.Join(root, "provisioning", "alerting", "latency-lens.yaml")
	f := loadAlerting(t, path)
	receivers := map[string]bool{}
	for _, cp := range f.ContactPoints {
		receivers[cp.Name] = true
		for _, r := range cp.Receivers {
			if r.Type != "webhook" {
				t.Errorf("contact point %s: type %s, want a webhook to the local sink", cp.Name, r.Type)
			}
			url := fmt.Sprint(r.Settings["url"])
			if !strings.HasPrefix(url, "http://alert-sink:") {
				t.Errorf("contact point %s: url %s is not the demo's local sink", cp.Name, url)
			}
		}
	}
	dashboards := dashboardPanels(t, root)
	for _, p := range rulePlans(t, path) {
		r := p.Rule
		if p.Query.DatasourceUID != ProvisionedUID {
			t.Errorf("%s: queries %q, want the provisioned Latency Lens %q", r.Title, p.Query.DatasourceUID, ProvisionedUID)
		}
		m := p.Query.Model
		if m["queryType"] != "latency" || m["version"] != 1 {
			t.Errorf("%s: model queryType=%v version=%v, want a version-1 latency query", r.Title, m["queryType"], m["version"])
		}
		if fmt.Sprint(m["percentiles"]) != "[0.99]" {
			t.Errorf("%s: percentiles %v, want [0.99]", r.Title, m["percentiles"])
		}
		if _, hand := m["expr"]; hand {
			t.Errorf("%s: a hand-written expression; the rule must use the latency builder", r.Title)
		}
		if r.For != "5m" {
			t.Errorf("%s: for %q, want 5m", r.Title, r.For)
		}
		if p.Reducer != "last" || p.Op != "gt" || p.Threshold <= 0 {
			t.Errorf("%s: reduce %s, threshold %s %v; want last, gt a positive ms value", r.Title, p.Reducer, p.Op, p.Threshold)
		}
		// A spans rule's p99 is Tempo's quantile_over_time per step: at a 15 s step the
		// last point holds a few seconds of spans, and a p99 of a handful of spans flaps.
		// Each point covers at least a minute, as the histogram rule's 1-minute rates do.
		if iv, _ := m["intervalMs"].(int); m["source"] == "spans" && iv < 60000 {
			t.Errorf("%s: intervalMs %v; a spans p99 point must cover at least a minute (60000)", r.Title, m["intervalMs"])
		}
		if p.Query.RelativeTimeRange.From < 300 {
			t.Errorf("%s: looks back %ds, less than the 5m it must hold for", r.Title, p.Query.RelativeTimeRange.From)
		}
		if !receivers[r.NotificationSettings.Receiver] {
			t.Errorf("%s: receiver %q is not a provisioned contact point", r.Title, r.NotificationSettings.Receiver)
		}
		if !dashboards[fmt.Sprintf("%s/%d", r.DashboardUID, r.PanelID)] {
			t.Errorf("%s: dashboard %s panel %d does not exist", r.Title, r.DashboardUID, r.PanelID)
		}
	}
}

// dashboardPanels returns "uid/panelID" of every panel of the bundled dashboards.
func dashboardPanels(t testing.TB, root string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, d := range loadDashboards(t, root) {
		for _, p := range d.allPanels() {
			out[fmt.Sprintf("%s/%d", d.UID, p.ID)] = true
		}
	}
	return out
}

func TestDataSourceProvisioningWiresEveryStore(t *testing.T) {
	root := repo(t)
	ds := provisionedDataSources(t, filepath.Join(root, "provisioning", "datasources", "latency-lens.yaml"))
	main, ok := ds[ProvisionedUID]
	if !ok {
		t.Fatalf("no data source with uid %s", ProvisionedUID)
	}
	jd := main.JSONData
	for _, store := range []string{"metrics", "logs", "traces"} {
		s, _ := jd[store].(map[string]any)
		if s["url"] == nil || s["url"] == "" {
			t.Errorf("%s store has no URL", store)
		}
	}
	logs := jd["logs"].(map[string]any)
	ex, _ := logs["extraction"].(map[string]any)
	if ex["mode"] != "structuredMetadata" || ex["traceIdKey"] != "trace_id" || ex["spanIdKey"] != "span_id" {
		t.Errorf("trace-ID extraction %v, want the structured metadata Loki's OTLP ingestion writes", ex)
	}
}

type provisionedDS struct {
	Name     string         `yaml:"name"`
	Type     string         `yaml:"type"`
	UID      string         `yaml:"uid"`
	JSONData map[string]any `yaml:"jsonData"`
}

func provisionedDataSources(t testing.TB, path string) map[string]provisionedDS {
	t.Helper()
	var f struct {
		Datasources []provisionedDS `yaml:"datasources"`
	}
	readYAML(t, path, &f)
	out := map[string]provisionedDS{}
	for _, d := range f.Datasources {
		out[d.UID] = d
	}
	return out
}

// demo:local rewrites the Docker provisioning for a local Grafana: no Docker host name
// is left, every store URL and the sink are the loopback ones, the dashboards come from
// the linked plugin.
func TestWriteProvisioningForALocalGrafana(t *testing.T) {
	root := repo(t)
	prov := t.TempDir()
	plugin := filepath.Join(t.TempDir(), "plugins", stack.PluginID)
	e := stack.Endpoints{
		Prometheus: "http://127.0.0.1:1001", Loki: "http://127.0.0.1:1002", Tempo: "http://127.0.0.1:1003",
		Jaeger: "http://127.0.0.1:1004", AlertSink: "http://127.0.0.1:1005/alerts",
	}
	written, err := stack.WriteProvisioning(root, prov, plugin, e)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 4 {
		t.Fatalf("wrote %v, want data sources, dashboards, alerting and plugins", written)
	}
	ds := provisionedDataSources(t, filepath.Join(prov, "datasources", "latency-lens-demo.yaml"))
	url := func(uid, store string) any { return ds[uid].JSONData[store].(map[string]any)["url"] }
	for _, c := range []struct {
		uid, store string
		want       string
	}{
		{ProvisionedUID, "metrics", e.Prometheus}, {ProvisionedUID, "logs", e.Loki}, {ProvisionedUID, "traces", e.Tempo},
		{"latency-lens-jaeger", "traces", e.Jaeger},
	} {
		if got := url(c.uid, c.store); got != c.want {
			t.Errorf("%s %s url = %v, want %s", c.uid, c.store, got, c.want)
		}
	}
	var dash struct {
		Providers []struct {
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, filepath.Join(prov, "dashboards", "latency-lens-demo.yaml"), &dash)
	if got := dash.Providers[0].Options.Path; got != filepath.Join(plugin, "dashboards") {
		t.Errorf("dashboards path = %s, want %s", got, filepath.Join(plugin, "dashboards"))
	}
	alerting := loadAlerting(t, filepath.Join(prov, "alerting", "latency-lens-demo.yaml"))
	if got := alerting.ContactPoints[0].Receivers[0].Settings["url"]; got != e.AlertSink {
		t.Errorf("contact point url = %v, want %s", got, e.AlertSink)
	}
	// Without Jaeger the Jaeger data source's trace store is left unconfigured.
	e.Jaeger = ""
	if _, err := stack.WriteProvisioning(root, prov, plugin, e); err != nil {
		t.Fatal(err)
	}
	ds = provisionedDataSources(t, filepath.Join(prov, "datasources", "latency-lens-demo.yaml"))
	if got := url("latency-lens-jaeger", "traces"); got != "" {
		t.Errorf("jaeger url without Jaeger = %v, want empty", got)
	}
}

func TestLinkPluginKeepsUsersOwnInstall(t *testing.T) {
	dist := t.TempDir()
	if err := os.WriteFile(filepath.Join(dist, "plugin.json"), []byte(`{"id":"`+stack.PluginID+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	plugins := t.TempDir()
	link, err := stack.LinkPlugin(dist, plugins)
	if err != nil {
		t.Fatal(err)
	}
	if target, _ := os.Readlink(link); target != dist {
		t.Fatalf("link -> %s, want %s", target, dist)
	}
	if _, err := stack.LinkPlugin(dist, plugins); err != nil {
		t.Fatalf("relinking the same dist: %v", err)
	}
	other := t.TempDir()
	if err := os.MkdirAll(filepath.Join(other, stack.PluginID), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := stack.LinkPlugin(dist, other); err == nil {
		t.Fatal("an installed copy of the plugin was replaced")
	}
	if _, err := stack.LinkPlugin(t.TempDir(), plugins); err == nil {
		t.Fatal("a dist without plugin.json was linked")
	}
}

// ---------------------------------------------------------------- dashboards

type panelJSON struct {
	ID              int              `json:"id"`
	Type            string           `json:"type"`
	Title           string           `json:"title"`
	Targets         []map[string]any `json:"targets"`
	Panels          []panelJSON      `json:"panels"`
	Datasource      map[string]any   `json:"datasource"`
	Transformations []struct {
		ID      string         `json:"id"`
		Options map[string]any `json:"options"`
	} `json:"transformations"`
}

type dashboardJSON struct {
	UID        string      `json:"uid"`
	Title      string      `json:"title"`
	Panels     []panelJSON `json:"panels"`
	Templating struct {
		List []struct {
			Name    string `json:"name"`
			Type    string `json:"type"`
			Query   any    `json:"query"`
			Current struct {
				Value any `json:"value"`
			} `json:"current"`
		} `json:"list"`
	} `json:"templating"`
}

func (d dashboardJSON) allPanels() []panelJSON {
	var out []panelJSON
	for _, p := range d.Panels {
		out = append(out, p)
		out = append(out, p.Panels...)
	}
	return out
}

// loadDashboards reads the dashboards the app ships (src/dashboards, as listed in plugin.json).
func loadDashboards(t testing.TB, root string) []dashboardJSON {
	t.Helper()
	var plugin struct {
		Includes []struct {
			Type string `json:"type"`
			Path string `json:"path"`
		} `json:"includes"`
	}
	readJSON(t, filepath.Join(root, "src", "plugin.json"), &plugin)
	var out []dashboardJSON
	for _, inc := range plugin.Includes {
		if inc.Type != "dashboard" {
			continue
		}
		var d dashboardJSON
		readJSON(t, filepath.Join(root, "src", inc.Path), &d)
		out = append(out, d)
	}
	if len(out) == 0 {
		t.Fatal("plugin.json includes no dashboard")
	}
	return out
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
