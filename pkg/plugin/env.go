package plugin

import (
	"net/http"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/query"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// storeOptions lets tests put a transport in front of every store.
type storeOptions struct {
	transport http.RoundTripper
}

// newEnv builds one client per configured store.
func newEnv(st *settings.Settings, links frames.Links, so storeOptions) *query.Env {
	env := &query.Env{Settings: st, Links: links}
	if st == nil {
		return env
	}
	if st.Metrics.Configured() {
		o := prometheus.Options()
		o.Transport = so.transport
		if h, err := httpx.New(prometheus.StoreName, st.Metrics, o); err != nil {
			env.MetricsErr = err
		} else {
			env.Metrics = prometheus.NewClient(h)
		}
	}
	return env
}
