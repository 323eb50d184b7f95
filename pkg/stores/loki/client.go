package loki

import (
	"context"
	"time"
)

// StoreName names this store in errors and health reports.
const StoreName = "loki"

// RangeRequest is one query_range call.
type RangeRequest struct {
	Expr       string
	Start, End time.Time
	Limit      int
	// Direction is "backward" (default) or "forward".
	Direction string
	Step      time.Duration
}

// API is what the handlers need from a log store.
type API interface {
	QueryRange(ctx context.Context, r RangeRequest) (*Result, error)
	Labels(ctx context.Context, start, end time.Time) ([]string, error)
	LabelValues(ctx context.Context, label string, start, end time.Time) ([]string, error)
}
