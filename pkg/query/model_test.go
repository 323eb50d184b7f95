package query

import (
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
		{"unknown type", "flame", `{}`, `unknown queryType "flame"`, nil},
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
