// Package storetest holds the known data every store test checks against, whichever
// store (replayed or real) served it, so the same assertions run on both.
package storetest

import (
	"testing"

	"github.com/latencylens/lens/pkg/model"
)

// CheckoutTraceID is the trace of the testdata fixtures.
const CheckoutTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"

// Span IDs of the checkout trace.
const (
	RootSpanID   = "00f067aa0ba902b7"
	PaySpanID    = "a2fb4a1d1a96d312"
	ChargeSpanID = "5b8efff798038103"
)

// BaseUnixNano is the trace's start.
const BaseUnixNano int64 = 1_700_000_000_000_000_000

// WantSpan is what a store must return for one span.
type WantSpan struct {
	SpanID, Parent, Operation, Service, Kind string
	StartMs, EndMs                           int64
	Status                                   int64
}

// CheckoutSpans is the checkout trace: frontend → checkout → payment (error).
var CheckoutSpans = []WantSpan{
	{RootSpanID, "", "GET /checkout", "frontend", "server", 0, 120, model.StatusUnset},
	{PaySpanID, RootSpanID, "POST /pay", "checkout", "client", 10, 110, model.StatusUnset},
	{ChargeSpanID, PaySpanID, "charge", "payment", "server", 20, 100, model.StatusError},
}

// AssertCheckoutTrace checks a parsed trace against CheckoutSpans (order-insensitive).
func AssertCheckoutTrace(t testing.TB, tr *model.Trace, want []WantSpan) {
	t.Helper()
	AssertCheckoutTraceAt(t, tr, want, BaseUnixNano)
}

// AssertCheckoutTraceAt is AssertCheckoutTrace for the trace pushed to a real store
// starting at base (Unix ns; CheckoutTraceOTLP).
func AssertCheckoutTraceAt(t testing.TB, tr *model.Trace, want []WantSpan, base int64) {
	t.Helper()
	byID := AssertSpans(t, tr, CheckoutTraceID, want, base)
	charge := byID[ChargeSpanID]
	if len(charge.Events) != 1 || charge.Events[0].Name != "card declined" || charge.Events[0].TimeUnixNano != base+50e6 {
		t.Errorf("charge events = %+v", charge.Events)
	}
}

// AssertSpans checks that tr holds exactly the wanted spans of trace traceID
// (order-insensitive), times relative to base, and returns the spans by ID.
func AssertSpans(t testing.TB, tr *model.Trace, traceID string, want []WantSpan, base int64) map[string]model.Span {
	t.Helper()
	if tr == nil {
		t.Fatal("nil trace")
	}
	if len(tr.Spans) != len(want) {
		t.Fatalf("got %d spans, want %d", len(tr.Spans), len(want))
	}
	byID := map[string]model.Span{}
	for _, s := range tr.Spans {
		byID[s.SpanID] = s
	}
	for _, w := range want {
		s, ok := byID[w.SpanID]
		if !ok {
			t.Errorf("span %s missing", w.SpanID)
			continue
		}
		if s.TraceID != traceID {
			t.Errorf("span %s: trace ID %q", w.SpanID, s.TraceID)
		}
		if s.ParentSpanID != w.Parent || s.Operation != w.Operation || s.Service != w.Service || s.Kind != w.Kind || s.StatusCode != w.Status {
			t.Errorf("span %s = {parent %q op %q svc %q kind %q status %d}, want %+v",
				w.SpanID, s.ParentSpanID, s.Operation, s.Service, s.Kind, s.StatusCode, w)
		}
		if s.StartUnixNano != base+w.StartMs*1e6 || s.EndUnixNano() != base+w.EndMs*1e6 {
			t.Errorf("span %s: start %d end %d, want %d..%d ms after base", w.SpanID,
				s.StartUnixNano, s.EndUnixNano(), w.StartMs, w.EndMs)
		}
	}
	return byID
}
