package query

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/model"
)

// TestTraceWithoutLogsOrMetricsStore: a data source set up with a trace store only (no
// log store URL, no metrics store URL) answers a trace query that does not name its
// parts with the spans alone: no error notices for stores nobody set up. A part asked for
// by name, or a store whose settings are wrong, still says what is missing.
func TestTraceWithoutLogsOrMetricsStore(t *testing.T) {
	trace := &model.Trace{TraceID: windowTraceID, Spans: []model.Span{{TraceID: windowTraceID, SpanID: "00000000000000a1",
		Operation: "op", Service: "api", StartUnixNano: midnight.UnixNano(), DurationNano: int64(time.Millisecond)}}}
	yes := true
	tests := []struct {
		name             string
		logsErr, metErr  error
		logs, exemplars  *bool
		wantKinds        []string
		wantNoticeInFrom map[string]string // frame kind → notice text it must hold
	}{
		{name: "parts not named", wantKinds: []string{frames.KindSpans}},
		{name: "parts named", logs: &yes, exemplars: &yes,
			wantKinds:        []string{frames.KindSpans, frames.KindLogs, frames.KindExemplars},
			wantNoticeInFrom: map[string]string{frames.KindLogs: "loki: not configured", frames.KindExemplars: "prometheus: not configured"}},
		{name: "settings wrong", logsErr: errors.New("loki: url is not a URL"), metErr: errors.New("prometheus: url is not a URL"),
			wantKinds:        []string{frames.KindSpans, frames.KindLogs, frames.KindExemplars},
			wantNoticeInFrom: map[string]string{frames.KindLogs: "loki: url is not a URL", frames.KindExemplars: "prometheus: url is not a URL"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := &Env{Settings: windowSettings(100, 100), Traces: oneTrace{trace}, LogsErr: tc.logsErr, MetricsErr: tc.metErr}
			res := Trace(context.Background(), env, Request{
				Query: &Query{QueryType: TypeTrace, TraceID: windowTraceID, IncludeLogs: tc.logs, IncludeExemplars: tc.exemplars},
				From:  midnight.Add(-time.Hour), To: midnight.Add(time.Hour),
			})
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			var kinds []string
			for _, f := range res.Frames {
				kind, _ := f.Meta.Custom.(map[string]any)[frames.LensKindKey].(string)
				kinds = append(kinds, kind)
				for _, n := range f.Meta.Notices {
					if n.Severity == data.NoticeSeverityError && tc.wantNoticeInFrom[kind] == "" {
						t.Errorf("%s frame: error notice %q", kind, n.Text)
					}
				}
				if want := tc.wantNoticeInFrom[kind]; want != "" && !strings.Contains(notices(f), want) {
					t.Errorf("%s frame: notices %q, want %q", kind, notices(f), want)
				}
			}
			if strings.Join(kinds, " ") != strings.Join(tc.wantKinds, " ") {
				t.Errorf("frames %v, want %v", kinds, tc.wantKinds)
			}
		})
	}
}
