package query

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/jaeger"
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/stores/prometheus"
	"github.com/latencylens/lens/pkg/stores/tempo"
)

// Replayed stores for the latency tests: an httptest server answers each path with a
// body in the store's documented format and records the requests it received.

// storeReplay is one fake store.
type storeReplay struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
}

// answer gives status, content type and body for a request.
type answer func(r *http.Request) (int, string, string)

func jsonAnswer(body string) answer {
	return func(*http.Request) (int, string, string) { return 200, "application/json", body }
}

// newStoreReplay serves routes by longest matching path prefix; anything else is a 404.
func newStoreReplay(t *testing.T, routes map[string]answer) *storeReplay {
	t.Helper()
	s := &storeReplay{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r)
		s.mu.Unlock()
		best := ""
		for p := range routes {
			if strings.HasPrefix(r.URL.Path, p) && len(p) > len(best) {
				best = p
			}
		}
		if best == "" {
			http.NotFound(w, r)
			return
		}
		status, ct, body := routes[best](r)
		if ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// params returns the value of one query parameter of every request to path, in order.
func (s *storeReplay) params(path, name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.reqs {
		if r.URL.Path == path {
			out = append(out, r.URL.Query().Get(name))
		}
	}
	return out
}

func (s *storeReplay) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// replayEnv builds an Env whose stores are the given replays (nil: not configured).
// traceKind is settings.TraceKindTempo, TraceKindJaegerV1 or TraceKindJaegerV3.
func replayEnv(t *testing.T, logs, traces *storeReplay, traceKind string, limits string) *Env {
	t.Helper()
	js := `{`
	if logs != nil {
		js += `"logs":{"url":"` + logs.srv.URL + `","timeout":"5s"},`
	}
	if traces != nil {
		js += `"traces":{"url":"` + traces.srv.URL + `","kind":"` + traceKind + `","timeout":"5s"},`
	}
	if limits != "" {
		js += `"limits":` + limits + `,`
	}
	js = strings.TrimSuffix(js, ",") + `}`
	st, err := settings.Parse([]byte(js), nil)
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{Settings: st}
	if logs != nil {
		h, err := httpx.New(loki.StoreName, st.Logs, loki.Options())
		if err != nil {
			t.Fatal(err)
		}
		env.Logs = loki.NewClient(h)
	}
	if traces != nil {
		switch traceKind {
		case settings.TraceKindJaegerV1, settings.TraceKindJaegerV3:
			h, err := httpx.New(jaeger.StoreName, st.Traces, jaeger.Options())
			if err != nil {
				t.Fatal(err)
			}
			if traceKind == settings.TraceKindJaegerV1 {
				env.Traces = jaeger.NewV1(h)
			} else {
				env.Traces = jaeger.NewV3(h)
			}
		default:
			h, err := httpx.New(tempo.StoreName, st.Traces, tempo.Options())
			if err != nil {
				t.Fatal(err)
			}
			env.Traces = tempo.NewClient(h)
		}
	}
	return env
}

// promClient is a Prometheus client of the store settings st (a replay's or a live one).
func promClient(t *testing.T, st settings.Store) prometheus.API {
	t.Helper()
	h, err := httpx.New(prometheus.StoreName, st, prometheus.Options())
	if err != nil {
		t.Fatal(err)
	}
	return prometheus.NewClient(h)
}

// metricsReplayEnv is an Env whose only store is the replayed Prometheus prom.
func metricsReplayEnv(t *testing.T, prom *storeReplay) *Env {
	t.Helper()
	st, err := settings.Parse([]byte(`{"metrics":{"url":"`+prom.srv.URL+`","timeout":"5s"}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Settings: st, Metrics: promClient(t, st.Metrics)}
}

// replayFrom and replayTo frame every replayed answer: one hour from 1700000000 s.
var replayFrom, replayTo = time.Unix(1700000000, 0), time.Unix(1700000000, 0).Add(time.Hour)

// latencyRequest is a latency query over the replay hour with a 60 s step.
func latencyRequest(q *Query) Request {
	return Request{Query: q, From: replayFrom, To: replayTo, Interval: time.Minute, MaxDataPoints: 1000}
}

func framesOfKind(fs data.Frames, kind string) []*data.Frame {
	var out []*data.Frame
	for _, f := range fs {
		if f.Meta == nil {
			continue
		}
		if m, ok := f.Meta.Custom.(map[string]any); ok && m[frames.LensKindKey] == kind {
			out = append(out, f)
		}
	}
	return out
}

func noticeText(f *data.Frame) string {
	if f.Meta == nil {
		return ""
	}
	var b strings.Builder
	for _, n := range f.Meta.Notices {
		b.WriteString(n.Text)
		b.WriteString("\n")
	}
	return b.String()
}

// summaryOf reads the summary frame's count and mean (ms).
func summaryOf(t *testing.T, fs data.Frames) (count, meanMs float64) {
	t.Helper()
	s := framesOfKind(fs, frames.KindSummary)
	if len(s) != 1 {
		t.Fatalf("%d summary frames", len(s))
	}
	c, _ := s[0].FieldByName(frames.SummaryCount)
	m, _ := s[0].FieldByName(frames.SummaryMeanMs)
	if c == nil || m == nil || c.Len() != 1 {
		t.Fatalf("summary frame without count or mean")
	}
	return c.At(0).(float64), m.At(0).(float64)
}
