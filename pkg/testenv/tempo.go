package testenv

import (
	"context"
	"testing"

	"github.com/latencylens/lens/pkg/localstores"
)

// TempoOptions configures StartTempo. The zero value is valid.
type TempoOptions struct {
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
}

// Tempo is a running single-binary Tempo with local storage, OTLP receivers
// and TraceQL metrics (see localstores.Tempo). Stop stops it before the test
// ends; cleanup does it otherwise.
type Tempo = localstores.Tempo

// StartTempo runs the pinned Tempo binary (target all) on free 127.0.0.1
// ports with local storage in a temporary directory, waits for /ready and
// stops it in t.Cleanup. A missing binary skips the test (fails with
// LATENCYLENS_REQUIRE_STORES set).
func StartTempo(t testing.TB, opts TempoOptions) *Tempo {
	t.Helper()
	bin := SkipIfNoBinary(t, StoreTempo)
	c := localstores.Common{Binary: bin, ExtraArgs: opts.ExtraArgs}
	return start(t, StoreTempo, c, func(c localstores.Common) (*Tempo, error) {
		return localstores.StartTempo(context.Background(), localstores.TempoOptions{Common: c})
	})
}
