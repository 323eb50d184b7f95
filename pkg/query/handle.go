package query

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Handle routes a request to the handler of its queryType.
func Handle(ctx context.Context, env *Env, r Request) backend.DataResponse {
	switch r.Query.QueryType {
	case TypeMetrics:
		return Metrics(ctx, env, r)
	case TypeTrace:
		return Trace(ctx, env, r)
	case TypeSearch:
		return Search(ctx, env, r)
	case TypeLogs:
		return Logs(ctx, env, r)
	case TypeLatency:
		return Latency(ctx, env, r)
	default:
		return errorResponse(badQuery("queryType %q is not implemented yet", r.Query.QueryType))
	}
}
