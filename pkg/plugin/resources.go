package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// Resource paths (CallResource), all GET, all answering {"values":[…]} or {"error":…}:
//
//	services                          trace store services
//	operations?service=               trace store operations of a service
//	loki/labels                       Loki label names
//	loki/label-values?label=          Loki values of a label
//	prometheus/histograms             histogram base names (configured first, then classic `_bucket` names)
//	traceql/tags                      TraceQL tag names (Tempo)
const (
	resServices       = "services"
	resOperations     = "operations"
	resLokiLabels     = "loki/labels"
	resLokiValues     = "loki/label-values"
	resPromHistograms = "prometheus/histograms"
	resTraceQLTags    = "traceql/tags"
)

type tagNamer interface {
	TagNames(ctx context.Context) ([]string, error)
}

func (d *Datasource) callResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	values, err := d.resource(ctx, req)
	status := http.StatusOK
	var body []byte
	if err != nil {
		status = http.StatusBadGateway
		var se *httpx.StoreError
		var nf notFound
		switch {
		case errors.As(err, &nf):
			status = http.StatusNotFound
		case errors.As(err, &se) && se.Status == 0 && strings.Contains(se.Message, "not configured"):
			status = http.StatusBadRequest
		}
		body, _ = json.Marshal(map[string]string{"error": err.Error()})
	} else {
		if values == nil {
			values = []string{}
		}
		body, _ = json.Marshal(map[string][]string{"values": values})
	}
	return sender.Send(&backend.CallResourceResponse{
		Status:  status,
		Headers: map[string][]string{"Content-Type": {"application/json"}},
		Body:    body,
	})
}

type notFound string

func (n notFound) Error() string { return "unknown resource " + string(n) }

func (d *Datasource) resource(ctx context.Context, req *backend.CallResourceRequest) ([]string, error) {
	if d.configErr != nil {
		return nil, d.configErr
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, notFound(req.Path)
	}
	q := u.Query()
	env := d.env
	end := time.Now()
	start := end.Add(-6 * time.Hour)
	switch strings.Trim(req.Path, "/") {
	case resServices:
		if env.Traces == nil {
			return nil, orErr(env.TracesErr, "traces")
		}
		return env.Traces.Services(ctx)
	case resOperations:
		if env.Traces == nil {
			return nil, orErr(env.TracesErr, "traces")
		}
		return env.Traces.Operations(ctx, q.Get("service"))
	case resLokiLabels:
		if env.Logs == nil {
			return nil, orErr(env.LogsErr, "loki")
		}
		return env.Logs.Labels(ctx, start, end)
	case resLokiValues:
		if env.Logs == nil {
			return nil, orErr(env.LogsErr, "loki")
		}
		return env.Logs.LabelValues(ctx, q.Get("label"), start, end)
	case resPromHistograms:
		if env.Metrics == nil {
			return nil, orErr(env.MetricsErr, prometheus.StoreName)
		}
		names, err := env.Metrics.LabelValues(ctx, "__name__", nil, time.Time{}, time.Time{})
		if err != nil {
			return nil, err
		}
		return mergeFirst(d.settings.HistogramMetrics, prometheus.HistogramMetricNames(names)), nil
	case resTraceQLTags:
		if env.Traces == nil {
			return nil, orErr(env.TracesErr, "traces")
		}
		tn, ok := env.Traces.(tagNamer)
		if !ok {
			return nil, &httpx.StoreError{Store: env.Traces.Name(), Message: "TraceQL tags need Tempo"}
		}
		return tn.TagNames(ctx)
	}
	return nil, notFound(req.Path)
}

func orErr(err error, store string) error {
	if err != nil {
		return err
	}
	return &httpx.StoreError{Store: store, Message: "not configured (no URL in the data source settings)"}
}

// mergeFirst returns first, then the sorted rest without duplicates.
func mergeFirst(first, rest []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range first {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(rest)
	for _, s := range rest {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// runAll runs fns concurrently and waits.
func runAll(fns []func()) {
	var wg sync.WaitGroup
	wg.Add(len(fns))
	for _, f := range fns {
		go func() { defer wg.Done(); f() }()
	}
	wg.Wait()
}
