package query

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/frames"
)

func TestSplitUnwrap(t *testing.T) {
	tests := []struct {
		name                        string
		in                          string
		pipeline, conv, label, post string
		wantErr                     string
	}{
		{name: "plain label", in: `{app="x"} | json | unwrap latency_ms`,
			pipeline: `{app="x"} | json`, label: "latency_ms"},
		{name: "post-unwrap error filter", in: `{app="x"} | logfmt | unwrap latency_ms | __error__=""`,
			pipeline: `{app="x"} | logfmt`, label: "latency_ms", post: `| __error__=""`},
		{name: "duration conversion", in: `{app="x"} | logfmt | unwrap duration(latency) | __error__=""`,
			pipeline: `{app="x"} | logfmt`, conv: "duration", label: "latency", post: `| __error__=""`},
		{name: "duration_seconds conversion with spaces", in: `{app="x"} | logfmt | unwrap duration_seconds ( took )`,
			pipeline: `{app="x"} | logfmt`, conv: "duration_seconds", label: "took"},
		{name: "bytes conversion, two filters", in: `{app="x"} | json | unwrap bytes(size) | __error__="" | status="200"`,
			pipeline: `{app="x"} | json`, conv: "bytes", label: "size", post: `| __error__="" | status="200"`},
		{name: "no space after the pipe", in: `{app="x"} | json |unwrap d`,
			pipeline: `{app="x"} | json`, label: "d"},
		{name: "unwrap inside a string is text", in: "{app=\"x\"} |= \"| unwrap fake\" |= `| unwrap raw` | json | unwrap d",
			pipeline: "{app=\"x\"} |= \"| unwrap fake\" |= `| unwrap raw` | json", label: "d"},
		{name: "escaped quote inside a string", in: `{app="x"} |= "a\" | unwrap b" | json | unwrap d`,
			pipeline: `{app="x"} |= "a\" | unwrap b" | json`, label: "d"},
		{name: "a label named like the keyword", in: `{app="x"} | json | unwrapped="1" | unwrap d`,
			pipeline: `{app="x"} | json | unwrapped="1"`, label: "d"},
		{name: "empty", in: "  ", wantErr: "need a LogQL selector and a field to unwrap"},
		{name: "no unwrap", in: `{app="x"} | json`, wantErr: "has no `| unwrap <label>` stage"},
		{name: "whole metric query", in: `quantile_over_time(0.9, {app="x"} | unwrap d [1m])`, wantErr: "does not start with a stream selector"},
		{name: "range written", in: `{app="x"} | unwrap d [1m]`, wantErr: "is not a pipeline stage"},
		{name: "range after a filter", in: `{app="x"} | unwrap d | __error__="" [1m]`, wantErr: "holds a range"},
		{name: "unknown conversion", in: `{app="x"} | unwrap seconds(d)`, wantErr: `unwrap conversion "seconds" is not one of`},
		{name: "conversion without )", in: `{app="x"} | unwrap duration(d`, wantErr: "has no `)`"},
		{name: "no label", in: `{app="x"} | unwrap `, wantErr: "names no label"},
		{name: "bad label in conversion", in: `{app="x"} | unwrap duration(a b)`, wantErr: `"a b" is not a LogQL label name`},
		{name: "two unwraps", in: `{app="x"} | unwrap a | unwrap b`, wantErr: "unwraps more than once"},
		{name: "unterminated string", in: `{app="x} | unwrap a`, wantErr: "does not end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := splitUnwrap(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.expr != strings.TrimSpace(tt.in) || u.pipeline != tt.pipeline || u.conv != tt.conv || u.label != tt.label || u.post != tt.post {
				t.Fatalf("got %+v", u)
			}
		})
	}
}

func TestLogUnwrapValueConvertsAsLokiDoes(t *testing.T) {
	tests := []struct {
		conv, in string
		want     float64
		ok       bool
	}{
		{convNone, "12.5", 12.5, true},
		{convNone, "1e3", 1000, true},
		{convNone, "250ms", 0, false}, // no conversion: a float or nothing
		{convNone, "", 0, false},
		{convDuration, "250ms", 0.25, true},
		{convDuration, "1m30s", 90, true},
		{convDurationSeconds, "1.5s", 1.5, true},
		{convDuration, "250", 0, false}, // a duration needs a unit
		{convBytes, "42", 42, true},
		{convBytes, "5 MiB", 5 << 20, true},
		{convBytes, "3k", 3000, true},
		{convBytes, "1,024 kB", 1024000, true},
		{convBytes, "1.5KiB", 1536, true},
		{convBytes, "2 parsecs", 0, false},
		{convBytes, "-5", 0, false},
		{convBytes, "100 EiB", 0, false}, // beyond 2^64 bytes
	}
	for _, tt := range tests {
		got, ok := logUnwrap{conv: tt.conv}.value(tt.in)
		if ok != tt.ok || (ok && math.Abs(got-tt.want) > 1e-9) {
			t.Errorf("%s(%q) = %v %v, want %v %v", tt.conv, tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLogUnwrapScale(t *testing.T) {
	tests := []struct {
		conv, unit string
		want       float64
		wantErr    bool
	}{
		{convNone, "", 1, false},
		{convNone, "s", 1e3, false},
		{convBytes, "", 1, false},
		{convDuration, "", 1e3, false},
		{convDuration, "s", 1e3, false},
		{convDurationSeconds, "ms", 0, true},
		{convNone, "minutes", 0, true},
	}
	for _, tt := range tests {
		got, err := logUnwrap{conv: tt.conv, label: "d"}.scaleToMs(tt.unit)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%q unit %q: %v %v", tt.conv, tt.unit, got, err)
		}
	}
}

// lokiLatencyReplay answers metric queries with one series (0.5 of the unwrapped unit at
// every step) and log queries with lines in Loki 3's categorize-labels encoding.
func lokiLatencyReplay(t *testing.T, lines string) *storeReplay {
	return newStoreReplay(t, map[string]answer{
		"/loki/api/v1/query_range": func(r *http.Request) (int, string, string) {
			if strings.HasPrefix(r.URL.Query().Get("query"), "quantile_over_time(") {
				return 200, "application/json", `{"status":"success","data":{"resultType":"matrix","result":[
					{"metric":{},"values":[[1700000060,"0.5"],[1700000120,"0.5"]]}]}}`
			}
			return 200, "application/json", `{"status":"success","data":{"resultType":"streams","encodingFlags":["categorize-labels"],"result":[
				{"stream":{"app":"x"},"values":` + lines + `}]}}`
		},
	})
}

func TestLatencyFromLogsSendsTheUnwrapAsWritten(t *testing.T) {
	// One line per way Loki hands over the value: a parsed label, structured metadata,
	// and a value the conversion refuses (dropped, as `__error__=""` does). A value only
	// in the line's text is not a label, so Loki's unwrap and the values read here skip it.
	lines := `[
		["1700000010000000000","level=info latency=250ms",{"parsed":{"latency":"250ms"}}],
		["1700000020000000000","level=info",{"structuredMetadata":{"latency":"1.5s"}}],
		["1700000025000000000","level=info latency=9s",{}],
		["1700000030000000000","level=info latency=oops",{"parsed":{"latency":"oops"}}]]`
	tests := []struct {
		name      string
		q         Query
		wantQuery string
		wantLog   string
		wantP50   float64 // ms
		wantCount float64
		wantMean  float64 // ms
	}{
		{
			name:      "code: duration conversion and a post-unwrap filter",
			q:         Query{EditorMode: ModeCode, Expr: `{app="x"} | logfmt | unwrap duration(latency) | __error__=""`},
			wantQuery: `quantile_over_time(0.5, {app="x"} | logfmt | unwrap duration(latency) | __error__="" [60s]) by ()`,
			wantLog:   `{app="x"} | logfmt | __error__=""`,
			wantP50:   500, wantCount: 2, wantMean: 875,
		},
		{
			name:      "code: duration_seconds, grouped",
			q:         Query{EditorMode: ModeCode, Expr: `{app="x"} | logfmt | unwrap duration_seconds(latency)`, GroupBy: []string{"app"}},
			wantQuery: `quantile_over_time(0.5, {app="x"} | logfmt | unwrap duration_seconds(latency) [60s]) by (app)`,
			wantLog:   `{app="x"} | logfmt`,
			wantP50:   500, wantCount: 2, wantMean: 875,
		},
		{
			name:      "code: plain label keeps its error filter",
			q:         Query{EditorMode: ModeCode, Expr: `{app="x"} | logfmt | unwrap latency_ms | __error__=""`, ValueUnit: "s"},
			wantQuery: `quantile_over_time(0.5, {app="x"} | logfmt | unwrap latency_ms | __error__="" [60s]) by ()`,
			wantLog:   `{app="x"} | logfmt | __error__=""`,
			wantP50:   500, wantCount: 0, wantMean: math.NaN(), // no line carries latency_ms
		},
		{
			name: "builder: service stream and field",
			q:    Query{EditorMode: "builder", Service: "api", LogField: "latency"},
			// "250ms" is not a number without duration(): Loki would fail the whole metric
			// query on it without the error filter the builder adds.
			wantQuery: `quantile_over_time(0.5, {service_name="api"} | unwrap latency | __error__="" [60s]) by ()`,
			wantLog:   `{service_name="api"} | __error__=""`,
			wantP50:   0.5, wantCount: 0, wantMean: math.NaN(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lk := lokiLatencyReplay(t, lines)
			env := replayEnv(t, lk, nil, "", "")
			q := tt.q
			q.Source, q.Percentiles = SourceLogs, []float64{0.5}
			res := Latency(context.Background(), env, latencyRequest(&q))
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			var metric, logq []string
			for _, s := range lk.params("/loki/api/v1/query_range", "query") {
				if strings.HasPrefix(s, "quantile_over_time(") {
					metric = append(metric, s)
				} else {
					logq = append(logq, s)
				}
			}
			if len(metric) != 1 || metric[0] != tt.wantQuery {
				t.Errorf("metric queries %q, want %q", metric, tt.wantQuery)
			}
			if len(logq) != 1 || logq[0] != tt.wantLog {
				t.Errorf("log queries %q, want %q", logq, tt.wantLog)
			}
			p := framesOfKind(res.Frames, frames.KindPercentile)
			if len(p) != 1 {
				t.Fatalf("%d percentile frames", len(p))
			}
			v, _ := p[0].FieldByName(frames.PercentileValue)
			if got := v.At(v.Len() - 1).(float64); math.Abs(got-tt.wantP50) > 1e-9 {
				t.Errorf("p50 %v ms, want %v", got, tt.wantP50)
			}
			count, mean := summaryOf(t, res.Frames)
			if count != tt.wantCount || (math.IsNaN(tt.wantMean) != math.IsNaN(mean)) || (!math.IsNaN(mean) && math.Abs(mean-tt.wantMean) > 1e-9) {
				t.Errorf("summary count %v mean %v ms, want %v %v", count, mean, tt.wantCount, tt.wantMean)
			}
		})
	}
}

func TestLatencyFromLogsRefusesBadUnwrapsWithoutCallingLoki(t *testing.T) {
	tests := []struct {
		name    string
		q       Query
		wantErr string
	}{
		{"unit contradicts duration()", Query{EditorMode: ModeCode, Expr: `{app="x"} | logfmt | unwrap duration(latency)`, ValueUnit: "ms"},
			`duration(latency) gives seconds, but valueUnit is "ms"`},
		{"range in code", Query{EditorMode: ModeCode, Expr: `{app="x"} | unwrap d [5m]`}, "is not a pipeline stage"},
		{"builder selector that unwraps", Query{EditorMode: "builder", LogSelector: `{app="x"} | unwrap d`, LogField: "d"},
			"already has an unwrap stage"},
		{"builder field that is not a label", Query{EditorMode: "builder", Service: "a", LogField: "duration(d)"},
			`"duration(d)" is not a LogQL label name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lk := lokiLatencyReplay(t, `[]`)
			q := tt.q
			q.Source = SourceLogs
			res := Latency(context.Background(), replayEnv(t, lk, nil, "", ""), latencyRequest(&q))
			if res.Error == nil || !strings.Contains(res.Error.Error(), tt.wantErr) || res.Status != backend.StatusBadRequest {
				t.Fatalf("%v %v, want a 400 containing %q", res.Status, res.Error, tt.wantErr)
			}
			if n := lk.calls(); n != 0 {
				t.Errorf("Loki was called %d times", n)
			}
		})
	}
}

func FuzzSplitUnwrap(f *testing.F) {
	f.Add(`{app="x"} | logfmt | unwrap duration(latency) | __error__=""`)
	f.Add("{a=\"|\"} |= `| unwrap` | unwrap bytes ( b ) | x=\"[\"")
	f.Add(`{a="b"} | unwrap d [1m]`)
	f.Fuzz(func(t *testing.T, expr string) {
		u, err := splitUnwrap(expr)
		if err != nil {
			return
		}
		if u.label == "" || !strings.Contains(u.expr, u.label) || !strings.HasPrefix(u.expr, u.pipeline) {
			t.Fatalf("%q split into %+v", expr, u)
		}
		if _, err := u.scaleToMs(""); err != nil {
			t.Fatal(err)
		}
	})
}
