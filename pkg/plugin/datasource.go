// Package plugin wires the data source into the SDK: one instance per data source
// configuration, QueryData routed by queryType, CheckHealth and CallResource.
package plugin

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/query"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
)

// Datasource is one configured Latency Lens data source.
type Datasource struct {
	env      *query.Env
	clients  []*httpx.Client // the env's store clients
	settings *settings.Settings
	// configErr is every settings problem (nil when all settings are valid). Each part
	// reports the problems that concern it (problems.Store, problems.Settings) and works
	// when it has none; only allErr stops every query, look-up and health check.
	configErr error
	problems  settings.Problems
	// allErr is a problem that concerns the whole data source (jsonData is not an object).
	allErr error
}

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// NewDatasource builds an instance from its settings; the SDK's instance manager caches it
// until the settings change. A bad configuration does not fail here: a store whose
// settings are invalid reports the problem in its own queries, look-ups and health line,
// and the other stores work.
func NewDatasource(_ context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	st, err := settings.Parse(s.JSONData, s.DecryptedSecureJSONData)
	ps := settings.ProblemsOf(err)
	ds := &Datasource{settings: st, configErr: err, problems: ps, allErr: ps.DataSource()}
	ds.env, ds.clients = newEnv(st, ps, frames.Links{DatasourceUID: s.UID, DatasourceName: s.Name}, storeOptions{})
	return ds, nil
}

// Dispose releases the instance's resources when its settings change: its store
// clients' kept-alive connections (queries still running finish on theirs).
func (d *Datasource) Dispose() {
	for _, c := range d.clients {
		c.CloseIdle()
	}
}

// maxParallelQueries bounds how many queries of one request run at once.
const maxParallelQueries = 8

// QueryData answers each query independently and concurrently: one failing query never
// sinks the others.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	resp := backend.NewQueryDataResponse()
	fromAlert := isFromAlert(req.Headers)
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, maxParallelQueries)
	)
	for _, dq := range req.Queries {
		wg.Add(1)
		sem <- struct{}{}
		go func(dq backend.DataQuery) {
			defer func() { <-sem; wg.Done() }()
			r := d.query(ctx, dq, fromAlert)
			mu.Lock()
			resp.Responses[dq.RefID] = r
			mu.Unlock()
		}(dq)
	}
	wg.Wait()
	return resp, nil
}

// isFromAlert reads Grafana's alert-evaluation header.
func isFromAlert(h map[string]string) bool {
	for k, v := range h {
		if strings.EqualFold(k, "FromAlert") || strings.EqualFold(k, "http_FromAlert") {
			return v == "true"
		}
	}
	return false
}

// query runs one query; a panic in a handler becomes that query's error.
func (d *Datasource) query(ctx context.Context, dq backend.DataQuery, fromAlert bool) (out backend.DataResponse) {
	defer func() {
		if p := recover(); p != nil {
			out = backend.ErrDataResponseWithSource(backend.StatusInternal, backend.ErrorSourcePlugin,
				fmt.Sprintf("internal error while answering query %s: %v", dq.RefID, p))
		}
	}()
	if d.allErr != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourcePlugin, d.allErr.Error())
	}
	q, err := query.Parse(dq)
	if err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourcePlugin, err.Error())
	}
	r := query.Request{
		Query:         q,
		From:          dq.TimeRange.From,
		To:            dq.TimeRange.To,
		Interval:      dq.Interval,
		MaxDataPoints: dq.MaxDataPoints,
		FromAlert:     fromAlert,
	}
	return query.Answer(ctx, d.env, r)
}

// CheckHealth reports each configured store separately.
func (d *Datasource) CheckHealth(ctx context.Context, req *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	return d.checkHealth(ctx), nil
}

// CallResource serves the editors' look-ups.
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	return d.callResource(ctx, req, sender)
}
