package frames

import (
	"encoding/json"
	"reflect"
	"runtime"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/join"
	"github.com/latencylens/lens/pkg/model"
)

// Spans builds the spans frame with Grafana's trace columns (times in float ms) and
// meta.preferredVisualisationType "trace". Each span's `logs` holds its own events and,
// when j is given, the log lines joined to it, in time order.
func Spans(spans []model.Span, logs []model.LogLine, j *join.Result, links Links) *data.Frame {
	n := len(spans)
	tf, traceIDs, d1 := column[string](SpanTraceID, data.FieldTypeString, n)
	spanIDF, spanIDs, d2 := column[string](SpanSpanID, data.FieldTypeString, n)
	parentF, parents, d3 := column[string](SpanParentSpanID, data.FieldTypeString, n)
	opF, ops, d4 := column[string](SpanOperationName, data.FieldTypeString, n)
	svcF, services, d5 := column[string](SpanServiceName, data.FieldTypeString, n)
	svcTagF, svcTags, d6 := column[json.RawMessage](SpanServiceTags, data.FieldTypeJSON, n)
	startF, starts, d7 := column[float64](SpanStartTime, data.FieldTypeFloat64, n)
	durF, durs, d8 := column[float64](SpanDuration, data.FieldTypeFloat64, n)
	logF, logCol, d9 := column[json.RawMessage](SpanLogs, data.FieldTypeJSON, n)
	refF, refs, d10 := column[json.RawMessage](SpanReferences, data.FieldTypeJSON, n)
	tagF, tags, d11 := column[json.RawMessage](SpanTags, data.FieldTypeJSON, n)
	kindF, kinds, d12 := column[string](SpanKind, data.FieldTypeString, n)
	codeF, codes, d13 := column[int64](SpanStatusCode, data.FieldTypeInt64, n)
	msgF, msgs, d14 := column[string](SpanStatusMessage, data.FieldTypeString, n)
	warnF, warns, d15 := column[json.RawMessage](SpanWarnings, data.FieldTypeJSON, n)

	for i := range spans {
		s := &spans[i]
		traceIDs[i], spanIDs[i], parents[i] = s.TraceID, s.SpanID, s.ParentSpanID
		ops[i], services[i], kinds[i] = s.Operation, s.Service, s.Kind
		codes[i], msgs[i] = s.StatusCode, s.StatusMessage
		starts[i] = NanosToMillis(s.StartUnixNano)
		durs[i] = NanosToMillis(s.DurationNano)
	}
	// The JSON columns are the bulk of the work (each span's joined lines): build them in
	// chunks of spans, one per CPU, each chunk writing into its own buffer.
	workers := min(runtime.GOMAXPROCS(0), max(n/2048, 1))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			jsonCells(spans[lo:hi], lo, logs, j, svcTags[lo:hi], tags[lo:hi], refs[lo:hi], logCol[lo:hi], warns[lo:hi])
		}()
	}
	wg.Wait()
	for _, done := range []func(){d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15} {
		done()
	}
	links.linkTraceField(tf)
	f := data.NewFrame("Trace", tf, spanIDF, parentF, opF, svcF, svcTagF, startF, durF, logF, refF, tagF, kindF, codeF, msgF, warnF)
	f.Fields[6].Config = &data.FieldConfig{Unit: "ms"}
	f.Fields[7].Config = &data.FieldConfig{Unit: "ms"}
	f.Meta = newMeta(KindSpans)
	f.Meta.PreferredVisualization = data.VisTypeTrace
	return f
}

// jsonCells writes the JSON cells of spans (whose first index in the frame is off).
func jsonCells(spans []model.Span, off int, logs []model.LogLine, j *join.Result, svcTags, tags, refs, logCol, warns []json.RawMessage) {
	// One buffer for every cell; cells are sub-slices of it. Sized up front from the
	// joined lines so that it is not regrown (and copied) on the way.
	est := 192 * len(spans)
	if j != nil {
		for i := range spans {
			for _, k := range j.LogsOf(off + i) {
				est += 128 + len(logs[k].Body) + len(logs[k].Level)
			}
		}
	}
	buf := make([]byte, 0, est)
	cell := func(start int) json.RawMessage { return json.RawMessage(buf[start:len(buf):len(buf)]) }
	svcCache := map[uintptr]json.RawMessage{}
	for i := range spans {
		s := &spans[i]
		// Spans of one resource share their tag slice: encode it once.
		key := uintptr(0)
		if len(s.ServiceTags) > 0 {
			key = uintptr(reflect.ValueOf(s.ServiceTags).Pointer())
		}
		if c, ok := svcCache[key]; ok && key != 0 {
			svcTags[i] = c
		} else {
			st := len(buf)
			buf = appendKVs(buf, s.ServiceTags)
			svcTags[i] = cell(st)
			svcCache[key] = svcTags[i]
		}

		st := len(buf)
		buf = appendKVs(buf, s.Tags)
		tags[i] = cell(st)

		st = len(buf)
		buf = appendRefs(buf, s.References)
		refs[i] = cell(st)

		st = len(buf)
		var own []int32
		if j != nil {
			own = j.LogsOf(off + i)
		}
		buf = appendSpanLogs(buf, s.Events, logs, own)
		logCol[i] = cell(st)

		st = len(buf)
		buf = append(buf, '[')
		for k, w := range s.Warnings {
			if k > 0 {
				buf = append(buf, ',')
			}
			buf = appendString(buf, w)
		}
		buf = append(buf, ']')
		warns[i] = cell(st)
	}
}

func appendKVs(b []byte, kvs []model.KeyValue) []byte {
	b = append(b, '[')
	for k, kv := range kvs {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"key":`...)
		b = appendString(b, kv.Key)
		b = append(b, `,"value":`...)
		b = appendAny(b, kv.Value)
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendRefs(b []byte, refs []model.SpanRef) []byte {
	b = append(b, '[')
	for k, r := range refs {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"traceID":`...)
		b = appendString(b, r.TraceID)
		b = append(b, `,"spanID":`...)
		b = appendString(b, r.SpanID)
		b = append(b, `,"refType":`...)
		b = appendString(b, r.RefType)
		if len(r.Tags) > 0 {
			b = append(b, `,"tags":`...)
			b = appendKVs(b, r.Tags)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendSpanLogs writes Grafana's TraceLog list: {timestamp ms, name?, fields}. Events
// and joined lines are merged in time order (both inputs are already in time order or
// are sorted here by a two-way merge of sorted runs).
func appendSpanLogs(b []byte, events []model.SpanEvent, logs []model.LogLine, own []int32) []byte {
	b = append(b, '[')
	first := true
	sep := func() {
		if !first {
			b = append(b, ',')
		}
		first = false
	}
	ei, li := 0, 0
	for ei < len(events) || li < len(own) {
		if li >= len(own) || (ei < len(events) && events[ei].TimeUnixNano <= logs[own[li]].TimeUnixNano) {
			ev := &events[ei]
			ei++
			sep()
			b = append(b, `{"timestamp":`...)
			b = appendNanosAsMs(b, ev.TimeUnixNano)
			if ev.Name != "" {
				b = append(b, `,"name":`...)
				b = appendString(b, ev.Name)
			}
			b = append(b, `,"fields":`...)
			fields := ev.Fields
			if ev.Name != "" {
				b = append(b, `[{"key":"event","value":`...)
				b = appendString(b, ev.Name)
				b = append(b, '}')
				if len(fields) > 0 {
					b = append(b, ',')
					inner := appendKVs(nil, fields)
					b = append(b, inner[1:len(inner)-1]...)
				}
				b = append(b, ']')
			} else {
				b = appendKVs(b, fields)
			}
			b = append(b, '}')
			continue
		}
		l := &logs[own[li]]
		li++
		sep()
		b = append(b, `{"timestamp":`...)
		b = appendNanosAsMs(b, l.TimeUnixNano)
		b = append(b, `,"name":"log","fields":[{"key":"message","value":`...)
		b = appendString(b, l.Body)
		b = append(b, '}')
		if l.Level != "" {
			b = append(b, `,{"key":"level","value":`...)
			b = appendString(b, l.Level)
			b = append(b, '}')
		}
		b = append(b, `]}`...)
	}
	return append(b, ']')
}

// Logs builds the logs frame (preferredVisualisationType "logs"). spanIDs, when given,
// overrides each line's span ID with the span it joined (own ID or by time).
func Logs(logs []model.LogLine, spans []model.Span, j *join.Result, links Links) *data.Frame {
	n := len(logs)
	tsF, ts, tsDone := column[time.Time](LogTime, data.FieldTypeTime, n)
	bodyF, bodies, bodyDone := column[string](LogBody, data.FieldTypeString, n)
	levelF, levels, levelDone := column[string](LogLevel, data.FieldTypeString, n)
	labelF, labels, labelDone := column[json.RawMessage](LogLabels, data.FieldTypeJSON, n)
	tf, tids, tidDone := column[string](LogTraceID, data.FieldTypeString, n)
	sidF, sids, sidDone := column[string](LogSpanID, data.FieldTypeString, n)
	// In chunks of lines, one per CPU; each chunk encodes a stream's labels once.
	workers := min(runtime.GOMAXPROCS(0), max(n/16384, 1))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			cache := map[uintptr]json.RawMessage{}
			for i := lo; i < hi; i++ {
				l := &logs[i]
				ts[i] = time.Unix(0, l.TimeUnixNano).UTC()
				bodies[i], levels[i], tids[i], sids[i] = l.Body, l.Level, l.TraceID, l.SpanID
				if j != nil && j.LogSpan[i] >= 0 {
					sp := &spans[j.LogSpan[i]]
					sids[i] = sp.SpanID
					if tids[i] == "" {
						tids[i] = sp.TraceID
					}
				}
				// Lines of one stream share their label map: encode it once.
				key := uintptr(0)
				if l.Labels != nil {
					key = uintptr(reflect.ValueOf(l.Labels).UnsafePointer())
				}
				c, ok := cache[key]
				if !ok {
					c = json.RawMessage(labelsJSON(l.Labels))
					cache[key] = c
				}
				labels[i] = c
			}
		}()
	}
	wg.Wait()
	for _, done := range []func(){tsDone, bodyDone, levelDone, labelDone, tidDone, sidDone} {
		done()
	}
	links.linkTraceField(tf)
	f := data.NewFrame("Logs", tsF, bodyF, levelF, labelF, tf, sidF)
	f.Meta = newMeta(KindLogs)
	f.Meta.PreferredVisualization = data.VisTypeLogs
	return f
}
