package httpx

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
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
	if short := PlainMessage(500, "text/plain", []byte("  bad gateway\n")); short != "bad gateway" {
		t.Errorf("short message %q", short)
	}
}
