package jaeger

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/tracestore"
)

// A span with the tag error=true (OpenTracing's error flag, which OpenTracing shims and
// Zipkin-fed spans carry as an attribute) is an error span through both APIs: Jaeger's
// v1 answer and its v3 answer for the same stored span read alike, in the span status
// and in the search hit's error flag.
func TestErrorTagMarksTheSpanThroughBothAPIs(t *testing.T) {
	const tid = "00000000000000000123456789abcdef"
	tests := []struct {
		name        string
		v1Tag, v3KV string
		want        int64
	}{
		{"bool true", `{"key":"error","type":"bool","value":true}`, `{"key":"error","value":{"boolValue":true}}`, model.StatusError},
		{"string true", `{"key":"error","type":"string","value":"true"}`, `{"key":"error","value":{"stringValue":"true"}}`, model.StatusError},
		{"bool false", `{"key":"error","type":"bool","value":false}`, `{"key":"error","value":{"boolValue":false}}`, model.StatusUnset},
		{"other tag", `{"key":"errors","type":"bool","value":true}`, `{"key":"errors","value":{"boolValue":true}}`, model.StatusUnset},
	}
	for _, tt := range tests {
		v1 := fmt.Sprintf(`{"data":[{"traceID":"0123456789abcdef","spans":[{"traceID":"0123456789abcdef","spanID":"1111111111111111",
			"operationName":"GET /","references":[],"startTime":1796661361198426,"duration":2000,"tags":[%s],"logs":[],"processID":"p1"}],
			"processes":{"p1":{"serviceName":"shop","tags":[]}}}],"errors":null}`, tt.v1Tag)
		v3 := fmt.Sprintf(`{"result":{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
			"scopeSpans":[{"scope":{},"spans":[{"traceId":%q,"spanId":"1111111111111111","name":"GET /","kind":2,
			"startTimeUnixNano":"1796661361198426000","endTimeUnixNano":"1796661361200426000","attributes":[%s],"status":{}}]}]}]}}`,
			tid, tt.v3KV)
		for api, parse := range map[string]func() ([]model.Trace, error){
			"v1": func() ([]model.Trace, error) { ts, _, err := ParseV1Traces([]byte(v1)); return ts, err },
			"v3": func() ([]model.Trace, error) { ts, _, err := ParseV3Traces([]byte(v3)); return ts, err },
		} {
			t.Run(api+" "+tt.name, func(t *testing.T) {
				ts, err := parse()
				if err != nil || len(ts) != 1 || len(ts[0].Spans) != 1 {
					t.Fatalf("%v %v", err, ts)
				}
				sp := ts[0].Spans[0]
				if sp.StatusCode != tt.want {
					t.Errorf("status %v, want %v", sp.StatusCode, tt.want)
				}
				if got := Summarize(&ts[0]).HasError; got != (tt.want == model.StatusError) {
					t.Errorf("search hit error flag %v", got)
				}
				if len(sp.Tags) != 1 {
					t.Errorf("tags %v, want the error tag kept", sp.Tags)
				}
			})
		}
	}
}

// A store that answers error=true with failed traces only (error tag on the span, in its
// process tags or in a log field, as Jaeger's tag search matches) is asked once, and its
// answer is kept as it is.
func TestErrorTagSearchAnsweredRightIsAskedOnce(t *testing.T) {
	for _, where := range []string{
		`"tags":[{"key":"error","type":"bool","value":true}],"logs":[]`,
		`"tags":[],"logs":[{"timestamp":1796661361198426,"fields":[{"key":"error","type":"string","value":"true"}]}]`,
	} {
		calls := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls++
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprintf(w, `{"data":[{"traceID":"0123456789abcdef","spans":[{"traceID":"0123456789abcdef","spanID":"1111111111111111",
				"operationName":"GET /","references":[],"startTime":1796661361198426,"duration":2000,%s,"processID":"p1"}],
				"processes":{"p1":{"serviceName":"shop","tags":[]}}}],"errors":null}`, where)
		}))
		h, err := httpx.New(StoreName, settings.Store{Name: "traces", URL: srv.URL}, Options())
		if err != nil {
			t.Fatal(err)
		}
		res, err := NewV1(h).Search(context.Background(), tracestore.SearchParams{Service: "shop", Tags: map[string]string{"error": "true"}})
		srv.Close()
		if err != nil || len(res.Traces) != 1 || len(res.Warnings) != 0 || calls != 1 {
			t.Errorf("%s: %d calls, %v, %+v", where, calls, err, res)
		}
	}
}

// A store answering error=true with no trace is asked again without the tag: when none of
// the traces found then failed either, the answer stays empty, without a notice.
func TestErrorTagSearchWithoutFailures(t *testing.T) {
	var tags []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tags = append(tags, r.URL.Query().Get("tags"))
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.URL.Query().Get("tags"), "error") {
			_, _ = w.Write([]byte(`{"data":[],"errors":null}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":[{"traceID":"0123456789abcdef","spans":[{"traceID":"0123456789abcdef","spanID":"1111111111111111",
			"operationName":"GET /","references":[],"startTime":1796661361198426,"duration":2000,"tags":[],"processID":"p1"}],
			"processes":{"p1":{"serviceName":"shop","tags":[]}}}],"errors":null}`))
	}))
	defer srv.Close()
	h, err := httpx.New(StoreName, settings.Store{Name: "traces", URL: srv.URL}, Options())
	if err != nil {
		t.Fatal(err)
	}
	res, err := NewV1(h).Search(context.Background(), tracestore.SearchParams{Service: "shop", Tags: map[string]string{"error": "true", "http.method": "GET"}})
	if err != nil || len(res.Traces) != 0 || len(res.Spans) != 0 || len(res.Warnings) != 0 {
		t.Errorf("%v, %+v, want no trace and no notice", err, res)
	}
	if want := []string{`{"error":"true","http.method":"GET"}`, `{"http.method":"GET"}`}; strings.Join(tags, " ") != strings.Join(want, " ") {
		t.Errorf("tags sent %q, want %q", tags, want)
	}
}

// The search again without the error tag is part of one search: both calls share the
// store's timeout, as Tempo's fallbacks do, rather than each getting a timeout of its own.
// Each answer here takes five eighths of the timeout: the second is cut off, and the
// search fails naming the store's timeout.
func TestErrorTagSearchAgainSharesTheStoreTimeout(t *testing.T) {
	const timeout = 400 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(timeout * 5 / 8):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":[],"errors":null}`))
	}))
	defer srv.Close()
	h, err := httpx.New(StoreName, settings.Store{Name: "traces", URL: srv.URL, Timeout: timeout}, Options())
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewV1(h).Search(context.Background(), tracestore.SearchParams{Service: "shop", Tags: map[string]string{"error": "true"}})
	var se *httpx.StoreError
	if !errors.As(err, &se) || !se.Timeout || !strings.Contains(err.Error(), "within "+timeout.String()) {
		t.Errorf("error %v, want the store's timeout of %s", err, timeout)
	}
}
