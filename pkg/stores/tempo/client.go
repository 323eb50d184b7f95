package tempo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/latencylens/lens/pkg/language"
	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/tracestore"
	"github.com/latencylens/lens/pkg/traceid"
)

// StoreName names this store in errors and health reports.
const StoreName = "tempo"

// Client is the HTTP client of Tempo.
type Client struct{ h *httpx.Client }

var _ tracestore.Store = (*Client)(nil)

// NewClient wraps an httpx client.
func NewClient(h *httpx.Client) *Client { return &Client{h: h} }

// Options returns the httpx options this store needs (plain-text errors).
func Options() httpx.Options { return httpx.Options{} }

// Name implements tracestore.Store.
func (c *Client) Name() string { return StoreName }

var jsonAccept = http.Header{"Accept": {"application/json"}}

func secs(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// ceilSecs is t in Unix seconds rounded up. Tempo's search keeps a trace whose start is
// at or before end seconds (tempodb vparquet createTraceIterator: span start <= end), so
// an end rounded down would lose what started in the range's last fraction of a second.
func ceilSecs(t time.Time) string {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return strconv.FormatInt(s, 10)
}

// Trace fetches /api/v2/traces/<id>, falling back to /api/traces/<id> for Tempo
// versions before 2.6 (which answer 404 on the v2 path). Both calls share one store
// timeout: the fallback gets what the first call left, never a fresh budget.
func (c *Client) Trace(ctx context.Context, id string, start, end time.Time) (*model.Trace, error) {
	ctx, cancel := c.h.Budget(ctx)
	defer cancel()
	v := url.Values{}
	if !start.IsZero() && !end.IsZero() {
		v.Set("start", secs(start))
		v.Set("end", strconv.FormatInt(end.Unix()+1, 10))
	}
	resp, err := c.h.Get(ctx, "/api/v2/traces/"+url.PathEscape(id), v, jsonAccept)
	if err == nil {
		t, perr := ParseTraceV2(resp.Body)
		if perr != nil {
			return nil, c.h.Garbled(resp, perr)
		}
		return c.found(id, t)
	}
	var se *httpx.StoreError
	if !errors.As(err, &se) || se.Status != http.StatusNotFound {
		return nil, err
	}
	resp, err = c.h.Get(ctx, "/api/traces/"+url.PathEscape(id), v, jsonAccept)
	if err != nil {
		if errors.As(err, &se) && se.Status == http.StatusNotFound {
			return nil, c.h.Fail(http.StatusNotFound, fmt.Sprintf("trace %s not found", id))
		}
		return nil, err
	}
	t, perr := ParseTraceV1(resp.Body)
	if perr != nil {
		return nil, c.h.Garbled(resp, perr)
	}
	return c.found(id, t)
}

// found turns an answer without a single span into the store's "not found", as an
// empty trace would otherwise reach the user as an empty frame with nothing said; when
// Tempo marked it partial, the error says so and gives Tempo's reason.
func (c *Client) found(id string, t *model.Trace) (*model.Trace, error) {
	if len(t.Spans) > 0 {
		return t, nil
	}
	msg := fmt.Sprintf("trace %s not found", id)
	if t.Partial {
		msg += " in a partial answer"
		if len(t.Warnings) > 0 {
			msg += " (" + strings.Join(t.Warnings, "; ") + ")"
		}
	}
	return nil, c.h.Fail(http.StatusNotFound, msg)
}

// Search runs /api/search with TraceQL over whole seconds covering Start..End: the
// answer may hold traces up to a second outside the range, which callers that need the
// exact range drop by span start.
//
// Tempo returns the first traces it finds, not the newest, unless the query says `with
// (most_recent=true)` (Tempo 2.8+). A search from service, operation, tags and durations
// says so; a Tempo that refuses the hint (one that cannot parse `with`) is asked again
// without it, and when that search stops at its limit a warning says its traces need not
// be the newest. TraceQL is sent as written (see AsksMostRecent).
func (c *Client) Search(ctx context.Context, p tracestore.SearchParams) (*tracestore.SearchResult, error) {
	q, err := SearchQuery(p)
	if err != nil {
		return nil, c.h.Refuse(err.Error())
	}
	ctx, cancel := c.h.Budget(ctx)
	defer cancel()
	hinted := strings.TrimSpace(p.TraceQL) == ""
	if hinted {
		q += mostRecentHint
	}
	resp, err := c.search(ctx, q, p)
	var se *httpx.StoreError
	refused := hinted && errors.As(err, &se) && se.Status == http.StatusBadRequest
	if refused {
		resp, err = c.search(ctx, strings.TrimSuffix(q, mostRecentHint), p)
	}
	if err != nil {
		return nil, err
	}
	hits, spans, bad, perr := ParseSearchSpans(resp.Body)
	if perr != nil {
		return nil, c.h.Garbled(resp, perr)
	}
	res := &tracestore.SearchResult{Traces: hits, Spans: spans}
	if len(bad) > 0 {
		_, err := traceid.Normalize(bad[0])
		res.Warnings = append(res.Warnings, fmt.Sprintf("tempo: %d search hits left out: their trace IDs are not trace IDs (first: %v)", len(bad), c.h.Scrub(err.Error())))
	}
	if n := len(hits) + len(bad); refused && p.Limit > 0 && n >= p.Limit {
		res.Warnings = append(res.Warnings, fmt.Sprintf("tempo: these are the first %d traces Tempo found, which need not be the newest in the range: this Tempo refused `with (most_recent=true)` (Tempo 2.8 or later takes it)", n))
	}
	return res, nil
}

// mostRecentHint asks Tempo's search for the newest traces rather than the first found.
const mostRecentHint = " with (most_recent=true)"

// mostRecent finds the most_recent hint set to true in a TraceQL query.
var mostRecent = regexp.MustCompile(`\bmost_recent\s*=\s*true\b`)

// AsksMostRecent tells whether TraceQL asks Tempo's search for the newest traces (`with
// (most_recent=true)`); without it Tempo returns the first it finds.
func AsksMostRecent(traceQL string) bool { return mostRecent.MatchString(traceQL) }

// search calls /api/search with the TraceQL q and p's limits and range.
func (c *Client) search(ctx context.Context, q string, p tracestore.SearchParams) (*httpx.Response, error) {
	v := url.Values{"q": {q}}
	if p.SpansPerSpanSet > 0 {
		v.Set("spss", strconv.Itoa(p.SpansPerSpanSet))
	}
	if p.Limit > 0 {
		v.Set("limit", strconv.Itoa(p.Limit))
	}
	if !p.Start.IsZero() {
		v.Set("start", secs(p.Start))
		v.Set("end", ceilSecs(p.End))
	}
	return c.h.Get(ctx, "/api/search", v, jsonAccept)
}

// Services lists resource.service.name values.
func (c *Client) Services(ctx context.Context, start, end time.Time) ([]string, error) {
	return c.TagValues(ctx, "resource.service.name", "", start, end)
}

// Operations lists span names of a service.
func (c *Client) Operations(ctx context.Context, service string, start, end time.Time) ([]string, error) {
	q := ""
	if service != "" {
		q = "{ resource.service.name = " + matcherString(service) + " }"
	}
	return c.TagValues(ctx, "name", q, start, end)
}

// matcherString is a TraceQL string literal that Tempo's tag-value look-ups read as a
// matcher. They keep the matchers of `q` that a pattern finds, whose strings hold only
// letters, digits, punctuation, marks and symbols (pkg/traceql ExtractMatchers); with any
// other character, white space above all, the matcher is dropped and the look-up answers
// the values of every span. Such a character is written as a \u escape, which TraceQL
// reads as the character itself.
func matcherString(v string) string {
	q := language.QuoteString(v)
	var b strings.Builder
	for _, r := range q {
		switch {
		case unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.M, unicode.S):
			b.WriteRune(r)
		case r > 0xFFFF:
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// tagRange sets start and end (Unix seconds, end rounded up) when both are given.
// Tempo's tag look-ups without them search only the ingesters, i.e. the last minutes
// (modules/frontend/tag_sharder.go: "request without start or end, search only in
// ingester").
func tagRange(v url.Values, start, end time.Time) {
	if !start.IsZero() && !end.IsZero() {
		v.Set("start", secs(start))
		v.Set("end", ceilSecs(end))
	}
}

// TagValues runs /api/v2/search/tag/<tag>/values, optionally filtered by TraceQL q, over
// start..end when both are non-zero.
//
// Tempo routes a tag name holding a slash (span.k8s/pod), escaped or not, to no handler:
// its router answers "404 page not found" in plain text (checked on the Tempo the tests
// run). Such a 404 is the caller's request Tempo cannot serve, said as such, not a store
// failure; no other look-up of Tempo's lists one tag's values.
func (c *Client) TagValues(ctx context.Context, tag, q string, start, end time.Time) ([]string, error) {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	tagRange(v, start, end)
	resp, err := c.h.Get(ctx, "/api/v2/search/tag/"+url.PathEscape(tag)+"/values", v, jsonAccept)
	var se *httpx.StoreError
	if errors.As(err, &se) && se.Status == http.StatusNotFound && strings.Contains(tag, "/") {
		return nil, c.h.Refuse(fmt.Sprintf("the values of tag %q cannot be looked up: this Tempo's tag-value look-up takes no tag name with a slash in it "+
			"(it answered %q); type the value instead", tag, se.Message))
	}
	if err != nil {
		return nil, err
	}
	out, perr := ParseTagValues(resp.Body)
	if perr != nil {
		return nil, c.h.Garbled(resp, perr)
	}
	return out, nil
}

// TagNames runs /api/v2/search/tags over start..end when both are non-zero.
func (c *Client) TagNames(ctx context.Context, start, end time.Time) ([]string, error) {
	v := url.Values{}
	tagRange(v, start, end)
	resp, err := c.h.Get(ctx, "/api/v2/search/tags", v, jsonAccept)
	if err != nil {
		return nil, err
	}
	out, perr := ParseTagNames(resp.Body)
	if perr != nil {
		return nil, c.h.Garbled(resp, perr)
	}
	return out, nil
}

// MetricsQueryRange runs a TraceQL metrics query (/api/metrics/query_range).
func (c *Client) MetricsQueryRange(ctx context.Context, q string, start, end time.Time, step time.Duration) (*Metrics, error) {
	v := url.Values{
		"q":     {q},
		"start": {strconv.FormatInt(start.UnixNano(), 10)},
		"end":   {strconv.FormatInt(end.UnixNano(), 10)},
		"step":  {step.String()},
	}
	resp, err := c.h.Get(ctx, "/api/metrics/query_range", v, jsonAccept)
	if err != nil {
		return nil, err
	}
	out, perr := ParseMetrics(resp.Body)
	if perr != nil {
		return nil, c.h.Garbled(resp, perr)
	}
	return out, nil
}

// Ready calls /ready.
func (c *Client) Ready(ctx context.Context) error {
	_, err := c.h.Get(ctx, "/ready", nil, nil)
	return err
}
