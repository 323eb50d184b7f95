package query

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/stores/loki"
)

func sortLinesSlow(ls []loki.Line) {
	slices.SortStableFunc(ls, func(a, b loki.Line) int {
		switch {
		case a.TimeUnixNano < b.TimeUnixNano:
			return -1
		case a.TimeUnixNano > b.TimeUnixNano:
			return 1
		}
		return 0
	})
}

func sortLinesDesc(ls []loki.Line) {
	slices.SortStableFunc(ls, func(a, b loki.Line) int {
		switch {
		case a.TimeUnixNano > b.TimeUnixNano:
			return -1
		case a.TimeUnixNano < b.TimeUnixNano:
			return 1
		}
		return 0
	})
}

// announceLines notes on f what cut the log lines it holds: limit (named by limitName,
// e.g. "the configured limit") when more lines exist in the range (more), and reading
// that stopped short of the limit or skipped lines (incomplete, from the log store).
// shown is the number of lines f holds.
func announceLines(f *data.Frame, limitName string, limit, shown int, more bool, incomplete string) {
	announceRead(f, "log lines", limitName, limit, shown, more, incomplete)
}

// announceRead is announceLines for any kind of record (what: "log lines", "spans").
func announceRead(f *data.Frame, what, limitName string, limit, shown int, more bool, incomplete string) {
	if more {
		frames.Notice(f, data.NoticeSeverityWarning,
			"%s truncated to %s of %d: %d shown; the store holds more in the time range", what, limitName, limit, shown)
	}
	if incomplete != "" {
		frames.Notice(f, data.NoticeSeverityWarning,
			"%s incomplete: %d shown of up to %d; %s", what, shown, limit, incomplete)
	}
}

// maxQuotedID is how much of a malformed ID a notice quotes, in characters.
const maxQuotedID = 40

// announceIDFaults warns on f about the lines whose trace or span ID, as the extraction
// rule found it, is not one: how many, the normaliser's word on the first, and what
// became of them (traceFate, spanFate).
func announceIDFaults(f *data.Frame, fa loki.IDFaults, traceFate, spanFate string) {
	if fa.Trace > 0 {
		frames.Notice(f, data.NoticeSeverityWarning, "%s a trace ID that is not one (first: %s): %s",
			linesCarry(fa.Trace), quoteFault(fa.FirstTrace, fa.FirstTraceErr), traceFate)
	}
	if fa.Span > 0 {
		frames.Notice(f, data.NoticeSeverityWarning, "%s a span ID that is not one (first: %s): %s",
			linesCarry(fa.Span), quoteFault(fa.FirstSpan, fa.FirstSpanErr), spanFate)
	}
}

func linesCarry(n int) string {
	if n == 1 {
		return "1 log line carries"
	}
	return fmt.Sprintf("%d log lines carry", n)
}

// quoteFault is the normaliser's error on raw with raw cut to maxQuotedID characters, or
// raw quoted (and cut) when the error does not quote it.
func quoteFault(raw string, err error) string {
	short, n := raw, 0
	for i := range raw {
		if n == maxQuotedID {
			short = raw[:i] + "…"
			break
		}
		n++
	}
	q := strconv.Quote(short)
	if err == nil {
		return q
	}
	msg := strings.Replace(err.Error(), strconv.Quote(raw), q, 1)
	if !strings.Contains(msg, q) {
		return q
	}
	return msg
}
