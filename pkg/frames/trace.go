package frames

import (
	"cmp"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unsafe"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/join"
	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/parallel"
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
	warnF, warns, d18 := column[json.RawMessage](SpanWarnings, data.FieldTypeJSON, n)

	for i := range spans {
		s := &spans[i]
		traceIDs[i], spanIDs[i], parents[i] = s.TraceID, s.SpanID, s.ParentSpanID
		ops[i], services[i], kinds[i] = s.Operation, s.Service, s.Kind
		codes[i], msgs[i] = s.StatusCode, s.StatusMessage
		starts[i] = NanosToMillis(s.StartUnixNano)
		durs[i] = NanosToMillis(s.DurationNano)
	}
	// The instrumentation scope and the W3C trace state are columns when some span has
	// them (a frame of spans without either does not carry three empty columns).
	var hasLib, hasVer, hasState bool
	for i := range spans {
		s := &spans[i]
		hasLib = hasLib || s.ScopeName != ""
		hasVer = hasVer || s.ScopeVersion != ""
		hasState = hasState || s.TraceState != ""
	}
	var optional []*data.Field
	if hasLib || hasVer || hasState {
		libs, vers, states := make([]string, n), make([]string, n), make([]string, n)
		for i := range spans {
			s := &spans[i]
			libs[i], vers[i], states[i] = s.ScopeName, s.ScopeVersion, s.TraceState
		}
		for _, c := range []struct {
			has  bool
			name string
			vs   []string
		}{{hasLib, SpanLibraryName, libs}, {hasVer, SpanLibraryVersion, vers}, {hasState, SpanTraceState, states}} {
			if c.has {
				optional = append(optional, data.NewField(c.name, nil, c.vs))
			}
		}
	}
	// The JSON columns are the bulk of the work (each span's joined lines): build them in
	// chunks of spans, one per CPU, each chunk writing into its own buffer.
	parallel.Chunks(n, 2048, func(_, lo, hi int) {
		jsonCells(spans[lo:hi], lo, logs, j, svcTags[lo:hi], tags[lo:hi], refs[lo:hi], logCol[lo:hi], warns[lo:hi])
	})
	for _, done := range []func(){d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d18} {
		done()
	}
	links.linkTraceField(tf)
	fields := []*data.Field{tf, spanIDF, parentF, opF, svcF, svcTagF, startF, durF, logF, refF, tagF, kindF, codeF, msgF}
	fields = append(append(fields, optional...), warnF)
	f := data.NewFrame("Trace", fields...)
	f.Fields[6].Config = &data.FieldConfig{Unit: "ms"}
	f.Fields[7].Config = &data.FieldConfig{Unit: "ms"}
	f.Meta = newMeta(KindSpans)
	f.Meta.PreferredVisualization = data.VisTypeTrace
	if j != nil && len(logs) > 0 {
		f.Meta.Custom.(map[string]any)[LinesInSpanLogsKey] = true
	}
	return f
}

// jsonCells writes the JSON cells of spans (whose first index in the frame is off).
func jsonCells(spans []model.Span, off int, logs []model.LogLine, j *join.Result, svcTags, tags, refs, logCol, warns []json.RawMessage) {
	var c cellBuf
	var levels levelTails
	ms := msWriter{hi: ^uint64(0)}
	svcCache := map[uintptr]json.RawMessage{}
	for i := range spans {
		s := &spans[i]
		// Spans of one resource share their tag slice: encode it once.
		if len(s.ServiceTags) == 0 {
			svcTags[i] = emptyList
		} else {
			key := uintptr(reflect.ValueOf(s.ServiceTags).Pointer())
			if cached, ok := svcCache[key]; ok {
				svcTags[i] = cached
			} else {
				c.begin(sizeKVs(s.ServiceTags))
				c.b = appendKVs(c.b, s.ServiceTags)
				svcTags[i] = c.end()
				svcCache[key] = svcTags[i]
			}
		}

		tags[i] = emptyList
		if len(s.Tags) > 0 {
			c.begin(sizeKVs(s.Tags))
			c.b = appendKVs(c.b, s.Tags)
			tags[i] = c.end()
		}

		refs[i] = emptyList
		if len(s.References) > 0 {
			c.begin(256 * len(s.References))
			c.b = appendRefs(c.b, s.References)
			refs[i] = c.end()
		}

		var own []int32
		if j != nil {
			own = j.LogsOf(off + i)
		}
		logCol[i] = emptyList
		if len(s.Events) > 0 || len(own) > 0 {
			logCol[i] = c.spanLogs(eventsInTimeOrder(s.Events), logs, own, &levels, &ms)
		}

		warns[i] = emptyList
		if len(s.Warnings) > 0 {
			c.begin(64 * len(s.Warnings))
			c.b = append(c.b, '[')
			for k, w := range s.Warnings {
				if k > 0 {
					c.b = append(c.b, ',')
				}
				c.b = appendString(c.b, w)
			}
			c.b = append(c.b, ']')
			warns[i] = c.end()
		}
	}
}

// sizeKVs is about the size of kvs in JSON (appends grow the chunk if it is more).
func sizeKVs(kvs []model.KeyValue) int {
	n := 2
	for _, kv := range kvs {
		n += 24 + len(kv.Key)
		if v, ok := kv.Value.(string); ok {
			n += len(v)
		} else {
			n += 24
		}
	}
	return n
}

// levelTails caches levelTail for the few levels a set of lines uses.
type levelTails struct {
	levels []string
	tails  [][]byte
}

func (l *levelTails) get(level string) []byte {
	for k, lv := range l.levels {
		if lv == level {
			return l.tails[k]
		}
	}
	t := levelTail(level)
	if len(l.levels) < 16 {
		l.levels = append(l.levels, level)
		l.tails = append(l.tails, t)
	}
	return t
}

func appendKVs(b []byte, kvs []model.KeyValue) []byte {
	b = append(b, '[')
	for k, kv := range kvs {
		if k > 0 {
			b = append(b, ',')
		}
		b = appendKV(b, kv)
	}
	return append(b, ']')
}

func appendKV(b []byte, kv model.KeyValue) []byte {
	b = append(b, `{"key":`...)
	b = appendString(b, kv.Key)
	b = append(b, `,"value":`...)
	b = appendAny(b, kv.Value)
	return append(b, '}')
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

// eventsInTimeOrder returns events ordered by time: events itself when it is, otherwise a
// sorted copy (stable: events at one time keep their order). OTLP does not order a span's
// events: one recorded with an explicit earlier timestamp comes after later ones.
func eventsInTimeOrder(events []model.SpanEvent) []model.SpanEvent {
	for i := 1; i < len(events); i++ {
		if events[i].TimeUnixNano < events[i-1].TimeUnixNano {
			sorted := slices.Clone(events)
			slices.SortStableFunc(sorted, func(a, b model.SpanEvent) int { return cmp.Compare(a.TimeUnixNano, b.TimeUnixNano) })
			return sorted
		}
	}
	return events
}

// spanLogs writes a span's logs cell, Grafana's TraceLog list: {timestamp ms, name?,
// fields}. Events and joined lines are merged in time order (both must be in time order).
func (c *cellBuf) spanLogs(events []model.SpanEvent, logs []model.LogLine, own []int32, levels *levelTails, ms *msWriter) json.RawMessage {
	// Size the cell first. The span's lines lie anywhere among the trace's; reading them
	// (and the first byte of each body) in this short loop lets the memory loads overlap,
	// where the writing loop below would wait for each in turn.
	need, touch := 2, byte(0)
	for _, k := range own {
		l := &logs[k]
		need += maxLineJSON(l.Body, nil) + 6*len(l.Level) + 32
		if len(l.Body) > 0 {
			touch |= l.Body[0]
		}
	}
	c.touch |= touch
	c.begin(need)
	c.b = append(c.b, '[')
	first := true
	ei, li := 0, 0
	for ei < len(events) || li < len(own) {
		if li >= len(own) || (ei < len(events) && events[ei].TimeUnixNano <= logs[own[li]].TimeUnixNano) {
			ev := &events[ei]
			ei++
			c.reserve(64 + len(ev.Name)*12 + sizeKVs(ev.Fields))
			if !first {
				c.b = append(c.b, ',')
			}
			first = false
			c.b = appendEvent(c.b, ev)
			continue
		}
		l := &logs[own[li]]
		li++
		tail := levels.get(l.Level)
		c.reserve(maxLineJSON(l.Body, tail))
		c.b = appendLogLine(c.b, first, ms, l.TimeUnixNano, l.Body, tail)
		first = false
	}
	c.reserve(1)
	c.b = append(c.b, ']')
	return c.end()
}

// appendEvent writes a span event as a TraceLog: its name also as an "event" field.
func appendEvent(b []byte, ev *model.SpanEvent) []byte {
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
		for _, kv := range fields {
			b = append(b, ',')
			b = appendKV(b, kv)
		}
		b = append(b, ']')
	} else {
		b = appendKVs(b, fields)
	}
	return append(b, '}')
}

// labelCache holds the JSON of the label maps seen so far. Lines of one stream share
// their label map: it is encoded once, and found by the map's address, among the last
// few first (lines of a few streams interleave), then in a map. The lines of a stream
// share one cell value too: the labels column holds pointers to it (8 bytes a line
// instead of a 24-byte slice header each).
type labelCache struct {
	recent [8]struct {
		key  unsafe.Pointer
		json *json.RawMessage
	}
	next int
	all  map[unsafe.Pointer]*json.RawMessage
}

func (c *labelCache) get(m map[string]string) *json.RawMessage {
	// A map value is a pointer to the map's header: its identity.
	key := *(*unsafe.Pointer)(unsafe.Pointer(&m))
	for k := range c.recent {
		if r := &c.recent[k]; r.key == key && r.json != nil {
			return r.json
		}
	}
	js, ok := c.all[key]
	if !ok {
		raw := labelsJSON(m)
		js = &raw
		if c.all == nil {
			c.all = map[unsafe.Pointer]*json.RawMessage{}
		}
		c.all[key] = js
	}
	c.recent[c.next] = struct {
		key  unsafe.Pointer
		json *json.RawMessage
	}{key, js}
	c.next = (c.next + 1) % len(c.recent)
	return js
}

// Logs builds a trace's logs frame (preferredVisualisationType "logs"). j, when given,
// overrides each line's span ID with the span it joined (own ID or by time). The frame
// has no line IDs: it is one query's answer for one trace, which no panel merges with
// another, and the IDs would cost a hash and a string per line of a million-line trace.
func Logs(logs []model.LogLine, spans []model.Span, j *join.Result, links Links) *data.Frame {
	return logsFrame(logs, spans, j, links, false)
}

// LogLines builds the logs query's frame: Logs without a join, and with each line's ID
// (LogID), by which Grafana's logs panel and Explore keep a line's permalink and pin and
// tell equal lines of two streams apart when they merge answers.
func LogLines(logs []model.LogLine, links Links) *data.Frame {
	return logsFrame(logs, nil, nil, links, true)
}

func logsFrame(logs []model.LogLine, spans []model.Span, j *join.Result, links Links, lineIDs bool) *data.Frame {
	n := len(logs)
	tsF, ts, tsDone := column[time.Time](LogTime, data.FieldTypeTime, n)
	bodyF, bodies, bodyDone := column[string](LogBody, data.FieldTypeString, n)
	levelF, levels, levelDone := column[string](LogLevel, data.FieldTypeString, n)
	labelF, labels, labelDone := column[*json.RawMessage](LogLabels, data.FieldTypeNullableJSON, n)
	// A line without a trace (span) ID has null there: Grafana's logs panel leaves null
	// fields out of a line's details, where "" would show the field with its "Open trace"
	// link to a trace query for no ID. The cells point at the IDs in logs and spans (the
	// line's own, or those of the span it joined) rather than at copies: neither changes
	// once parsed, and copies would cost 32 bytes a line.
	tf, tids, tidDone := column[*string](LogTraceID, data.FieldTypeNullableString, n)
	sidF, sids, sidDone := column[*string](LogSpanID, data.FieldTypeNullableString, n)
	var ids []string
	idF, idDone := (*data.Field)(nil), func() {}
	if lineIDs {
		idF, ids, idDone = column[string](LogID, data.FieldTypeString, n)
	}
	// Which spans have a span ID and a trace ID, side by side: looked up per line, this
	// stays in cache where the span records would not.
	const hasSpanID, hasTraceID = 1, 2
	var spanHas []uint8
	if j != nil {
		spanHas = make([]uint8, len(spans))
		for i := range spans {
			if spans[i].SpanID != "" {
				spanHas[i] |= hasSpanID
			}
			if spans[i].TraceID != "" {
				spanHas[i] |= hasTraceID
			}
		}
	}
	// In chunks of lines, one per CPU; each chunk encodes a stream's labels once.
	parallel.Chunks(n, 16384, func(_, lo, hi int) {
		var streams labelCache
		for i := lo; i < hi; i++ {
			l := &logs[i]
			ts[i] = time.Unix(0, l.TimeUnixNano).UTC()
			bodies[i], levels[i] = l.Body, l.Level
			if l.TraceID != "" {
				tids[i] = &l.TraceID
			}
			if l.SpanID != "" {
				sids[i] = &l.SpanID
			}
			if j != nil && j.LogSpan[i] >= 0 {
				sp := j.LogSpan[i]
				sids[i] = nil
				if spanHas[sp]&hasSpanID != 0 {
					sids[i] = &spans[sp].SpanID
				}
				if l.TraceID == "" && spanHas[sp]&hasTraceID != 0 {
					tids[i] = &spans[sp].TraceID
				}
			}
			labels[i] = streams.get(l.Labels)
			if lineIDs {
				ids[i] = lineKey(l.TimeUnixNano, *labels[i], l.Body)
			}
		}
	})
	uniqueLineIDs(ids)
	for _, done := range []func(){tsDone, bodyDone, levelDone, labelDone, tidDone, sidDone, idDone} {
		done()
	}
	links.linkTraceField(tf)
	f := data.NewFrame("Logs", tsF, bodyF, levelF, labelF, tf, sidF)
	if lineIDs {
		// After the body: Grafana takes a logs frame's first string field as its body.
		f.Fields = append(f.Fields, idF)
	}
	f.Meta = newMeta(KindLogs)
	f.Meta.PreferredVisualization = data.VisTypeLogs
	// Grafana's logs panel and Explore take the labels column as the lines' labels.
	f.Meta.Custom.(map[string]any)[frameTypeKey] = labeledTimeValues
	return f
}

// lineKey is a line's ID before uniqueLineIDs: its time in nanoseconds and a hash
// (64-bit FNV-1a) of its labels as the frame holds them and its body, the same for the
// same line whenever the frame is built.
func lineKey(ns int64, labels json.RawMessage, body string) string {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for _, c := range labels {
		h = (h ^ uint64(c)) * prime
	}
	h = (h ^ 0) * prime // between labels and body
	for i := 0; i < len(body); i++ {
		h = (h ^ uint64(body[i])) * prime
	}
	return strconv.FormatInt(ns, 10) + "_" + strconv.FormatUint(h, 16)
}

// uniqueLineIDs suffixes the repeats of an ID (the same line logged twice in one
// nanosecond, or a hash collision) with _1, _2, … in row order; a suffixed ID cannot
// equal another line's, which has one underscore only.
func uniqueLineIDs(ids []string) {
	seen := make(map[string]int, len(ids))
	for i, id := range ids {
		k := seen[id]
		seen[id] = k + 1
		if k > 0 {
			ids[i] = id + "_" + strconv.Itoa(k)
		}
	}
}
