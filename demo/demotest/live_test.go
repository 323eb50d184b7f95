package demotest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/demo/internal/harness"
	"github.com/latencylens/lens/demo/internal/stack"
	"github.com/latencylens/lens/pkg/e2e"
	"github.com/latencylens/lens/pkg/localstores"
	"github.com/latencylens/lens/pkg/plugin"
)

// liveStack is the demo's own stack (the one `npm run demo:local` runs), started once
// for the live tests, with the data source built from the provisioning it wrote.
type liveStack struct {
	st      *stack.Stack
	ds      backend.QueryDataHandler
	started time.Time
	// prov is the provisioning directory demo:local wrote.
	prov string
}

var (
	liveOnce sync.Once
	live     *liveStack
	liveErr  error
	liveSkip bool
)

// TestMain stops the shared live stack after the last test.
func TestMain(m *testing.M) {
	code := m.Run()
	if live != nil {
		if err := live.st.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "stop the demo stack:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// startLive starts the stack once for every live test of the package.
func startLive(t *testing.T) *liveStack {
	t.Helper()
	requireLive(t)
	liveOnce.Do(func() { live, liveErr, liveSkip = upLive(t) })
	if liveErr != nil {
		if liveSkip {
			missing(t, "demo stack: %v", liveErr)
		}
		t.Fatalf("demo stack: %v", liveErr)
	}
	return live
}

func upLive(t *testing.T) (*liveStack, error, bool) {
	root := repo(t)
	base, err := os.MkdirTemp("", "latencylens-demotest-")
	if err != nil {
		return nil, err, false
	}
	prov := filepath.Join(base, "provisioning")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	st, err := stack.Up(ctx, stack.Options{
		Repo: root, ProvisioningDir: prov, WorkDir: filepath.Join(base, "work"), Jaeger: true,
		BuildStores: false, LoadRPS: 20, SlowFraction: 0.03, Progress: os.Stderr,
	})
	if err != nil {
		var noBinary *localstores.MissingBinaryError
		skip := strings.Contains(err.Error(), "not built") || errors.Is(err, harness.ErrSkipped) || errors.As(err, &noBinary)
		return nil, err, skip
	}
	ds := provisionedDataSources(t, filepath.Join(prov, "datasources", "latency-lens-demo.yaml"))[ProvisionedUID]
	jd, err := json.Marshal(ds.JSONData)
	if err != nil {
		st.Close()
		return nil, err, false
	}
	inst, err := plugin.NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
		UID: ds.UID, Name: ds.Name, JSONData: jd,
	})
	if err != nil {
		st.Close()
		return nil, err, false
	}
	return &liveStack{st: st, ds: inst.(backend.QueryDataHandler), started: time.Now(), prov: prov}, nil, false
}

// query runs one query model through QueryData.
func (l *liveStack) query(t *testing.T, model map[string]any, from, to time.Time, interval time.Duration, maxPoints int64, headers map[string]string) backend.DataResponse {
	t.Helper()
	raw, err := json.Marshal(model)
	if err != nil {
		t.Fatal(err)
	}
	refID := fmt.Sprint(model["refId"])
	qt, _ := model["queryType"].(string)
	resp, err := l.ds.QueryData(context.Background(), &backend.QueryDataRequest{
		Headers: headers,
		Queries: []backend.DataQuery{{
			RefID: refID, QueryType: qt, JSON: raw, TimeRange: backend.TimeRange{From: from, To: to},
			Interval: interval, MaxDataPoints: maxPoints,
		}},
	})
	if err != nil {
		t.Fatalf("QueryData: %v", err)
	}
	return resp.Responses[refID]
}

// problems lists what makes a response not "data without error": the response's error,
// an error notice on any frame, or no row at all.
func problems(r backend.DataResponse) []string {
	var out []string
	if r.Error != nil {
		out = append(out, "error: "+r.Error.Error())
	}
	rows := 0
	for _, f := range r.Frames {
		rows += rowsOf(f)
		if f.Meta == nil {
			continue
		}
		for _, n := range f.Meta.Notices {
			if n.Severity == data.NoticeSeverityError {
				out = append(out, fmt.Sprintf("frame %q: %s", f.Name, n.Text))
			}
		}
	}
	if rows == 0 && r.Error == nil {
		out = append(out, fmt.Sprintf("no data (%d frames, no rows)", len(r.Frames)))
	}
	return out
}

func rowsOf(f *data.Frame) int {
	if len(f.Fields) == 0 {
		return 0
	}
	return f.Fields[0].Len()
}

var varRef = regexp.MustCompile(`\$\{(\w+)\}|\$(\w+)`)

// interpolate replaces dashboard variables in every string of a query model, as
// Grafana does before the query reaches the data source.
func interpolate(v any, vars map[string]string) any {
	switch x := v.(type) {
	case string:
		return varRef.ReplaceAllStringFunc(x, func(m string) string {
			s := varRef.FindStringSubmatch(m)
			name := s[1] + s[2]
			if val, ok := vars[name]; ok {
				return val
			}
			return m
		})
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = interpolate(e, vars)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = interpolate(e, vars)
		}
		return out
	default:
		return v
	}
}

// dashboardVars are the values the test gives each dashboard variable: the defaults
// the dashboards ship with, and a real producer→consumer trace for $traceId.
func (l *liveStack) dashboardVars(t *testing.T, dashboards []dashboardJSON) map[string]string {
	t.Helper()
	vars := map[string]string{"datasource": ProvisionedUID}
	for _, d := range dashboards {
		for _, v := range d.Templating.List {
			if s, ok := v.Current.Value.(string); ok && s != "" && v.Name != "datasource" {
				vars[v.Name] = s
			}
		}
	}
	vars["traceId"] = l.producerTrace(t)
	return vars
}

// producerTrace waits for a message the consumer has processed at least 15 s ago (so
// both stores have it) and returns its trace ID.
func (l *liveStack) producerTrace(t *testing.T) string {
	t.Helper()
	path := filepath.Join(l.st.WorkDir, "seed", "consumer.jsonl")
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if f, err := os.Open(path); err == nil {
			sc := bufio.NewScanner(f)
			var first struct {
				TraceID      string `json:"traceId"`
				TimeUnixNano int64  `json:"timeUnixNano"`
			}
			ok := sc.Scan() && json.Unmarshal(sc.Bytes(), &first) == nil && first.TraceID != ""
			f.Close()
			if ok && time.Since(time.Unix(0, first.TimeUnixNano)) > 15*time.Second {
				return first.TraceID
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no processed message in %s after 2m", path)
		}
		time.Sleep(time.Second)
	}
}

// eventually retries f until it returns no problem or timeout passes.
func eventually(timeout time.Duration, f func() []string) []string {
	deadline := time.Now().Add(timeout)
	for {
		p := f()
		if len(p) == 0 || time.Now().After(deadline) {
			return p
		}
		time.Sleep(5 * time.Second)
	}
}

// panelWindow is the time range a dashboard panel's query runs over in these tests: the
// last 15 minutes, or, for a query that looks an hour back ("offset 1h"), the 15 minutes
// an hour ahead, so that it sees the demo's data.
func panelWindow(model map[string]any) (from, to time.Time) {
	to = time.Now()
	if expr, _ := model["expr"].(string); strings.Contains(expr, "offset 1h") {
		to = to.Add(time.Hour)
	}
	return to.Add(-15 * time.Minute), to
}

func TestLiveEveryDashboardAndAlertQueryReturnsData(t *testing.T) {
	l := startLive(t)
	root := repo(t)
	dashboards := loadDashboards(t, root)
	vars := l.dashboardVars(t, dashboards)
	t.Logf("variables: %v", vars)

	for _, d := range dashboards {
		for _, p := range d.allPanels() {
			for _, target := range p.Targets {
				model := interpolate(target, vars).(map[string]any)
				name := fmt.Sprintf("%s/%s/%v", d.Title, p.Title, target["refId"])
				t.Run(name, func(t *testing.T) {
					got := eventually(4*time.Minute, func() []string {
						from, to := panelWindow(model)
						return problems(l.query(t, model, from, to, 15*time.Second, 500, nil))
					})
					if len(got) > 0 {
						t.Errorf("%s: %s\nquery: %v", name, strings.Join(got, "; "), model)
					}
				})
			}
		}
	}
	for _, rp := range rulePlans(t, filepath.Join(root, "provisioning", "alerting", "latency-lens.yaml")) {
		t.Run("alert/"+rp.Rule.Title, func(t *testing.T) {
			got := eventually(4*time.Minute, func() []string {
				return problems(l.alertQuery(t, rp))
			})
			if len(got) > 0 {
				t.Errorf("%s", strings.Join(got, "; "))
			}
		})
	}
}

// The Service latency dashboard's "Over the time range" stat reads the latency query's
// summary frame: with the provisioned data source each figure it keeps (requests,
// throughput, mean, error rate) is a number, and the error rate counts the 5xx answers
// the background load asks for (2 % of its requests), which the web app's histogram
// labels with its status.
func TestLiveSummaryStatShowsEveryFigure(t *testing.T) {
	l := startLive(t)
	dashboards := loadDashboards(t, repo(t))
	vars := map[string]string{"datasource": ProvisionedUID}
	for _, v := range dashboards[0].Templating.List {
		if s, ok := v.Current.Value.(string); ok && v.Name != "datasource" {
			vars[v.Name] = s
		}
	}
	var panel *panelJSON
	for _, d := range dashboards {
		for _, p := range d.allPanels() {
			if d.UID == "latencylens-service-latency" && p.Title == "Over the time range" {
				panel = &p
			}
		}
	}
	if panel == nil || len(panel.Targets) != 1 || len(panel.Transformations) != 1 {
		t.Fatal("the Service latency dashboard has no \"Over the time range\" panel with one query and its field filter")
	}
	include, _ := panel.Transformations[0].Options["include"].(map[string]any)
	names, _ := include["names"].([]any)
	if panel.Transformations[0].ID != "filterFieldsByName" || len(names) == 0 {
		t.Fatalf("the panel's transformation %+v does not name the fields it keeps", panel.Transformations[0])
	}
	model := interpolate(panel.Targets[0], vars).(map[string]any)
	var got map[string]any
	p := eventually(4*time.Minute, func() []string {
		to := time.Now()
		r := l.query(t, model, to.Add(-5*time.Minute), to, 15*time.Second, 500, nil)
		if r.Error != nil {
			return []string{r.Error.Error()}
		}
		got = map[string]any{}
		for _, f := range r.Frames {
			for _, fd := range f.Fields {
				if fd.Len() == 1 {
					v, ok := fd.ConcreteAt(0)
					if !ok {
						v = nil
					}
					got[fd.Name] = v
				}
			}
		}
		var out []string
		for _, n := range names {
			x, ok := got[fmt.Sprint(n)].(float64)
			if !ok || math.IsNaN(x) || math.IsInf(x, 0) {
				out = append(out, fmt.Sprintf("%v is %v, not a number", n, got[fmt.Sprint(n)]))
			}
		}
		if c, _ := got["count"].(float64); c < 1000 {
			out = append(out, fmt.Sprintf("count %v: the load has not run long enough", got["count"]))
		}
		return out
	})
	if len(p) > 0 {
		t.Fatalf("%s: %s (fields %v)", panel.Title, strings.Join(p, "; "), got)
	}
	// 2 % of at least a thousand requests: the share lies well inside (0.5 %, 5 %).
	if e := got["errorRate"].(float64); e < 0.005 || e > 0.05 {
		t.Errorf("error rate %v, want about 0.02 (the load's share of 5xx answers)", e)
	}
}

// The dashboards' data source variable offers every provisioned Latency Lens data source,
// the one with Tempo and the one with Jaeger: on each, every panel's query answers without
// an error and without a warning (a notice Grafana shows in the panel's header, such as
// one saying the traces listed are not the newest).
func TestLiveDashboardsOnEveryProvisionedDataSource(t *testing.T) {
	l := startLive(t)
	root := repo(t)
	dashboards := loadDashboards(t, root)
	vars := l.dashboardVars(t, dashboards)
	provisioned := provisionedDataSources(t, filepath.Join(root, "provisioning", "datasources", "latency-lens.yaml"))
	written := provisionedDataSources(t, filepath.Join(l.prov, "datasources", "latency-lens-demo.yaml"))
	if len(provisioned) < 2 {
		t.Fatalf("%d provisioned data sources, want the Tempo and the Jaeger one", len(provisioned))
	}
	for uid := range provisioned {
		ds, ok := written[uid]
		if !ok {
			t.Fatalf("demo:local did not write the data source %s", uid)
		}
		jd, err := json.Marshal(ds.JSONData)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := plugin.NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: ds.UID, Name: ds.Name, JSONData: jd})
		if err != nil {
			t.Fatal(err)
		}
		on := &liveStack{st: l.st, ds: inst.(backend.QueryDataHandler), started: l.started, prov: l.prov}
		for _, d := range dashboards {
			for _, p := range d.allPanels() {
				for _, target := range p.Targets {
					vars["datasource"] = uid
					model := interpolate(target, vars).(map[string]any)
					name := fmt.Sprintf("%s/%s/%s/%v", uid, d.Title, p.Title, target["refId"])
					t.Run(name, func(t *testing.T) {
						got := eventually(4*time.Minute, func() []string {
							from, to := panelWindow(model)
							r := on.query(t, model, from, to, 15*time.Second, 500, nil)
							out := append(problems(r), warnings(r)...)
							if model["queryType"] == "search" {
								// More traces match than the panel lists, as on any busy service.
								few := maps.Clone(model)
								few["limit"] = 1
								r := on.query(t, few, from, to, 15*time.Second, 500, nil)
								for _, w := range warnings(r) {
									out = append(out, "with more matches than its limit: "+w)
								}
							}
							return out
						})
						if len(got) > 0 {
							t.Errorf("%s: %s\nquery: %v", name, strings.Join(got, "; "), model)
						}
					})
				}
			}
		}
	}
}

// warnings lists the warning notices of a response's frames.
func warnings(r backend.DataResponse) []string {
	var out []string
	for _, f := range r.Frames {
		if f.Meta == nil {
			continue
		}
		for _, n := range f.Meta.Notices {
			if n.Severity == data.NoticeSeverityWarning {
				out = append(out, fmt.Sprintf("frame %q warns: %s", f.Name, n.Text))
			}
		}
	}
	return out
}

// alertQuery runs a rule's data source query the way Grafana's alerting does: its
// relative time range, its interval and max data points, and the FromAlert header.
func (l *liveStack) alertQuery(t *testing.T, rp rulePlan) backend.DataResponse {
	t.Helper()
	now := time.Now()
	from := now.Add(-time.Duration(rp.Query.RelativeTimeRange.From) * time.Second)
	to := now.Add(-time.Duration(rp.Query.RelativeTimeRange.To) * time.Second)
	interval := time.Duration(toFloat(rp.Query.Model["intervalMs"])) * time.Millisecond
	if interval <= 0 {
		interval = time.Minute
	}
	maxPoints := int64(toFloat(rp.Query.Model["maxDataPoints"]))
	model := map[string]any{}
	for k, v := range rp.Query.Model {
		model[k] = v
	}
	model["refId"] = rp.Query.RefID
	return l.query(t, model, from, to, interval, maxPoints, map[string]string{"FromAlert": "true"})
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	default:
		return 0
	}
}

// reduced is what Grafana's reduce expression makes of a response: one number per
// series (here `last` with drop-non-numeric), keyed by the series' labels. It fails on
// any frame that is not a time series with exactly one number field, except the typed
// "no data" answer (one timeseries-multi frame without fields: no series, NoData).
func reduced(t *testing.T, r backend.DataResponse, rp rulePlan) map[string]float64 {
	t.Helper()
	if r.Error != nil {
		t.Fatalf("%s: %v", rp.Rule.Title, r.Error)
	}
	if rp.Reducer != "last" || rp.Mode != "dropNN" {
		t.Fatalf("%s: this check knows reduce last/dropNN, not %s/%s", rp.Rule.Title, rp.Reducer, rp.Mode)
	}
	out := map[string]float64{}
	if len(r.Frames) == 1 && len(r.Frames[0].Fields) == 0 && r.Frames[0].Meta != nil &&
		r.Frames[0].Meta.Type == data.FrameTypeTimeSeriesMulti {
		return out
	}
	for _, f := range r.Frames {
		var times, numbers []*data.Field
		for _, fd := range f.Fields {
			switch {
			case fd.Type().Time():
				times = append(times, fd)
			case fd.Type().Numeric():
				numbers = append(numbers, fd)
			default:
				t.Fatalf("%s: frame %q has a %s field %q; alerting wants time + one number", rp.Rule.Title, f.Name, fd.Type(), fd.Name)
			}
		}
		if len(times) != 1 || len(numbers) != 1 {
			t.Fatalf("%s: frame %q has %d time and %d number fields; alerting wants one of each", rp.Rule.Title, f.Name, len(times), len(numbers))
		}
		if unit := numbers[0].Config; unit == nil || unit.Unit != "ms" {
			t.Fatalf("%s: values are not in ms (config %+v) but the threshold %v is", rp.Rule.Title, unit, rp.Threshold)
		}
		key := numbers[0].Labels.String()
		if _, dup := out[key]; dup {
			t.Fatalf("%s: two series with labels %s; reduce needs them distinct", rp.Rule.Title, key)
		}
		last := math.NaN()
		for i := 0; i < numbers[0].Len(); i++ {
			if v, ok := numbers[0].ConcreteAt(i); ok {
				if x, ok := toF64(v); ok && !math.IsNaN(x) && !math.IsInf(x, 0) {
					last = x
				}
			}
		}
		if !math.IsNaN(last) {
			out[key] = last
		}
	}
	return out
}

func toF64(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

func above(m map[string]float64, threshold float64) []string {
	var out []string
	for k, v := range m {
		if v > threshold {
			out = append(out, fmt.Sprintf("%s=%.0f", k, v))
		}
	}
	sort.Strings(out)
	return out
}

// rangeWindow finds the range windows (`[20s]`) of a PromQL expression.
var rangeWindow = regexp.MustCompile(`\[([0-9][0-9a-z]*)\]`)

// A rule is evaluated once per its group's interval (a minute) on its query's last
// point: the histogram rules' p99 is histogram_quantile over rates whose window must span
// that interval, or the requests between two windows are never looked at (at a 20 s
// window and a 1 m interval, two thirds of them).
func TestLiveHistogramAlertRulesReadEveryMinute(t *testing.T) {
	l := startLive(t)
	path := filepath.Join(repo(t), "provisioning", "alerting", "latency-lens.yaml")
	every := map[string]time.Duration{} // rule UID → its group's evaluation interval
	for _, g := range loadAlerting(t, path).Groups {
		d, err := time.ParseDuration(g.Interval)
		if err != nil {
			t.Fatalf("group %s: interval %q: %v", g.Name, g.Interval, err)
		}
		for _, r := range g.Rules {
			every[r.UID] = d
		}
	}
	checked := 0
	for _, rp := range rulePlans(t, path) {
		if rp.Query.Model["source"] != "histogram" {
			continue
		}
		checked++
		var executed []string
		if p := eventually(4*time.Minute, func() []string {
			executed = nil
			r := l.alertQuery(t, rp)
			for _, f := range r.Frames {
				if f.Meta != nil && f.Meta.ExecutedQueryString != "" {
					executed = append(executed, f.Meta.ExecutedQueryString)
				}
			}
			if len(executed) == 0 {
				return append(problems(r), "no frame says what it ran")
			}
			return nil
		}); len(p) > 0 {
			t.Fatalf("%s: %v", rp.Rule.Title, p)
		}
		for _, q := range executed {
			ws := rangeWindow.FindAllStringSubmatch(q, -1)
			if len(ws) == 0 {
				t.Errorf("%s ran %s, which has no range window", rp.Rule.Title, q)
			}
			for _, w := range ws {
				if d, err := time.ParseDuration(w[1]); err != nil || d < every[rp.Rule.UID] {
					t.Errorf("%s ran %s: its window %s is shorter than the %s between evaluations", rp.Rule.Title, q, w[1], every[rp.Rule.UID])
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no histogram alert rule")
	}
}

// The alert rules' queries reduce to one number per series; under the demo's normal
// load the histogram rule stays below its threshold, and with the load driver's slow
// tail turned up every rule crosses it.
func TestLiveAlertRulesShapeAndSlowTail(t *testing.T) {
	l := startLive(t)
	root := repo(t)
	plans := rulePlans(t, filepath.Join(root, "provisioning", "alerting", "latency-lens.yaml"))

	for _, rp := range plans {
		var vals map[string]float64
		if p := eventually(4*time.Minute, func() []string {
			vals = reduced(t, l.alertQuery(t, rp), rp)
			if len(vals) == 0 {
				return []string{"no series with a number"}
			}
			return nil
		}); len(p) > 0 {
			t.Fatalf("%s under normal load: %v", rp.Rule.Title, p)
		}
		t.Logf("%s under normal load: %v", rp.Rule.Title, vals)
		if rp.Query.Model["source"] == "histogram" {
			if hot := above(vals, rp.Threshold); len(hot) > 0 {
				t.Errorf("%s fires under the normal load (3%% slow): %v > %v", rp.Rule.Title, hot, rp.Threshold)
			}
		}
	}

	// Turn the slow tail up: 30 % of requests around 3 s, for two minutes, on top of
	// the background load.
	python, seedDir := e2e.SeedPython(t)
	webBase := strings.TrimSuffix(l.st.WebApp, "/metrics")
	out := filepath.Join(t.TempDir(), "slow-tail.json")
	cmd := exec.Command(python, filepath.Join(seedDir, "loadgen.py"), "--url", webBase, "--requests", "2400",
		"--rate", "20", "--concurrency", "64", "--seed", "7", "--slow-fraction", "0.3", "--slow-median-ms", "3000",
		"--out", out)
	cmd.Dir = seedDir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("slow-tail load: %v\n%s", err, b)
	}
	for _, rp := range plans {
		var vals map[string]float64
		p := eventually(3*time.Minute, func() []string {
			vals = reduced(t, l.alertQuery(t, rp), rp)
			if len(above(vals, rp.Threshold)) == 0 {
				return []string{fmt.Sprintf("no series above %v: %v", rp.Threshold, vals)}
			}
			return nil
		})
		if len(p) > 0 {
			t.Errorf("%s with the slow tail turned up: %v", rp.Rule.Title, p)
		} else {
			t.Logf("%s with the slow tail: above %v: %v", rp.Rule.Title, rp.Threshold, above(vals, rp.Threshold))
		}
	}
}
