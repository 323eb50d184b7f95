package query

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// Env is what handlers get from the data source instance: settings and one client per
// configured store. A nil client comes with the error that explains why.
type Env struct {
	Settings *settings.Settings
	Links    frames.Links

	Metrics    prometheus.API
	MetricsErr error
	Logs       LogStore
	LogsErr    error
	Traces     TraceStore
	TracesErr  error

	// LatencyErr is a problem with the latency settings (percentiles, labels, error
	// label, service rate); latency queries report it and the other query types work.
	LatencyErr error
}

// Request is one query with the request-wide context a handler needs.
type Request struct {
	Query         *Query
	From, To      time.Time
	Interval      time.Duration
	MaxDataPoints int64
	// FromAlert is set for alert evaluation; handlers give the same answers, except that
	// they leave out the frames that are not time series: a metrics query's exemplars
	// (see Metrics), a latency query's CDF and summary (see Latency).
	FromAlert bool
}

// Answer checks the settings the query depends on beyond its stores' (whose problems
// come with env.metrics(), env.logs() and env.traces()), then hands it to Handle.
func Answer(ctx context.Context, env *Env, r Request) backend.DataResponse {
	if r.Query.QueryType == TypeLatency && env.LatencyErr != nil {
		return errorResponse(env.LatencyErr)
	}
	return Handle(ctx, env, r)
}

func (e *Env) metrics() (prometheus.API, error) {
	if e.Metrics == nil {
		return nil, orNotConfigured(e.MetricsErr, prometheus.StoreName)
	}
	return e.Metrics, nil
}

// scrapeInterval is the metrics store's scrape interval: its setting, else Prometheus'
// default.
func (e *Env) scrapeInterval() time.Duration {
	if e.Settings != nil && e.Settings.Metrics.ScrapeInterval > 0 {
		return e.Settings.Metrics.ScrapeInterval
	}
	return settings.DefaultScrapeInterval
}

func (e *Env) logs() (LogStore, error) {
	if e.Logs == nil {
		return nil, orNotConfigured(e.LogsErr, "loki")
	}
	return e.Logs, nil
}

func (e *Env) traces() (TraceStore, error) {
	if e.Traces == nil {
		return nil, orNotConfigured(e.TracesErr, "traces")
	}
	return e.Traces, nil
}

func orNotConfigured(err error, store string) error {
	if err != nil {
		return err
	}
	return httpx.NotConfigured(store)
}

// userError is a problem with the query itself.
type userError struct{ msg string }

func (e *userError) Error() string { return e.msg }

func badQuery(format string, args ...any) error { return &userError{msg: fmt.Sprintf(format, args...)} }

// errorResponse turns an error into a DataResponse with the right status and source: the
// query's own problems, invalid settings and requests a store client refused before
// calling its store (httpx.RequestError) are 400 from the plugin; a store's failure has
// the status StoreErrorStatus gives it, from downstream.
func errorResponse(err error) backend.DataResponse {
	var se *httpx.StoreError
	var re *httpx.RequestError
	var ue *userError
	var sp *settings.Problem
	switch {
	case errors.As(err, &ue), errors.As(err, &sp), errors.As(err, &re):
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourcePlugin, err.Error())
	case errors.As(err, &se):
		return backend.ErrDataResponseWithSource(StoreErrorStatus(se), backend.ErrorSourceDownstream, err.Error())
	default:
		return backend.ErrDataResponseWithSource(backend.StatusInternal, backend.ErrorSourcePlugin, err.Error())
	}
}

// StoreErrorStatus is the status a store's failure is answered with: the store's own
// where it says something about the request (400 and 422 are a bad request; not found,
// unauthorised, forbidden, too many requests), a timeout for a call that hit its deadline, and 502 Bad
// Gateway otherwise.
func StoreErrorStatus(se *httpx.StoreError) backend.Status {
	switch {
	case se.Timeout:
		return backend.StatusTimeout
	case se.Status == http.StatusBadRequest || se.Status == http.StatusUnprocessableEntity:
		return backend.StatusBadRequest
	case se.Status == http.StatusNotFound:
		return backend.StatusNotFound
	case se.Status == http.StatusUnauthorized:
		return backend.StatusUnauthorized
	case se.Status == http.StatusForbidden:
		return backend.StatusForbidden
	case se.Status == http.StatusTooManyRequests:
		return backend.StatusTooManyRequests
	}
	return backend.StatusBadGateway
}
