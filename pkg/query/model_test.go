package query

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, qt, json string
		wantErr        string
		check          func(*Query) bool
	}{
		{"version defaults to 1", "trace", `{"traceId":"ab"}`, "", func(q *Query) bool { return q.Version == 1 && q.TraceID == "ab" && on(q.IncludeLogs) }},
		{"queryType from JSON", "", `{"queryType":"metrics","expr":" up "}`, "", func(q *Query) bool { return q.QueryType == TypeMetrics && q.Expr == "up" }},
		{"flags", "latency", `{"version":1,"cdf":false,"percentiles":[0.9]}`, "", func(q *Query) bool { return !on(q.CDF) && on(q.Summary) && q.Percentiles[0] == 0.9 }},
		{"newer version", "trace", `{"version":2}`, "newer than this backend", nil},
		{"unknown type", "flame", `{"version":1}`, `unknown queryType "flame"`, nil},
		{"version 1 is not upgraded", "metrics", `{"version":1,"query":"up"}`, "", func(q *Query) bool { return q.Expr == "" }},
		{"version 1 percentiles are numbers", "latency", `{"version":1,"percentiles":"0.5"}`, "not valid", nil},
		{"trailing data", "trace", `{"version":1} {}`, "not valid", nil},
		{"trailing data, version 0", "trace", `{} x`, "not valid", nil},
		{"bad json", "trace", `{`, "not valid", nil},
	}
	for _, tc := range tests {
		q, err := Parse(backend.DataQuery{RefID: "A", QueryType: tc.qt, JSON: []byte(tc.json)})
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err %v", tc.name, err)
			}
			continue
		}
		if err != nil || !tc.check(q) {
			t.Errorf("%s: %+v %v", tc.name, q, err)
		}
	}
}

// TestParseUpgradesVersion0: a query without a version is version 0 (see
// src/datasource/migrations.ts) and is upgraded rule by rule, so saved queries that reach
// the backend without the editor (alert rules, provisioned dashboards) still work.
// A field of the wrong type is named by its JSON key, with what it holds and what it
// should hold, in words a dashboard author reads (not Go's struct and type names).
func TestParseNamesWrongTypedField(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"limit as a string", `{"queryType":"search","version":1,"limit":"20"}`, `"limit" is a string; want a whole number`},
		{"fractional limit", `{"queryType":"logs","version":1,"expr":"{a=\"b\"}","limit":12.5}`, `"limit" is 12.5; want a whole number`},
		{"group by as one string", `{"queryType":"latency","version":1,"groupBy":"service"}`, `"groupBy" is a string; want a list of strings`},
		{"percentiles as a string", `{"queryType":"latency","version":1,"percentiles":"0.5,0.9"}`, `"percentiles" is a string; want a list of numbers`},
		{"a percentile as a string", `{"queryType":"latency","version":1,"percentiles":[0.5,"0.9"]}`, `"percentiles" holds a string; want a list of numbers`},
		{"flag as a string", `{"queryType":"trace","version":1,"traceId":"ab","includeLogs":"false"}`, `"includeLogs" is a string; want true or false`},
		{"trace ID as a number", `{"queryType":"trace","version":1,"traceId":123}`, `"traceId" is a number; want a string`},
		{"expr as an object", `{"queryType":"metrics","version":1,"expr":{"a":1}}`, `"expr" is an object; want a string`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(backend.DataQuery{RefID: "A", JSON: []byte(tc.json)})
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "Go struct") {
				t.Errorf("err = %v, want one saying %s", err, tc.want)
			}
		})
	}
}

func TestParseUpgradesVersion0(t *testing.T) {
	eq := func(a, b []float64) bool { return slices.Equal(a, b) }
	tests := []struct {
		name, qt, json string
		wantErr        string
		check          func(*Query) bool
	}{
		// queryType: missing or unknown is guessed, a known one is kept
		{"bare traceId is a trace query", "", `{"refId":"A","traceId":"4bf92f3577b34da6a3ce929d0e0e4736"}`, "",
			func(q *Query) bool {
				return q.QueryType == TypeTrace && q.TraceID == "4bf92f3577b34da6a3ce929d0e0e4736"
			}},
		{"traceql is a search", "", `{"traceql":"{ duration > 1s }"}`, "",
			func(q *Query) bool { return q.QueryType == TypeSearch && q.TraceQL == "{ duration > 1s }" }},
		{"service is a search", "", `{"service":"api"}`, "",
			func(q *Query) bool {
				return q.QueryType == TypeSearch && q.Service == "api" && q.EditorMode == ModeBuilder
			}},
		{"expr is a metrics query", "", `{"expr":"up"}`, "",
			func(q *Query) bool { return q.QueryType == TypeMetrics && q.Expr == "up" }},
		{"legacy query string as metrics", "", `{"refId":"B","query":"up"}`, "",
			func(q *Query) bool { return q.QueryType == TypeMetrics && q.Expr == "up" }},
		{"traceId before traceql", "", `{"traceId":"ab","traceql":"{}"}`, "",
			func(q *Query) bool { return q.QueryType == TypeTrace }},
		{"nothing is a trace query without an ID", "", `{}`, "",
			func(q *Query) bool { return q.QueryType == TypeTrace && q.TraceID == "" }},
		{"unknown queryType is guessed", "flame", `{"queryType":"flame","expr":"up"}`, "",
			func(q *Query) bool { return q.QueryType == TypeMetrics && q.Expr == "up" }},
		{"known queryType wins over the guess", "logs", `{"queryType":"logs","traceId":"ab","query":"{a=\"b\"}"}`, "",
			func(q *Query) bool { return q.QueryType == TypeLogs && q.Expr == `{a="b"}` }},
		{"version 0 given as a number", "", `{"version":0,"query":"up"}`, "",
			func(q *Query) bool { return q.QueryType == TypeMetrics && q.Expr == "up" && q.Version == ModelVersion }},
		{"version that is not a number", "", `{"version":"1","query":"up"}`, "",
			func(q *Query) bool { return q.QueryType == TypeMetrics && q.Expr == "up" && q.Version == ModelVersion }},
		// `query` held the expression
		{"metrics with legacy query field keeps its expression", "metrics", `{"refId":"B","queryType":"metrics","query":"up"}`, "",
			func(q *Query) bool { return q.Expr == "up" }},
		{"expr wins over query", "metrics", `{"queryType":"metrics","expr":"up","query":"down"}`, "",
			func(q *Query) bool { return q.Expr == "up" }},
		{"metrics without an expression", "metrics", `{"queryType":"metrics"}`, "",
			func(q *Query) bool { return q.Expr == "" }},
		{"trace ID from query", "trace", `{"queryType":"trace","query":"ab"}`, "",
			func(q *Query) bool { return q.TraceID == "ab" }},
		{"search TraceQL from query, code mode", "search", `{"queryType":"search","query":"{ a = 1 }"}`, "",
			func(q *Query) bool { return q.TraceQL == "{ a = 1 }" && q.EditorMode == ModeCode }},
		{"search keeps its editorMode", "search", `{"queryType":"search","traceql":"{}","editorMode":"builder"}`, "",
			func(q *Query) bool { return q.EditorMode == ModeBuilder }},
		{"search with empty traceql is builder", "search", `{"queryType":"search","traceql":""}`, "",
			func(q *Query) bool { return q.EditorMode == ModeBuilder }},
		// latency
		{"latency percentiles as string with percents, cdf as string", "latency",
			`{"refId":"E","queryType":"latency","histogramMetric":"m","percentiles":"50, 0.9,99","cdf":"false"}`, "",
			func(q *Query) bool {
				return eq(q.Percentiles, []float64{0.5, 0.9, 0.99}) && !on(q.CDF) && q.Source == SourceHistogram && q.EditorMode == ModeBuilder
			}},
		{"latency percentiles as a list of percents", "latency", `{"queryType":"latency","percentiles":[50,90,0.99]}`, "",
			func(q *Query) bool { return eq(q.Percentiles, []float64{0.5, 0.9, 0.99}) }},
		{"latency percentiles out of range dropped, repeats once", "latency", `{"queryType":"latency","percentiles":"0 0.5 50 100 150 -1 0.99"}`, "",
			func(q *Query) bool { return eq(q.Percentiles, []float64{0.5, 0.99}) }},
		{"latency percentiles none left: the defaults", "latency", `{"queryType":"latency","percentiles":"100, 0"}`, "",
			func(q *Query) bool { return q.Percentiles == nil }},
		{"latency percentiles of another kind: the defaults", "latency", `{"queryType":"latency","percentiles":0.5}`, "",
			func(q *Query) bool { return q.Percentiles == nil }},
		{"latency percentile that is not a number", "latency", `{"queryType":"latency","percentiles":"50, p99"}`,
			`percentiles "50, p99": "p99" is not a number`, nil},
		{"latency cdf true as string", "latency", `{"queryType":"latency","cdf":"true"}`, "",
			func(q *Query) bool { return q.CDF != nil && *q.CDF }},
		{"latency cdf as bool", "latency", `{"queryType":"latency","cdf":false}`, "",
			func(q *Query) bool { return q.CDF != nil && !*q.CDF }},
		{"latency cdf other string: the default", "latency", `{"queryType":"latency","cdf":"no"}`, "",
			func(q *Query) bool { return q.CDF == nil }},
		{"latency expression from query: code mode", "latency", `{"queryType":"latency","source":"spans","query":"{ span.a = 1 }"}`, "",
			func(q *Query) bool {
				return q.Expr == "{ span.a = 1 }" && q.EditorMode == ModeCode && q.Source == SourceSpans
			}},
		{"latency unknown source is histogram", "latency", `{"queryType":"latency","source":"magic"}`, "",
			func(q *Query) bool { return q.Source == SourceHistogram }},
		{"latency keeps its editorMode", "latency", `{"queryType":"latency","expr":"m","editorMode":"builder"}`, "",
			func(q *Query) bool { return q.EditorMode == ModeBuilder }},
		{"stale latency fields on another type are dropped", "trace", `{"queryType":"trace","traceId":"ab","percentiles":"x","cdf":"no"}`, "",
			func(q *Query) bool { return q.TraceID == "ab" && q.Percentiles == nil && q.CDF == nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(backend.DataQuery{RefID: "A", QueryType: tc.qt, JSON: []byte(tc.json)})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("v0 query %s: err %v, want %q", tc.json, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("v0 query %s refused: %v", tc.json, err)
			}
			if q.Version != ModelVersion || !tc.check(q) {
				t.Fatalf("v0 query %s parsed as %+v", tc.json, q)
			}
		})
	}
}

// TestParseVersion0AsTheEditorMigrates: each case of src/datasource/migrations.test.ts,
// its version 0 input and the version 1 query the editor makes of it, parse the same.
// The editor drops a percentile that is not a number ("x" in the last case); the
// backend refuses it instead (see fromV0).
func TestParseVersion0AsTheEditorMigrates(t *testing.T) {
	tests := []struct{ name, v0, v1, wantErr string }{
		{"bare trace ID", `{"refId":"A","traceId":"abc"}`, `{"refId":"A","version":1,"queryType":"trace","traceId":"abc"}`, ""},
		{"nothing at all", `{"refId":"A"}`, `{"refId":"A","version":1,"queryType":"trace","traceId":""}`, ""},
		{"legacy query string as metrics", `{"refId":"B","query":"up"}`, `{"refId":"B","version":1,"queryType":"metrics","expr":"up"}`, ""},
		{"expr as metrics", `{"refId":"B","expr":"up"}`, `{"refId":"B","version":1,"queryType":"metrics","expr":"up"}`, ""},
		{"logs keeps expr", `{"refId":"C","queryType":"logs","query":"{a=\"b\"}"}`, `{"refId":"C","version":1,"queryType":"logs","expr":"{a=\"b\"}"}`, ""},
		{"search with traceql becomes code", `{"refId":"D","traceql":"{ duration > 1s }"}`,
			`{"refId":"D","version":1,"queryType":"search","editorMode":"code","traceql":"{ duration > 1s }"}`, ""},
		{"search with service stays builder", `{"refId":"D","queryType":"search","service":"api"}`,
			`{"refId":"D","version":1,"queryType":"search","editorMode":"builder","service":"api"}`, ""},
		{"latency percentiles as a string with percents, cdf as string",
			`{"refId":"E","queryType":"latency","histogramMetric":"m","percentiles":"50, 0.9,99","cdf":"false"}`,
			`{"refId":"E","version":1,"queryType":"latency","source":"histogram","editorMode":"builder","histogramMetric":"m","percentiles":[0.5,0.9,0.99],"cdf":false}`, ""},
		{"latency with expr and unknown source", `{"refId":"F","queryType":"latency","source":"magic","query":"m{a=\"b\"}"}`,
			`{"refId":"F","version":1,"queryType":"latency","source":"histogram","editorMode":"code","expr":"m{a=\"b\"}"}`, ""},
		{"latency with expr, unknown source and a percentile that is not a number", `{"refId":"F","queryType":"latency","source":"magic","query":"m{a=\"b\"}","percentiles":"x"}`,
			"", `percentiles "x": "x" is not a number`},
		{"stale latency fields on another type are dropped", `{"refId":"G","queryType":"metrics","expr":"up","percentiles":"0.5, 0.99","cdf":"false"}`,
			`{"refId":"G","version":1,"queryType":"metrics","expr":"up"}`, ""},
		{"latency with only percentiles (the idempotence case)", `{"refId":"A","queryType":"latency","percentiles":"0.5,0.99"}`,
			`{"refId":"A","version":1,"queryType":"latency","source":"histogram","editorMode":"builder","percentiles":[0.5,0.99]}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Grafana sends the JSON's queryType as the DataQuery's too.
			parse := func(js string) (*Query, error) {
				var m struct {
					QueryType string `json:"queryType"`
				}
				_ = json.Unmarshal([]byte(js), &m)
				return Parse(backend.DataQuery{RefID: "A", QueryType: m.QueryType, JSON: []byte(js)})
			}
			got, err := parse(tc.v0)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			want, werr := parse(tc.v1)
			if err != nil || werr != nil {
				t.Fatalf("v0: %v; v1: %v", err, werr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("v0 parsed as\n%+v\nthe editor's v1 as\n%+v", got, want)
			}
		})
	}
}

func TestParseLogfmtTags(t *testing.T) {
	got, err := ParseLogfmtTags(`http.status_code=500 msg="a b" x=`)
	if err != nil || got["http.status_code"] != "500" || got["msg"] != "a b" || got["x"] != "" || len(got) != 3 {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := ParseLogfmtTags(`novalue other=1`); err == nil {
		t.Error("a key without = must be refused")
	}
	if _, err := ParseLogfmtTags(`k=a k=b`); err == nil || !strings.Contains(err.Error(), "k is given twice") {
		t.Errorf("a tag given twice: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("trace", []byte(`{"traceId":"ab","version":1}`))
	f.Add("latency", []byte(`{"source":"histogram","percentiles":[0.5],"groupBy":["a"]}`))
	f.Add("search", []byte(`{"editorMode":"builder","tags":"a=1 b=\"x\""}`))
	f.Add("", []byte(`{"queryType":"latency","query":"m","percentiles":"50, 0.9,99","cdf":"false"}`))
	f.Fuzz(func(t *testing.T, qt string, b []byte) {
		q, err := Parse(backend.DataQuery{QueryType: qt, JSON: b})
		if err == nil {
			if q.Version != ModelVersion {
				t.Fatalf("version %d", q.Version)
			}
			_, _ = ParseLogfmtTags(q.Tags)
			_, _ = splitUnwrap(q.Expr)
		}
	})
}
