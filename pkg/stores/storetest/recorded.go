package storetest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/latencylens/lens/pkg/model"
)

// Answers recorded from the real stores by pkg/testenv (tests/stores/fixtures, listed
// in its index.json). They hold pkg/testenv's own test trace, not the checkout trace:
// the parsers must read them as they read the replayed fixtures.

// RecordedTraceID and its spans: a server root with a failing client child.
const (
	RecordedTraceID     = "0af7651916cd43dd8448eb211c80319c"
	RecordedRootSpanID  = "b7ad6b7169203331"
	RecordedChildSpanID = "00f067aa0ba902b7"
	// RecordedShortTraceID is the 64-bit trace recorded next to it.
	RecordedShortTraceID = "0000000000000000d4cda95b652f4a15"
)

// RecordedSpans are the recorded trace's spans, times relative to the root's start.
var RecordedSpans = []WantSpan{
	{RecordedRootSpanID, "", "GET /checkout", "testenv-checkout", "server", 0, 250, 1},
	{RecordedChildSpanID, RecordedRootSpanID, "SELECT orders", "testenv-checkout", "client", 20, 140, model.StatusError},
}

// Recorded reads one recorded answer; a package test under pkg/stores/<store> finds
// them three levels up. Missing recordings skip the test.
func Recorded(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "tests", "stores", "fixtures", name))
	if err != nil {
		t.Skipf("recorded answer %s: %v", name, err)
	}
	return b
}

// AssertRecordedTrace checks a parsed recorded trace: both spans, their relations,
// kinds and statuses, the child's error message and its exception event.
func AssertRecordedTrace(t testing.TB, tr *model.Trace) {
	t.Helper()
	var base int64
	for _, s := range tr.Spans {
		if s.ParentSpanID == "" {
			base = s.StartUnixNano
		}
	}
	byID := AssertSpans(t, tr, RecordedTraceID, RecordedSpans, base)
	child := byID[RecordedChildSpanID]
	if child.StatusMessage != "deadlock detected" || len(child.Events) != 1 || child.Events[0].Name != "exception" ||
		child.Events[0].TimeUnixNano != base+130e6 {
		t.Errorf("child status %q events %+v", child.StatusMessage, child.Events)
	}
}
