package httpx_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/jaeger"
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/stores/prometheus"
	"github.com/latencylens/lens/pkg/stores/tempo"
)

// sentURL is one request as the store saw it on the wire.
type sentURL struct {
	escapedPath string
	query       url.Values
}

// wireRecorder is a replayed store that keeps every request's path exactly as sent
// (escaped form) and answers each with body.
type wireRecorder struct {
	mu   sync.Mutex
	sent []sentURL
}

func (r *wireRecorder) server(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.sent = append(r.sent, sentURL{escapedPath: req.URL.EscapedPath(), query: req.URL.Query()})
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (r *wireRecorder) paths() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.sent))
	for i, s := range r.sent {
		out[i] = s.escapedPath
	}
	return out
}

func client(t *testing.T, store, base string, opts httpx.Options) *httpx.Client {
	t.Helper()
	h, err := httpx.New(store, settings.Store{Name: store, URL: base}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Values that need escaping in a path segment, and their escaped form, written out by
// hand: a space, a slash (which must stay inside its segment), a percent sign and a
// non-ASCII letter.
const (
	awkward        = "My Service/v2 100% café"
	awkwardEscaped = "My%20Service%2Fv2%20100%25%20caf%C3%A9"
	traceID        = "0af7651916cd43dd8448eb211c80319c"
)

// TestStorePathsAreEscapedOnce: every store client's path-building call reaches the store
// with each value escaped exactly once (a space as %20, never %2520), and a value's slash
// stays inside its segment.
func TestStorePathsAreEscapedOnce(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		status int
		body   string
		call   func(base string) error
		// okErr: the call may fail (a trace the replay does not hold); only the paths count.
		okErr bool
		want  []string
		// wantQuery are query parameters the store must receive, decoded.
		wantQuery url.Values
	}{
		{
			name: "jaeger v1 operations", status: 200, body: `{"data":["GET /"]}`,
			call: func(base string) error {
				_, err := jaeger.NewV1(client(t, jaeger.StoreName, base, jaeger.Options())).Operations(ctx, awkward, time.Time{}, time.Time{})
				return err
			},
			want: []string{"/api/services/" + awkwardEscaped + "/operations"},
		},
		{
			name: "jaeger v1 operations, plain space", status: 200, body: `{"data":["GET /"]}`,
			call: func(base string) error {
				_, err := jaeger.NewV1(client(t, jaeger.StoreName, base, jaeger.Options())).Operations(ctx, "My Service", time.Time{}, time.Time{})
				return err
			},
			want: []string{"/api/services/My%20Service/operations"},
		},
		{
			name: "jaeger v3 operations", status: 200, body: `{"operations":[{"name":"GET /"}]}`,
			call: func(base string) error {
				_, err := jaeger.NewV3(client(t, jaeger.StoreName, base, jaeger.Options())).Operations(ctx, awkward, time.Time{}, time.Time{})
				return err
			},
			want:      []string{"/api/v3/operations"},
			wantQuery: url.Values{"service": {awkward}},
		},
		{
			name: "jaeger v1 trace", status: 200, body: `{"data":[]}`, okErr: true,
			call: func(base string) error {
				_, err := jaeger.NewV1(client(t, jaeger.StoreName, base, jaeger.Options())).Trace(ctx, traceID, time.Time{}, time.Time{})
				return err
			},
			want: []string{"/api/traces/" + traceID},
		},
		{
			name: "jaeger v3 trace", status: 200, body: `{"result":{"resourceSpans":[]}}`, okErr: true,
			call: func(base string) error {
				_, err := jaeger.NewV3(client(t, jaeger.StoreName, base, jaeger.Options())).Trace(ctx, traceID, time.Time{}, time.Time{})
				return err
			},
			want: []string{"/api/v3/traces/" + traceID},
		},
		{
			name: "tempo tag values", status: 200, body: `{"tagValues":[]}`,
			call: func(base string) error {
				_, err := tempo.NewClient(client(t, tempo.StoreName, base, tempo.Options())).TagValues(ctx, awkward, "", time.Time{}, time.Time{})
				return err
			},
			want: []string{"/api/v2/search/tag/" + awkwardEscaped + "/values"},
		},
		{
			name: "tempo scoped tag values", status: 200, body: `{"tagValues":[]}`,
			call: func(base string) error {
				_, err := tempo.NewClient(client(t, tempo.StoreName, base, tempo.Options())).TagValues(ctx, "span.http method", `{ name = "a b" }`, time.Time{}, time.Time{})
				return err
			},
			want:      []string{"/api/v2/search/tag/span.http%20method/values"},
			wantQuery: url.Values{"q": {`{ name = "a b" }`}},
		},
		{
			name: "tempo operations of a service", status: 200, body: `{"tagValues":[]}`,
			call: func(base string) error {
				_, err := tempo.NewClient(client(t, tempo.StoreName, base, tempo.Options())).Operations(ctx, awkward, time.Time{}, time.Time{})
				return err
			},
			want: []string{"/api/v2/search/tag/name/values"},
			// Spaces go as \u0020: Tempo drops a matcher whose string holds white space.
			wantQuery: url.Values{"q": {`{ resource.service.name = "` + strings.ReplaceAll(awkward, " ", `\u0020`) + `" }`}},
		},
		{
			name: "tempo trace, v2 then v1", status: 404, body: `trace not found`, okErr: true,
			call: func(base string) error {
				_, err := tempo.NewClient(client(t, tempo.StoreName, base, tempo.Options())).Trace(ctx, traceID, time.Time{}, time.Time{})
				return err
			},
			want: []string{"/api/v2/traces/" + traceID, "/api/traces/" + traceID},
		},
		{
			name: "loki label values", status: 200, body: `{"status":"success","data":[]}`,
			call: func(base string) error {
				_, err := loki.NewClient(client(t, loki.StoreName, base, loki.Options())).LabelValues(ctx, awkward, `{a="b c"}`, time.Time{}, time.Time{})
				return err
			},
			want:      []string{"/loki/api/v1/label/" + awkwardEscaped + "/values"},
			wantQuery: url.Values{"query": {`{a="b c"}`}},
		},
		{
			name: "prometheus label values", status: 200, body: `{"status":"success","data":[]}`,
			call: func(base string) error {
				_, err := prometheus.NewClient(client(t, prometheus.StoreName, base, prometheus.Options())).LabelValues(ctx, awkward, []string{`up{a="b c"}`}, time.Time{}, time.Time{})
				return err
			},
			want:      []string{"/api/v1/label/" + awkwardEscaped + "/values"},
			wantQuery: url.Values{"match[]": {`up{a="b c"}`}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rec wireRecorder
			srv := rec.server(t, tc.status, tc.body)
			if err := tc.call(srv.URL); err != nil && !tc.okErr {
				t.Fatalf("call failed: %v", err)
			}
			if got := rec.paths(); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("store received paths %q, want %q", got, tc.want)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			for _, s := range rec.sent {
				for k, want := range tc.wantQuery {
					if got := s.query[k]; strings.Join(got, "\n") != strings.Join(want, "\n") {
						t.Errorf("%s: query %s = %q, want %q", s.escapedPath, k, got, want)
					}
				}
			}
		})
	}
}

// TestDoSendsThePathAsGiven: Do takes the path in escaped form and sends it unchanged
// after the base URL's own path, whatever that base path holds.
func TestDoSendsThePathAsGiven(t *testing.T) {
	tests := []struct {
		name, basePath, path, want string
	}{
		{"no base path", "", "/api/a%20b/c", "/api/a%20b/c"},
		{"base path with a trailing slash", "/prom/", "/api/v1/label/a%2Fb/values", "/prom/api/v1/label/a%2Fb/values"},
		{"escaped base path", "/my%20proxy", "/x/100%25", "/my%20proxy/x/100%25"},
		{"base path with an escaped slash", "/tenant%2F1", "/ready", "/tenant%2F1/ready"},
		{"unicode escaped", "", "/x/caf%C3%A9", "/x/caf%C3%A9"},
		{"reserved characters allowed in a path", "", "/x/a:b@c", "/x/a:b@c"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rec wireRecorder
			srv := rec.server(t, 200, `{}`)
			h := client(t, "loki", srv.URL+tc.basePath, httpx.Options{})
			if _, err := h.Get(context.Background(), tc.path, nil, nil); err != nil {
				t.Fatal(err)
			}
			if got := rec.paths(); len(got) != 1 || got[0] != tc.want {
				t.Errorf("store received %q, want %q", got, tc.want)
			}
		})
	}
}

// TestDoRefusesABrokenEscape: a path that is not a valid escaped form (a lone %, a raw
// space) is an error naming the store, and nothing is sent.
func TestDoRefusesABrokenEscape(t *testing.T) {
	for _, path := range []string{"/api/x/100%", "/api/x/%zz", "/api/x/a b"} {
		t.Run(path, func(t *testing.T) {
			var rec wireRecorder
			srv := rec.server(t, 200, `{}`)
			h := client(t, "tempo", srv.URL, httpx.Options{})
			_, err := h.Get(context.Background(), path, nil, nil)
			if err == nil || !strings.HasPrefix(err.Error(), "tempo: cannot build request") {
				t.Errorf("error %v, want one naming tempo", err)
			}
			if got := rec.paths(); len(got) != 0 {
				t.Errorf("sent %q", got)
			}
		})
	}
}
