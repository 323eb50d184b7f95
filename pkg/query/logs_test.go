package query

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/loki"
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
	raw := string(*lf.At(0).(*json.RawMessage))
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

// A metric LogQL query's series carry the step Loki ran it at on their time field
// (config.interval, ms), as metrics and latency series do, so Grafana's time series panel
// breaks the line across steps without lines instead of drawing it straight across them.
func TestLogsMetricSeriesCarryTheirStep(t *testing.T) {
	at := replayFrom.Add(10 * time.Minute).Unix()
	body := fmt.Sprintf(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"level":"error"},"values":[[%d,"3"],[%d,"4"]]}]}}`, at, at+60)
	logs := newStoreReplay(t, map[string]answer{"/loki/api/v1/query_range": jsonAnswer(body)})
	resp := Logs(context.Background(), replayEnv(t, logs, nil, "", ""), Request{Query: &Query{QueryType: TypeLogs, Version: 1,
		Expr: `sum by (level) (count_over_time({service_name="api"}[1m]))`}, From: replayFrom, To: replayTo, Interval: time.Minute, MaxDataPoints: 1000})
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	steps := logs.params("/loki/api/v1/query_range", "step")
	if len(steps) != 1 || len(resp.Frames) != 1 {
		t.Fatalf("steps sent %q, frames %d; want one each", steps, len(resp.Frames))
	}
	step, err := time.ParseDuration(steps[0])
	if err != nil {
		step, err = time.ParseDuration(steps[0] + "s")
	}
	if err != nil {
		t.Fatalf("step %q: %v", steps[0], err)
	}
	if tf := resp.Frames[0].Fields[0]; tf.Config == nil || tf.Config.Interval != float64(step.Milliseconds()) {
		t.Errorf("time field config %+v, want interval %d ms (the step sent, %q)", tf.Config, step.Milliseconds(), steps[0])
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

// The span link's ID filter macros are the trace query's filter stages for the data
// source's extraction rule, with the ID bare or quoted (a dashboard variable inside
// quotes); an ID that is none, or a macro without its ID, is the query's error naming the
// macro, and Loki is not asked.
func TestLogsQueryExpandsIDFilterMacros(t *testing.T) {
	ex := settings.Extraction{Mode: settings.ExtractStructuredMetadata, TraceIDKey: "trace_id", SpanIDKey: "span_id"}
	traceStage, _ := loki.TraceFilter(ex, "4bf92f3577b34da6a3ce929d0e0e4736")
	spanStage, _ := loki.SpanFilter(ex, "00f067aa0ba902b7")
	for _, tc := range []struct{ expr, want, wantErr string }{
		{expr: `{app="a"} $__traceFilter(4bf92f3577b34da6a3ce929d0e0e4736) $__spanFilter(00f067aa0ba902b7)`,
			want: `{app="a"} ` + traceStage + " " + spanStage},
		{expr: `{app="a"} $__traceFilter( "S/kvNXezTaajzpKdDg5HNg==" ) $__spanFilter(` + "`00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`" + `)`,
			want: `{app="a"} ` + traceStage + " " + spanStage},
		{expr: `{app="a"} $__spanFilter(4bf92f3577b34da6a3ce929d0e0e4736)`, wantErr: `$__spanFilter(4bf92f3577b34da6a3ce929d0e0e4736): span ID "4bf92f3577b34da6a3ce929d0e0e4736" is neither hex`},
		{expr: `{app="a"} $__traceFilter()`, wantErr: `$__traceFilter(): trace ID "" is empty`},
		{expr: `{app="a"} $__traceFilter`, wantErr: `$__traceFilter needs the ID in parentheses`},
		{expr: `{app="a"} |= "$__traceFilters"`, want: `{app="a"} |= "$__traceFilters"`},
	} {
		logs := newStoreReplay(t, map[string]answer{"/loki/api/v1/query_range": jsonAnswer(`{"status":"success","data":{"resultType":"streams","result":[]}}`)})
		env := replayEnv(t, logs, nil, "", "")
		env.Settings.Extraction = ex
		resp := Logs(context.Background(), env, Request{Query: &Query{QueryType: TypeLogs, Version: 1, Expr: tc.expr},
			From: replayFrom, To: replayTo, Interval: time.Minute, MaxDataPoints: 1000})
		got := logs.params("/loki/api/v1/query_range", "query")
		if tc.wantErr != "" {
			if resp.Error == nil || !strings.Contains(resp.Error.Error(), tc.wantErr) || len(got) != 0 {
				t.Errorf("%s: error %v, Loki asked %q; want an error saying %q", tc.expr, resp.Error, got, tc.wantErr)
			}
			continue
		}
		if resp.Error != nil {
			t.Fatalf("%s: %v", tc.expr, resp.Error)
		}
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s: query = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

// shortLoki answers query_range as a Loki whose max_query_length is maxLen: a longer
// range (as Loki measures it) is refused with Loki's plain-text 400; otherwise the lines (one every step from
// first) in [start, end), newest first up to limit, or an empty matrix for a metric
// query.
func shortLoki(t *testing.T, maxLen time.Duration, first time.Time, step time.Duration, n int) *storeReplay {
	return newStoreReplay(t, map[string]answer{"/loki/api/v1/query_range": func(r *http.Request) (int, string, string) {
		q := r.URL.Query()
		start, _ := strconv.ParseInt(q.Get("start"), 10, 64)
		end, _ := strconv.ParseInt(q.Get("end"), 10, 64)
		// Loki 3's frontend refuses a range longer than the limit as asked; its queriers
		// measure a log query's range 30 s longer and refuse it when that is longer.
		if l := time.Duration(end - start); l > maxLen {
			return 400, "text/plain; charset=utf-8", fmt.Sprintf("the query time range exceeds the limit (query length: %s, limit: %s)", l, "2h")
		}
		if l := time.Duration(end-start) + 30*time.Second; l > maxLen {
			return 400, "text/plain; charset=utf-8", fmt.Sprintf("the query time range exceeds the limit (query length: %s, limit: %s)", l, "2h")
		}
		if strings.HasPrefix(q.Get("query"), "sum(") {
			return 200, "application/json", `{"status":"success","data":{"resultType":"matrix","result":[]}}`
		}
		limit, _ := strconv.Atoi(q.Get("limit"))
		var vals []string
		for i := n - 1; i >= 0 && len(vals) < limit; i-- {
			ts := first.Add(time.Duration(i) * step).UnixNano()
			if ts >= start && ts < end {
				vals = append(vals, fmt.Sprintf(`["%d","line %d"]`, ts, i))
			}
		}
		return 200, "application/json", `{"status":"success","data":{"resultType":"streams","result":[{"stream":{"app":"a"},"values":[` + strings.Join(vals, ",") + `]}]}}`
	}})
}

// A Loki refuses a range longer than its max_query_length (30d1h by default), where
// Grafana's own Loki data source reads a long range in parts. A logs query over such a
// range reads it in parts of that length, newest first, until it has its lines: the
// newest lines of the whole range, as Loki would answer without the limit. A metric
// query still gets Loki's refusal.
func TestLogsQueryReadsARangeLongerThanLokisMaximumInParts(t *testing.T) {
	from := replayFrom
	to := from.Add(10 * time.Hour)
	// A line every 30 minutes from the start of the range: 20 lines.
	for _, tc := range []struct {
		limit int
		want  []string
	}{
		{5, []string{"line 19", "line 18", "line 17", "line 16", "line 15"}},
		{100, func() []string {
			var out []string
			for i := 19; i >= 0; i-- {
				out = append(out, fmt.Sprintf("line %d", i))
			}
			return out
		}()},
	} {
		logs := shortLoki(t, 2*time.Hour, from, 30*time.Minute, 20)
		env := replayEnv(t, logs, nil, "", "")
		resp := Logs(context.Background(), env, Request{Query: &Query{QueryType: TypeLogs, Version: 1, Expr: `{app="a"}`, Limit: tc.limit},
			From: from, To: to, Interval: time.Minute, MaxDataPoints: 1000})
		if resp.Error != nil {
			t.Fatalf("limit %d: %v", tc.limit, resp.Error)
		}
		got := fieldValues(t, resp.Frames[0], frames.LogBody)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("limit %d: lines %q, want %q", tc.limit, got, tc.want)
		}
		if tc.limit == 5 && !strings.Contains(notices(resp.Frames[0]), "truncated") {
			t.Errorf("limit 5: no truncation notice: %q", notices(resp.Frames[0]))
		}
		if tc.limit == 100 && len(warnings(resp.Frames[0])) > 0 {
			t.Errorf("limit 100: warnings %q", warnings(resp.Frames[0]))
		}
	}

	logs := shortLoki(t, 2*time.Hour, from, 30*time.Minute, 20)
	env := replayEnv(t, logs, nil, "", "")
	resp := Logs(context.Background(), env, Request{Query: &Query{QueryType: TypeLogs, Version: 1, Expr: `sum(count_over_time({app="a"}[1m]))`},
		From: from, To: to, Interval: time.Minute, MaxDataPoints: 1000})
	if resp.Error == nil || !strings.Contains(resp.Error.Error(), "exceeds the limit") {
		t.Errorf("metric query: error %v, want Loki's refusal", resp.Error)
	}
}

// Grafana's logs panel and Explore read a frame that is not a dataplane log-lines frame
// the way Grafana's own Loki data source writes it: the `labels` column holds each line's
// labels only when meta.custom.frameType is "LabeledTimeValues"
// (public/app/features/logs/legacyLogsFrame.ts). Without it the stream labels, the
// structured metadata and the parsed labels show as one JSON text field named "labels" in
// a line's details, and neither the common labels nor a line's own labels, nor Explore's
// filter-by-label buttons, are offered.
func TestLogsFrameLabelsAreTheLinesLabelsForGrafana(t *testing.T) {
	ts := replayFrom.Add(time.Minute).UnixNano()
	body := `{"status":"success","data":{"resultType":"streams","encodingFlags":["categorize-labels"],"result":[` +
		`{"stream":{"service_name":"api"},"values":[["` + itoa(ts) + `","GET /pay",{"structuredMetadata":{"trace_id":"0af7651916cd43dd8448eb211c80319c"}}]]}]}}`
	logs := newStoreReplay(t, map[string]answer{"/loki/api/v1/query_range": jsonAnswer(body)})
	resp := Logs(context.Background(), replayEnv(t, logs, nil, "", ""), Request{Query: &Query{QueryType: TypeLogs, Version: 1, Expr: `{service_name="api"}`},
		From: replayFrom, To: replayTo, Interval: time.Minute, MaxDataPoints: 1000})
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	f := resp.Frames[0]
	custom, _ := f.Meta.Custom.(map[string]any)
	if got := custom["frameType"]; got != "LabeledTimeValues" {
		t.Errorf(`meta.custom.frameType = %v, want "LabeledTimeValues" (custom: %v)`, got, custom)
	}
	if custom[frames.LensKindKey] != frames.KindLogs {
		t.Errorf("meta.custom lost its lens kind: %v", custom)
	}
	if lf, _ := f.FieldByName("labels"); lf == nil || (lf.Type() != data.FieldTypeJSON && lf.Type() != data.FieldTypeNullableJSON) {
		t.Errorf("no JSON labels column for Grafana to read")
	}
}

// The trace query's logs frame is marked as the logs query's is, so Grafana's logs panel
// (the Trace dashboard's lines) and Explore take its labels column as each line's labels.
func TestTraceLogsFrameLabelsAreTheLinesLabelsForGrafana(t *testing.T) {
	trace := &model.Trace{TraceID: windowTraceID, Spans: []model.Span{{TraceID: windowTraceID, SpanID: "00f067aa0ba902b7",
		Operation: "GET /", Service: "checkout", StartUnixNano: midnight.UnixNano(), DurationNano: int64(time.Minute)}}}
	lines := []loki.Entry{{TimeUnixNano: midnight.Add(time.Second).UnixNano(), Line: "msg=hello trace_id=" + windowTraceID}}
	lf := traceLogsFrame(t, trace, lines, settings.Extraction{Mode: settings.ExtractLogfmt, TraceIDKey: "trace_id", SpanIDKey: "span_id"})
	if lf.Rows() != 1 {
		t.Fatalf("logs frame has %d rows, want the trace's 1 line", lf.Rows())
	}
	custom, _ := lf.Meta.Custom.(map[string]any)
	if got := custom["frameType"]; got != "LabeledTimeValues" {
		t.Errorf(`meta.custom.frameType = %v, want "LabeledTimeValues" (custom: %v)`, got, custom)
	}
}
