package plugin

import (
	"net/http"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/query"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/jaeger"
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/stores/prometheus"
	"github.com/latencylens/lens/pkg/stores/tempo"
)

// storeOptions lets tests put a transport in front of every store.
type storeOptions struct {
	transport http.RoundTripper
}

// newEnv builds one client per configured store; a store that cannot be set up (its
// settings have a problem, or its client cannot be built) keeps the reason instead,
// which its queries, resources and health line report. The other stores are unaffected.
// The clients built are also returned, for Dispose to close their connections.
func newEnv(st *settings.Settings, problems settings.Problems, links frames.Links, so storeOptions) (*query.Env, []*httpx.Client) {
	env := &query.Env{Settings: st, Links: links, LatencyErr: problems.Settings("latency")}
	var clients []*httpx.Client
	if st == nil {
		return env, nil
	}
	build := func(name string, cfg settings.Store, o httpx.Options) (*httpx.Client, error) {
		o.Transport = so.transport
		h, err := httpx.New(name, cfg, o)
		if err == nil {
			clients = append(clients, h)
		}
		return h, err
	}
	env.MetricsErr = problems.Store(settings.StoreMetrics)
	env.LogsErr = problems.Store(settings.StoreLogs)
	env.TracesErr = problems.Store(settings.StoreTraces)
	if env.MetricsErr == nil && st.Metrics.Configured() {
		if h, err := build(prometheus.StoreName, st.Metrics, prometheus.Options()); err != nil {
			env.MetricsErr = err
		} else {
			env.Metrics = prometheus.NewClient(h)
		}
	}
	if env.LogsErr == nil && st.Logs.Configured() {
		if h, err := build(loki.StoreName, st.Logs, loki.Options()); err != nil {
			env.LogsErr = err
		} else {
			env.Logs = loki.NewClient(h)
		}
	}
	if env.TracesErr == nil && st.Traces.Configured() {
		switch st.TraceKind {
		case settings.TraceKindJaegerV1, settings.TraceKindJaegerV3:
			h, err := build(jaeger.StoreName, st.Traces, jaeger.Options())
			switch {
			case err != nil:
				env.TracesErr = err
			case st.TraceKind == settings.TraceKindJaegerV1:
				env.Traces = jaeger.NewV1(h)
			default:
				env.Traces = jaeger.NewV3(h)
			}
		default:
			if h, err := build(tempo.StoreName, st.Traces, tempo.Options()); err != nil {
				env.TracesErr = err
			} else {
				env.Traces = tempo.NewClient(h)
			}
		}
	}
	return env, clients
}
