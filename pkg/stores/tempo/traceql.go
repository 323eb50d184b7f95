package tempo

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/latencylens/lens/pkg/stores/tracestore"
)

// Pure TraceQL builders. Guarantees: string values are quoted and escaped.

// SpanSelector builds `{ cond && cond … }` from a service, operation, tags and duration
// bounds plus an extra raw condition (the editor's span filter).
func SpanSelector(service, operation string, tags map[string]string, minD, maxD time.Duration, extra string) string {
	var conds []string
	if service != "" {
		conds = append(conds, "resource.service.name = "+strconv.Quote(service))
	}
	if operation != "" {
		conds = append(conds, "name = "+strconv.Quote(operation))
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := k
		if !strings.HasPrefix(k, "span.") && !strings.HasPrefix(k, "resource.") && !strings.HasPrefix(k, ".") {
			name = "." + k
		}
		conds = append(conds, name+" = "+strconv.Quote(tags[k]))
	}
	if minD > 0 {
		conds = append(conds, "duration >= "+minD.String())
	}
	if maxD > 0 {
		conds = append(conds, "duration <= "+maxD.String())
	}
	if e := strings.TrimSpace(extra); e != "" {
		conds = append(conds, "("+e+")")
	}
	if len(conds) == 0 {
		return "{}"
	}
	return "{ " + strings.Join(conds, " && ") + " }"
}

// SearchQuery returns the TraceQL of a search: the raw TraceQL if set, else a selector.
func SearchQuery(p tracestore.SearchParams) string {
	if strings.TrimSpace(p.TraceQL) != "" {
		return p.TraceQL
	}
	return SpanSelector(p.Service, p.Operation, p.Tags, p.MinDuration, p.MaxDuration, "")
}

// QuantileOverTime builds `<selector> | quantile_over_time(duration, q1, q2…) by (…)`.
func QuantileOverTime(selector string, qs []float64, by []string) string {
	parts := make([]string, len(qs))
	for i, q := range qs {
		parts[i] = strconv.FormatFloat(q, 'g', -1, 64)
	}
	s := selector + " | quantile_over_time(duration, " + strings.Join(parts, ", ") + ")"
	if len(by) > 0 {
		s += " by (" + strings.Join(by, ", ") + ")"
	}
	return s
}

// CountOverTime builds `<selector> | count_over_time()`.
func CountOverTime(selector string) string { return selector + " | count_over_time()" }
