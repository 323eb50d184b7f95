package tempo

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/tracestore"
	"github.com/latencylens/lens/pkg/testenv"
)

// Against the real Tempo: a search from a service asks for the newest traces, so with a
// limit of 2 it returns the two newest of six (without the hint this Tempo returned
// older ones); a trace shorter than a millisecond keeps its duration; a tag whose value
// reads as a number finds a string attribute and an int attribute holding it.
func TestLiveTempoSearchNewestAndSubMillisecond(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real Tempo")
	}
	tp := testenv.StartTempo(t, testenv.TempoOptions{})
	base := time.Now().Add(-2 * time.Minute).Truncate(time.Second)
	var rs []string
	// Pushed newest first, each trace in its own resource: durations 10 ms, except the
	// newest, 0.3 ms.
	for i := 5; i >= 0; i-- {
		start := base.Add(time.Duration(i) * 10 * time.Second).UnixNano()
		dur := int64(10 * time.Millisecond)
		if i == 5 {
			dur = int64(300 * time.Microsecond)
		}
		attrs := map[int]string{0: `{"key":"user.id","value":{"stringValue":"42"}}`, 1: `{"key":"user.id","value":{"intValue":"42"}}`}[i]
		rs = append(rs, fmt.Sprintf(`{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"live"}}]},
			"scopeSpans":[{"spans":[{"traceId":"%032x","spanId":"%016x","name":"op%d","kind":2,"startTimeUnixNano":"%d","endTimeUnixNano":"%d","attributes":[%s]}]}]}`,
			i+1, i+1, i, start, start+dur, attrs))
	}
	c := postToLiveTempo(t, tp, rs...)
	p := tracestore.SearchParams{Service: "live", Start: base.Add(-time.Minute), End: time.Now(), Limit: 20}
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := c.Search(context.Background(), p)
		if err == nil && len(res.Traces) == 6 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Tempo did not find the 6 traces: %v %v", res, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	p.Limit = 2
	res, err := c.Search(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, h := range res.Traces {
		got[h.RootName] = h.DurationMs
	}
	if len(got) != 2 || got["op4"] != 10 || math.Abs(got["op5"]-0.3) > 1e-9 {
		t.Errorf("limit 2 gave %v, want the two newest, op5 (0.3 ms) and op4 (10 ms)", got)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings %q", res.Warnings)
	}
	p.Limit, p.Tags = 20, map[string]string{"user.id": "42"}
	if res, err = c.Search(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range res.Traces {
		names = append(names, h.RootName)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"op0", "op1"}) {
		t.Errorf("user.id=42 found %q, want op0 (a string attribute) and op1 (an int attribute)", names)
	}
}

// Against the real Tempo: the operations of a service are that service's own, whatever
// its name holds. Tempo filters tag values by the matchers it finds in `q`, and finds none
// in a string with white space in it (its matcher pattern takes letters, digits,
// punctuation, marks and symbols): it then answers the operations of every service.
func TestLiveTempoOperationsOfAServiceWithSpacesInItsName(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real Tempo")
	}
	tp := testenv.StartTempo(t, testenv.TempoOptions{})
	start := time.Now().Add(-time.Minute).UnixNano()
	services := []string{"checkout service", "pay\tment", "no-break\u00a0space", "cart"}
	var rs []string
	for i, svc := range services {
		name, _ := json.Marshal(svc)
		rs = append(rs, fmt.Sprintf(`{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":%s}}]},
			"scopeSpans":[{"spans":[{"traceId":"%032x","spanId":"%016x","name":"op of %d","kind":2,"startTimeUnixNano":"%d","endTimeUnixNano":"%d"}]}]}`,
			name, i+1, i+1, i, start, start+int64(time.Millisecond)))
	}
	c := postToLiveTempo(t, tp, rs...)
	from, to := time.Now().Add(-time.Hour), time.Now().Add(time.Minute)
	deadline := time.Now().Add(60 * time.Second)
	for {
		got, err := c.Services(context.Background(), from, to)
		if err == nil && len(got) == len(services) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Tempo did not list the services: %q %v", got, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	for i, svc := range services {
		got, err := c.Operations(context.Background(), svc, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{fmt.Sprintf("op of %d", i)}; !slices.Equal(got, want) {
			t.Errorf("operations of %q: %q, want %q", svc, got, want)
		}
	}
}

// postToLiveTempo sends resource spans (OTLP JSON objects) to the real Tempo tp and
// returns a client of its query API.
func postToLiveTempo(t *testing.T, tp *testenv.Tempo, resourceSpans ...string) *Client {
	t.Helper()
	if code := testenv.PostOTLP(t, tp.OTLPTracesURL, []byte(`{"resourceSpans":[`+strings.Join(resourceSpans, ",")+`]}`)); code != http.StatusOK {
		t.Fatalf("OTLP post: HTTP %d", code)
	}
	h, err := httpx.New(StoreName, settings.Store{Name: "traces", URL: tp.URL}, Options())
	if err != nil {
		t.Fatal(err)
	}
	return NewClient(h)
}
