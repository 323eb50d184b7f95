package frames

import (
	"bufio"
	"encoding/json"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/gctune"
	"github.com/latencylens/lens/pkg/join"
	"github.com/latencylens/lens/pkg/join/jointest"
	"github.com/latencylens/lens/pkg/model"
)

// The join benchmark's workload: 100k spans (1,000 traces of 100) and 1M log lines
// (10 per span, 70% carrying their span ID, the rest placed by time).
const (
	benchSeed          = 20261122
	benchTraces        = 1000
	benchSpansPerTrace = 100
	benchLinesPerSpan  = 10
	benchWithSpanID    = 0.7
)

var (
	benchSpans []model.Span
	benchLogs  []model.LogLine
)

// benchData also sets the collector as the plugin process does at start-up (gctune.TuneGC:
// GOGC=400 unless the environment sets GOGC; reportUsage prints the value in effect).
func benchData(b testing.TB) ([]model.Span, []model.LogLine) {
	gctune.TuneGC()
	if benchSpans == nil {
		benchSpans, benchLogs = jointest.MakeData(benchSeed, benchTraces, benchSpansPerTrace, benchLinesPerSpan, benchWithSpanID)
	}
	return benchSpans, benchLogs
}

// BenchmarkJoinToFrames: join 100k spans and 1M lines by trace and span ID (time
// containment for lines without one) and build what a `trace` query returns by default:
// the spans frame (each span's `logs` filled with its lines, for Grafana's trace view) and
// the logs frame. Compare with bench/join (Grafana's joinDataFrames in Node).
func BenchmarkJoinToFrames(b *testing.B) { benchJoinToFrames(b, true) }

// BenchmarkJoinToPanelFrames: the same join and frames as the `trace` query the Latency
// Lens panel sends (linesInSpanLogs off): the lines only in the logs frame, each with the
// span it joined; the spans' `logs` hold their own events.
func BenchmarkJoinToPanelFrames(b *testing.B) { benchJoinToFrames(b, false) }

func benchJoinToFrames(b *testing.B, linesInSpanLogs bool) {
	spans, logs := benchData(b)
	b.ReportAllocs()
	u0 := readUsage()
	b.ResetTimer()
	for b.Loop() {
		j := join.Join(spans, logs)
		spanJoin := j
		if !linesInSpanLogs {
			spanJoin = nil
		}
		sf := Spans(spans, logs, spanJoin, Links{DatasourceUID: "uid"})
		lf := Logs(logs, spans, j, Links{DatasourceUID: "uid"})
		if sf.Rows() != len(spans) || lf.Rows() != len(logs) {
			b.Fatal("rows lost")
		}
	}
	b.StopTimer()
	reportUsage(b, u0)
	b.ReportMetric(float64(len(spans)), "spans")
	b.ReportMetric(float64(len(logs)), "lines")
}

// BenchmarkJoinToTable is the output Grafana's "Join by field" gives (bench/join): one
// table, a row per log line with its span's columns next to the line's, but with every
// line placed (by span ID, else by time) where joinDataFrames drops the lines without
// a span ID. Same join as BenchmarkJoinToFrames, no span details.
func BenchmarkJoinToTable(b *testing.B) {
	spans, logs := benchData(b)
	b.ReportAllocs()
	u0 := readUsage()
	b.ResetTimer()
	rows := 0
	for b.Loop() {
		f := joinedTable(spans, logs, join.Join(spans, logs))
		rows = f.Rows()
	}
	b.StopTimer()
	reportUsage(b, u0)
	b.ReportMetric(float64(rows), "rows")
}

// joinedTable builds the columns of joinDataFrames' output for the joined lines: a row
// per placed line, grouped by span (span order), each span's lines in time order. The
// line columns are filled in one goroutine, the span columns (each span's values
// repeated over its rows, column by column) in another.
func joinedTable(spans []model.Span, logs []model.LogLine, j *join.Result) *data.Frame {
	logIdx, spanStart := j.PerSpan()
	n := len(logIdx)
	sidF, sid, d1 := column[string]("spanID", data.FieldTypeString, n)
	tidF, tid, d2 := column[string]("traceID", data.FieldTypeString, n)
	parF, par, d3 := column[string]("parentSpanID", data.FieldTypeString, n)
	opF, op, d4 := column[string]("operationName", data.FieldTypeString, n)
	svcF, svc, d5 := column[string]("serviceName", data.FieldTypeString, n)
	stF, st, d6 := column[float64]("startTime", data.FieldTypeFloat64, n)
	duF, du, d7 := column[float64]("duration", data.FieldTypeFloat64, n)
	tsF, ts, d8 := column[float64]("timestamp", data.FieldTypeFloat64, n)
	boF, bo, d9 := column[string]("body", data.FieldTypeString, n)
	lvF, lv, d10 := column[string]("level", data.FieldTypeString, n)
	ltF, lt, d11 := column[string]("logTraceID", data.FieldTypeString, n)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k, li := range logIdx {
			l := &logs[li]
			ts[k], bo[k], lv[k], lt[k] = float64(l.TimeUnixNano)/1e6, l.Body, l.Level, l.TraceID
		}
	}()
	fill := func(col []string, get func(s *model.Span) string) {
		for i := range spans {
			v := get(&spans[i])
			seg := col[spanStart[i]:spanStart[i+1]]
			for k := range seg {
				seg[k] = v
			}
		}
	}
	fill(sid, func(s *model.Span) string { return s.SpanID })
	fill(tid, func(s *model.Span) string { return s.TraceID })
	fill(par, func(s *model.Span) string { return s.ParentSpanID })
	fill(op, func(s *model.Span) string { return s.Operation })
	fill(svc, func(s *model.Span) string { return s.Service })
	for i := range spans {
		s := &spans[i]
		start, dur := float64(s.StartUnixNano)/1e6, float64(s.DurationNano)/1e6
		for k := spanStart[i]; k < spanStart[i+1]; k++ {
			st[k], du[k] = start, dur
		}
	}
	wg.Wait()
	for _, done := range []func(){d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11} {
		done()
	}
	return data.NewFrame("joined", sidF, tidF, parF, opF, svcF, stF, duF, tsF, boF, lvF, ltF)
}

// TestJoinedTable: the benchmark's table holds, for every placed line, the line's
// columns next to those of the span it joined, and nothing else.
func TestJoinedTable(t *testing.T) {
	spans, logs := jointest.MakeData(3, 5, 20, 4, 0.6)
	j := join.Join(spans, logs)
	f := joinedTable(spans, logs, j)
	if f.Rows() != len(logs)-j.Unmatched || len(f.Fields) != 11 {
		t.Fatalf("%d rows × %d columns, want %d × 11", f.Rows(), len(f.Fields), len(logs)-j.Unmatched)
	}
	k := 0
	for i := range spans {
		s := &spans[i]
		for _, li := range j.LogsOf(i) {
			l := &logs[li]
			want := []any{s.SpanID, s.TraceID, s.ParentSpanID, s.Operation, s.Service,
				float64(s.StartUnixNano) / 1e6, float64(s.DurationNano) / 1e6,
				float64(l.TimeUnixNano) / 1e6, l.Body, l.Level, l.TraceID}
			for c, w := range want {
				if got := f.Fields[c].At(k); got != w {
					t.Fatalf("row %d column %s = %v, want %v", k, f.Fields[c].Name, got, w)
				}
			}
			k++
		}
	}
}

// usage is the process's CPU time split into user and system, and its page faults.
type usage struct {
	user, sys time.Duration
	faults    int64
	gcs       uint32
}

func readUsage() usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return usage{}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return usage{time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano()), ru.Minflt + ru.Majflt, ms.NumGC}
}

// reportUsage adds CPU time per op (user+system, all threads incl. GC: steadier than
// wall time on a shared machine; bench/join/join.mjs reports the same measure for
// Node), its system part, and page faults per op (first touches of memory the process
// got from the kernel, which are costly on this kind of VM).
func reportUsage(b *testing.B, u0 usage) {
	u := readUsage()
	n := float64(b.N)
	b.ReportMetric(float64((u.user+u.sys-u0.user-u0.sys).Milliseconds())/n, "cpu-ms/op")
	b.ReportMetric(float64((u.sys-u0.sys).Milliseconds())/n, "sys-ms/op")
	b.ReportMetric(float64(u.faults-u0.faults)/n, "faults/op")
	b.ReportMetric(float64(u.gcs-u0.gcs)/n, "GCs/op")
	gogc := debug.SetGCPercent(100)
	debug.SetGCPercent(gogc)
	b.ReportMetric(float64(gogc), "GOGC")
}

// BenchmarkJoinOnly is the join step alone.
func BenchmarkJoinOnly(b *testing.B) {
	spans, logs := benchData(b)
	b.ReportAllocs()
	u0 := readUsage()
	b.ResetTimer()
	for b.Loop() {
		_ = join.Join(spans, logs)
	}
	b.StopTimer()
	reportUsage(b, u0)
}

// TestWriteJoinBenchData writes the benchmark's data set for bench/join/join.mjs when
// LATENCYLENS_JOIN_BENCH_DATA names a file, so both sides join identical data.
func TestWriteJoinBenchData(t *testing.T) {
	path := os.Getenv("LATENCYLENS_JOIN_BENCH_DATA")
	if path == "" {
		t.Skip("set LATENCYLENS_JOIN_BENCH_DATA=<file> to write the join benchmark data")
	}
	spans, logs := benchData(t)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	col := func(name string, n int, at func(i int) any) {
		w.WriteString(`"` + name + `":[`)
		for i := 0; i < n; i++ {
			if i > 0 {
				w.WriteByte(',')
			}
			b, _ := json.Marshal(at(i))
			w.Write(b)
		}
		w.WriteString("]")
	}
	w.WriteString(`{"spans":{`)
	col("traceID", len(spans), func(i int) any { return spans[i].TraceID })
	w.WriteByte(',')
	col("spanID", len(spans), func(i int) any { return spans[i].SpanID })
	w.WriteByte(',')
	col("parentSpanID", len(spans), func(i int) any { return spans[i].ParentSpanID })
	w.WriteByte(',')
	col("operationName", len(spans), func(i int) any { return spans[i].Operation })
	w.WriteByte(',')
	col("serviceName", len(spans), func(i int) any { return spans[i].Service })
	w.WriteByte(',')
	col("startTime", len(spans), func(i int) any { return float64(spans[i].StartUnixNano) / 1e6 })
	w.WriteByte(',')
	col("duration", len(spans), func(i int) any { return float64(spans[i].DurationNano) / 1e6 })
	w.WriteString(`},"logs":{`)
	col("timestamp", len(logs), func(i int) any { return float64(logs[i].TimeUnixNano) / 1e6 })
	w.WriteByte(',')
	col("body", len(logs), func(i int) any { return logs[i].Body })
	w.WriteByte(',')
	col("level", len(logs), func(i int) any { return logs[i].Level })
	w.WriteByte(',')
	col("traceID", len(logs), func(i int) any { return logs[i].TraceID })
	w.WriteByte(',')
	col("spanID", len(logs), func(i int) any { return logs[i].SpanID })
	w.WriteString("}}\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d spans and %d lines to %s at %s", len(spans), len(logs), path, time.Now().Format(time.RFC3339))
}

// BenchmarkSpansFrame and BenchmarkLogsFrame are the two frames of JoinToFrames alone,
// from a join done once.
func BenchmarkSpansFrame(b *testing.B) {
	benchFrame(b, func(spans []model.Span, logs []model.LogLine, j *join.Result) {
		_ = Spans(spans, logs, j, Links{DatasourceUID: "uid"})
	})
}

func BenchmarkLogsFrame(b *testing.B) {
	benchFrame(b, func(spans []model.Span, logs []model.LogLine, j *join.Result) {
		_ = Logs(logs, spans, j, Links{DatasourceUID: "uid"})
	})
}

// BenchmarkLogsFrameColumnsOnly and BenchmarkTableColumnsOnly allocate the columns of the
// logs frame (6 × 1M rows) and of the joined table (11 × 1M rows) and fill nothing: the
// part of BenchmarkLogsFrame and BenchmarkJoinToTable that no change to the builders can
// remove (the SDK keeps a frame's values in Go slices, which are zeroed when allocated).
func BenchmarkLogsFrameColumnsOnly(b *testing.B) {
	_, logs := benchData(b)
	n := len(logs)
	benchColumns(b, func() int {
		f, _, _ := column[time.Time](LogTime, data.FieldTypeTime, n)
		fields := []*data.Field{f}
		for _, name := range []string{LogBody, LogLevel} {
			f, _, _ := column[string](name, data.FieldTypeString, n)
			fields = append(fields, f)
		}
		for _, name := range []string{LogTraceID, LogSpanID} {
			f, _, _ := column[*string](name, data.FieldTypeNullableString, n)
			fields = append(fields, f)
		}
		f, _, _ = column[*json.RawMessage](LogLabels, data.FieldTypeNullableJSON, n)
		return data.NewFrame("Logs", append(fields, f)...).Rows()
	})
}

// BenchmarkJoinSpansIDColumnsOnly is the panel path (JoinToPanelFrames) without the four
// logs-frame columns that copy a line's own values (time, body, level, labels): the join,
// the spans frame, and the trace and span ID columns the join decides. It bounds what
// the panel path could cost if those four columns came ready-made with the parsed lines.
func BenchmarkJoinSpansIDColumnsOnly(b *testing.B) {
	spans, logs := benchData(b)
	n := len(logs)
	benchColumns(b, func() int {
		j := join.Join(spans, logs)
		sf := Spans(spans, logs, nil, Links{DatasourceUID: "uid"})
		// As Logs writes them: nullable, each cell pointing at its value.
		tf, tids, tDone := column[*string](LogTraceID, data.FieldTypeNullableString, n)
		sf2, sids, sDone := column[*string](LogSpanID, data.FieldTypeNullableString, n)
		tidVals, sidVals := make([]string, n), make([]string, n)
		for i := range logs {
			tidVals[i], sidVals[i] = logs[i].TraceID, logs[i].SpanID
			if sp := j.LogSpan[i]; sp >= 0 {
				sidVals[i] = spans[sp].SpanID
				if tidVals[i] == "" {
					tidVals[i] = spans[sp].TraceID
				}
			}
			if tidVals[i] != "" {
				tids[i] = &tidVals[i]
			}
			if sidVals[i] != "" {
				sids[i] = &sidVals[i]
			}
		}
		tDone()
		sDone()
		return min(sf.Rows(), data.NewFrame("ids", tf, sf2).Rows())
	})
}

func BenchmarkTableColumnsOnly(b *testing.B) {
	_, logs := benchData(b)
	n := len(logs)
	benchColumns(b, func() int {
		var fields []*data.Field
		for c := 0; c < 8; c++ {
			f, _, _ := column[string]("s", data.FieldTypeString, n)
			fields = append(fields, f)
		}
		for c := 0; c < 3; c++ {
			f, _, _ := column[float64]("f", data.FieldTypeFloat64, n)
			fields = append(fields, f)
		}
		return data.NewFrame("joined", fields...).Rows()
	})
}

func benchColumns(b *testing.B, alloc func() int) {
	b.ReportAllocs()
	u0 := readUsage()
	b.ResetTimer()
	for b.Loop() {
		if alloc() == 0 {
			b.Fatal("no rows")
		}
	}
	b.StopTimer()
	reportUsage(b, u0)
}

func benchFrame(b *testing.B, build func([]model.Span, []model.LogLine, *join.Result)) {
	spans, logs := benchData(b)
	j := join.Join(spans, logs)
	b.ReportAllocs()
	u0 := readUsage()
	b.ResetTimer()
	for b.Loop() {
		build(spans, logs, j)
	}
	b.StopTimer()
	reportUsage(b, u0)
}
