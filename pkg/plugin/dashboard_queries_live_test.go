package plugin

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/testenv"
)

// dashboardExpr returns the PromQL of the bundled dashboard's panel with this title,
// with the dashboard variables $metric and $service filled in.
func dashboardExpr(t *testing.T, file, title, metric, service string) string {
	t.Helper()
	raw, err := os.ReadFile("../../src/dashboards/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Panels {
		if p.Title == title && len(p.Targets) == 1 {
			r := strings.NewReplacer("${metric}", metric, "$metric", metric, "$service", service)
			return r.Replace(p.Targets[0].Expr)
		}
	}
	t.Fatalf("%s has no panel %q with one query", file, title)
	return ""
}

// TestErrorRateByRouteKeepsRoutesWithoutErrors: the Service latency dashboard's error
// rate per route, run by the plugin against Debian's Prometheus: a route that answered no
// 5xx in the range is a line at 0, not missing (a division whose numerator has no series
// for the route gives none).
func TestErrorRateByRouteKeepsRoutesWithoutErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Prometheus")
	}
	end := time.Now().Truncate(time.Minute).Add(-10 * time.Minute)
	start := end.Add(-30 * time.Minute)
	var b strings.Builder
	b.WriteString("# TYPE lens_dash_seconds histogram\n")
	// /pay: 10 requests a minute, 1 of them a 5xx; /cart: 10 a minute, never a 5xx.
	series := []struct {
		route, status string
		perMin        float64
	}{{"/pay", "200", 9}, {"/pay", "503", 1}, {"/cart", "200", 10}}
	for _, s := range series {
		for ts := start; !ts.After(end); ts = ts.Add(15 * time.Second) {
			n := s.perMin * ts.Sub(start).Minutes()
			fmt.Fprintf(&b, "lens_dash_seconds_count{service=\"shop\",route=%q,status=%q} %g %d\n", s.route, s.status, n, ts.Unix())
		}
	}
	b.WriteString("# EOF\n")
	prom := testenv.StartPrometheus(t, testenv.PrometheusOptions{Features: []string{}, Backfill: b.String()})
	ds := newTestDatasource(t, settingsJSON("", "tempo", "", prom.URL, ""))

	expr := dashboardExpr(t, "service-latency.json", "Error rate by route", "lens_dash_seconds", "shop")
	res := queryOne(t, ds, nil, start.Add(5*time.Minute), end, map[string]any{"queryType": "metrics", "version": 1, "expr": expr})
	if res.Error != nil {
		t.Fatalf("%s: %v", expr, res.Error)
	}
	got := map[string]float64{}
	for _, f := range res.Frames {
		if len(f.Fields) == 2 && f.Fields[1].Labels["route"] != "" {
			got[f.Fields[1].Labels["route"]] = lastValue(t, f)
		}
	}
	if len(got) != 2 || got["/cart"] != 0 || got["/pay"] < 0.09 || got["/pay"] > 0.11 {
		t.Errorf("error rate by route %v, want /pay 0.1 and /cart 0 (query %s)", got, expr)
	}
}
