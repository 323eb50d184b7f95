package jaeger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/tracestore"
)

// StoreName names this store in errors and health reports.
const StoreName = "jaeger"

// Options returns the httpx options this store needs.
func Options() httpx.Options { return httpx.Options{Message: ErrorMessage} }

// V1 is the client of the v1 JSON API (Jaeger up to 2.x's /api/traces).
type V1 struct{ h *httpx.Client }

// V3 is the client of the v3 API (OTLP/JSON).
type V3 struct{ h *httpx.Client }

var (
	_ tracestore.Store = (*V1)(nil)
	_ tracestore.Store = (*V3)(nil)
)

// NewV1 and NewV3 wrap an httpx client built with Options().
func NewV1(h *httpx.Client) *V1 { return &V1{h: h} }

// NewV3 wraps an httpx client built with Options().
func NewV3(h *httpx.Client) *V3 { return &V3{h: h} }

// Name implements tracestore.Store.
func (c *V1) Name() string { return StoreName }

// Name implements tracestore.Store.
func (c *V3) Name() string { return StoreName }

func micros(t time.Time) string { return strconv.FormatInt(t.UnixMicro(), 10) }

func (c *V1) get(ctx context.Context, path string, v url.Values) (*httpx.Response, error) {
	return getJSON(ctx, c.h, path, v, "v1", settings.TraceKindJaegerV3)
}

func (c *V3) get(ctx context.Context, path string, v url.Values) (*httpx.Response, error) {
	return getJSON(ctx, c.h, path, v, "v3", settings.TraceKindJaegerV1)
}

// getJSON calls GET path. Jaeger's query service answers a path it has no API for with
// its UI's page (200, text/html): the URL's base path is not the query service's, or
// this Jaeger does not serve the API asked (a Jaeger without the v1 API). That answer is
// an error saying so, not a JSON syntax error.
func getJSON(ctx context.Context, h *httpx.Client, path string, v url.Values, api, otherKind string) (*httpx.Response, error) {
	resp, err := h.Get(ctx, path, v, nil)
	if err != nil || !httpx.IsHTMLPage(resp) {
		return resp, err
	}
	return nil, h.Fail(resp.Status, fmt.Sprintf("answered %s with an HTML page (%q), not the %s API's JSON: "+
		"check that the data source URL is the query service's base URL (with its query base path, if it has one, and nothing more) "+
		"and that this Jaeger serves the %s API (otherwise choose %s)", path, httpx.PageTitle(resp), api, api, otherKind))
}

// Trace fetches /api/traces/<id>.
func (c *V1) Trace(ctx context.Context, id string, start, end time.Time) (*model.Trace, error) {
	v := url.Values{}
	if !start.IsZero() && !end.IsZero() {
		v.Set("start", micros(start))
		v.Set("end", micros(end))
	}
	resp, err := c.get(ctx, "/api/traces/"+url.PathEscape(id), v)
	if err != nil {
		return nil, traceNotFound(c.h, err, id)
	}
	ts, warnings, perr := ParseV1Traces(resp.Body)
	if perr != nil {
		return nil, c.h.Fail(resp.Status, perr.Error())
	}
	if len(ts) == 0 {
		return nil, c.h.Fail(http.StatusNotFound, fmt.Sprintf("trace %s not found", id))
	}
	t := &ts[0]
	// Errors that came with the trace reach the trace's notices, like Tempo's partial status.
	for _, w := range warnings {
		t.Warnings = append(t.Warnings, c.h.Scrub(w))
	}
	return t, nil
}

// Search runs /api/traces?service=… and summarises each trace; raw spans are kept for
// exact latency statistics.
func (c *V1) Search(ctx context.Context, p tracestore.SearchParams) (*tracestore.SearchResult, error) {
	if p.TraceQL != "" {
		return nil, c.h.Refuse("TraceQL is a Tempo language; search Jaeger by service, operation and tags")
	}
	if p.Service == "" {
		return nil, c.h.Refuse("search needs a service")
	}
	// The search again without the error tag (below) is part of this one: both share the
	// store's timeout.
	ctx, cancel := c.h.Budget(ctx)
	defer cancel()
	ts, warnings, err := c.find(ctx, p)
	if err != nil {
		return nil, err
	}
	if isTrue(p.Tags[errorTag]) {
		// Jaeger v2's memory store reads the text "true" of the error tag as "status OK"
		// (internal/storage/v2/memory validSpan, v1.76.0): it answers with the traces
		// that did not fail, or with none when no span's status is OK. An answer holding
		// a trace without any error span, or none, is checked by searching without the
		// tag and keeping the traces with an error span of the service searched.
		kept := withErrorSpan(ts, tracestore.SearchParams{})
		if len(kept) < len(ts) || len(ts) == 0 {
			without := p
			without.Tags = maps.Clone(p.Tags)
			delete(without.Tags, errorTag)
			all, allWarnings, err := c.find(ctx, without)
			if err != nil {
				return nil, err
			}
			failedTraces := withErrorSpan(all, p)
			if len(kept) < len(ts) || len(failedTraces) > 0 {
				answered := "no trace"
				if len(ts) > 0 {
					answered = fmt.Sprintf("%d of %d traces without any error span", len(ts)-len(kept), len(ts))
				}
				warnings = append(allWarnings, fmt.Sprintf("jaeger: the search for error=true answered %s (Jaeger's memory store reads error=true as status OK); "+
					"shown instead are the %d traces with an error span of %s among the %d found without that tag", answered, len(failedTraces), p.Service, len(all)))
				ts = failedTraces
			}
		}
	}
	res := summaries(ts)
	for _, w := range warnings {
		res.Warnings = append(res.Warnings, c.h.Scrub(w))
	}
	return res, nil
}

// withErrorSpan is the traces holding an error span of the service searched (and of its
// operation, when one is searched), or of any service when p names none: those a search
// for error=true matches. As in Jaeger's tag search, the tag may also be one of the
// span's process tags or log fields.
func withErrorSpan(ts []model.Trace, p tracestore.SearchParams) []model.Trace {
	var out []model.Trace
	for _, t := range ts {
		for i := range t.Spans {
			sp := &t.Spans[i]
			if (p.Service == "" || sp.Service == p.Service) && (p.Operation == "" || sp.Operation == p.Operation) && failed(sp) {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// failed tells whether a span is an error span or carries error=true among its process
// tags or log fields.
func failed(sp *model.Span) bool {
	if sp.StatusCode == model.StatusError || hasErrorTag(sp.ServiceTags) {
		return true
	}
	for _, ev := range sp.Events {
		if hasErrorTag(ev.Fields) {
			return true
		}
	}
	return false
}

// find runs /api/traces?service=… and returns the traces and the errors that came with them.
func (c *V1) find(ctx context.Context, p tracestore.SearchParams) ([]model.Trace, []string, error) {
	v := url.Values{"service": {p.Service}}
	if p.Operation != "" {
		v.Set("operation", p.Operation)
	}
	if len(p.Tags) > 0 {
		b, _ := json.Marshal(p.Tags)
		v.Set("tags", string(b))
	}
	if p.Limit > 0 {
		v.Set("limit", strconv.Itoa(p.Limit))
	}
	if !p.Start.IsZero() {
		v.Set("start", micros(p.Start))
		v.Set("end", micros(p.End))
	}
	if p.MinDuration > 0 {
		v.Set("minDuration", p.MinDuration.String())
	}
	if p.MaxDuration > 0 {
		v.Set("maxDuration", p.MaxDuration.String())
	}
	resp, err := c.get(ctx, "/api/traces", v)
	if err != nil {
		return nil, nil, limitRefused(c.h, err, p.Limit)
	}
	ts, warnings, perr := ParseV1Traces(resp.Body)
	if perr != nil {
		return nil, nil, c.h.Fail(resp.Status, perr.Error())
	}
	return ts, warnings, nil
}

// summaries is a search result from whole traces; each trace's warnings become the
// result's, naming the trace.
func summaries(ts []model.Trace) *tracestore.SearchResult {
	out := &tracestore.SearchResult{Traces: make([]model.TraceSummary, 0, len(ts))}
	for i := range ts {
		out.Traces = append(out.Traces, Summarize(&ts[i]))
		out.Spans = append(out.Spans, ts[i].Spans...)
		for _, w := range ts[i].Warnings {
			out.Warnings = append(out.Warnings, fmt.Sprintf("trace %s: %s", ts[i].TraceID, w))
		}
	}
	return out
}

// Services runs /api/services, which takes no time range: start and end are ignored.
func (c *V1) Services(ctx context.Context, _, _ time.Time) ([]string, error) {
	return c.list(ctx, "/api/services")
}

// Operations runs /api/services/<service>/operations, which takes no time range: start
// and end are ignored. Jaeger unescapes that path segment as a query value
// (getOperationsLegacy, url.QueryUnescape, v1.76.0), which reads "+" as a space: "+" is
// sent as %2B.
func (c *V1) Operations(ctx context.Context, service string, _, _ time.Time) ([]string, error) {
	return c.list(ctx, "/api/services/"+strings.ReplaceAll(url.PathEscape(service), "+", "%2B")+"/operations")
}

func (c *V1) list(ctx context.Context, path string) ([]string, error) {
	resp, err := c.get(ctx, path, nil)
	if err != nil {
		return nil, err
	}
	out, perr := ParseV1Strings(resp.Body)
	if perr != nil {
		return nil, c.h.Garbled(resp, perr)
	}
	return out, nil
}

// Trace fetches /api/v3/traces/<id>.
func (c *V3) Trace(ctx context.Context, id string, start, end time.Time) (*model.Trace, error) {
	v := url.Values{}
	if !start.IsZero() && !end.IsZero() {
		v.Set("start_time", start.UTC().Format(time.RFC3339Nano))
		v.Set("end_time", end.UTC().Format(time.RFC3339Nano))
	}
	resp, err := c.get(ctx, "/api/v3/traces/"+url.PathEscape(id), v)
	if err != nil {
		return nil, traceNotFound(c.h, err, id)
	}
	ts, dropped, perr := ParseV3Traces(resp.Body)
	if perr != nil {
		return nil, c.h.Fail(resp.Status, perr.Error())
	}
	if len(ts) == 0 {
		return nil, c.h.Fail(http.StatusNotFound, fmt.Sprintf("trace %s not found", id))
	}
	t := &ts[0]
	if dropped > 0 {
		t.Warnings = append(t.Warnings, fmt.Sprintf("jaeger: %d spans with unreadable IDs were left out", dropped))
	}
	return t, nil
}

// Search runs /api/v3/traces with query.* parameters (snake_case, which every v3
// version accepts). The gateway's 404 "No traces found" is an empty result.
func (c *V3) Search(ctx context.Context, p tracestore.SearchParams) (*tracestore.SearchResult, error) {
	if p.TraceQL != "" {
		return nil, c.h.Refuse("TraceQL is a Tempo language; search Jaeger by service, operation and tags")
	}
	if p.Service == "" {
		return nil, c.h.Refuse("search needs a service")
	}
	// The v3 HTTP gateway has no attribute parameter: it sends FindTraces an empty
	// attribute map whatever the URL holds (jaeger cmd/query/app/apiv3/http_gateway.go,
	// parseFindTracesQuery, checked at v1.76.0, the version tests/stores builds). Refuse
	// rather than return unfiltered traces.
	if len(p.Tags) > 0 {
		return nil, c.h.Refuse("tag search is not supported through the Jaeger v3 API; use the v1 API or Tempo")
	}
	v := url.Values{"query.service_name": {p.Service}}
	if p.Operation != "" {
		v.Set("query.operation_name", p.Operation)
	}
	if !p.Start.IsZero() {
		v.Set("query.start_time_min", p.Start.UTC().Format(time.RFC3339Nano))
		v.Set("query.start_time_max", p.End.UTC().Format(time.RFC3339Nano))
	}
	if p.MinDuration > 0 {
		v.Set("query.duration_min", p.MinDuration.String())
	}
	if p.MaxDuration > 0 {
		v.Set("query.duration_max", p.MaxDuration.String())
	}
	// The trace count is required (Jaeger's memory store refuses 0). The gateway reads it
	// as query.num_traces up to v1.76.0 (the version tests/stores builds) and as
	// query.search_depth later; each version ignores the other name.
	limit := p.Limit
	if limit <= 0 {
		limit = defaultV3SearchLimit
	}
	v.Set("query.num_traces", strconv.Itoa(limit))
	v.Set("query.search_depth", strconv.Itoa(limit))
	resp, err := c.get(ctx, "/api/v3/traces", v)
	if isV3NoTraces(err) {
		return summaries(nil), nil
	}
	if err != nil {
		return nil, limitRefused(c.h, err, limit)
	}
	ts, dropped, perr := ParseV3Traces(resp.Body)
	if perr != nil {
		return nil, c.h.Fail(resp.Status, perr.Error())
	}
	res := summaries(ts)
	if dropped > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("jaeger: %d spans with unreadable IDs were left out", dropped))
	}
	return res, nil
}

// searchDepthRefused is the message with which Jaeger's memory store refuses a search
// for more traces than it keeps, through both APIs (internal/storage/v2/memory
// errInvalidSearchDepth, v1.76.0), answered as a 500.
const searchDepthRefused = "search depth must be greater than 0 and less than max traces"

// limitRefused turns Jaeger's refusal of a trace count above its memory store's
// max_traces into the user's error, naming the limit to lower; any other error is
// returned as it is.
func limitRefused(h *httpx.Client, err error, limit int) error {
	var se *httpx.StoreError
	if limit > 0 && errors.As(err, &se) && strings.Contains(se.Message, searchDepthRefused) {
		return h.Refuse(fmt.Sprintf("Jaeger refused to search for %d traces, more than its memory store keeps (its max_traces): "+
			"lower the query's trace limit (for span latency, the data source's span limit, which asks for a tenth as many traces, at least 20)", limit))
	}
	return err
}

// v3NoTracesMessage is the message of the 404 with which Jaeger's v3 gateway answers a
// search or trace look-up that finds nothing: {"error":{"httpCode":404,"message":"No
// traces found"}} (cmd/query/app/apiv3/http_gateway.go, returnTraces, v1.76.0).
const v3NoTracesMessage = "No traces found"

// isV3NoTraces tells the gateway's "nothing found" from other 404s (a wrong base path,
// a Jaeger without the v3 API), which stay errors.
func isV3NoTraces(err error) bool {
	var se *httpx.StoreError
	return errors.As(err, &se) && se.Status == http.StatusNotFound && strings.EqualFold(se.Message, v3NoTracesMessage)
}

// defaultV3SearchLimit is the trace count asked for when a search names none.
const defaultV3SearchLimit = 20

// Services runs /api/v3/services, which takes no time range (the gateway's getServices
// reads no parameter): start and end are ignored.
func (c *V3) Services(ctx context.Context, _, _ time.Time) ([]string, error) {
	resp, err := c.get(ctx, "/api/v3/services", nil)
	if err != nil {
		return nil, err
	}
	out, perr := ParseV3Services(resp.Body)
	if perr != nil {
		return nil, c.h.Garbled(resp, perr)
	}
	return out, nil
}

// Operations runs /api/v3/operations?service=…, which takes no time range (the gateway's
// getOperations reads only service and span_kind): start and end are ignored.
func (c *V3) Operations(ctx context.Context, service string, _, _ time.Time) ([]string, error) {
	resp, err := c.get(ctx, "/api/v3/operations", url.Values{"service": {service}})
	if err != nil {
		return nil, err
	}
	out, perr := ParseV3Operations(resp.Body)
	if perr != nil {
		return nil, c.h.Garbled(resp, perr)
	}
	return out, nil
}

// traceNotFound names the trace in the store's 404 for it ("trace not found", "No traces
// found" say not which); any other error is returned as it is.
func traceNotFound(h *httpx.Client, err error, id string) error {
	var se *httpx.StoreError
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		return h.Fail(http.StatusNotFound, fmt.Sprintf("trace %s not found: %s", id, se.Message))
	}
	return err
}
