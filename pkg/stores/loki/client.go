package loki

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/latencylens/lens/pkg/stores/httpx"
)

// StoreName names this store in errors and health reports.
const StoreName = "loki"

// RangeRequest is one query_range call.
type RangeRequest struct {
	Expr       string
	Start, End time.Time
	Limit      int
	// Direction is "backward" (default) or "forward".
	Direction string
	Step      time.Duration
}

// API is what the handlers need from a log store.
type API interface {
	QueryRange(ctx context.Context, r RangeRequest) (*Result, error)
	Labels(ctx context.Context, start, end time.Time) ([]string, error)
	// LabelValues lists the values of one label; query, when not empty, is a stream
	// selector that narrows the streams looked at.
	LabelValues(ctx context.Context, label, query string, start, end time.Time) ([]string, error)
}

// Client is the HTTP implementation of API. Loki's errors are plain text, which the
// default httpx message function keeps as they are.
type Client struct{ h *httpx.Client }

var _ API = (*Client)(nil)

// NewClient wraps an httpx client.
func NewClient(h *httpx.Client) *Client { return &Client{h: h} }

// Options returns the httpx options this store needs.
func Options() httpx.Options { return httpx.Options{} }

// EncodingFlagsHeader asks Loki 3 to keep structured metadata and parsed labels apart.
const EncodingFlagsHeader = "X-Loki-Response-Encoding-Flags"

func ns(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }

// DefaultMaxEntries is Loki's default max_entries_limit_per_query.
const DefaultMaxEntries = 5000

// ProbeLimit is the line limit to ask for when up to want lines are needed and more
// must be noticed: want+1, but not above Loki's default maximum (a Result that comes
// back Full then says more may exist).
func ProbeLimit(want int) int { return min(want+1, DefaultMaxEntries) }

// maxEntriesRE reads the store's line limit from its refusal of a larger one:
// "max entries limit per query exceeded, limit > max_entries_limit_per_query (5001 > 5000)".
var maxEntriesRE = regexp.MustCompile(`max_entries_limit_per_query \((\d+) > (\d+)\)`)

// QueryRange runs /loki/api/v1/query_range. A line limit above the store's
// max_entries_limit_per_query (5000 by default) is refused by Loki with a 400; the
// query is then run once more with the store's limit, and Result.Limit says so.
func (c *Client) QueryRange(ctx context.Context, r RangeRequest) (*Result, error) {
	res, err := c.queryRange(ctx, r)
	var se *httpx.StoreError
	if err != nil && errors.As(err, &se) && se.Status == http.StatusBadRequest {
		if m := maxEntriesRE.FindStringSubmatch(se.Message); m != nil {
			if max, perr := strconv.Atoi(m[2]); perr == nil && max > 0 && max < r.Limit {
				r.Limit = max
				return c.queryRange(ctx, r)
			}
		}
	}
	return res, err
}

func (c *Client) queryRange(ctx context.Context, r RangeRequest) (*Result, error) {
	v := url.Values{"query": {r.Expr}, "start": {ns(r.Start)}, "end": {ns(r.End)}}
	if r.Limit > 0 {
		v.Set("limit", strconv.Itoa(r.Limit))
	}
	if r.Direction != "" {
		v.Set("direction", r.Direction)
	}
	if r.Step > 0 {
		v.Set("step", strconv.FormatFloat(r.Step.Seconds(), 'f', -1, 64))
	}
	resp, err := c.h.Get(ctx, "/loki/api/v1/query_range", v, http.Header{EncodingFlagsHeader: {"categorize-labels"}})
	if err != nil {
		return nil, err
	}
	res, perr := ParseQueryRange(resp.Body)
	if perr != nil {
		return nil, c.h.Fail(resp.Status, "garbled answer: "+perr.Error())
	}
	if res.ResultType == ResultStreams {
		res.Limit = r.Limit
	}
	return res, nil
}

// Labels runs /loki/api/v1/labels.
func (c *Client) Labels(ctx context.Context, start, end time.Time) ([]string, error) {
	return c.list(ctx, "/loki/api/v1/labels", nil, start, end)
}

// LabelValues runs /loki/api/v1/label/<name>/values[?query=<selector>].
func (c *Client) LabelValues(ctx context.Context, label, query string, start, end time.Time) ([]string, error) {
	v := url.Values{}
	if query != "" {
		v.Set("query", query)
	}
	return c.list(ctx, "/loki/api/v1/label/"+url.PathEscape(label)+"/values", v, start, end)
}

func (c *Client) list(ctx context.Context, path string, v url.Values, start, end time.Time) ([]string, error) {
	if v == nil {
		v = url.Values{}
	}
	if !start.IsZero() {
		v.Set("start", ns(start))
		v.Set("end", ns(end))
	}
	resp, err := c.h.Get(ctx, path, v, nil)
	if err != nil {
		return nil, err
	}
	out, perr := ParseLabels(resp.Body)
	if perr != nil {
		return nil, c.h.Fail(resp.Status, "garbled answer: "+perr.Error())
	}
	return out, nil
}

// Ready calls /ready.
func (c *Client) Ready(ctx context.Context) error {
	_, err := c.h.Get(ctx, "/ready", nil, nil)
	return err
}
