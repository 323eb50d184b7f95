// Package tracestore is the small interface every trace store client (Tempo, Jaeger v1,
// Jaeger v3) implements, so the handlers and the join never know which one answered.
//
// Guarantees to the next stage: spans and summaries carry IDs normalised by pkg/traceid.
package tracestore

import (
	"context"
	"time"

	"github.com/latencylens/lens/pkg/model"
)

// SearchParams is a trace search, in the form each store translates.
type SearchParams struct {
	// TraceQL is used by Tempo; Jaeger refuses it.
	TraceQL     string
	Service     string
	Operation   string
	Tags        map[string]string
	MinDuration time.Duration
	MaxDuration time.Duration
	Start, End  time.Time
	Limit       int
	// SpansPerSpanSet asks Tempo for up to this many matched spans per trace (0: default).
	SpansPerSpanSet int
}

// SearchResult is a page of search hits.
type SearchResult struct {
	Traces []model.TraceSummary
	// Spans are the raw spans of the hits when the store returns them (Jaeger), used for
	// exact latency statistics; nil otherwise.
	Spans []model.Span
	// Warnings are the store's own messages about hits it could not return (Jaeger v1
	// `errors` next to `data`), each naming the store; the search frame shows them as notices.
	Warnings []string
}

// Store is a trace store. A request a store refuses before calling it (TraceQL sent to
// Jaeger, a search without the service Jaeger needs, a tag name TraceQL cannot carry) is
// an *httpx.RequestError naming the store; a failed call is an *httpx.StoreError.
type Store interface {
	// Name is the store's name in errors: "tempo", "jaeger".
	Name() string
	// Trace fetches one trace by normalised ID; start/end narrow the search when non-zero.
	Trace(ctx context.Context, traceID string, start, end time.Time) (*model.Trace, error)
	Search(ctx context.Context, p SearchParams) (*SearchResult, error)
	// Services and Operations list names seen between start and end when the store's
	// look-up takes a range (Tempo); non-zero start/end narrow it, zero asks the store's
	// default. Stores whose look-up takes none (Jaeger) ignore them.
	Services(ctx context.Context, start, end time.Time) ([]string, error)
	Operations(ctx context.Context, service string, start, end time.Time) ([]string, error)
}
