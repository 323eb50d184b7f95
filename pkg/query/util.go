package query

import (
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/model"
)

func sortLinesSlow(ls []model.LogLine) {
	slices.SortStableFunc(ls, func(a, b model.LogLine) int {
		switch {
		case a.TimeUnixNano < b.TimeUnixNano:
			return -1
		case a.TimeUnixNano > b.TimeUnixNano:
			return 1
		}
		return 0
	})
}

func sortLinesDesc(ls []model.LogLine) {
	slices.SortStableFunc(ls, func(a, b model.LogLine) int {
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
