package e2e

import (
	"testing"

	"github.com/latencylens/lens/pkg/testenv"
)

// storeEndpoints are the trace and log stores the seed services feed.
type storeEndpoints struct {
	// Query API base URLs.
	TempoURL, JaegerURL, LokiURL string
	// OTLP/HTTP ingest URLs: Tempo's and Jaeger's …/v1/traces, Loki's …/otlp/v1/logs.
	TempoOTLP, JaegerOTLP, LokiOTLP string
}

// startStores starts Tempo, Loki and Jaeger through pkg/testenv. All three binaries
// are looked up first, so a missing one skips (or, under LATENCYLENS_REQUIRE_STORES,
// fails) before anything starts.
func startStores(t *testing.T) storeEndpoints {
	t.Helper()
	for _, name := range []string{testenv.StoreTempo, testenv.StoreLoki, testenv.StoreJaeger} {
		testenv.SkipIfNoBinary(t, name)
	}
	tempo := testenv.StartTempo(t, testenv.TempoOptions{})
	loki := testenv.StartLoki(t, testenv.LokiOptions{})
	jaeger := testenv.StartJaeger(t, testenv.JaegerOptions{})
	return storeEndpoints{
		TempoURL: tempo.URL, TempoOTLP: tempo.OTLPTracesURL,
		LokiURL: loki.URL, LokiOTLP: loki.OTLPLogsURL,
		JaegerURL: jaeger.URL, JaegerOTLP: jaeger.OTLPTracesURL,
	}
}
