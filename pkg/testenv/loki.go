package testenv

import (
	"context"
	"testing"

	"github.com/latencylens/lens/pkg/localstores"
)

// LokiOptions configures StartLoki. The zero value is valid.
type LokiOptions struct {
	// ExtraLimits are extra YAML lines appended under limits_config, each
	// without indentation, e.g. "max_query_series: 10".
	ExtraLimits []string
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
}

// Loki is a running single-binary Loki with filesystem storage (see
// localstores.Loki). Stop stops it before the test ends; cleanup does it
// otherwise.
type Loki = localstores.Loki

// StartLoki runs the pinned Loki binary (all targets in one process) on free
// 127.0.0.1 ports with filesystem storage in a temporary directory, waits
// for /ready and stops it in t.Cleanup. OTLP log ingestion keeps
// structured metadata. A missing binary skips the test (fails with
// LATENCYLENS_REQUIRE_STORES set).
func StartLoki(t testing.TB, opts LokiOptions) *Loki {
	t.Helper()
	bin := SkipIfNoBinary(t, StoreLoki)
	c := localstores.Common{Binary: bin, ExtraArgs: opts.ExtraArgs}
	return start(t, StoreLoki, c, func(c localstores.Common) (*Loki, error) {
		return localstores.StartLoki(context.Background(), localstores.LokiOptions{Common: c, ExtraLimits: opts.ExtraLimits})
	})
}
