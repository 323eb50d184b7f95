package storetest

import (
	"encoding/json"
	"strconv"
)

// The checkout trace and its log lines as OTLP/JSON export requests (hex IDs, integer
// enums, nanosecond times as strings), so a real store can be fed exactly what the
// replayed fixtures hold (pkg/stores/tempo/testdata/trace_v2.json and
// pkg/stores/loki/testdata/streams_categorized.json), starting at base instead of
// BaseUnixNano.

// CheckoutLine is one log line of the checkout trace.
type CheckoutLine struct {
	AtMs          int64
	Service       string
	Level         string
	Line          string
	SpanID        string // "" for a line that carries only the trace ID
	SeverityValue int
}

// CheckoutLines are the five lines of the fixtures: one per span by span ID, and two
// with only the trace ID (60 ms: inside charge; 115 ms: inside the root only).
var CheckoutLines = []CheckoutLine{
	{10, "frontend", "info", `level=info msg="GET /checkout started" trace_id=` + CheckoutTraceID + ` span_id=` + RootSpanID, RootSpanID, 9},
	{30, "checkout", "info", `level=info msg="calling payment" trace_id=` + CheckoutTraceID + ` span_id=` + PaySpanID, PaySpanID, 9},
	{115, "checkout", "error", `level=error msg="checkout failed" trace_id=` + CheckoutTraceID, "", 17},
	{55, "payment", "error", `level=error msg="card declined code=51" trace_id=` + CheckoutTraceID + ` span_id=` + ChargeSpanID, ChargeSpanID, 17},
	{60, "payment", "warn", `level=warn msg="retrying without span id" trace_id=` + CheckoutTraceID, "", 13},
}

func attr(k string, v any) map[string]any {
	var val map[string]any
	switch x := v.(type) {
	case string:
		val = map[string]any{"stringValue": x}
	case bool:
		val = map[string]any{"boolValue": x}
	case int64:
		val = map[string]any{"intValue": strconv.FormatInt(x, 10)}
	case float64:
		val = map[string]any{"doubleValue": x}
	}
	return map[string]any{"key": k, "value": val}
}

func resource(service string) map[string]any {
	return map[string]any{"attributes": []any{attr("service.name", service), attr("host.name", service+"-1")}}
}

// CheckoutTraceOTLP is the checkout trace starting at base (Unix ns).
func CheckoutTraceOTLP(base int64) []byte {
	ns := func(ms int64) string { return strconv.FormatInt(base+ms*1e6, 10) }
	rs := func(service string, span map[string]any) map[string]any {
		span["traceId"] = CheckoutTraceID
		return map[string]any{"resource": resource(service), "scopeSpans": []any{map[string]any{
			"scope": map[string]any{"name": "manual"}, "spans": []any{span},
		}}}
	}
	doc := map[string]any{"resourceSpans": []any{
		rs("frontend", map[string]any{
			"spanId": RootSpanID, "name": "GET /checkout", "kind": 2,
			"startTimeUnixNano": ns(0), "endTimeUnixNano": ns(120),
			"attributes": []any{attr("http.method", "GET")},
		}),
		rs("checkout", map[string]any{
			"spanId": PaySpanID, "parentSpanId": RootSpanID, "name": "POST /pay", "kind": 3,
			"startTimeUnixNano": ns(10), "endTimeUnixNano": ns(110),
			"attributes": []any{attr("http.status_code", int64(500))},
		}),
		rs("payment", map[string]any{
			"spanId": ChargeSpanID, "parentSpanId": PaySpanID, "name": "charge", "kind": 2,
			"startTimeUnixNano": ns(20), "endTimeUnixNano": ns(100),
			"attributes": []any{attr("retry", true), attr("amount", 12.5)},
			"events":     []any{map[string]any{"timeUnixNano": ns(50), "name": "card declined", "attributes": []any{attr("code", "51")}}},
			"status":     map[string]any{"code": 2, "message": "card declined"},
		}),
	}}
	b, _ := json.Marshal(doc)
	return b
}

// CheckoutLogsOTLP is CheckoutLines with times relative to base (Unix ns). Loki's OTLP
// ingestion turns service.name into the `service_name` label and the record's trace
// and span IDs into the `trace_id` and `span_id` structured metadata.
func CheckoutLogsOTLP(base int64) []byte {
	byService := map[string][]any{}
	var order []string
	for _, l := range CheckoutLines {
		rec := map[string]any{
			"timeUnixNano":   strconv.FormatInt(base+l.AtMs*1e6, 10),
			"severityNumber": l.SeverityValue,
			"severityText":   l.Level,
			"body":           map[string]any{"stringValue": l.Line},
			"traceId":        CheckoutTraceID,
		}
		if l.SpanID != "" {
			rec["spanId"] = l.SpanID
		}
		if _, ok := byService[l.Service]; !ok {
			order = append(order, l.Service)
		}
		byService[l.Service] = append(byService[l.Service], rec)
	}
	var rls []any
	for _, s := range order {
		rls = append(rls, map[string]any{"resource": resource(s), "scopeLogs": []any{map[string]any{
			"scope": map[string]any{"name": "manual"}, "logRecords": byService[s],
		}}})
	}
	b, _ := json.Marshal(map[string]any{"resourceLogs": rls})
	return b
}
