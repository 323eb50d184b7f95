package jaeger

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/tracestore"
	"github.com/latencylens/lens/pkg/testenv"
)

// Against the real Jaeger, through both APIs: an int64 attribute beyond 2^53 reads as the
// integer, a span's clock-skew warning is a warning (not a tag) and shows once however
// often the trace is read, and a URL that is not the query API names the problem.
func TestLiveJaegerTagsWarningsAndWrongURL(t *testing.T) {
	j := testenv.StartJaeger(t, testenv.JaegerOptions{})
	const traceID = "00000000000000000123456789abcdef"
	base := time.Now().Add(-time.Minute).UnixNano()
	body := fmt.Sprintf(`{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
		"scopeSpans":[{"scope":{"name":"lib"},"spans":[
		{"traceId":%[1]q,"spanId":"1111111111111111","name":"GET /","kind":2,"startTimeUnixNano":"%[2]d","endTimeUnixNano":"%[3]d",
		 "attributes":[{"key":"big","value":{"intValue":"9007199254740993"}}]},
		{"traceId":%[1]q,"spanId":"3333333333333333","parentSpanId":"9999999999999999","name":"orphan","kind":1,
		 "startTimeUnixNano":"%[2]d","endTimeUnixNano":"%[3]d"}]}]}]}`, traceID, base, base+int64(time.Millisecond))
	if code := testenv.PostOTLP(t, j.OTLPTracesURL, []byte(body)); code != http.StatusOK {
		t.Fatalf("OTLP post: HTTP %d", code)
	}
	for _, c := range bothAPIs(t, j.URL) {
		t.Run(c.name, func(t *testing.T) {
			var tr *model.Trace
			var err error
			deadline := time.Now().Add(10 * time.Second)
			for read := 0; read < 3; read++ { // each read adds the warning to Jaeger's stored span again
				for tr, err = c.s.Trace(context.Background(), "0123456789ABCDEF", time.Time{}, time.Time{}); err != nil && time.Now().Before(deadline); {
					time.Sleep(200 * time.Millisecond)
					tr, err = c.s.Trace(context.Background(), "0123456789ABCDEF", time.Time{}, time.Time{})
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			spans := map[string]model.Span{}
			for _, s := range tr.Spans {
				spans[s.Operation] = s
			}
			var big any
			for _, kv := range spans["GET /"].Tags {
				if kv.Key == "big" {
					big = kv.Value
				}
			}
			if big != model.BigInt("9007199254740993") {
				t.Errorf("big = %#v, want model.BigInt", big)
			}
			orphan := spans["orphan"]
			if len(orphan.Warnings) != 1 || !strings.Contains(orphan.Warnings[0], "9999999999999999") {
				t.Errorf("orphan warnings = %q, want one naming its missing parent", orphan.Warnings)
			}
			for _, kv := range orphan.Tags {
				if strings.HasPrefix(kv.Key, "@jaeger@") {
					t.Errorf("tag %s = %v", kv.Key, kv.Value)
				}
			}
		})
	}
	wrong, err := httpx.New(StoreName, settings.Store{Name: "traces", URL: j.URL + "/search"}, Options())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []tracestore.Store{NewV1(wrong), NewV3(wrong)} {
		if _, err := c.Services(context.Background(), time.Time{}, time.Time{}); err == nil || !strings.Contains(err.Error(), "HTML page") {
			t.Errorf("services at a UI path: %v, want an error naming the HTML page", err)
		}
	}
}

// liveClient is the HTTP client of a data source whose trace store is the Jaeger at url.
func liveClient(t *testing.T, url string) *httpx.Client {
	t.Helper()
	h, err := httpx.New(StoreName, settings.Store{Name: "traces", URL: url}, Options())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// apiStore is one of Jaeger's query APIs, named.
type apiStore struct {
	name string
	s    tracestore.Store
}

// bothAPIs is a store of each of Jaeger's query APIs, v1 and v3, on the Jaeger at url.
func bothAPIs(t *testing.T, url string) []apiStore {
	h := liveClient(t, url)
	return []apiStore{{"v1", NewV1(h)}, {"v3", NewV3(h)}}
}
