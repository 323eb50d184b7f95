package prometheus_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/prometheus"
	"github.com/latencylens/lens/pkg/testenv"
)

// A real Prometheus behind an address that redirects (301) to it, as a proxy that moves
// http:// to https:// does: a short query, sent as a GET, follows the redirect; a query
// too long for a URL, sent as a POST, would follow it as a GET without its body (net/http
// turns a POST into a GET on 301, 302 and 303), and Prometheus would refuse the query it
// no longer gets as missing. The call fails instead naming the redirect, its target and
// what to change; a 307 or 308, which keeps the POST and its body, works.
func TestLongQueryRedirectedToARealPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	p := testenv.StartPrometheus(t, testenv.PrometheusOptions{})
	long := `up{job=~"` + strings.Repeat("a-job-with-a-long-name|", 300) + `.*"}`
	for _, tc := range []struct {
		status int
		works  bool
	}{{http.StatusMovedPermanently, false}, {http.StatusFound, false}, {http.StatusSeeOther, false}, {http.StatusTemporaryRedirect, true}, {http.StatusPermanentRedirect, true}} {
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, p.URL+r.URL.RequestURI(), tc.status)
		}))
		h, err := httpx.New(prometheus.StoreName, settings.Store{Name: "metrics", URL: front.URL}, prometheus.Options())
		if err != nil {
			t.Fatal(err)
		}
		c := prometheus.NewClient(h)
		at := time.Now()
		if _, err := c.Query(context.Background(), "up", at); err != nil {
			t.Errorf("HTTP %d: short query: %v", tc.status, err)
		}
		_, err = c.Query(context.Background(), long, at)
		switch {
		case tc.works && err != nil:
			t.Errorf("HTTP %d: long query: %v", tc.status, err)
		case !tc.works:
			t.Logf("HTTP %d: %v", tc.status, err)
			for _, want := range []string{"prometheus: ", "redirect", p.URL, "URL"} {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("HTTP %d: long query: error %v, want it to say %q", tc.status, err, want)
				}
			}
		}
		front.Close()
	}
}
