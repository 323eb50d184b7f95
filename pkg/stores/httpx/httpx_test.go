package httpx

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/latencylens/lens/pkg/settings"
)

// echoServer answers 401 with every header it received, as it came, query-escaped and
// inside a JSON string (as proxies' error pages and JSON error bodies do), after pad
// bytes of filler.
func echoServer(t *testing.T, pad int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		names := make([]string, 0, len(r.Header))
		for k := range r.Header {
			names = append(names, k)
		}
		sort.Strings(names)
		var b strings.Builder
		b.WriteString(strings.Repeat(".", pad))
		b.WriteString("rejected")
		for _, k := range names {
			v := r.Header.Get(k)
			js, _ := json.Marshal(v)
			b.WriteString(" " + k + ": " + v + " | " + url.QueryEscape(v) + " | " + string(js))
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(b.String()))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func storeFor(t *testing.T, url, store string, secure map[string]string) settings.Store {
	t.Helper()
	s, err := settings.Parse([]byte(`{"metrics":{"url":"`+url+`",`+store+`}}`), secure)
	if err != nil {
		t.Fatal(err)
	}
	return s.Metrics
}

// TestStoreErrorsScrubEveryWireForm: a store that echoes the credentials it got in its
// error body leaves none of them, in any form, in the StoreError, which still names the
// store and the status.
func TestStoreErrorsScrubEveryWireForm(t *testing.T) {
	pair := "alice:s3cret-pw"
	tests := []struct {
		name    string
		store   string
		secure  map[string]string
		secrets []string
	}{
		{"basic", `"auth":"basic","basicAuthUser":"alice"`, map[string]string{"metricsBasicAuthPassword": "s3cret-pw"},
			[]string{"s3cret-pw", pair, base64.StdEncoding.EncodeToString([]byte(pair)), base64.RawStdEncoding.EncodeToString([]byte(pair))}},
		{"basic, password with URL and JSON specials", `"auth":"basic","basicAuthUser":"bob"`, map[string]string{"metricsBasicAuthPassword": `p@ss w/"q"&+`},
			[]string{`p@ss w/"q"&+`, "p%40ss+w%2F%22q%22%26%2B", `p@ss w/\"q\"\u0026+`, base64.StdEncoding.EncodeToString([]byte(`bob:p@ss w/"q"&+`))}},
		{"basic, base64 with URL specials", `"auth":"basic","basicAuthUser":"alice"`, map[string]string{"metricsBasicAuthPassword": "pa>ss?"},
			[]string{"YWxpY2U6cGE+c3M/", "YWxpY2U6cGE%2Bc3M%2F", "YWxpY2U6cGE"}},
		{"basic, one-character password", `"auth":"basic","basicAuthUser":"alice"`, map[string]string{"metricsBasicAuthPassword": "Ω"},
			[]string{"alice:Ω", base64.StdEncoding.EncodeToString([]byte("alice:Ω")), url.QueryEscape(base64.StdEncoding.EncodeToString([]byte("alice:Ω")))}},
		{"bearer", `"auth":"bearer"`, map[string]string{"metricsBearerToken": "tok/en+42=="},
			[]string{"tok/en+42==", "tok%2Fen%2B42%3D%3D"}},
		{"custom headers", `"headerNames":["X-Scope-OrgID","X-Api-Key"]`, map[string]string{"metricsHeaderValue0": "tenant-7", "metricsHeaderValue1": "key with spaces"},
			[]string{"tenant-7", "key with spaces", "key+with+spaces"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := echoServer(t, 0)
			c, err := New("prometheus", storeFor(t, srv.URL, tc.store, tc.secure), Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Get(context.Background(), "/api/v1/query", nil, nil)
			var se *StoreError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a StoreError", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "prometheus: HTTP 401: rejected") || !strings.Contains(msg, "[redacted]") {
				t.Errorf("message %q should name the store and status and show the redaction", msg)
			}
			for _, s := range tc.secrets {
				if strings.Contains(msg, s) {
					t.Errorf("%q leaked: %s", s, msg)
				}
			}
		})
	}
}

// TestScrubBeforeTheMessageIsCut: the body is scrubbed before the message function cuts
// it to length, so a cut through an echoed credential leaves no piece of it.
func TestScrubBeforeTheMessageIsCut(t *testing.T) {
	enc := base64.StdEncoding.EncodeToString([]byte("alice:s3cret-pw"))
	// "rejected Accept-Encoding: gzip | gzip | "gzip" Authorization: Basic " is 68 bytes;
	// the message is cut at 512, 12 bytes into the encoded credential.
	srv := echoServer(t, 512-68-12)
	c, err := New("prometheus", storeFor(t, srv.URL, `"auth":"basic","basicAuthUser":"alice"`,
		map[string]string{"metricsBasicAuthPassword": "s3cret-pw"}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), "/", nil, nil)
	if err == nil {
		t.Fatal("want the 401")
	}
	if strings.Contains(err.Error(), enc[:8]) {
		t.Errorf("a piece of the credential is left: %s", err)
	}
	if !strings.Contains(err.Error(), "Authorization: Basic [redacted]") {
		t.Errorf("the echo should show, scrubbed: %s", err)
	}
}

// TestShortSecretsAreNotScrubbed: a one- or two-character secret cannot be cut out of
// free text without destroying it, so Scrub leaves the text alone (the basic-auth forms
// carrying it are still scrubbed, as TestStoreErrorsScrubEveryWireForm shows).
func TestShortSecretsAreNotScrubbed(t *testing.T) {
	st := storeFor(t, "http://prom:9090", `"headerNames":["X-Org"],"auth":"bearer"`,
		map[string]string{"metricsHeaderValue0": "42", "metricsBearerToken": "abc"})
	c, err := New("prometheus", st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Scrub("found 42 series; abc"); got != "found 42 series; [redacted]" {
		t.Errorf("Scrub = %q", got)
	}
}

// A long plain-text answer is cut before a character, never inside one.
func TestPlainMessageCutsBetweenCharacters(t *testing.T) {
	body := []byte(strings.Repeat("a", 511) + strings.Repeat("é", 10))
	got := PlainMessage(500, "text/plain", body)
	if !utf8.ValidString(got) || got != strings.Repeat("a", 511)+"…" {
		t.Errorf("cut to %q", got)
	}
}

// TestPlainMessageIsOneLine: an error body that is not the store's own document (a
// reverse proxy's page) becomes one line, so each store's health line and each error stay
// one line: an HTML page gives its title, or its text without markup, and every run of
// white space is one space.
func TestPlainMessageIsOneLine(t *testing.T) {
	nginx := "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
		"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n"
	tests := []struct{ name, contentType, body, want string }{
		{"plain text trimmed", "text/plain", "  bad gateway\n", "bad gateway"},
		{"plain text lines joined", "text/plain", "upstream error:\n\tconnection refused\r\n", "upstream error: connection refused"},
		{"nginx page gives its title", "text/html", nginx, "502 Bad Gateway"},
		{"content type with parameters", "text/html; charset=utf-8", nginx, "502 Bad Gateway"},
		{"page without a content type", "", "<!DOCTYPE html>" + nginx, "502 Bad Gateway"},
		{"page without a title gives its text", "text/html",
			"<html><head><style>body { color: red }</style></head><body><h1>Service\nUnavailable</h1><p>try &amp; retry</p></body></html>",
			"Service Unavailable try & retry"},
		{"empty title: the text", "text/html", "<title> </title><p>Forbidden</p>", "Forbidden"},
		{"markup in plain text is kept", "text/plain", "<html>bad gateway</html>", "<html>bad gateway</html>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PlainMessage(502, tc.contentType, []byte(tc.body)); got != tc.want {
				t.Errorf("PlainMessage = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestProxyPageSecretsScrubbed: a proxy page echoing a credential in its title is
// scrubbed before the title is picked out.
func TestProxyPageSecretsScrubbed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("<html><head><title>403 key\n" + r.Header.Get("X-Api-Key") + " refused</title></head></html>"))
	}))
	defer srv.Close()
	c, err := New("prometheus", storeFor(t, srv.URL, `"headerNames":["X-Api-Key"]`, map[string]string{"metricsHeaderValue0": "top-secret-key"}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), "/", nil, nil)
	if err == nil || err.Error() != "prometheus: HTTP 403: 403 key [redacted] refused" {
		t.Errorf("err = %v", err)
	}
}

// TestCustomHeaderSecretsNotSentToAnotherHost: a store that redirects to another host
// (a misconfigured proxy, a compromised or hostile store) must not receive the store's
// secret custom header values. net/http drops Authorization on a cross-host redirect but
// forwards every other header set on the request. A redirect on the same host and port
// keeps them.
func TestCustomHeaderSecretsNotSentToAnotherHost(t *testing.T) {
	tests := []struct {
		name string
		// target gives the redirect's scheme and host from the store's URL.
		target   func(store, other string) string
		wantSent bool
	}{
		{"same host", func(store, _ string) string { return store }, true},
		// Same port, another host name: localhost instead of 127.0.0.1.
		{"another host name", func(store, _ string) string { return strings.Replace(store, "127.0.0.1", "localhost", 1) }, false},
		{"another port", func(_, other string) string { return other }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan string, 1)
			answer := func(w http.ResponseWriter, r *http.Request) {
				got <- r.Header.Get("X-Api-Key") + "|" + r.Header.Get("Authorization")
				_, _ = w.Write([]byte(`{}`))
			}
			other := httptest.NewServer(http.HandlerFunc(answer))
			defer other.Close()
			var store *httptest.Server
			store = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/moved" {
					answer(w, r)
					return
				}
				http.Redirect(w, r, tc.target(store.URL, other.URL)+"/moved", http.StatusFound)
			}))
			defer store.Close()
			cfg := storeFor(t, store.URL, `"headerNames":["X-Api-Key"]`, map[string]string{"metricsHeaderValue0": "top-secret-key"})
			c, err := New("prometheus", cfg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Get(context.Background(), "/api/v1/query", nil, nil); err != nil {
				t.Fatalf("the redirect was not followed: %v", err)
			}
			if v := <-got; strings.Contains(v, "top-secret-key") != tc.wantSent {
				t.Errorf("redirect target received %q, want the secret header sent: %t", v, tc.wantSent)
			}
		})
	}
}

// TestRedirectsStopAfterTen: redirects are followed as net/http does by default, ten at most.
func TestRedirectsStopAfterTen(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		http.Redirect(w, r, "/again", http.StatusFound)
	}))
	defer srv.Close()
	c, err := New("prometheus", storeFor(t, srv.URL, `"auth":"none"`, nil), Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), "/", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "stopped after 10 redirects") || calls != 10 {
		t.Errorf("err = %v after %d calls", err, calls)
	}
}

// TestHostCustomHeaderIsSent: a custom header named Host (a reverse proxy's virtual host)
// is what the store receives as its Host; net/http ignores Header["Host"] on a client
// request, so it must go into Request.Host (as Grafana's own custom headers do).
func TestHostCustomHeaderIsSent(t *testing.T) {
	var host string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host = r.Host
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	cfg := storeFor(t, srv.URL, `"headerNames":["host"]`, map[string]string{"metricsHeaderValue0": "prometheus.internal"})
	c, err := New("prometheus", cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(context.Background(), "/api/v1/query", nil, nil); err != nil {
		t.Fatal(err)
	}
	if host != "prometheus.internal" {
		t.Errorf("store got Host %q, want prometheus.internal", host)
	}
}

// TestBaseURLQueryKept: a URL with a query string (a gateway's ?tenant=a) keeps it on
// every call, first, with or without the call's own parameters.
func TestBaseURLQueryKept(t *testing.T) {
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.Path+"?"+r.URL.RawQuery)
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	cfg := storeFor(t, srv.URL+"/prom?tenant=a", `"auth":"none"`, nil)
	c, err := New("prometheus", cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []url.Values{nil, {"query": {"up"}}} {
		if _, err := c.Get(context.Background(), "/api/v1/query", q, nil); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"/prom/api/v1/query?tenant=a", "/prom/api/v1/query?tenant=a&query=up"}
	if !slices.Equal(queries, want) {
		t.Errorf("calls %q, want %q", queries, want)
	}
}

// TestTimeoutMessageStatesTheDeadlineThatHit: a call ended by the store's own timeout
// says so; when the caller's deadline (Grafana's own query timeout, an alert
// evaluation's) ends it first, the error must not claim the store had its whole
// configured timeout to answer. Both are timeouts.
func TestTimeoutMessageStatesTheDeadlineThatHit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	defer srv.Close()
	tests := []struct {
		name, timeout  string
		caller         time.Duration
		want, wantNone string
	}{
		{"the caller's deadline first", "30s", 50 * time.Millisecond, "no answer before the request's deadline", "within 30s"},
		{"the store's timeout first", "50ms", time.Minute, "loki: no answer within 50ms", "request's deadline"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New("loki", storeFor(t, srv.URL, `"timeout":"`+tc.timeout+`"`, nil), Options{})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), tc.caller)
			defer cancel()
			_, err = c.Get(ctx, "/loki/api/v1/labels", nil, nil)
			var se *StoreError
			if !errors.As(err, &se) || !se.Timeout || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), tc.wantNone) {
				t.Errorf("got %v, want a timeout saying %q", err, tc.want)
			}
		})
	}
}

// FuzzPlainMessage: any body, HTML or not, gives one line of at most MaxMessage bytes
// (and the cut mark), valid UTF-8 when the body is.
func FuzzPlainMessage(f *testing.F) {
	f.Add("text/html", []byte("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>x</body></html>"))
	f.Add("text/plain", []byte("a\nb\r\n\tc"))
	f.Add("", []byte("<!DOCTYPE html><p>"+strings.Repeat("é ", 400)+"</p>"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		msg := PlainMessage(502, contentType, body)
		if strings.ContainsAny(msg, "\r\n") || len(msg) > MaxMessage+len("…") {
			t.Fatalf("message %q is not one line within the limit", msg)
		}
		if utf8.Valid(body) && !utf8.ValidString(msg) {
			t.Fatalf("valid UTF-8 body gave invalid UTF-8 message %q", msg)
		}
	})
}

// TestAuthorizationCustomHeaderCredentialsScrubbed: credentials given as a custom
// Authorization header (`<scheme> <credentials>`, as Grafana users set a token without
// the bearer option) are scrubbed when a store's error echoes the credentials alone, and
// for Basic its decoded user:password and password too.
func TestAuthorizationCustomHeaderCredentialsScrubbed(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("alice:pw-s3cret"))
	tests := []struct {
		name, value, echoed string
	}{
		{"bearer token alone", "Bearer tok-en-123", `invalid token "tok-en-123"`},
		{"bearer token, JSON-escaped", "Bearer tok&en+1", `{"error":"token tok\u0026en+1 expired"}`},
		{"another scheme", "token glpat-XYZ987", "key glpat-XYZ987 revoked"},
		{"basic credentials", "Basic " + basic, "no user " + basic},
		{"basic pair decoded", "Basic " + basic, "no user alice:pw-s3cret"},
		{"basic password decoded", "Basic " + basic, "wrong password pw-s3cret for alice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(tc.echoed))
			}))
			t.Cleanup(srv.Close)
			c, err := New("prometheus", storeFor(t, srv.URL, `"headerNames":["Authorization"]`, map[string]string{"metricsHeaderValue0": tc.value}), Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Get(context.Background(), "/api/v1/query", nil, nil)
			if err == nil {
				t.Fatal("want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, "[redacted]") {
				t.Errorf("nothing redacted: %s", msg)
			}
			for _, leak := range []string{"tok-en-123", `tok\u0026en+1`, "glpat-XYZ987", basic, "alice:pw-s3cret", "pw-s3cret"} {
				if strings.Contains(msg, leak) {
					t.Errorf("%q leaked: %s", leak, msg)
				}
			}
		})
	}
}

// TestAnswerLargerThanTheLimit: an answer larger than the client's limit on one answer is
// not read; the error names the store, the limit and what to ask for instead, is marked
// (IsTooLarge) for callers that can ask for fewer records, and does not read as a failure
// of the store (no HTTP 200 in it). One at the limit is read whole.
func TestAnswerLargerThanTheLimit(t *testing.T) {
	size := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("x", size)))
	}))
	t.Cleanup(srv.Close)
	c, err := New("tempo", settings.Store{URL: srv.URL}, Options{MaxBody: 2 << 10})
	if err != nil {
		t.Fatal(err)
	}
	size = 2<<10 + 1
	_, err = c.Get(context.Background(), "/api/search", nil, nil)
	if !IsTooLarge(err) {
		t.Fatalf("error %v, want one marked too large", err)
	}
	for _, want := range []string{"tempo: ", "2 KiB", "ask for less (a shorter time range, a narrower query or a lower limit)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q, want it to say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "HTTP 200") {
		t.Errorf("error %q reads as the store's failure", err)
	}
	size = 2 << 10
	if resp, err := c.Get(context.Background(), "/api/search", nil, nil); err != nil || len(resp.Body) != size {
		t.Errorf("an answer at the limit: %v", err)
	}
	if Size(DefaultMaxBody) != "64 MiB" || Size(1000) != "1000 bytes" {
		t.Errorf("Size names the default limit %q and 1000 bytes %q", Size(DefaultMaxBody), Size(1000))
	}
}
