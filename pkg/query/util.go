package query

import (
	"slices"

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
