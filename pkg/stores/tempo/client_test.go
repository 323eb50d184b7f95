package tempo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/storetest"
	"github.com/latencylens/lens/pkg/stores/tracestore"
)

// sentCall is what a replayed store's client sent: when, and the request's deadline.
type sentCall struct {
	at       time.Time
	deadline time.Time
}

// deadlineRecorder sits between the client and the replayed store and keeps, per path,
// when each request left and the deadline its context carried.
type deadlineRecorder struct {
	mu    sync.Mutex
	calls map[string]sentCall
}

func (r *deadlineRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	d, ok := req.Context().Deadline()
	if !ok {
		return nil, errors.New("request without a deadline")
	}
	r.mu.Lock()
	r.calls[req.URL.Path] = sentCall{at: time.Now(), deadline: d}
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// sent returns a copy of the calls recorded so far.
func (r *deadlineRecorder) sent() map[string]sentCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]sentCall, len(r.calls))
	for k, v := range r.calls {
		out[k] = v
	}
	return out
}

// slowV2Tempo replays a Tempo before 2.6: /api/v2/traces answers 404 after v2Delay, and
// /api/traces answers the trace, or, with v1Hangs, nothing until the client gives up.
func slowV2Tempo(t *testing.T, v2Delay time.Duration, v1Hangs bool) *httptest.Server {
	v1 := read(t, "trace_v1.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/v2/traces/"):
			select {
			case <-time.After(v2Delay):
			case <-r.Context().Done():
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("404 page not found\n"))
		case strings.HasPrefix(r.URL.Path, "/api/traces/"):
			if v1Hangs {
				select {
				case <-r.Context().Done():
				case <-time.After(30 * time.Second):
				}
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(v1)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func recordedClient(t *testing.T, url string, timeout time.Duration) (*Client, *deadlineRecorder) {
	rec := &deadlineRecorder{calls: map[string]sentCall{}}
	opts := Options()
	opts.Transport = rec
	h, err := httpx.New(StoreName, settings.Store{Name: "traces", URL: url, Timeout: timeout}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return NewClient(h), rec
}

// TestTraceFallbackSharesOneTimeout: the v1 fallback after a slow v2 404 runs under the
// deadline the v2 call had, not under a fresh timeout of its own.
func TestTraceFallbackSharesOneTimeout(t *testing.T) {
	const (
		v2Path = "/api/v2/traces/" + storetest.CheckoutTraceID
		v1Path = "/api/traces/" + storetest.CheckoutTraceID
	)
	// checkShared asserts the v1 call carried the v2 call's deadline, which is at most one
	// timeout after the v2 call left (a fresh budget would end one timeout after v1 left,
	// and v1 leaves after v2's slow 404).
	checkShared := func(t *testing.T, rec *deadlineRecorder, timeout time.Duration) {
		t.Helper()
		calls := rec.sent()
		v2, ok2 := calls[v2Path]
		v1, ok1 := calls[v1Path]
		if !ok1 || !ok2 {
			t.Fatalf("calls made: %v", calls)
		}
		if !v1.deadline.Equal(v2.deadline) {
			t.Errorf("v1 deadline %s, v2 deadline %s: want the same deadline", v1.deadline, v2.deadline)
		}
		if v1.deadline.After(v2.at.Add(timeout)) {
			t.Errorf("v1 deadline is %s after the v2 call left, more than the %s timeout", v1.deadline.Sub(v2.at), timeout)
		}
		if !v1.at.After(v2.at) {
			t.Errorf("v1 left before v2 answered")
		}
	}

	t.Run("slow 404 then the trace", func(t *testing.T) {
		const timeout = 5 * time.Second
		c, rec := recordedClient(t, slowV2Tempo(t, 50*time.Millisecond, false).URL, timeout)
		tr, err := c.Trace(context.Background(), storetest.CheckoutTraceID, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		storetest.AssertCheckoutTrace(t, tr, storetest.CheckoutSpans)
		checkShared(t, rec, timeout)
	})

	t.Run("slow 404 then no answer: one timeout error", func(t *testing.T) {
		const timeout = time.Second
		c, rec := recordedClient(t, slowV2Tempo(t, 50*time.Millisecond, true).URL, timeout)
		_, err := c.Trace(context.Background(), storetest.CheckoutTraceID, time.Time{}, time.Time{})
		var se *httpx.StoreError
		if !errors.As(err, &se) || !se.Timeout || se.Status != 0 || se.Store != StoreName ||
			!strings.Contains(se.Message, "no answer within 1s") {
			t.Fatalf("error %#v, want tempo's timeout", err)
		}
		checkShared(t, rec, timeout)
	})

	t.Run("a caller's earlier deadline still wins", func(t *testing.T) {
		c, rec := recordedClient(t, slowV2Tempo(t, 0, false).URL, time.Minute)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		want, _ := ctx.Deadline()
		if _, err := c.Trace(ctx, storetest.CheckoutTraceID, time.Time{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		for path, call := range rec.sent() {
			if !call.deadline.Equal(want) {
				t.Errorf("%s: deadline %s, want the caller's %s", path, call.deadline, want)
			}
		}
	})
}

// replayClient is a client of a replayed Tempo served by h.
func replayClient(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, _ := recordedClient(t, srv.URL, 0)
	return c
}

// Tempo's search takes start/end in Unix seconds and keeps a trace whose start is at or
// before end seconds (tempodb vparquet createTraceIterator: "Span start <= req.End"). A
// trace that started in the range's last, partial second is found: the end is rounded up.
func TestSearchEndCoversLastPartialSecond(t *testing.T) {
	traceStart := time.Unix(1700000000, 500_000_000)
	tests := []struct {
		name    string
		end     time.Time
		wantEnd string
	}{
		{"end inside a second", time.Unix(1700000000, 900_000_000), "1700000001"},
		{"end on a whole second", time.Unix(1700000001, 0), "1700000001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sent string
			c := replayClient(t, func(w http.ResponseWriter, r *http.Request) {
				sent = r.URL.Query().Get("end")
				e, _ := strconv.ParseInt(sent, 10, 64)
				w.Header().Set("Content-Type", "application/json")
				if traceStart.UnixNano() <= e*1e9 {
					fmt.Fprintf(w, `{"traces":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","rootServiceName":"shop","rootTraceName":"GET","startTimeUnixNano":"%d","durationMs":5}]}`, traceStart.UnixNano())
					return
				}
				_, _ = w.Write([]byte(`{"traces":[]}`))
			})
			res, err := c.Search(context.Background(), tracestore.SearchParams{TraceQL: "{}", Start: tt.end.Add(-time.Hour), End: tt.end, Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			if sent != tt.wantEnd {
				t.Errorf("end = %s, want %s", sent, tt.wantEnd)
			}
			if len(res.Traces) != 1 {
				t.Errorf("got %d traces, want the one that started at %s, inside the range ending %s", len(res.Traces), traceStart, tt.end)
			}
		})
	}
}

// TestTraceWithoutSpansIsNotFound: an answer that parses but holds no span (Tempo's v2
// `{"trace":{}}`, v1 `{"batches":[]}`) is the store's 404 naming the trace, as Jaeger's
// empty answers are, not an empty spans frame with nothing said; a partial one says so.
func TestTraceWithoutSpansIsNotFound(t *testing.T) {
	tests := []struct {
		name, v2, v1 string
		want         string
	}{
		{"v2 empty", `{"trace":{}}`, "", "trace " + storetest.CheckoutTraceID + " not found"},
		{"v2 empty resourceSpans", `{"trace":{"resourceSpans":[]}}`, "", "not found"},
		{"v2 partial and empty", `{"trace":{},"status":"PARTIAL","message":"too many blocks"}`, "", "partial answer"},
		{"v1 empty", "", `{"batches":[]}`, "trace " + storetest.CheckoutTraceID + " not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body := tt.v2
				if strings.HasPrefix(r.URL.Path, "/api/traces/") {
					body = tt.v1
				}
				if body == "" {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(body))
			}))
			t.Cleanup(srv.Close)
			c, _ := recordedClient(t, srv.URL, 5*time.Second)
			tr, err := c.Trace(context.Background(), storetest.CheckoutTraceID, time.Time{}, time.Time{})
			var se *httpx.StoreError
			if err == nil || !errors.As(err, &se) || se.Status != http.StatusNotFound || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("trace %+v, error %v: want a 404 saying %q", tr, err, tt.want)
			}
		})
	}
}
