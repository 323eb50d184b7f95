package jaeger

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/stores/tracestore"
	"github.com/latencylens/lens/pkg/testenv"
)

// Jaeger v2's memory store reads the search tag error=true, which reaches it as the text
// "true", as "status OK" (v1.76.0): it answers with the traces that did not fail. A
// search for error=true through the v1 API shows the traces holding an error span of the
// service searched, and says why the answer is not Jaeger's own.
func TestLiveJaegerErrorTagSearch(t *testing.T) {
	j := testenv.StartJaeger(t, testenv.JaegerOptions{})
	base := time.Now().Add(-time.Minute).UnixNano()
	span := func(traceID, name string, status int) string {
		return fmt.Sprintf(`{"traceId":%q,"spanId":"1111111111111111","name":%q,"kind":2,"startTimeUnixNano":"%d","endTimeUnixNano":"%d","status":{"code":%d}}`,
			traceID, name, base, base+int64(time.Millisecond), status)
	}
	body := `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
		"scopeSpans":[{"scope":{"name":"lib"},"spans":[` + span("000000000000000000000000000000aa", "ok op", 1) + `,` +
		span("000000000000000000000000000000bb", "failed op", 2) + `,` + span("000000000000000000000000000000cc", "plain op", 0) + `]}]},
		{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},
		"scopeSpans":[{"scope":{"name":"lib"},"spans":[` + span("000000000000000000000000000000dd", "unset op", 0) + `,` +
		span("000000000000000000000000000000ee", "broken op", 2) + `]}]}]}`
	testenv.PostOTLP(t, j.OTLPTracesURL, []byte(body))
	h := liveClient(t, j.URL)
	p := tracestore.SearchParams{Service: "shop", Start: time.Now().Add(-time.Hour), End: time.Now(), Limit: 20}
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := NewV1(h).Search(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Traces) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d traces stored", len(res.Traces))
		}
		time.Sleep(200 * time.Millisecond)
	}
	// shop has a span with status OK, which Jaeger answers error=true with; cart has none,
	// so Jaeger answers with no trace at all.
	for _, tt := range []struct{ service, want, answered string }{
		{"shop", "failed op", "1 of 1 traces without any error span"},
		{"cart", "broken op", "answered no trace"},
	} {
		p.Service, p.Tags = tt.service, map[string]string{"error": "true"}
		res, err := NewV1(h).Search(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tr := range res.Traces {
			names = append(names, tr.RootName)
		}
		if strings.Join(names, ",") != tt.want {
			t.Errorf("%s: error=true found %q, want %q only", tt.service, names, tt.want)
		}
		if w := strings.Join(res.Warnings, "|"); !strings.Contains(w, tt.answered) || !strings.Contains(w, "status OK") {
			t.Errorf("%s: warnings %q, want one saying what Jaeger answered and why", tt.service, res.Warnings)
		}
		for _, s := range res.Spans {
			if s.Operation != tt.want {
				t.Errorf("%s: span %s of a trace left out is kept", tt.service, s.Operation)
			}
		}
	}
}
