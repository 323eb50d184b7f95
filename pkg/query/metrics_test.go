package query

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// Prometheus 2.52+ (the demo runs 3.9.1) puts annotations of severity info in the
// envelope's `infos` (e.g. "PromQL info: metric might not be a counter, name does not end
// in _total/_sum/_count/_bucket"), next to `warnings`. Warnings become frame notices;
// infos are parsed into Envelope and then dropped.
func TestMetricsQueryKeepsPrometheusInfos(t *testing.T) {
	body := `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"a"},"values":[[1700000060,"1.5"]]}]},` +
		`"infos":["PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"up\" (1:6)"]}`
	prom := newStoreReplay(t, map[string]answer{"/api/v1/query_range": jsonAnswer(body)})
	st, err := settings.Parse([]byte(`{"metrics":{"url":"`+prom.srv.URL+`","timeout":"5s"}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := httpx.New(prometheus.StoreName, st.Metrics, prometheus.Options())
	if err != nil {
		t.Fatal(err)
	}
	off := false
	env := &Env{Settings: st, Metrics: prometheus.NewClient(h)}
	resp := Metrics(context.Background(), env, Request{Query: &Query{QueryType: TypeMetrics, Version: 1, Expr: `rate(up[5m])`, Exemplars: &off},
		From: replayFrom, To: replayTo, Interval: time.Minute, MaxDataPoints: 1000})
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	for _, f := range resp.Frames {
		if strings.Contains(noticeText(f), "might not be a counter") {
			return
		}
	}
	t.Errorf("the store's info annotation is on no frame")
}
