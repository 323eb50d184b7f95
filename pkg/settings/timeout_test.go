package settings

import (
	"strings"
	"testing"
	"time"
)

// TestStoreTimeoutForms: a store's timeout is read the way Grafana reads jsonData.timeout
// (a number of seconds, as provisioning files write it) as well as a Go duration, and an
// empty or null timeout is the default.
func TestStoreTimeoutForms(t *testing.T) {
	tests := []struct {
		name    string
		timeout string // the JSON value of timeout, "" to leave it out
		want    time.Duration
		wantErr string
	}{
		{name: "left out", want: DefaultTimeout},
		{name: "null", timeout: `null`, want: DefaultTimeout},
		{name: "empty string", timeout: `""`, want: DefaultTimeout},
		{name: "blank string", timeout: `"  "`, want: DefaultTimeout},
		{name: "go duration", timeout: `"30s"`, want: 30 * time.Second},
		{name: "go duration with spaces", timeout: `" 1m30s "`, want: 90 * time.Second},
		{name: "number of seconds", timeout: `45`, want: 45 * time.Second},
		{name: "fractional seconds", timeout: `2.5`, want: 2500 * time.Millisecond},
		{name: "seconds as a string", timeout: `"60"`, want: time.Minute},
		{name: "zero", timeout: `0`, wantErr: "metrics.timeout 0 is not a positive duration"},
		{name: "negative", timeout: `-5`, wantErr: "metrics.timeout -5 is not a positive duration"},
		{name: "zero duration", timeout: `"0s"`, wantErr: `metrics.timeout "0s" is not a positive duration`},
		{name: "not a duration", timeout: `"soon"`, wantErr: `metrics.timeout "soon" is not a positive duration (such as 30s, 1m, or a number of seconds)`},
		{name: "wrong type", timeout: `["30s"]`, wantErr: "metrics.timeout is not a duration such as 30s or a number of seconds"},
		{name: "too large", timeout: `1e300`, wantErr: "metrics.timeout 1e300 seconds is longer than 24h0m0s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			js := `{"metrics":{"url":"http://prom:9090"`
			if tc.timeout != "" {
				js += `,"timeout":` + tc.timeout
			}
			js += `},"logs":{"url":"http://loki:3100","timeout":"7s"}}`
			s, err := Parse([]byte(js), nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if ps := ProblemsOf(err); ps.Store(StoreLogs) != nil || len(ps) != 1 || ps[0].Setting != "metrics.timeout" {
					t.Errorf("problems %v, want metrics.timeout alone", err)
				}
				if s.Logs.Timeout != 7*time.Second {
					t.Errorf("logs timeout %v, want 7s", s.Logs.Timeout)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Metrics.Timeout != tc.want || s.Metrics.URL != "http://prom:9090" {
				t.Errorf("metrics %v, want timeout %v", s.Metrics, tc.want)
			}
		})
	}
}

// The metrics store's scrape interval is read as a timeout is (a Go duration or a number
// of seconds), 15 s when left out; a value that is neither is a problem of the metrics
// store naming the setting.
func TestScrapeInterval(t *testing.T) {
	for _, tc := range []struct {
		json    string
		want    time.Duration
		problem string
	}{
		{``, DefaultScrapeInterval, ""},
		{`,"scrapeInterval":"1m"`, time.Minute, ""},
		{`,"scrapeInterval":30`, 30 * time.Second, ""},
		{`,"scrapeInterval":"soon"`, 0, "metrics.scrapeInterval"},
		{`,"scrapeInterval":"0s"`, 0, "metrics.scrapeInterval"},
	} {
		s, err := Parse([]byte(`{"metrics":{"url":"http://prom:9090"`+tc.json+`}}`), nil)
		if tc.problem != "" {
			ps := ProblemsOf(err)
			if len(ps) != 1 || ps[0].Setting != tc.problem {
				t.Errorf("%s: problems %v, want one at %s", tc.json, err, tc.problem)
			}
			continue
		}
		if err != nil || s.Metrics.ScrapeInterval != tc.want {
			t.Errorf("%s: scrape interval %v (%v), want %v", tc.json, s.Metrics.ScrapeInterval, err, tc.want)
		}
	}
}
