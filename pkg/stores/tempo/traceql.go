package tempo

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/latencylens/lens/pkg/language"
	"github.com/latencylens/lens/pkg/stores/tracestore"
)

// Pure TraceQL builders. Guarantees: string values are quoted and escaped by
// pkg/language; attribute names are validated; a user's filter is checked to stay
// inside its parentheses; the result is one `{ … }` span selector.

// SpanSelector builds `{ cond && cond … }` from a service, operation, tags and duration
// bounds plus an extra condition the user wrote (the editor's span filter), as
// buildTraceSelector in src/datasource/queryBuilders/traceql.ts does: a tag value that
// reads as a number or a boolean matches that literal or the same text as a string, the
// rest are quoted strings.
func SpanSelector(service, operation string, tags map[string]string, minD, maxD time.Duration, extra string) (string, error) {
	var conds []string
	if service != "" {
		conds = append(conds, "resource.service.name = "+language.QuoteString(service))
	}
	if operation != "" {
		conds = append(conds, "name = "+language.QuoteString(operation))
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name, ok := language.TraceQLAttribute(k)
		if !ok {
			return "", fmt.Errorf("tag %q is not a TraceQL attribute name", k)
		}
		// Tempo matches `= 42` only an int attribute and `= "42"` only a string one; the
		// tag's value is text, as in Jaeger's tag search, so a value that reads as a
		// number or a boolean matches either.
		lit, text := language.TraceQLLiteral(tags[k]), language.QuoteString(tags[k])
		if lit == text {
			conds = append(conds, name+" = "+text)
		} else {
			conds = append(conds, "("+name+" = "+lit+" || "+name+" = "+text+")")
		}
	}
	if minD > 0 {
		conds = append(conds, "duration >= "+minD.String())
	}
	if maxD > 0 {
		conds = append(conds, "duration <= "+maxD.String())
	}
	if e := strings.TrimSpace(extra); e != "" {
		if err := language.CheckTraceQLFilter(e); err != nil {
			return "", err
		}
		conds = append(conds, "("+e+")")
	}
	if len(conds) == 0 {
		return "{}", nil
	}
	return "{ " + strings.Join(conds, " && ") + " }", nil
}

// SearchQuery returns the TraceQL of a search: the raw TraceQL if set, else a selector.
func SearchQuery(p tracestore.SearchParams) (string, error) {
	if strings.TrimSpace(p.TraceQL) != "" {
		return p.TraceQL, nil
	}
	return SpanSelector(p.Service, p.Operation, p.Tags, p.MinDuration, p.MaxDuration, "")
}

// QuantileOverTime builds `<selector> | quantile_over_time(duration, q1, q2…) by (…)`;
// by holds names the caller has validated (language.TraceQLGroupBy).
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
