package tempo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/testenv"
)

// Against the real Tempo: its tag-value look-up answers a tag name holding a slash
// (span.k8s/pod, escaped as span.k8s%2Fpod) with its router's plain-text "404 page not
// found", though the tag-name look-up lists the tag. The look-up's error must say why
// (Tempo cannot look up such a name) as the caller's request, not the store failing with
// a bare 404; a tag name without a slash keeps working.
func TestLiveTempoTagValuesOfANameWithASlash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real Tempo")
	}
	tp := testenv.StartTempo(t, testenv.TempoOptions{})
	start := time.Now().Add(-time.Minute).UnixNano()
	c := postToLiveTempo(t, tp, fmt.Sprintf(`{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"slashes"}}]},
		"scopeSpans":[{"spans":[{"traceId":"%032x","spanId":"%016x","name":"op","kind":2,"startTimeUnixNano":"%d","endTimeUnixNano":"%d",
		"attributes":[{"key":"k8s/pod","value":{"stringValue":"pod-a"}},{"key":"pod","value":{"stringValue":"pod-b"}}]}]}]}`, 7, 7, start, start+int64(time.Millisecond)))
	from, to := time.Now().Add(-time.Hour), time.Now().Add(time.Minute)
	deadline := time.Now().Add(60 * time.Second)
	for {
		names, err := c.TagNames(context.Background(), from, to)
		if err == nil && slices.Contains(names, "span.k8s/pod") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Tempo does not list span.k8s/pod: %v %v", names, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if got, err := c.TagValues(context.Background(), "span.pod", "", from, to); err != nil || !slices.Equal(got, []string{"pod-b"}) {
		t.Fatalf("span.pod: %q %v", got, err)
	}
	_, err := c.TagValues(context.Background(), "span.k8s/pod", "", from, to)
	var re *httpx.RequestError
	if !errors.As(err, &re) {
		t.Fatalf("span.k8s/pod: error %v (%T), want the request refused", err, err)
	}
	for _, want := range []string{"tempo: ", `"span.k8s/pod"`, "slash", "404 page not found"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q, want it to say %q", err, want)
		}
	}
}
