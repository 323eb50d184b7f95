package plugin

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/stores/storetest"
)

var updateGolden = os.Getenv("LATENCYLENS_UPDATE_GOLDEN") != ""

func TestTraceQueryAcrossTraceStores(t *testing.T) {
	real := newRealStores(t)
	for _, ts := range traceStores {
		t.Run(ts.name, func(t *testing.T) {
			st := ts.start(t, real)
			pr := promReplayAt(t, st.base)
			ds := newTestDatasource(t, settingsJSON(st.traceURL, ts.kind, st.logsURL, pr.srv.URL, ""))
			// Any spelling of the ID works: upper case here.
			res := queryOne(t, ds, nil, st.from(), st.to(), traceQuery(strings.ToUpper(storetest.CheckoutTraceID)))
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			spans := framesOfKind(res.Frames, frames.KindSpans)
			logs := framesOfKind(res.Frames, frames.KindLogs)
			ex := framesOfKind(res.Frames, frames.KindExemplars)
			if len(spans) != 1 || len(logs) != 1 || len(ex) != 1 {
				t.Fatalf("frames: %d spans, %d logs, %d exemplars", len(spans), len(logs), len(ex))
			}
			sf := spans[0]
			if sf.Meta.PreferredVisualization != data.VisTypeTrace || sf.Rows() != 3 {
				t.Fatalf("spans frame: vis %q rows %d; notices %s", sf.Meta.PreferredVisualization, sf.Rows(), noticeTexts(sf))
			}
			ids := fieldStrings(t, sf, frames.SpanSpanID)
			spanLogs := fieldStrings(t, sf, frames.SpanLogs)
			starts, _ := sf.FieldByName(frames.SpanStartTime)
			for i, id := range ids {
				ms := starts.At(i).(float64)
				if ms < float64(st.base/1e6) || ms > float64(st.base/1e6)+200 {
					t.Errorf("span %s startTime %v is not in ms", id, ms)
				}
				switch id {
				case storetest.ChargeSpanID:
					// Its own event, its own line (span ID) and the line at 60 ms (time containment).
					for _, want := range []string{"card declined", "card declined code=51", "retrying without span id"} {
						if !strings.Contains(spanLogs[i], want) {
							t.Errorf("charge span logs lack %q: %s", want, spanLogs[i])
						}
					}
				case storetest.RootSpanID:
					// 115 ms is inside the root only.
					if !strings.Contains(spanLogs[i], "checkout failed") || !strings.Contains(spanLogs[i], "GET /checkout started") {
						t.Errorf("root span logs: %s", spanLogs[i])
					}
				}
			}
			lf := logs[0]
			if lf.Meta.PreferredVisualization != data.VisTypeLogs || lf.Rows() != 5 {
				t.Fatalf("logs frame: vis %q rows %d; notices %s", lf.Meta.PreferredVisualization, lf.Rows(), noticeTexts(lf))
			}
			for _, tid := range fieldStrings(t, lf, frames.LogTraceID) {
				if tid != storetest.CheckoutTraceID {
					t.Errorf("log trace ID %q", tid)
				}
			}
			if sids := fieldStrings(t, lf, frames.LogSpanID); strings.Contains(strings.Join(sids, ","), ",,") || sids[0] == "" {
				t.Errorf("every line of the trace joins a span: %q", sids)
			}
			if ex[0].Rows() != 1 {
				t.Errorf("exemplars of this trace: %d, want 1; notices %s", ex[0].Rows(), noticeTexts(ex[0]))
			}
			tf, _ := sf.FieldByName(frames.SpanTraceID)
			if tf.Config == nil || len(tf.Config.Links) != 1 || tf.Config.Links[0].Internal.DatasourceUID != "lens-uid" {
				t.Errorf("trace ID field is not linked to this data source")
			}
			if ts.name == "tempo v2" {
				experimental.CheckGoldenJSONResponse(t, "testdata", "trace_query_tempo", &res, updateGolden)
			}
		})
	}
}

// Off, linesInSpanLogs leaves the lines out of the spans' logs column (only the events
// stay) and keeps them, each with its span's ID, in the logs frame; on (the default), the
// spans frame says its logs column holds them, so a reader of both does not show them twice.
func TestTraceQueryLinesInSpanLogs(t *testing.T) {
	tr, lk, pr := tempoReplay(t, false), lokiReplay(t), promReplay(t)
	ds := newTestDatasource(t, settingsJSON(tr.srv.URL, "tempo", lk.srv.URL, pr.srv.URL, ""))
	chargeLogs := func(q map[string]any) (string, *data.Frame, *data.Frame) {
		t.Helper()
		res := mustQuery(t, ds, q)
		if res.Error != nil {
			t.Fatal(res.Error)
		}
		sf, lf := framesOfKind(res.Frames, frames.KindSpans)[0], framesOfKind(res.Frames, frames.KindLogs)[0]
		for i, id := range fieldStrings(t, sf, frames.SpanSpanID) {
			if id == storetest.ChargeSpanID {
				return fieldStrings(t, sf, frames.SpanLogs)[i], sf, lf
			}
		}
		t.Fatal("no charge span")
		return "", nil, nil
	}
	flag := func(f *data.Frame) any { return f.Meta.Custom.(map[string]any)[frames.LinesInSpanLogsKey] }

	on, sfOn, lfOn := chargeLogs(traceQuery(storetest.CheckoutTraceID))
	if !strings.Contains(on, "card declined code=51") || flag(sfOn) != true {
		t.Errorf("default: charge logs %s, flag %v", on, flag(sfOn))
	}
	q := traceQuery(storetest.CheckoutTraceID)
	q["linesInSpanLogs"] = false
	off, sfOff, lfOff := chargeLogs(q)
	if !strings.Contains(off, "card declined") || strings.Contains(off, "code=51") || strings.Contains(off, "retrying") {
		t.Errorf("off: the charge span's logs must hold its event only: %s", off)
	}
	if flag(sfOff) != nil {
		t.Errorf("off: flag %v", flag(sfOff))
	}
	if a, b := fieldStrings(t, lfOn, frames.LogSpanID), fieldStrings(t, lfOff, frames.LogSpanID); strings.Join(a, ",") != strings.Join(b, ",") || len(b) != 5 {
		t.Errorf("logs frame span IDs differ: %q vs %q", a, b)
	}
}

func TestTraceQueryPartsFailAlone(t *testing.T) {
	t.Run("loki plain-text error leaves spans intact", func(t *testing.T) {
		tr, lk, pr := tempoReplay(t, false), lokiReplay(t), promReplay(t)
		lk.routes["/loki/api/v1/query_range"] = func(*http.Request) (int, string, []byte) {
			return 400, "text/plain; charset=utf-8", []byte("parse error at line 1, col 27: syntax error: unexpected |\n")
		}
		ds := newTestDatasource(t, settingsJSON(tr.srv.URL, "tempo", lk.srv.URL, pr.srv.URL, ""))
		res := mustQuery(t, ds, traceQuery(storetest.CheckoutTraceID))
		if res.Error != nil {
			t.Fatalf("a logs failure must not fail the query: %v", res.Error)
		}
		if s := framesOfKind(res.Frames, frames.KindSpans); len(s) != 1 || s[0].Rows() != 3 {
			t.Fatal("spans missing")
		}
		l := framesOfKind(res.Frames, frames.KindLogs)[0]
		if n := noticeTexts(l); !strings.Contains(n, "error: loki: HTTP 400: parse error at line 1, col 27") {
			t.Errorf("logs notice = %q", n)
		}
	})
	t.Run("tempo 500 fails the spans part only", func(t *testing.T) {
		tr, lk, pr := tempoReplay(t, false), lokiReplay(t), promReplay(t)
		tr.routes["/api/v2/traces/"+storetest.CheckoutTraceID] = func(*http.Request) (int, string, []byte) {
			return 500, "text/plain; charset=utf-8", []byte("failed to query ingesters: context canceled")
		}
		ds := newTestDatasource(t, settingsJSON(tr.srv.URL, "tempo", lk.srv.URL, pr.srv.URL, ""))
		res := mustQuery(t, ds, traceQuery(storetest.CheckoutTraceID))
		if res.Error == nil || !strings.Contains(res.Error.Error(), "tempo: HTTP 500: failed to query ingesters") {
			t.Fatalf("error = %v", res.Error)
		}
		if l := framesOfKind(res.Frames, frames.KindLogs); len(l) != 1 || l[0].Rows() != 5 {
			t.Fatal("logs must still come back")
		}
	})
	t.Run("slow store times out and says so", func(t *testing.T) {
		tr, lk, pr := tempoReplay(t, false), lokiReplay(t), promReplay(t)
		pr.delay = 2 * time.Second
		js := strings.Replace(settingsJSON(tr.srv.URL, "tempo", lk.srv.URL, pr.srv.URL, ""), `"metrics":{"url":"`+pr.srv.URL+`","timeout":"5s"}`,
			`"metrics":{"url":"`+pr.srv.URL+`","timeout":"100ms"}`, 1)
		ds := newTestDatasource(t, js)
		start := time.Now()
		res := mustQuery(t, ds, traceQuery(storetest.CheckoutTraceID))
		if el := time.Since(start); el > time.Second {
			t.Errorf("query took %s although the metrics deadline is 100ms", el)
		}
		e := framesOfKind(res.Frames, frames.KindExemplars)[0]
		if n := noticeTexts(e); !strings.Contains(n, "prometheus: no answer within 100ms") {
			t.Errorf("exemplars notice = %q", n)
		}
		if s := framesOfKind(res.Frames, frames.KindSpans); s[0].Rows() != 3 {
			t.Error("spans missing")
		}
	})
	t.Run("bad trace ID quotes the input", func(t *testing.T) {
		ds := newTestDatasource(t, `{}`)
		res := mustQuery(t, ds, traceQuery("not-a-trace!"))
		if res.Error == nil || !strings.Contains(res.Error.Error(), `"not-a-trace!"`) {
			t.Errorf("error = %v", res.Error)
		}
	})
}

func TestTraceQueryTruncationNotices(t *testing.T) {
	tr, lk, pr := tempoReplay(t, false), lokiReplay(t), promReplay(t)
	ds := newTestDatasource(t, settingsJSON(tr.srv.URL, "tempo", lk.srv.URL, pr.srv.URL, `"limits":{"maxSpans":2,"maxLogLines":3}`))
	res := mustQuery(t, ds, traceQuery(storetest.CheckoutTraceID))
	s := framesOfKind(res.Frames, frames.KindSpans)[0]
	l := framesOfKind(res.Frames, frames.KindLogs)[0]
	if s.Rows() != 2 || !strings.Contains(noticeTexts(s), "spans truncated to the configured limit of 2 (the store returned 3)") {
		t.Errorf("spans: %d rows, notices %q", s.Rows(), noticeTexts(s))
	}
	if l.Rows() != 3 || !strings.Contains(noticeTexts(l), "log lines truncated") {
		t.Errorf("logs: %d rows, notices %q", l.Rows(), noticeTexts(l))
	}
}

// TestTraceQueryFanOut: the three stores are called at once. Each replay holds its request
// until all three have one, so calling them in turn would leave the first waiting and its
// part failed. The wall-time ratio to the slowest store is BenchmarkTraceFanOut's.
func TestTraceQueryFanOut(t *testing.T) {
	tr, lk, pr := tempoReplay(t, false), lokiReplay(t), promReplay(t)
	meet := newRendezvous(3, 10*time.Second)
	tr.meet, lk.meet, pr.meet = meet, meet, meet
	ds := newTestDatasource(t, settingsJSON(tr.srv.URL, "tempo", lk.srv.URL, pr.srv.URL, ""))
	res := mustQuery(t, ds, traceQuery(storetest.CheckoutTraceID))
	if res.Error != nil {
		t.Fatal(res.Error)
	}
	for _, f := range res.Frames {
		if n := noticeTexts(f); strings.Contains(n, "error") {
			t.Errorf("%s: %s", f.Name, n)
		}
	}
	if s := framesOfKind(res.Frames, frames.KindSpans); len(s) != 1 || s[0].Rows() != 3 {
		t.Error("spans missing")
	}
	if e := framesOfKind(res.Frames, frames.KindExemplars); len(e) != 1 || e[0].Rows() != 1 {
		t.Error("exemplar missing")
	}
	if lk.calls.Load() != 1 || pr.calls.Load() != 1 {
		t.Errorf("loki called %d times, prometheus %d; the request range covers the trace, one call each suffices", lk.calls.Load(), pr.calls.Load())
	}
}

// TestTraceQuerySlowLogStoreTakesOneDeadline: Loki slower than its 300ms deadline, the
// trace within the request range. The lines part fails with Loki's timeout, the spans
// come back, and the request takes one Loki deadline with one Loki call: a timed-out
// call is not repeated for the trace's narrower window.
func TestTraceQuerySlowLogStoreTakesOneDeadline(t *testing.T) {
	tr, lk, pr := tempoReplay(t, false), lokiReplay(t), promReplay(t)
	lk.delay = 3 * time.Second
	js := strings.Replace(settingsJSON(tr.srv.URL, "tempo", lk.srv.URL, pr.srv.URL, ""),
		`"logs":{"url":"`+lk.srv.URL+`","timeout":"5s"`, `"logs":{"url":"`+lk.srv.URL+`","timeout":"300ms"`, 1)
	ds := newTestDatasource(t, js)
	start := time.Now()
	res := mustQuery(t, ds, traceQuery(storetest.CheckoutTraceID))
	el := time.Since(start)
	if s := framesOfKind(res.Frames, frames.KindSpans); len(s) != 1 || s[0].Rows() != 3 {
		t.Fatal("spans missing")
	}
	l := framesOfKind(res.Frames, frames.KindLogs)[0]
	if !strings.Contains(noticeTexts(l), "loki") {
		t.Errorf("logs notice %q does not name loki", noticeTexts(l))
	}
	if el > 500*time.Millisecond || lk.calls.Load() != 1 {
		t.Errorf("request took %s with %d Loki calls; Loki's deadline is 300ms (notice %q)", el, lk.calls.Load(), noticeTexts(l))
	}
}

// TestTraceQueryRefusedLinesQueryAskedOnce: Loki refuses the trace-lines query (plain-text
// 400, as Loki answers a query it cannot parse). The same expression over the trace's own
// window would be refused the same way, so Loki is asked once and its refusal is the logs
// frame's notice.
func TestTraceQueryRefusedLinesQueryAskedOnce(t *testing.T) {
	tr, lk, pr := tempoReplay(t, false), lokiReplay(t), promReplay(t)
	lk.routes["/loki/api/v1/query_range"] = func(*http.Request) (int, string, []byte) {
		return 400, "text/plain; charset=utf-8", []byte("parse error at line 1, col 27: syntax error: unexpected |\n")
	}
	ds := newTestDatasource(t, settingsJSON(tr.srv.URL, "tempo", lk.srv.URL, pr.srv.URL, ""))
	res := mustQuery(t, ds, traceQuery(storetest.CheckoutTraceID))
	if l := framesOfKind(res.Frames, frames.KindLogs); len(l) != 1 || !strings.Contains(noticeTexts(l[0]), "HTTP 400") {
		t.Fatal("logs notice missing")
	}
	if n := lk.calls.Load(); n != 1 {
		t.Errorf("Loki was asked %d times for a query it refused", n)
	}
}
