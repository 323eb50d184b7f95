package plugin

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// TestHealthSaysWhatToFix: each failing store's health line names the store, keeps the
// store's (or the transport's) own message, and says what to fix for the usual mistakes
// of a new data source: credentials refused, a URL with the wrong path, a certificate not
// trusted, a store that cannot be reached or does not answer in time, a URL that answers
// with something other than the store's API. A store that works stays ok beside them.
func TestHealthSaysWhatToFix(t *testing.T) {
	status := func(code int) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, http.StatusText(code), code)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(tlsSrv.Close)
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	stall := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stall:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(stall); slow.Close() })
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><head><title>Welcome</title></head></html>"))
	}))
	t.Cleanup(page.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	_ = l.Close()
	good := lokiReplay(t)

	tests := []struct {
		name    string
		section string // the failing store's section
		line    string // its health line
		want    []string
	}{
		{"credentials refused", `"metrics":{"url":"` + status(401).URL + `"}`, "metrics (prometheus)",
			[]string{"prometheus: HTTP 401: Unauthorized", "the store refused the credentials: check Authentication"}},
		{"access forbidden", `"traces":{"url":"` + status(403).URL + `","kind":"jaeger-v3"}`, "traces (jaeger-v3)",
			[]string{"jaeger: HTTP 403: Forbidden", "the store refused access with these credentials"}},
		{"wrong path", `"metrics":{"url":"` + status(404).URL + `/graph"}`, "metrics (prometheus)",
			[]string{"prometheus: HTTP 404", "no Prometheus API at this URL: give the store's base URL"}},
		{"wrong path or trace store kind", `"traces":{"url":"` + status(404).URL + `","kind":"tempo"}`, "traces (tempo)",
			[]string{"tempo: HTTP 404", "no Tempo API at this URL", "the trace store kind"}},
		{"certificate not trusted", `"metrics":{"url":"` + tlsSrv.URL + `"}`, "metrics (prometheus)",
			[]string{"prometheus: tls: failed to verify certificate: x509: certificate signed by unknown authority",
				"the store's certificate is not signed by a CA this data source trusts: paste the CA certificate under TLS"}},
		{"https to a plain HTTP store", `"traces":{"url":"` + strings.Replace(plain.URL, "http:", "https:", 1) + `"}`, "traces (tempo)",
			[]string{"server gave HTTP response to HTTPS client", "the store does not speak TLS at this address: use an http:// URL"}},
		{"nothing listens", `"metrics":{"url":"` + closed + `"}`, "metrics (prometheus)",
			[]string{"connection refused", "cannot connect: check the URL's host and port"}},
		{"no answer in time", `"metrics":{"url":"` + slow.URL + `","timeout":"300ms"}`, "metrics (prometheus)",
			[]string{"prometheus: no answer within 300ms", "raise the store's timeout"}},
		{"not the store's API", `"traces":{"url":"` + page.URL + `"}`, "traces (tempo)",
			[]string{"tempo: HTTP 200: answered with an HTML page", "the URL answers, but not as the Tempo API"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			js := `{"logs":{"url":"` + good.srv.URL + `"},` + tc.section + `}`
			inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: "u", JSONData: []byte(js)})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			h, _ := inst.(*Datasource).CheckHealth(ctx, &backend.CheckHealthRequest{})
			if h.Status != backend.HealthStatusError {
				t.Errorf("status %v, want error", h.Status)
			}
			d := healthDetails(t, h)
			got := d[tc.line]
			if got.Status != "error" {
				t.Fatalf("%s: %+v, want error\n%s", tc.line, got, h.Message)
			}
			for _, w := range tc.want {
				if !strings.Contains(got.Detail, w) || !strings.Contains(h.Message, w) {
					t.Errorf("%s detail %q does not say %q", tc.line, got.Detail, w)
				}
			}
			if d["logs (loki)"].Status != "ok" {
				t.Errorf("logs: %+v, want ok", d["logs (loki)"])
			}
		})
	}
}
