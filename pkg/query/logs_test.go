package query

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/frames"
)

// A logs query asks Loki for categorize-labels, so a line's structured metadata and the
// labels its pipeline parsed come apart from the stream labels. Without the header Loki
// merges them into `stream` (Grafana's own Loki data source shows them as the line's
// labels). The logs frame's labels column holds only the stream labels: the `| json`
// output (status, route) and the structured metadata (detected_level, k8s pod) are lost.
func TestLogsFrameKeepsParsedAndStructuredMetadataLabels(t *testing.T) {
	ts := replayFrom.Add(time.Minute).UnixNano()
	body := `{"status":"success","data":{"resultType":"streams","encodingFlags":["categorize-labels"],"result":[` +
		`{"stream":{"service_name":"api"},"values":[["` + itoa(ts) + `","{\"status\":\"503\",\"route\":\"/pay\"}",` +
		`{"structuredMetadata":{"trace_id":"0af7651916cd43dd8448eb211c80319c","pod":"api-7d9"},"parsed":{"status":"503","route":"/pay"}}]]}]}}`
	logs := newStoreReplay(t, map[string]answer{"/loki/api/v1/query_range": jsonAnswer(body)})
	env := replayEnv(t, logs, nil, "", "")
	resp := Logs(context.Background(), env, Request{Query: &Query{QueryType: TypeLogs, Version: 1, Expr: `{service_name="api"} | json`},
		From: replayFrom, To: replayTo, Interval: time.Minute, MaxDataPoints: 1000})
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	f := resp.Frames[0]
	lf, _ := f.FieldByName(frames.LogLabels)
	if lf == nil || lf.Len() != 1 {
		t.Fatalf("no labels column / rows")
	}
	raw := string(lf.At(0).(json.RawMessage))
	for _, want := range []string{`"service_name":"api"`, `"status":"503"`, `"route":"/pay"`, `"pod":"api-7d9"`} {
		if !strings.Contains(raw, want) {
			t.Errorf("labels %s lack %s", raw, want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A metric LogQL query with Grafana's interval macro, as an alert rule sends it: the
// macro is expanded from the request (1 h range, 1 m interval) before Loki sees it.
func TestLogsQueryExpandsIntervalMacro(t *testing.T) {
	logs := newStoreReplay(t, map[string]answer{"/loki/api/v1/query_range": jsonAnswer(`{"status":"success","data":{"resultType":"matrix","result":[]}}`)})
	env := replayEnv(t, logs, nil, "", "")
	resp := Logs(context.Background(), env, Request{Query: &Query{QueryType: TypeLogs, Version: 1, Expr: `sum(count_over_time({service_name="api"}[$__interval]))`},
		From: replayFrom, To: replayTo, Interval: time.Minute, MaxDataPoints: 1000, FromAlert: true})
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	want := `sum(count_over_time({service_name="api"}[60s]))`
	if got := logs.params("/loki/api/v1/query_range", "query"); len(got) != 1 || got[0] != want {
		t.Errorf("query = %q, want %q", got, want)
	}
}

// Grafana's Loki query builder writes metric queries with `[$__auto]`, which Grafana's
// Loki data source replaces by the step of a range query. A logs query copied from it,
// or an alert rule holding one, reaches the backend with the macro in it: it must be
// the step (1 m here), not sent to Loki, which refuses it as "not a valid duration".
func TestLogsQueryExpandsAutoMacro(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{`sum(count_over_time({service_name="api"}[$__auto]))`, `sum(count_over_time({service_name="api"}[60s]))`},
		{`rate({service_name="api"}[${__auto}])`, `rate({service_name="api"}[60s])`},
		{`{service_name="api"} |= "$__autoscale"`, `{service_name="api"} |= "$__autoscale"`},
	} {
		logs := newStoreReplay(t, map[string]answer{"/loki/api/v1/query_range": jsonAnswer(`{"status":"success","data":{"resultType":"matrix","result":[]}}`)})
		env := replayEnv(t, logs, nil, "", "")
		resp := Logs(context.Background(), env, Request{Query: &Query{QueryType: TypeLogs, Version: 1, Expr: tc.expr},
			From: replayFrom, To: replayTo, Interval: time.Minute, MaxDataPoints: 1000})
		if resp.Error != nil {
			t.Fatal(resp.Error)
		}
		if got := logs.params("/loki/api/v1/query_range", "query"); len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s: query = %q, want %q", tc.expr, got, tc.want)
		}
	}
}
