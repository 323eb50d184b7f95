package loki

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/latencylens/lens/pkg/settings"
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
type Client struct {
	h *httpx.Client
	// budget bounds one QueryRange as a whole, every page of it: the store's timeout.
	budget time.Duration
	// storeMax is the store's max_entries_limit_per_query once a refusal has told it
	// (0 while unknown), so later queries page at once instead of being refused first.
	storeMax atomic.Int64
}

var _ API = (*Client)(nil)

// NewClient wraps an httpx client; its timeout is the time budget of each QueryRange.
func NewClient(h *httpx.Client) *Client { return &Client{h: h, budget: h.Timeout()} }

// Options returns the httpx options this store needs.
func Options() httpx.Options { return httpx.Options{} }

// EncodingFlagsHeader asks Loki 3 to keep structured metadata and parsed labels apart.
const EncodingFlagsHeader = settings.LokiEncodingFlagsHeader

func ns(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }

// DefaultMaxEntries is Loki's default max_entries_limit_per_query.
const DefaultMaxEntries = 5000

// ProbeLimit is the line limit to ask for when up to want lines are needed and more
// must be noticed: want+1, so a Result with more than want lines says more exist. A
// limit above the store's max_entries_limit_per_query is honoured by paging (QueryRange).
func ProbeLimit(want int) int {
	if want <= 0 || want == math.MaxInt {
		return want
	}
	return want + 1
}

// maxEntriesRE reads the store's line limit from its refusal of a larger one, worded
// "max entries limit per query exceeded, limit > max_entries_limit (5001 > 5000)" by the
// querier and query frontend, and with "max_entries_limit_per_query" by newer releases.
var maxEntriesRE = regexp.MustCompile(`max entries limit per query exceeded, limit > max_entries_limit(?:_per_query)? \((\d+) > (\d+)\)`)

// refusedAbove returns the store's line limit when err is Loki refusing limit as above
// it, else 0.
func refusedAbove(err error, limit int) int {
	var se *httpx.StoreError
	if !errors.As(err, &se) || se.Status != http.StatusBadRequest {
		return 0
	}
	m := maxEntriesRE.FindStringSubmatch(se.Message)
	if m == nil {
		return 0
	}
	if max, perr := strconv.Atoi(m[2]); perr == nil && max > 0 && max < limit {
		return max
	}
	return 0
}

// rangeLimitMessages are the words of Loki's 400 refusals of a query for limits that grow
// with its time range, as Loki's "Troubleshoot queries" guide lists them:
// max_query_length, max_query_bytes_read, max_querier_bytes_read (also worded
// "un-shardable query too large …") and max_chunks_per_query. For each the guide names a
// shorter time range as a fix.
var rangeLimitMessages = []string{
	"the query time range exceeds the limit",
	"the query would read too many bytes",
	"too large to execute on a single querier",
	"the query hit the max number of chunks limit",
}

// RefusedForRange reports whether err is Loki refusing a query for the size of its time
// range, which the same query over a shorter range may pass. Any other refusal (a query
// that does not parse, a missing tenant, a blocked query) fails the same way over any
// range.
func RefusedForRange(err error) bool {
	var se *httpx.StoreError
	if !errors.As(err, &se) || se.Status != http.StatusBadRequest {
		return false
	}
	for _, m := range rangeLimitMessages {
		if strings.Contains(se.Message, m) {
			return true
		}
	}
	return false
}

// maxQueryLengthRE reads the store's refusal of a range longer than its
// max_query_length: "the query time range exceeds the limit (query length: 800h0m30s,
// limit: 30d1h)", the length as Go writes durations.
var maxQueryLengthRE = regexp.MustCompile(`the query time range exceeds the limit \(query length: ([0-9a-zµ.]+), limit: ([0-9a-z]+)\)`)

// modelDurationRE reads a duration as Loki writes its limits (Prometheus' model.Duration:
// y, w, d, h, m, s and ms, largest first, e.g. 30d1h, 1w, 721h).
var modelDurationRE = regexp.MustCompile(`^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$`)

// LongestRange returns the longest time range the store accepts for the query it
// refused as longer than its max_query_length (err), whose range was asked long; 0
// when err is not that refusal. The store measures a range longer than asked (Loki 3
// adds 30 s to a log query's, and a metric query's range and step to its): the
// difference between the length it names and the one asked is taken off its limit.
func LongestRange(err error, asked time.Duration) time.Duration {
	var se *httpx.StoreError
	if !errors.As(err, &se) || se.Status != http.StatusBadRequest {
		return 0
	}
	m := maxQueryLengthRE.FindStringSubmatch(se.Message)
	if m == nil {
		return 0
	}
	measured, err := time.ParseDuration(m[1])
	if err != nil {
		return 0
	}
	limit := modelDuration(m[2])
	return max(limit-max(measured-asked, 0), 0)
}

// modelDuration reads a model.Duration (0 when it is not one).
func modelDuration(s string) time.Duration {
	parts := modelDurationRE.FindStringSubmatch(s)
	if parts == nil {
		return 0
	}
	units := []time.Duration{365 * 24 * time.Hour, 7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second, time.Millisecond}
	var d time.Duration
	for i, u := range units {
		if parts[i+1] == "" {
			continue
		}
		n, err := strconv.ParseInt(parts[i+1], 10, 64)
		if err != nil || n > int64((math.MaxInt64-d)/u) {
			return 0
		}
		d += time.Duration(n) * u
	}
	return d
}

// QueryRange runs /loki/api/v1/query_range. A line limit above the store's
// max_entries_limit_per_query (5000 by default) is honoured by reading the range in
// pages: until the store's maximum is known, the first page asks for at most Loki's
// default maximum and the next for the rest; a store that refuses a page with its 400
// names its maximum, and the pages are then of that size (remembered for later
// queries). Pages go on until r.Limit lines are read or the range is exhausted. Each
// page moves the time bound to the last entry read, in the query's direction, keeping
// that timestamp (several lines can share one nanosecond) and dropping the entries at
// it that an earlier page returned.
//
// The pages share one time budget, the store's timeout: before each page the budget is
// checked, and each call runs under what is left of it. When the budget runs out, a
// page fails or a whole page of lines shares one timestamp, the lines read so far come
// back with Result.Incomplete saying so. Only a failing first page is an error, and an
// empty categorised first page whose query the store refuses without the header
// (stageRefusal).
//
// A log query's page whose answer is larger than the client's limit on one answer
// (httpx.IsTooLarge) is asked again for half as many lines, and the pages after it are
// no larger, down to a page of one new line; a page that does not fit even then ends
// the reading (a first page with the store's error saying so and what to change).
func (c *Client) QueryRange(ctx context.Context, r RangeRequest) (*Result, error) {
	began := time.Now()
	if c.budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadlineCause(ctx, began.Add(c.budget), httpx.ErrStoreTimeout)
		defer cancel()
	}
	// pageMax is the store's maximum when known and below the limit (0: none applies).
	pageMax := int(c.storeMax.Load())
	if r.Limit <= 0 || pageMax >= r.Limit {
		pageMax = 0
	}
	// sizeMax is the most lines a page asks for once an answer was too large to read
	// (0: no such bound).
	sizeMax := 0
	pg := newPager(r)
	for {
		limit := r.Limit
		switch {
		case pg.pages > 0:
			if why := c.outOfTime(ctx, began); why != "" {
				pg.stop(why + " after " + pagesRead(pg.pages) + c.smallerPages(sizeMax))
				return pg.result(pageMax), nil
			}
			limit = r.Limit - pg.lines() + len(pg.atBound)
		case pageMax == 0 && c.storeMax.Load() == 0 && limit > DefaultMaxEntries:
			// The store's maximum is not known yet: a first page Loki accepts by default
			// answers most queries in one call.
			limit = DefaultMaxEntries
		}
		if pageMax > 0 && limit > pageMax {
			limit = pageMax
		}
		// A page holds the lines already read at the bound, which it drops, and one new
		// line at least.
		fewest := 1
		if pg.pages > 0 {
			fewest = len(pg.atBound) + 1
		}
		if sizeMax > 0 && limit > max(sizeMax, fewest) {
			limit = max(sizeMax, fewest)
		}
		pr := pg.request(limit)
		res, err := c.queryRange(ctx, pr)
		if err != nil {
			if max := refusedAbove(err, pr.Limit); max > 0 {
				c.storeMax.Store(int64(max))
				pageMax = max
				continue
			}
			tooLarge := httpx.IsTooLarge(err) && logQuery(r.Expr) && pr.Limit > 0
			if tooLarge && pr.Limit > fewest && c.outOfTime(ctx, began) == "" {
				sizeMax = max(pr.Limit/2, fewest)
				continue
			}
			if pg.pages == 0 {
				if tooLarge {
					return nil, c.firstPageTooLarge(err, pr.Limit, c.outOfTime(ctx, began))
				}
				return nil, err
			}
			switch why := c.outOfTime(ctx, began); {
			case why != "":
				pg.stop(why + " after " + pagesRead(pg.pages) + c.smallerPages(sizeMax))
			case tooLarge:
				beyond := "before"
				if pg.forward {
					beyond = "after"
				}
				pg.stop(fmt.Sprintf("page %d was larger than the %s the backend reads from one store answer even for one new line, so the lines %s %s were not read: "+
					"leave such long lines out with a line filter (or shorten them with line_format), or end the time range before them",
					pg.pages+1, httpx.Size(c.h.MaxBody()), beyond, time.Unix(0, pg.bound).UTC().Format(time.RFC3339Nano)))
			default:
				pg.stop(fmt.Sprintf("page %d failed: %v", pg.pages+1, err))
			}
			return pg.result(pageMax), nil
		}
		if pg.pages == 0 && res.ResultType == ResultStreams && res.Lines == 0 && res.Categorized {
			if err := c.stageRefusal(ctx, r); err != nil {
				return nil, err
			}
		}
		if pg.pages == 0 && (res.ResultType != ResultStreams || pr.Limit == r.Limit || res.Lines < pr.Limit) {
			// One call answered: a metric query, the whole limit taken, or every line
			// of the range in the first page.
			if res.ResultType == ResultStreams {
				// Lines past the range's far edge mean the range ran out before the page did.
				if near, far := dropOutside(res, r); near > 0 && far == 0 && res.Lines+near >= pr.Limit {
					res.Incomplete = fmt.Sprintf("%d of the lines the store returned fell outside the asked time range and were left out; the range may hold more", near)
				}
			}
			res.Limit = r.Limit
			if pr.Limit < r.Limit {
				res.StoreMax = pageMax
			}
			return res, nil
		}
		if res.ResultType != ResultStreams {
			pg.stop(fmt.Sprintf("page %d came back as %s, not streams", pg.pages+1, res.ResultType))
			return pg.result(pageMax), nil
		}
		added, pastFar, seen := pg.add(res)
		pg.pages++
		if res.Lines < pr.Limit || pastFar || pg.lines() >= r.Limit {
			// The range is exhausted (a short page, or lines past its far edge, which
			// come after all of its own), or there are enough lines.
			return pg.result(pageMax), nil
		}
		if added == 0 {
			if seen < res.Lines {
				pg.stop(fmt.Sprintf("page %d held no new line of the asked time range: the store answered with lines outside it or before the page's start", pg.pages))
				return pg.result(pageMax), nil
			}
			// A whole page on one timestamp, every line already read: the store returns
			// no more of that instant, so the next page starts past it.
			pg.skipBound(pr.Limit)
		}
		if pg.exhausted() {
			return pg.result(pageMax), nil
		}
	}
}

// smallerPages explains slow reading in smaller pages: after a note that the time budget
// ran out, once answers were too large (sizeMax > 0).
func (c *Client) smallerPages(sizeMax int) string {
	if sizeMax == 0 {
		return ""
	}
	return fmt.Sprintf(", reading at most %d lines a page because larger answers did not fit the %s the backend reads from one store answer: "+
		"a lower line limit reads fewer pages", sizeMax, httpx.Size(c.h.MaxBody()))
}

// firstPageTooLarge is the error of a log query whose first page did not fit the limit on
// one answer even asked for limit lines: one line when that is all it could shrink to,
// else the time budget ran out (why).
func (c *Client) firstPageTooLarge(err error, limit int, why string) error {
	var se *httpx.StoreError
	status := 0
	if errors.As(err, &se) {
		status = se.Status
	}
	size := httpx.Size(c.h.MaxBody())
	if why != "" {
		return c.h.FailTooLarge(status, fmt.Sprintf("the answer for %d lines was larger than the %s the backend reads from one store answer, and %s before fewer fit: "+
			"lower the line limit, or leave long lines out with a line filter", limit, size, why))
	}
	return c.h.FailTooLarge(status, fmt.Sprintf("the answer for the first line was larger than the %s the backend reads from one store answer: "+
		"leave such long lines out with a line filter (or shorten them with line_format), or end the time range before them", size))
}

// logQuery tells whether a LogQL query is a log query, whose answers hold lines up to its
// limit: it begins with its stream selector (after blanks and # comments). A metric
// query begins with a function or an aggregation, and its answer does not shrink with
// the limit.
func logQuery(expr string) bool {
	for {
		expr = strings.TrimSpace(expr)
		if !strings.HasPrefix(expr, "#") {
			return strings.HasPrefix(expr, "{")
		}
		_, rest, ok := strings.Cut(expr, "\n")
		if !ok {
			return false
		}
		expr = rest
	}
}

// outOfTime says why no further page may start: the budget is spent or the caller's
// context is done ("" when neither).
func (c *Client) outOfTime(ctx context.Context, began time.Time) string {
	switch {
	case c.budget > 0 && time.Since(began) >= c.budget:
		return fmt.Sprintf("the store's time budget of %s ran out", c.budget)
	case ctx.Err() != nil:
		return "the request ended (" + ctx.Err().Error() + ")"
	}
	return ""
}

func pagesRead(n int) string {
	if n == 1 {
		return "1 page"
	}
	return strconv.Itoa(n) + " pages"
}

// pager gathers the lines of a paged query_range.
type pager struct {
	req     RangeRequest
	forward bool
	pages   int
	res     Result
	streams map[string]int // stream key -> index in res.Streams
	// bound is the timestamp of the last entry read: the next page starts there
	// (inclusive) and drops the entries at it listed in atBound.
	bound   int64
	atBound map[string]struct{}
	notes   []string
}

func newPager(r RangeRequest) *pager {
	return &pager{
		req: r, forward: r.Direction == "forward",
		res: Result{ResultType: ResultStreams}, streams: map[string]int{},
	}
}

func (p *pager) lines() int { return p.res.Lines }

func (p *pager) stop(why string) { p.notes = append(p.notes, why) }

// request is the next page's query_range: the first one as asked, later ones with the
// time bound moved to the last entry read (end is exclusive, so backward pages end one
// nanosecond after it).
func (p *pager) request(limit int) RangeRequest {
	r := p.req
	r.Limit = limit
	if p.pages > 0 {
		if p.forward {
			r.Start = time.Unix(0, p.bound)
		} else {
			r.End = time.Unix(0, p.bound+1)
		}
	}
	return r
}

// exhausted reports whether the bound has left the asked range.
func (p *pager) exhausted() bool {
	if p.forward {
		return !p.req.End.IsZero() && p.bound >= p.req.End.UnixNano()
	}
	return !p.req.Start.IsZero() && p.bound < p.req.Start.UnixNano()
}

// skipBound moves past the bound's timestamp, whose lines fill a whole page (so there
// may be more than the store returns per query), and says so.
func (p *pager) skipBound(perQuery int) {
	p.stop(fmt.Sprintf("at least %d lines share the timestamp %s, as many as the store returns per query; any others at that instant were skipped",
		perQuery, time.Unix(0, p.bound).UTC().Format(time.RFC3339Nano)))
	if p.forward {
		p.bound++
	} else {
		p.bound--
	}
	p.atBound = nil
}

// add appends a page's entries in the query's direction, leaving out those outside the
// asked range, those an earlier page returned (at the bound) and, on later pages, any
// before the bound; it stops at the request's limit. It returns how many entries it
// added, whether any lay past the range's far edge (its end going forward, its start
// going backward), and how many it left out as already read at the bound.
func (p *pager) add(page *Result) (added int, pastFar bool, seen int) {
	if p.pages == 0 {
		p.res.Categorized = page.Categorized
	}
	type item struct {
		stream int
		e      *Entry
	}
	keys := make([]string, len(page.Streams))
	items := make([]item, 0, page.Lines)
	for i := range page.Streams {
		keys[i] = streamKey(page.Streams[i].Labels)
		for j := range page.Streams[i].Entries {
			e := &page.Streams[i].Entries[j]
			if !withinRange(e.TimeUnixNano, p.req) {
				pastFar = pastFar || p.pastFarEdge(e.TimeUnixNano)
				continue
			}
			if p.pages > 0 && (p.forward && e.TimeUnixNano < p.bound || !p.forward && e.TimeUnixNano > p.bound) {
				continue
			}
			items = append(items, item{i, e})
		}
	}
	sort.SliceStable(items, func(a, b int) bool {
		if p.forward {
			return items[a].e.TimeUnixNano < items[b].e.TimeUnixNano
		}
		return items[a].e.TimeUnixNano > items[b].e.TimeUnixNano
	})
	entryKey := func(it item) string { return keys[it.stream] + "\x00" + it.e.Line }
	oldBound := p.bound
	var kept []item
	for _, it := range items {
		if p.res.Lines >= p.req.Limit {
			break
		}
		if p.atBound != nil && it.e.TimeUnixNano == oldBound {
			if _, ok := p.atBound[entryKey(it)]; ok {
				seen++
				continue
			}
		}
		si, ok := p.streams[keys[it.stream]]
		if !ok {
			si = len(p.res.Streams)
			p.streams[keys[it.stream]] = si
			p.res.Streams = append(p.res.Streams, Stream{Labels: page.Streams[it.stream].Labels})
		}
		p.res.Streams[si].Entries = append(p.res.Streams[si].Entries, *it.e)
		p.res.Lines++
		kept = append(kept, it)
	}
	if len(kept) == 0 {
		return 0, pastFar, seen
	}
	// The new bound is the last entry kept; remember every entry read at it.
	last := kept[len(kept)-1].e.TimeUnixNano
	if p.atBound == nil || last != oldBound {
		p.bound, p.atBound = last, map[string]struct{}{}
	}
	for i := len(kept) - 1; i >= 0 && kept[i].e.TimeUnixNano == last; i-- {
		p.atBound[entryKey(kept[i])] = struct{}{}
	}
	return len(kept), pastFar, seen
}

func (p *pager) result(storeMax int) *Result {
	r := p.res
	r.Limit = p.req.Limit
	r.StoreMax = storeMax
	r.Incomplete = strings.Join(p.notes, "; ")
	if r.Streams == nil {
		r.Streams = []Stream{}
	}
	return &r
}

// withinRange reports whether a line at ts belongs to r's range: Loki returns lines at or
// after start and before end, but has been seen to return lines just outside it.
func withinRange(ts int64, r RangeRequest) bool {
	return (r.Start.IsZero() || ts >= r.Start.UnixNano()) && (r.End.IsZero() || ts < r.End.UnixNano())
}

// pastFarEdge reports whether ts lies beyond the range's far edge in the query's
// direction (at or after its end going forward, before its start going backward).
func (p *pager) pastFarEdge(ts int64) bool {
	if p.forward {
		return !p.req.End.IsZero() && ts >= p.req.End.UnixNano()
	}
	return !p.req.Start.IsZero() && ts < p.req.Start.UnixNano()
}

// dropOutside removes from res the lines outside r's range and returns how many lay on
// the near side (before the start going forward, at or after the end going backward)
// and how many past the far side.
func dropOutside(res *Result, r RangeRequest) (near, far int) {
	edge := pager{req: r, forward: r.Direction == "forward"}
	dropped := 0
	streams := res.Streams[:0]
	for _, st := range res.Streams {
		kept := st.Entries[:0]
		for _, e := range st.Entries {
			switch {
			case withinRange(e.TimeUnixNano, r):
				kept = append(kept, e)
			case edge.pastFarEdge(e.TimeUnixNano):
				far++
			default:
				near++
			}
		}
		dropped += len(st.Entries) - len(kept)
		if len(kept) > 0 {
			st.Entries = kept
			streams = append(streams, st)
		}
	}
	if dropped > 0 {
		res.Streams = streams
		res.Lines -= dropped
	}
	return near, far
}

// streamKey is a stream's labels in a canonical order.
func streamKey(labels map[string]string) string {
	ks := make([]string, 0, len(labels))
	for k := range labels {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var b strings.Builder
	for _, k := range ks {
		b.WriteString(k)
		b.WriteByte(0xfe)
		b.WriteString(labels[k])
		b.WriteByte(0xff)
	}
	return b.String()
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
		return nil, c.h.Garbled(resp, perr)
	}
	if res.ResultType == ResultStreams {
		res.Limit = r.Limit
	}
	return res, nil
}

// stageRefusal returns the store's refusal of r's query when it does not build, nil when
// it does (or the store cannot tell). Asked with categorize-labels, Loki 3 (checked on
// 3.7) answers a log query whose pipeline stage does not build (a line filter's regex or a
// line_format template that does not compile, a json expression that does not parse) with
// an empty success; without the header it refuses it with a 400 naming the stage. So an
// empty categorised answer is asked again without the header, over the first nanosecond
// of its range only (the stage is built before any line is read), for that 400.
func (c *Client) stageRefusal(ctx context.Context, r RangeRequest) error {
	start := r.Start
	if start.IsZero() {
		if r.End.IsZero() {
			return nil
		}
		start = r.End.Add(-time.Nanosecond)
	}
	v := url.Values{"query": {r.Expr}, "start": {ns(start)}, "end": {ns(start.Add(time.Nanosecond))}, "limit": {"1"}}
	if r.Direction != "" {
		v.Set("direction", r.Direction)
	}
	_, err := c.h.Get(ctx, "/loki/api/v1/query_range", v, nil)
	var se *httpx.StoreError
	if errors.As(err, &se) && se.Status == http.StatusBadRequest {
		return err
	}
	return nil
}

// Labels runs /loki/api/v1/labels.
func (c *Client) Labels(ctx context.Context, start, end time.Time) ([]string, error) {
	return c.LabelsOf(ctx, "", start, end)
}

// LabelsOf runs /loki/api/v1/labels[?query=<selector>]: the label names of the streams of
// one stream selector, or of every stream when query is empty.
func (c *Client) LabelsOf(ctx context.Context, query string, start, end time.Time) ([]string, error) {
	v := url.Values{}
	if query != "" {
		v.Set("query", query)
	}
	return c.list(ctx, "/loki/api/v1/labels", v, start, end)
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
		return nil, c.h.Garbled(resp, perr)
	}
	return out, nil
}

// Ready calls /ready.
func (c *Client) Ready(ctx context.Context) error {
	_, err := c.h.Get(ctx, "/ready", nil, nil)
	return err
}
