package query

import (
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/stores/tracestore"
)

// LogStore is the log store the handlers use.
type LogStore = loki.API

// TraceStore is the trace store the handlers use (Tempo or Jaeger).
type TraceStore = tracestore.Store
