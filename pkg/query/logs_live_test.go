package query

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/testenv"
)

// A real Loki with a max_query_length of 30m refuses a 2 h logs query; the logs query
// reads it in parts and answers the newest lines of the whole range, the lines of the
// parts' edges once each.
func TestLogsQueryLongerThanMaxQueryLengthInLoki(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Loki")
	}
	lk := testenv.StartLoki(t, testenv.LokiOptions{ExtraLimits: []string{"max_query_length: 30m"}})
	to := time.Now().Truncate(time.Minute)
	from := to.Add(-2 * time.Hour)
	// A line every 5 minutes from `from`, the first on the range's start: 24 lines, on
	// the parts' edges too.
	var lines []pushedLine
	for i := range 24 {
		lines = append(lines, pushedLine{ns: from.Add(time.Duration(i) * 5 * time.Minute).UnixNano(), body: fmt.Sprintf("line %02d", i), labels: map[string]string{"app": "long"}})
	}
	pushLoki(t, lk.URL, lines)
	client := liveLokiClient(t, lk.URL)
	// Wait over a range well inside the limit: Loki's queriers measure a log query 30 s
	// longer than asked, so even a range of exactly 30m can be refused.
	waitLines(t, client, `{app="long"}`, from, from.Add(29*time.Minute), 6)

	env := &Env{Settings: &settings.Settings{MaxLogLines: 1000, MaxSpans: 100}, Logs: client}
	for _, tc := range []struct {
		limit int
		want  int
	}{{5, 5}, {100, 24}} {
		resp := Logs(context.Background(), env, Request{Query: &Query{QueryType: TypeLogs, Version: 1, Expr: `{app="long"}`, Limit: tc.limit},
			From: from, To: to, Interval: time.Minute, MaxDataPoints: 1000})
		if resp.Error != nil {
			t.Fatalf("limit %d: %v", tc.limit, resp.Error)
		}
		got := fieldValues(t, resp.Frames[0], frames.LogBody)
		var want []string
		for i := 23; i > 23-tc.want; i-- {
			want = append(want, fmt.Sprintf("line %02d", i))
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("limit %d: lines %q, want %q", tc.limit, got, want)
		}
		t.Logf("limit %d: notices %q", tc.limit, notices(resp.Frames[0]))
	}
}

// Asked with categorize-labels (as the backend always asks), a real Loki answers a log
// query whose pipeline stage does not build (a line filter's regex or a line_format
// template that does not compile, a json expression that does not parse) with an empty
// success, where without the header it refuses it with a 400 naming the stage. The logs
// query must name the problem, not show "no data", and a valid query finding nothing
// must stay an empty answer.
func TestLogsQueryNamesABrokenPipelineStageInLoki(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Loki")
	}
	lk := testenv.StartLoki(t, testenv.LokiOptions{})
	at := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	pushLoki(t, lk.URL, []pushedLine{{ns: at.UnixNano(), body: `level=info msg="hello (world"`, labels: map[string]string{"app": "stages"}}})
	client := liveLokiClient(t, lk.URL)
	from, to := at.Add(-time.Minute), at.Add(time.Minute)
	waitLines(t, client, `{app="stages"}`, from, to, 1)
	env := &Env{Settings: &settings.Settings{MaxLogLines: 1000, MaxSpans: 100}, Logs: client}
	run := func(expr string) backend.DataResponse {
		return Logs(context.Background(), env, Request{Query: &Query{QueryType: TypeLogs, Version: 1, Expr: expr},
			From: from, To: to, Interval: time.Minute, MaxDataPoints: 1000})
	}
	for _, tc := range []struct{ expr, want string }{
		{`{app="stages"} |~ "hello ("`, "error parsing regexp"},
		{`{app="stages"} | line_format "{{.msg"`, "invalid line template"},
		{`{app="stages"} | json x="[["`, `stage '| json x="[["'`},
	} {
		resp := run(tc.expr)
		if resp.Error == nil {
			rows := -1
			if len(resp.Frames) > 0 {
				rows, _ = resp.Frames[0].RowLen()
			}
			t.Errorf("%s: no error (%d rows), want Loki's refusal naming %q", tc.expr, rows, tc.want)
			continue
		}
		if !strings.Contains(resp.Error.Error(), tc.want) || resp.Status != backend.StatusBadRequest {
			t.Errorf("%s: error %q (status %d), want Loki's 400 naming %q", tc.expr, resp.Error, resp.Status, tc.want)
		}
	}
	// A valid query that finds nothing is an empty answer, and one that finds the line
	// returns it.
	for _, tc := range []struct {
		expr string
		rows int
	}{{`{app="stages"} |~ "hello \\("`, 1}, {`{app="stages"} |= "nowhere"`, 0}} {
		resp := run(tc.expr)
		if resp.Error != nil {
			t.Fatalf("%s: %v", tc.expr, resp.Error)
		}
		if n, _ := resp.Frames[0].RowLen(); n != tc.rows {
			t.Errorf("%s: %d rows, want %d", tc.expr, n, tc.rows)
		}
	}
}
