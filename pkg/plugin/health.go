package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func (d *Datasource) checkHealth(ctx context.Context) *backend.CheckHealthResult {
	if d.configErr != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: d.configErr.Error()}
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusUnknown, Message: "health checks are not implemented yet"}
}
