package query

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/testenv"
)

// A real Loki whose answers are larger than the backend reads from one store answer (the
// client's limit is set to 128 KiB here, 64 MiB in the plugin): a logs query whose first
// answer is too large is asked again with fewer lines per page and gets its lines; one
// whose reading meets a line too large for any answer gets the lines before it with a
// notice saying why the rest is missing and what to change; one whose first line alone is
// too large fails naming the store, the limit and what to change.
func TestLogsQueryAnswersLargerThanTheLimitInLoki(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Loki")
	}
	const maxBody = 128 << 10
	lk := testenv.StartLoki(t, testenv.LokiOptions{})
	to := time.Now().Truncate(time.Second)
	from := to.Add(-time.Hour)
	long := func(i, n int) string { return fmt.Sprintf("line %03d ", i) + strings.Repeat("x", n) }
	var lines []pushedLine
	// app=many: 120 lines of 4 KB, one a second: 101 of them (the limit and one more) make
	// an answer of about 400 KB.
	for i := range 120 {
		lines = append(lines, pushedLine{ns: to.Add(-time.Duration(120-i) * time.Second).UnixNano(), body: long(i, 4000), labels: map[string]string{"app": "many"}})
	}
	// app=huge: 5 short lines, one of 200 KB after them, then 10 short ones (the newest).
	for i := range 16 {
		body := long(i, 10)
		if i == 5 {
			body = long(i, 200_000)
		}
		lines = append(lines, pushedLine{ns: to.Add(-time.Duration(16-i) * time.Second).UnixNano(), body: body, labels: map[string]string{"app": "huge"}})
	}
	// app=alone: one line of 200 KB.
	lines = append(lines, pushedLine{ns: to.Add(-time.Second).UnixNano(), body: long(0, 200_000), labels: map[string]string{"app": "alone"}})
	pushLoki(t, lk.URL, lines)

	waitLines(t, liveLokiClient(t, lk.URL), `{app=~"many|huge|alone"}`, from, to, 137)

	opts := loki.Options()
	opts.MaxBody = maxBody
	h, err := httpx.New(loki.StoreName, settings.Store{URL: lk.URL, Timeout: 20 * time.Second}, opts)
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{Settings: &settings.Settings{MaxLogLines: 1000, MaxSpans: 100}, Logs: loki.NewClient(h)}
	run := func(expr string) ([]string, string, error) {
		resp := Logs(context.Background(), env, Request{Query: &Query{QueryType: TypeLogs, Version: 1, Expr: expr, Limit: 100},
			From: from, To: to, Interval: time.Minute, MaxDataPoints: 1000})
		if resp.Error != nil {
			return nil, "", resp.Error
		}
		var got []string
		for _, b := range fieldValues(t, resp.Frames[0], frames.LogBody) {
			got = append(got, b[:len("line 000")])
		}
		return got, notices(resp.Frames[0]), nil
	}

	got, note, err := run(`{app="many"}`)
	if err != nil {
		t.Fatalf("many: %v", err)
	}
	if len(got) != 100 || got[0] != "line 119" || got[99] != "line 020" {
		t.Errorf("many: %d lines from %q to %q, want the 100 newest, line 119 to line 020", len(got), first(got), last(got))
	}
	if !strings.Contains(note, "truncated to the query's limit of 100") || strings.Contains(note, "incomplete") {
		t.Errorf("many: notices %q, want the limit's only", note)
	}

	got, note, err = run(`{app="huge"}`)
	if err != nil {
		t.Fatalf("huge: %v", err)
	}
	if strings.Join(got, ",") != "line 015,line 014,line 013,line 012,line 011,line 010,line 009,line 008,line 007,line 006" {
		t.Errorf("huge: lines %q, want the 10 newer than the long line", got)
	}
	for _, want := range []string{"log lines incomplete: 10 shown of up to 100", "128 KiB", "line filter"} {
		if !strings.Contains(note, want) {
			t.Errorf("huge: notices %q, want them to say %q", note, want)
		}
	}

	t.Logf("huge: %s", note)

	_, _, err = run(`{app="alone"}`)
	if err == nil {
		t.Fatal("alone: no error")
	}
	for _, want := range []string{"loki", "128 KiB", "line filter"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("alone: error %q, want it to say %q", err, want)
		}
	}
	t.Logf("alone: %v", err)
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}
