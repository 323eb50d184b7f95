package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/language"
	"github.com/latencylens/lens/pkg/parallel"
	"github.com/latencylens/lens/pkg/query"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// Resource paths (CallResource), all GET, all answering {"values":[…]} (sorted, unique;
// prometheus/histograms keeps the configured names first) or {"error":…}: 400 for a
// malformed query string, a missing or invalid parameter, a store not configured or with
// invalid settings, or a look-up the configured store cannot do (TraceQL tags on
// Jaeger); 404 for an unknown path; when the store failed, the status QueryData gives
// that failure (query.StoreErrorStatus: the store's 400 or 422 is 400, its 403 and 404
// are kept, a timeout is 504, anything else 502), except that the store's 401 is 400
// (Grafana's frontend takes a 401 for its own session ending). Optional `start` and `end` (Unix
// ms) narrow the look-ups that take a time range; the default is the last 6 hours.
//
//	services?source=traces|metrics|logs        service names (default: the trace store)
//	operations?service=&source=…              operation names of a service (service required)
//	loki/labels?selector=                      Loki label names, optionally of the streams of one LogQL stream selector
//	loki/label-values?label=&selector=         Loki values of a label, optionally on the streams of one LogQL stream selector
//	prometheus/labels?match=                   Prometheus label names, optionally of the series of one selector
//	prometheus/label-values?label=&match=      Prometheus values of a label, optionally on the series of one selector
//	prometheus/histograms                      histogram base names (configured first, then classic `_bucket` names and the metadata's histograms, native ones included)
//	traceql/tags                               TraceQL tag names (Tempo)
//	traceql/tag-values?tag=                    values of one TraceQL tag (Tempo)
//
// source=metrics answers the values of the configured service (operation) label on the
// histogram series: the configured histogram metrics (`<name>_bucket` and `<name>`), or
// when none is configured every `_bucket` series and the histograms the metadata API
// knows (native ones included). source=logs answers Loki's values of
// `service_name`, the label a logs latency query selects a service by, and refuses with a
// message when Loki has no such label; operations from logs are the values of the
// configured operation label on that service's streams.
const (
	resServices          = "services"
	resOperations        = "operations"
	resLokiLabels        = "loki/labels"
	resLokiValues        = "loki/label-values"
	resPromLabels        = "prometheus/labels"
	resPromLabelValues   = "prometheus/label-values"
	resPromHistograms    = "prometheus/histograms"
	resTraceQLTags       = "traceql/tags"
	resTraceQLTagValues  = "traceql/tag-values"
	sourceTraces         = "traces"
	sourceMetrics        = "metrics"
	sourceLogs           = "logs"
	defaultResourceRange = 6 * time.Hour
)

type tagNamer interface {
	TagNames(ctx context.Context, start, end time.Time) ([]string, error)
	TagValues(ctx context.Context, tag, q string, start, end time.Time) ([]string, error)
}

// labelNamer lists Prometheus label names (/api/v1/labels).
type labelNamer interface {
	LabelNames(ctx context.Context, matchers []string, start, end time.Time) ([]string, error)
}

// lokiLabelNamer lists the Loki label names of the streams of one stream selector.
type lokiLabelNamer interface {
	LabelsOf(ctx context.Context, query string, start, end time.Time) ([]string, error)
}

// badRequest is a look-up the caller got wrong (missing or invalid parameter).
type badRequest string

func (b badRequest) Error() string { return string(b) }

func (d *Datasource) callResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	values, err := d.resource(ctx, req)
	status := http.StatusOK
	var body []byte
	if err != nil {
		status = http.StatusBadGateway
		var re *httpx.RequestError
		var se *httpx.StoreError
		var nf notFound
		var br badRequest
		var sp *settings.Problem
		switch {
		case errors.As(err, &nf):
			status = http.StatusNotFound
		case errors.As(err, &br), errors.As(err, &sp), errors.As(err, &re):
			status = http.StatusBadRequest
		case errors.As(err, &se):
			status = int(query.StoreErrorStatus(se))
			if status == http.StatusUnauthorized {
				// Grafana's frontend reads a 401 from its own API as the user's session
				// ending: it pings the login and sends the look-up again. The store refused
				// the data source's credentials, a settings problem: 400, as Grafana's data
				// source proxy answers a data source's 401.
				status = http.StatusBadRequest
			}
		}
		body, _ = json.Marshal(map[string]string{"error": err.Error()})
	} else {
		if values == nil {
			values = []string{}
		}
		body, _ = json.Marshal(map[string][]string{"values": values})
	}
	return sender.Send(&backend.CallResourceResponse{
		Status:  status,
		Headers: map[string][]string{"Content-Type": {"application/json"}},
		Body:    body,
	})
}

type notFound string

func (n notFound) Error() string { return "unknown resource " + string(n) }

func (d *Datasource) resource(ctx context.Context, req *backend.CallResourceRequest) ([]string, error) {
	if d.allErr != nil {
		return nil, d.allErr
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, notFound(req.Path)
	}
	// url.URL.Query drops a parameter it cannot decode (start=1%zz); refuse it instead.
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, badRequest("malformed query string: " + err.Error())
	}
	start, end, err := resourceRange(q)
	if err != nil {
		return nil, err
	}
	path := strings.Trim(req.Path, "/")
	if path == resPromHistograms {
		return d.histogramNames(ctx, start, end)
	}
	var values []string
	switch path {
	case resServices:
		values, err = d.services(ctx, q.Get("source"), start, end)
	case resOperations:
		service := q.Get("service")
		if err = needParam("service", service); err == nil {
			values, err = d.operations(ctx, q.Get("source"), service, start, end)
		}
	case resLokiLabels:
		if err = d.needLogs(); err == nil {
			values, err = d.lokiLabels(ctx, strings.TrimSpace(q.Get("selector")), start, end)
		}
	case resLokiValues:
		label := q.Get("label")
		if err = needParam("label", label); err == nil && !language.ValidLabelName(label) {
			err = badRequest(fmt.Sprintf("label %q is not a Loki label name", label))
		}
		if err == nil {
			if err = d.needLogs(); err == nil {
				values, err = d.env.Logs.LabelValues(ctx, label, strings.TrimSpace(q.Get("selector")), start, end)
			}
		}
	case resPromLabels:
		if err = d.needMetrics(); err == nil {
			ln, ok := d.env.Metrics.(labelNamer)
			if !ok {
				return nil, &httpx.RequestError{Store: prometheus.StoreName, Message: "this metrics store cannot list label names"}
			}
			values, err = ln.LabelNames(ctx, promMatch(q), start, end)
		}
	case resPromLabelValues:
		label := q.Get("label")
		switch {
		case label == "":
			err = needParam("label", label)
		case label != "__name__" && !language.ValidLabelName(label):
			err = badRequest(fmt.Sprintf("label %q is not a Prometheus label name", label))
		default:
			if err = d.needMetrics(); err == nil {
				values, err = d.env.Metrics.LabelValues(ctx, label, promMatch(q), start, end)
			}
		}
	case resTraceQLTags, resTraceQLTagValues:
		var tn tagNamer
		if tn, err = d.tempo(); err != nil {
			break
		}
		if path == resTraceQLTags {
			values, err = tn.TagNames(ctx, start, end)
			break
		}
		tag := q.Get("tag")
		if err = needParam("tag", tag); err == nil {
			values, err = tn.TagValues(ctx, tag, "", start, end)
			err = unknownTag(tag, err)
		}
	default:
		return nil, notFound(req.Path)
	}
	if err != nil {
		return nil, selectorRefused(path, q, err)
	}
	return sortedUnique(values), nil
}

// selectorParams names the parameter of each look-up that carries a selector.
var selectorParams = map[string]string{
	resLokiLabels: "selector", resLokiValues: "selector",
	resPromLabels: "match", resPromLabelValues: "match",
}

// selectorRefused names the selector parameter and its value in front of the store's 400:
// the store's parse error says where in the text it failed, not which parameter held it.
func selectorRefused(path string, q url.Values, err error) error {
	name := selectorParams[path]
	v := strings.TrimSpace(q.Get(name))
	var se *httpx.StoreError
	if name == "" || v == "" || !errors.As(err, &se) || se.Status != http.StatusBadRequest {
		return err
	}
	return fmt.Errorf("%s %q: %w", name, v, err)
}

// lokiLabels lists Loki's label names, of the streams of selector when it is set.
func (d *Datasource) lokiLabels(ctx context.Context, selector string, start, end time.Time) ([]string, error) {
	if selector == "" {
		return d.env.Logs.Labels(ctx, start, end)
	}
	ln, ok := d.env.Logs.(lokiLabelNamer)
	if !ok {
		return nil, &httpx.RequestError{Store: loki.StoreName, Message: "this logs store cannot list the label names of a stream selector"}
	}
	return ln.LabelsOf(ctx, selector, start, end)
}

// promMatch is the optional `match` series selector as Prometheus' match[].
func promMatch(q url.Values) []string {
	if m := strings.TrimSpace(q.Get("match")); m != "" {
		return []string{m}
	}
	return nil
}

// tempoInvalidTag is in the message of Tempo's HTTP 500 for a tag name that is neither an
// intrinsic nor scoped ("please provide a valid tagName: tag name is not valid intrinsic
// or scoped attribute: http.status_code").
const tempoInvalidTag = "valid tagName"

// unknownTag turns Tempo's refusal of a tag name into the caller's error naming the
// parameter: the name is wrong, the store did not fail.
func unknownTag(tag string, err error) error {
	var se *httpx.StoreError
	if !errors.As(err, &se) || !strings.Contains(se.Message, tempoInvalidTag) {
		return err
	}
	return badRequest(fmt.Sprintf("tag %q is not a TraceQL tag: scope an attribute (span.%[2]s, resource.%[2]s or .%[2]s) or name an intrinsic such as name, status or kind (%[3]v)",
		tag, strings.TrimPrefix(tag, "."), err))
}

// resourceRange reads `start` and `end` (Unix ms), defaulting to the last 6 hours.
func resourceRange(q url.Values) (time.Time, time.Time, error) {
	end := time.Now()
	start := end.Add(-defaultResourceRange)
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"start", &start}, {"end", &end}} {
		if s := q.Get(p.name); s != "" {
			ms, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return start, end, badRequest(fmt.Sprintf("%s %q is not Unix milliseconds", p.name, s))
			}
			*p.t = time.UnixMilli(ms)
		}
	}
	if !start.Before(end) {
		return start, end, badRequest("start must be before end")
	}
	return start, end, nil
}

func needParam(name, v string) error {
	if v == "" {
		return badRequest("parameter " + name + " is required")
	}
	return nil
}

func (d *Datasource) needLogs() error {
	if d.env.Logs == nil {
		return orErr(d.env.LogsErr, loki.StoreName)
	}
	return nil
}

func (d *Datasource) needMetrics() error {
	if d.env.Metrics == nil {
		return orErr(d.env.MetricsErr, prometheus.StoreName)
	}
	return nil
}

func (d *Datasource) needTraces() error {
	if d.env.Traces == nil {
		return orErr(d.env.TracesErr, "traces")
	}
	return nil
}

func (d *Datasource) tempo() (tagNamer, error) {
	if err := d.needTraces(); err != nil {
		return nil, err
	}
	tn, ok := d.env.Traces.(tagNamer)
	if !ok {
		return nil, &httpx.RequestError{Store: d.env.Traces.Name(), Message: "TraceQL tags need Tempo"}
	}
	return tn, nil
}

// histogramNames lists the configured histogram metrics first, then, sorted and without
// repeats, the classic histograms found by their `_bucket` series in start..end and the
// histograms (native ones included) the metadata API knows (which takes no range). The two look-ups run concurrently; when
// one fails the other's names still come back, and when neither finds a name any failure
// is the answer.
func (d *Datasource) histogramNames(ctx context.Context, start, end time.Time) ([]string, error) {
	if err := d.needMetrics(); err != nil {
		return nil, err
	}
	var buckets, meta []string
	var bucketsErr, metaErr error
	parallel.Run(
		func() {
			var names []string
			names, bucketsErr = d.env.Metrics.LabelValues(ctx, "__name__", nil, start, end)
			buckets = prometheus.HistogramMetricNames(names)
		},
		func() { meta, metaErr = d.env.Metrics.MetricNamesOfType(ctx, prometheus.MetricTypeHistogram) },
	)
	found := slices.Concat(buckets, meta)
	if len(found) == 0 && (bucketsErr != nil || metaErr != nil) {
		var errs []error
		if bucketsErr != nil {
			errs = append(errs, fmt.Errorf("histogram names from the `_bucket` series: %w", bucketsErr))
		}
		if metaErr != nil {
			errs = append(errs, fmt.Errorf("histogram names from the metadata API: %w", metaErr))
		}
		return nil, errors.Join(errs...)
	}
	return mergeFirst(d.settings.HistogramMetrics, found), nil
}

// labelSettingsErr is the problem, if any, of the service and operation label settings,
// which the look-ups by metrics and by logs read.
func (d *Datasource) labelSettingsErr(source string) error {
	if source != sourceMetrics && source != sourceLogs {
		return nil
	}
	return d.problems.Settings("latency.serviceLabel", "latency.operationLabel")
}

func (d *Datasource) services(ctx context.Context, source string, start, end time.Time) ([]string, error) {
	if err := d.labelSettingsErr(source); err != nil {
		return nil, err
	}
	switch source {
	case "", sourceTraces:
		if err := d.needTraces(); err != nil {
			return nil, err
		}
		return d.env.Traces.Services(ctx, start, end)
	case sourceMetrics:
		return d.histogramLabelValues(ctx, d.settings.ServiceLabel, "", start, end)
	case sourceLogs:
		label, err := d.logServiceLabel(ctx, start, end)
		if err != nil {
			return nil, err
		}
		return d.env.Logs.LabelValues(ctx, label, "", start, end)
	}
	return nil, badSource(source)
}

func (d *Datasource) operations(ctx context.Context, source, service string, start, end time.Time) ([]string, error) {
	if err := d.labelSettingsErr(source); err != nil {
		return nil, err
	}
	switch source {
	case "", sourceTraces:
		if err := d.needTraces(); err != nil {
			return nil, err
		}
		return d.env.Traces.Operations(ctx, service, start, end)
	case sourceMetrics:
		return d.histogramLabelValues(ctx, d.settings.OperationLabel, service, start, end)
	case sourceLogs:
		label, err := d.logServiceLabel(ctx, start, end)
		if err != nil {
			return nil, err
		}
		sel := ""
		if service != "" {
			if sel, err = loki.StreamSelector(label, service); err != nil {
				return nil, badRequest(err.Error())
			}
		}
		return d.env.Logs.LabelValues(ctx, d.settings.OperationLabel, sel, start, end)
	}
	return nil, badSource(source)
}

func badSource(s string) error {
	return badRequest(fmt.Sprintf("source %q is not one of traces, metrics, logs", s))
}

// histogramLabelValues lists the values of label on the histogram series, restricted to
// one service when service is set: the configured histogram metrics (`<name>_bucket` and
// `<name>`), or, when none is configured, every `_bucket` series and the histograms the
// metadata API knows (native histograms have no `_bucket` series). Every value reaches
// PromQL through pkg/language.
func (d *Datasource) histogramLabelValues(ctx context.Context, label, service string, start, end time.Time) ([]string, error) {
	if err := d.needMetrics(); err != nil {
		return nil, err
	}
	svc := ""
	if service != "" {
		svc = "," + d.settings.ServiceLabel + "=" + language.QuoteString(service)
	}
	selector := func(names string) string { return "{__name__=~" + language.QuoteString(names) + svc + "}" }
	if hs := d.settings.HistogramMetrics; len(hs) > 0 {
		var alts []string
		for _, h := range hs {
			alts = append(alts, h+"_bucket", h)
		}
		return d.env.Metrics.LabelValues(ctx, label, []string{selector(language.RegexAlternation(alts))}, start, end)
	}
	var buckets, natives []string
	var bucketsErr, metaErr error
	parallel.Run(
		func() {
			buckets, bucketsErr = d.env.Metrics.LabelValues(ctx, label, []string{selector(`.+_bucket`)}, start, end)
		},
		func() { natives, metaErr = d.env.Metrics.MetricNamesOfType(ctx, prometheus.MetricTypeHistogram) },
	)
	if bucketsErr != nil {
		return nil, bucketsErr
	}
	if metaErr != nil {
		// As for the histogram picker: a store without the metadata API still has its
		// classic histograms' values.
		return buckets, nil
	}
	groups := nameGroups(natives, maxSelectorNames)
	found := make([][]string, len(groups))
	errs := make([]error, len(groups))
	var g parallel.Group
	for i, group := range groups {
		g.Go(func() {
			found[i], errs[i] = d.env.Metrics.LabelValues(ctx, label, []string{selector(language.RegexAlternation(group))}, start, end)
		})
	}
	g.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return slices.Concat(append(found, buckets)...), nil
}

// maxSelectorNames bounds the metric names, in characters, of one selector sent in a
// look-up's URL (Prometheus' label values API is GET only; proxies in front of it refuse
// request lines over 8 KB, and the selector's braces and quotes triple when escaped).
const maxSelectorNames = 1500

// nameGroups splits names into groups whose names total at most limit characters.
func nameGroups(names []string, limit int) [][]string {
	var groups [][]string
	var cur []string
	n := 0
	for _, name := range names {
		if len(cur) > 0 && n+len(name)+1 > limit {
			groups = append(groups, cur)
			cur, n = nil, 0
		}
		cur = append(cur, name)
		n += len(name) + 1
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	return groups
}

// logServiceLabel is `service_name`, the label a logs latency query selects a service by
// (Loki 3 adds it at ingestion, from OTLP or from common labels such as app or job). When
// Loki has no such label, the look-up says so: offering another label's values would
// give services the query then finds no lines for.
func (d *Datasource) logServiceLabel(ctx context.Context, start, end time.Time) (string, error) {
	if err := d.needLogs(); err != nil {
		return "", err
	}
	labels, err := d.env.Logs.Labels(ctx, start, end)
	if err != nil {
		return "", err
	}
	if !slices.Contains(labels, query.LogServiceLabel) {
		return "", badRequest(fmt.Sprintf("loki has no %s label in this time range (Loki 3 adds it at ingestion); write a stream selector such as {app=\"checkout\"} in the log selector instead of picking a service", query.LogServiceLabel))
	}
	return query.LogServiceLabel, nil
}

// sortedUnique sorts values and drops repeats (and empty values).
func sortedUnique(values []string) []string {
	out := slices.Clone(values)
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > 0 && out[0] == "" {
		out = out[1:]
	}
	return out
}

func orErr(err error, store string) error {
	if err != nil {
		return err
	}
	return httpx.NotConfigured(store)
}

// mergeFirst returns first, then the sorted rest without duplicates.
func mergeFirst(first, rest []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range first {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(rest)
	for _, s := range rest {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
