package prometheus

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/latencylens/lens/pkg/stores/httpx"
)

// StoreName names this store in errors and health reports.
const StoreName = "prometheus"

// MaxPointsPerSeries is the store's own limit for query_range.
const MaxPointsPerSeries = 11_000

// API is what the handlers need from a metrics store.
type API interface {
	QueryRange(ctx context.Context, expr string, start, end time.Time, step time.Duration) (*Data, error)
	Query(ctx context.Context, expr string, at time.Time) (*Data, error)
	Exemplars(ctx context.Context, expr string, start, end time.Time) (*ExemplarSet, error)
	LabelValues(ctx context.Context, label string, matchers []string, start, end time.Time) ([]string, error)
	// MetricNamesOfType lists the metric names whose metadata has the given type
	// (MetricTypeHistogram finds native histograms, which have no `_bucket` series).
	MetricNamesOfType(ctx context.Context, metricType string) ([]string, error)
}

// Client is the HTTP implementation of API.
type Client struct{ h *httpx.Client }

var _ API = (*Client)(nil)

// NewClient wraps an httpx client built with ErrorMessage as its message function.
func NewClient(h *httpx.Client) *Client { return &Client{h: h} }

// Options returns the httpx options this store needs.
func Options() httpx.Options { return httpx.Options{Message: ErrorMessage} }

func formatTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64)
}

// QueryRange runs /api/v1/query_range over start..end moved back to multiples of step
// (AlignToStep).
func (c *Client) QueryRange(ctx context.Context, expr string, start, end time.Time, step time.Duration) (*Data, error) {
	if step <= 0 {
		return nil, c.h.Refuse("query_range needs a positive step")
	}
	start, end = AlignToStep(start, step), AlignToStep(end, step)
	v := url.Values{
		"query": {expr},
		"start": {formatTime(start)},
		"end":   {formatTime(end)},
		"step":  {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)},
	}
	return c.query(ctx, "/api/v1/query_range", v)
}

// AlignToStep moves t back to the last multiple of step since the Unix epoch. Prometheus
// evaluates a range query at start, start+step, …; a range that moves with the clock
// would sample the series at other instants on every refresh, so the same data would give
// other points each time. On multiples of the step, a refresh only adds points (Grafana's
// own Prometheus data source does the same).
func AlignToStep(t time.Time, step time.Duration) time.Time {
	if step <= 0 {
		return t
	}
	ns := t.UnixNano()
	r := ns % int64(step)
	if r < 0 {
		r += int64(step)
	}
	return time.Unix(0, ns-r)
}

// Query runs an instant /api/v1/query.
func (c *Client) Query(ctx context.Context, expr string, at time.Time) (*Data, error) {
	v := url.Values{"query": {expr}}
	if !at.IsZero() {
		v.Set("time", formatTime(at))
	}
	return c.query(ctx, "/api/v1/query", v)
}

// maxGetQuery is the longest encoded query sent in a URL. Longer ones go as a form in a
// POST body, which Prometheus' query endpoints take too: reverse proxies refuse long
// request lines (nginx's default limit is 8 KB for the whole line).
const maxGetQuery = 4096

// queryCall calls one of the query endpoints (query, query_range, query_exemplars) with
// v: in the URL, or in a POST body when that is too long for one.
func (c *Client) queryCall(ctx context.Context, path string, v url.Values) (*httpx.Response, error) {
	enc := v.Encode()
	if len(enc) <= maxGetQuery {
		return c.h.Get(ctx, path, v, nil)
	}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	return c.h.Do(ctx, http.MethodPost, path, nil, h, strings.NewReader(enc))
}

func (c *Client) query(ctx context.Context, path string, v url.Values) (*Data, error) {
	resp, err := c.queryCall(ctx, path, v)
	if err != nil {
		return nil, err
	}
	d, err := ParseQuery(resp.Body)
	if err != nil {
		return nil, c.wrap(resp, err)
	}
	return d, nil
}

// Exemplars runs /api/v1/query_exemplars.
func (c *Client) Exemplars(ctx context.Context, expr string, start, end time.Time) (*ExemplarSet, error) {
	v := url.Values{"query": {expr}, "start": {formatTime(start)}, "end": {formatTime(end)}}
	resp, err := c.queryCall(ctx, "/api/v1/query_exemplars", v)
	if err != nil {
		return nil, err
	}
	set, err := ParseExemplars(resp.Body)
	if err != nil {
		return nil, c.wrap(resp, err)
	}
	return set, nil
}

// LabelValues runs /api/v1/label/<label>/values ("__name__" lists metric names).
func (c *Client) LabelValues(ctx context.Context, label string, matchers []string, start, end time.Time) ([]string, error) {
	return c.labelList(ctx, "/api/v1/label/"+url.PathEscape(label)+"/values", matchers, start, end)
}

// LabelNames runs /api/v1/labels: the label names of the series matching any of
// matchers (all series when there is none), over start..end when start is set.
func (c *Client) LabelNames(ctx context.Context, matchers []string, start, end time.Time) ([]string, error) {
	return c.labelList(ctx, "/api/v1/labels", matchers, start, end)
}

// labelList calls one of the label list endpoints with match[] selectors and, when start
// is set, the time range.
func (c *Client) labelList(ctx context.Context, path string, matchers []string, start, end time.Time) ([]string, error) {
	v := url.Values{}
	for _, m := range matchers {
		v.Add("match[]", m)
	}
	if !start.IsZero() {
		v.Set("start", formatTime(start))
		v.Set("end", formatTime(end))
	}
	resp, err := c.h.Get(ctx, path, v, nil)
	if err != nil {
		return nil, err
	}
	out, err := ParseLabelValues(resp.Body)
	if err != nil {
		return nil, c.wrap(resp, err)
	}
	return out, nil
}

// MetricNamesOfType runs /api/v1/metadata and keeps the names of metricType. Prometheus
// serves the metadata of the metrics its targets currently expose (not of stored series).
func (c *Client) MetricNamesOfType(ctx context.Context, metricType string) ([]string, error) {
	resp, err := c.h.Get(ctx, "/api/v1/metadata", nil, nil)
	if err != nil {
		return nil, err
	}
	out, err := ParseMetadataNames(resp.Body, metricType)
	if err != nil {
		return nil, c.wrap(resp, err)
	}
	return out, nil
}

func (c *Client) wrap(resp *httpx.Response, err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		return c.h.Fail(resp.Status, ae.Error())
	}
	return c.h.Garbled(resp, err)
}

// HistogramMetricNames keeps the names that look like classic histogram series
// (`_bucket`), returned as base names; native histograms have no suffix and are
// found by the caller through metadata.
func HistogramMetricNames(names []string) []string {
	var out []string
	for _, n := range names {
		if base, ok := strings.CutSuffix(n, "_bucket"); ok && base != "" {
			out = append(out, base)
		}
	}
	return out
}
