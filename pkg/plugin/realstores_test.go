package plugin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/stores/jaeger"
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/stores/storetest"
	"github.com/latencylens/lens/pkg/stores/tempo"
	"github.com/latencylens/lens/pkg/testenv"
)

// realStores starts each real store (pkg/testenv) at most once per test, feeds it the
// checkout trace or its log lines over OTLP, starting at base, and waits until the
// store answers with all of it. The stores stop when the test that created realStores
// ends. A row asking for a store whose binary is missing is skipped (fails under
// LATENCYLENS_REQUIRE_STORES); -short skips them all.
type realStores struct {
	parent *testing.T
	base   int64
	tempo  *testenv.Tempo
	jaeger *testenv.Jaeger
	loki   *testenv.Loki
}

// readBack is how long a store may take to make pushed data queryable.
const readBack = 60 * time.Second

func newRealStores(t *testing.T) *realStores {
	return &realStores{parent: t, base: time.Now().Add(-30 * time.Second).Truncate(time.Millisecond).UnixNano()}
}

func (r *realStores) need(t *testing.T, store string) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a real " + store)
	}
	testenv.SkipIfNoBinary(t, store)
}

func (r *realStores) tempoURL(t *testing.T) string {
	r.need(t, testenv.StoreTempo)
	if r.tempo == nil {
		r.tempo = testenv.StartTempo(r.parent, testenv.TempoOptions{})
		testenv.PostOTLP(t, r.tempo.OTLPTracesURL, storetest.CheckoutTraceOTLP(r.base))
		waitFor(t, r.tempo.URL+"/api/v2/traces/"+storetest.CheckoutTraceID, func(b []byte) error {
			tr, err := tempo.ParseTraceV2(b)
			return threeSpans(tr, err)
		})
	}
	return r.tempo.URL
}

func (r *realStores) jaegerURL(t *testing.T) string {
	r.need(t, testenv.StoreJaeger)
	if r.jaeger == nil {
		r.jaeger = testenv.StartJaeger(r.parent, testenv.JaegerOptions{})
		testenv.PostOTLP(t, r.jaeger.OTLPTracesURL, storetest.CheckoutTraceOTLP(r.base))
		waitFor(t, r.jaeger.URL+"/api/v3/traces/"+storetest.CheckoutTraceID, func(b []byte) error {
			ts, _, err := jaeger.ParseV3Traces(b)
			if err == nil && len(ts) != 1 {
				err = fmt.Errorf("%d traces", len(ts))
			}
			if err != nil {
				return err
			}
			return threeSpans(&ts[0], nil)
		})
	}
	return r.jaeger.URL
}

func (r *realStores) lokiURL(t *testing.T) string {
	r.need(t, testenv.StoreLoki)
	if r.loki == nil {
		r.loki = testenv.StartLoki(r.parent, testenv.LokiOptions{})
		testenv.PostOTLP(t, r.loki.OTLPLogsURL, storetest.CheckoutLogsOTLP(r.base))
		q := url.Values{
			"query": {`{service_name=~".+"} | trace_id="` + storetest.CheckoutTraceID + `"`},
			"start": {fmt.Sprint(r.base - int64(time.Hour))}, "end": {fmt.Sprint(time.Now().Add(time.Hour).UnixNano())},
		}
		waitFor(t, r.loki.URL+"/loki/api/v1/query_range?"+q.Encode(), func(b []byte) error {
			res, err := loki.ParseQueryRange(b)
			if err == nil && res.Lines != len(storetest.CheckoutLines) {
				err = fmt.Errorf("%d lines", res.Lines)
			}
			return err
		})
	}
	return r.loki.URL
}

func threeSpans(tr *model.Trace, err error) error {
	if err == nil && len(tr.Spans) != len(storetest.CheckoutSpans) {
		err = fmt.Errorf("%d spans", len(tr.Spans))
	}
	return err
}

// waitFor polls u until check accepts a 200 answer, or fails the test after readBack.
func waitFor(t *testing.T, u string, check func([]byte) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readBack)
	defer cancel()
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if last = check(b); last == nil {
					return
				}
			} else {
				last = fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, b)
			}
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s did not answer as expected within %s: %v", u, readBack, last)
		case <-time.After(250 * time.Millisecond):
		}
	}
}
