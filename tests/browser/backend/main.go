// Command backend is the browser harness's stand-in for Grafana's HTTP API in front of the
// Latency Lens data source: it serves what @grafana/runtime's DataSourceWithBackend calls
//
//	POST /api/ds/query
//	GET  /api/datasources/uid/<uid>/resources/<path>
//	GET  /api/datasources/uid/<uid>/health
//
// by calling the plugin's QueryData, CallResource and CheckHealth in-process, against a
// real Prometheus (Debian's /usr/bin/prometheus) on a free loopback port that scrapes an
// instrumented target of this process: a classic latency histogram with trace-ID
// exemplars, exposed as OpenMetrics.
//
//	go run ./tests/browser/backend -addr 127.0.0.1:5299
//
// GET /harness/ready answers 200 once Prometheus holds histogram samples (Playwright's
// webServer waits for it). The process stops Prometheus on SIGINT/SIGTERM, and Prometheus
// dies with it otherwise (parent-death signal).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	promclient "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/latencylens/lens/pkg/plugin"
)

// HistogramName is the instrumented target's latency histogram (classic buckets).
const HistogramName = "lens_harness_request_duration_seconds"

type handler interface {
	backend.QueryDataHandler
	backend.CallResourceHandler
	backend.CheckHealthHandler
}

func main() {
	addr := flag.String("addr", envOr("HARNESS_BACKEND_ADDR", "127.0.0.1:5299"), "listen address")
	uid := flag.String("uid", "lens-harness", "data source UID the harness page uses")
	promBin := flag.String("prometheus", envOr("LATENCYLENS_PROMETHEUS_BIN", "/usr/bin/prometheus"), "Prometheus server binary")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	target, err := startTarget(ctx)
	if err != nil {
		log.Fatalf("harness backend: instrumented target: %v", err)
	}
	prom, err := startPrometheus(ctx, *promBin, target)
	if err != nil {
		log.Fatalf("harness backend: prometheus: %v", err)
	}
	defer prom.stop()
	log.Printf("harness backend: prometheus %s scraping %s", prom.url, target)

	settings := backend.DataSourceInstanceSettings{
		UID:      *uid,
		Name:     "Latency Lens (harness)",
		JSONData: []byte(fmt.Sprintf(`{"metrics":{"url":%q},"latency":{"serviceLabel":"service","operationLabel":"operation"}}`, prom.url)),
	}
	inst, err := plugin.NewDatasource(ctx, settings)
	if err != nil {
		log.Fatalf("harness backend: plugin: %v", err)
	}
	ds, ok := inst.(handler)
	if !ok {
		log.Fatalf("harness backend: plugin instance lacks QueryData/CallResource/CheckHealth")
	}

	var ready atomic.Bool
	go waitForSamples(ctx, prom.url, &ready)

	srv := &http.Server{Addr: *addr, Handler: routes(ds, settings, prom.url, &ready), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("harness backend: listening on http://%s (data source uid %s)", *addr, *uid)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Printf("harness backend: %v", err)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func routes(ds handler, settings backend.DataSourceInstanceSettings, promURL string, ready *atomic.Bool) http.Handler {
	pctx := backend.PluginContext{PluginID: "latencylens-lens-datasource", DataSourceInstanceSettings: &settings}
	prefix := "/api/datasources/uid/" + settings.UID + "/"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /harness/ready", func(w http.ResponseWriter, r *http.Request) {
		if !ready.Load() {
			http.Error(w, "waiting for histogram samples", http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"prometheus": promURL, "histogram": HistogramName, "uid": settings.UID})
	})
	mux.HandleFunc("POST /api/ds/query", func(w http.ResponseWriter, r *http.Request) {
		req, err := toQueryDataRequest(r, pctx)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
			return
		}
		resp, err := ds.QueryData(r.Context(), req)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"message": err.Error()})
			return
		}
		body, err := json.Marshal(resp)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"message": err.Error()})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	mux.HandleFunc(prefix+"health", func(w http.ResponseWriter, r *http.Request) {
		res, err := ds.CheckHealth(r.Context(), &backend.CheckHealthRequest{PluginContext: pctx})
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"message": err.Error()})
			return
		}
		out := map[string]any{"status": res.Status.String(), "message": res.Message}
		if len(res.JSONDetails) > 0 {
			out["details"] = json.RawMessage(res.JSONDetails)
		}
		status := http.StatusOK
		if res.Status != backend.HealthStatusOk {
			status = http.StatusBadRequest // as Grafana answers a failed check
		}
		writeJSON(w, status, out)
	})
	mux.HandleFunc(prefix+"resources/", func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, prefix+"resources/")
		body, _ := io.ReadAll(r.Body)
		u := path
		if r.URL.RawQuery != "" {
			u += "?" + r.URL.RawQuery
		}
		var sent *backend.CallResourceResponse
		err := ds.CallResource(r.Context(), &backend.CallResourceRequest{
			PluginContext: pctx, Path: path, Method: r.Method, URL: u, Headers: r.Header, Body: body,
		}, backend.CallResourceResponseSenderFunc(func(res *backend.CallResourceResponse) error {
			sent = res
			return nil
		}))
		if err != nil || sent == nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": fmt.Sprint("call resource: ", err)})
			return
		}
		for k, vs := range sent.Headers {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(sent.Status)
		_, _ = w.Write(sent.Body)
	})
	return withCORS(mux)
}

// withCORS lets the harness page (Vite on another port) call this server directly.
func withCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Headers", "*")
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// wireQuery is one entry of Grafana's /api/ds/query body.
type wireQuery struct {
	RefID         string `json:"refId"`
	QueryType     string `json:"queryType"`
	IntervalMs    int64  `json:"intervalMs"`
	MaxDataPoints int64  `json:"maxDataPoints"`
}

func toQueryDataRequest(r *http.Request, pctx backend.PluginContext) (*backend.QueryDataRequest, error) {
	var body struct {
		Queries []json.RawMessage `json:"queries"`
		From    string            `json:"from"`
		To      string            `json:"to"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	now := time.Now()
	from, err := parseTime(body.From, now, now.Add(-time.Hour))
	if err != nil {
		return nil, err
	}
	to, err := parseTime(body.To, now, now)
	if err != nil {
		return nil, err
	}
	req := &backend.QueryDataRequest{PluginContext: pctx, Headers: map[string]string{}}
	for k := range r.Header {
		req.Headers[k] = r.Header.Get(k)
	}
	for _, raw := range body.Queries {
		var q wireQuery
		if err := json.Unmarshal(raw, &q); err != nil {
			return nil, fmt.Errorf("query: %w", err)
		}
		if q.IntervalMs <= 0 {
			q.IntervalMs = 15_000
		}
		if q.MaxDataPoints <= 0 {
			q.MaxDataPoints = 1000
		}
		req.Queries = append(req.Queries, backend.DataQuery{
			RefID:         q.RefID,
			QueryType:     q.QueryType,
			Interval:      time.Duration(q.IntervalMs) * time.Millisecond,
			MaxDataPoints: q.MaxDataPoints,
			TimeRange:     backend.TimeRange{From: from, To: to},
			JSON:          raw,
		})
	}
	return req, nil
}

// parseTime reads Unix milliseconds, "now" or "now-<Go duration>".
func parseTime(s string, now, def time.Time) (time.Time, error) {
	switch {
	case s == "":
		return def, nil
	case s == "now":
		return now, nil
	case strings.HasPrefix(s, "now-"):
		d, err := time.ParseDuration(strings.TrimPrefix(s, "now-"))
		if err != nil {
			return time.Time{}, fmt.Errorf("time %q: %w", s, err)
		}
		return now.Add(-d), nil
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q is neither Unix ms nor now-<duration>", s)
	}
	return time.UnixMilli(ms), nil
}

// startTarget serves the instrumented histogram on a free port and keeps observing
// seeded latencies with trace-ID exemplars. It returns the scrape URL.
func startTarget(ctx context.Context) (string, error) {
	reg := promclient.NewRegistry()
	hist := promclient.NewHistogramVec(promclient.HistogramOpts{
		Name:    HistogramName,
		Help:    "Request latency of the harness's instrumented target.",
		Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5},
	}, []string{"service", "operation"})
	reg.MustRegister(hist)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() { <-ctx.Done(); _ = srv.Close() }()

	rng := rand.New(rand.NewPCG(6, 6))
	routes := [][2]string{{"checkout", "GET /cart"}, {"checkout", "POST /order"}, {"payments", "POST /pay"}}
	observe := func() {
		for i, rt := range routes {
			// Log-normal latencies around 40ms, 80ms and 160ms.
			v := 0.04 * float64(int(1)<<i) * math.Exp(rng.NormFloat64()*0.5)
			var id [16]byte
			for j := range id {
				id[j] = byte(rng.UintN(256))
			}
			obs := hist.WithLabelValues(rt[0], rt[1]).(promclient.ExemplarObserver)
			obs.ObserveWithExemplar(v, promclient.Labels{"trace_id": fmt.Sprintf("%x", id)})
		}
	}
	for range 200 {
		observe()
	}
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				observe()
			}
		}
	}()
	return "http://" + ln.Addr().String() + "/metrics", nil
}

type promProc struct {
	url string
	cmd *exec.Cmd
	dir string
}

func (p *promProc) stop() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
		}
	}
	_ = os.RemoveAll(p.dir)
}

func startPrometheus(ctx context.Context, bin, target string) (*promProc, error) {
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%s not found (apt-get install -y prometheus): %w", bin, err)
	}
	dir, err := os.MkdirTemp("", "lens-harness-prometheus-")
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	hostPort := strings.TrimPrefix(strings.TrimSuffix(target, "/metrics"), "http://")
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: %q\n    static_configs:\n      - targets: [%q]\n", "harness", hostPort)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--enable-feature=exemplar-storage",
		"--log.level=warn",
	)
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &promProc{url: "http://" + addr, cmd: cmd, dir: dir}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			p.stop()
			return nil, ctx.Err()
		}
		resp, err := http.Get(p.url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.stop()
	return nil, errors.New("prometheus did not become ready within 60s")
}

// waitForSamples flips ready once Prometheus has scraped the histogram's buckets.
func waitForSamples(ctx context.Context, promURL string, ready *atomic.Bool) {
	q := promURL + "/api/v1/query?query=" + "count(" + HistogramName + "_bucket)"
	for ctx.Err() == nil {
		resp, err := http.Get(q)
		if err == nil {
			var out struct {
				Data struct {
					Result []json.RawMessage `json:"result"`
				} `json:"data"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			if len(out.Data.Result) > 0 {
				ready.Store(true)
				log.Printf("harness backend: ready")
				return
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
}
