package testenv

import (
	"context"
	"testing"

	"github.com/latencylens/lens/pkg/localstores"
)

// JaegerOptions configures StartJaeger. The zero value is valid.
type JaegerOptions struct {
	// MaxTraces kept by the in-memory store; defaults to 100000.
	MaxTraces int
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
}

// Jaeger is a running Jaeger v2 (memory storage, OTLP receivers,
// jaeger_query extension; see localstores.Jaeger). Stop stops it before the
// test ends; cleanup does it otherwise.
type Jaeger = localstores.Jaeger

// StartJaeger runs the pinned Jaeger v2 binary on free 127.0.0.1 ports with
// in-memory storage, waits until its health check and query API answer, and
// stops it in t.Cleanup. A missing binary skips the test (fails with
// LATENCYLENS_REQUIRE_STORES set).
func StartJaeger(t testing.TB, opts JaegerOptions) *Jaeger {
	t.Helper()
	bin := SkipIfNoBinary(t, StoreJaeger)
	c := localstores.Common{Binary: bin, ExtraArgs: opts.ExtraArgs}
	return start(t, StoreJaeger, c, func(c localstores.Common) (*Jaeger, error) {
		return localstores.StartJaeger(context.Background(), localstores.JaegerOptions{Common: c, MaxTraces: opts.MaxTraces})
	})
}
