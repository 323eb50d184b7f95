package testenv

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

// openMetricsWithExemplar is a histogram whose bucket carries a trace-ID
// exemplar, in the OpenMetrics text format (exemplars need it).
const openMetricsWithExemplar = `# TYPE testenv_request_duration_seconds histogram
testenv_request_duration_seconds_bucket{le="0.1"} 1 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 0.05 %d.000
testenv_request_duration_seconds_bucket{le="+Inf"} 2
testenv_request_duration_seconds_sum 0.35
testenv_request_duration_seconds_count 2
# EOF
`

func TestStartPrometheusScrapesTargetWithExemplars(t *testing.T) {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/custom/metrics" || r.URL.Query().Get("x") != "1" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8")
		fmt.Fprintf(w, openMetricsWithExemplar, time.Now().Unix())
	}))
	defer app.Close()

	prom := StartPrometheus(t, PrometheusOptions{
		Targets: []ScrapeTarget{{URL: app.URL + "/custom/metrics?x=1", Job: "app", Labels: map[string]string{"env": "test"}}},
	})
	if !strings.HasPrefix(prom.URL, "http://127.0.0.1:") {
		t.Fatalf("URL = %q, want loopback", prom.URL)
	}

	prom.WaitForQuery(t, `up{job="app",env="test"} == 1`, 30*time.Second)
	d := prom.WaitForQuery(t, `testenv_request_duration_seconds_bucket{job="app",le="+Inf"}`, 30*time.Second)
	if d.ResultType != "vector" || len(d.Series) != 1 {
		t.Fatalf("got %s with %d series, want one vector series", d.ResultType, len(d.Series))
	}

	// Exemplar storage is on: the trace ID comes back from query_exemplars.
	end := time.Now().Add(time.Minute).Unix()
	v := url.Values{"query": {"testenv_request_duration_seconds_bucket"}, "start": {fmt.Sprint(end - 600)}, "end": {fmt.Sprint(end)}}
	resp, err := http.Get(prom.URL + "/api/v1/query_exemplars?" + v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var env struct {
		Status string `json:"status"`
		Data   []struct {
			Exemplars []struct {
				Labels map[string]string `json:"labels"`
			} `json:"exemplars"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Status != "success" {
		t.Fatalf("query_exemplars: %v: %s", err, body)
	}
	found := false
	for _, s := range env.Data {
		for _, e := range s.Exemplars {
			if e.Labels["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736" {
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("exemplar with trace_id not returned: %s", body)
	}

	pid := prom.Pid()
	if err := prom.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(-pid, 0); err != syscall.ESRCH {
		t.Fatalf("process group %d still exists after Stop: %v", pid, err)
	}
}
