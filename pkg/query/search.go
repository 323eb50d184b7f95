package query

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/stores/loki"
	"github.com/latencylens/lens/pkg/stores/tempo"
	"github.com/latencylens/lens/pkg/stores/tracestore"
)

// DefaultSearchLimit is the number of traces a search returns when the query says none.
const DefaultSearchLimit = 20

// Search answers a `search` query: TraceQL (code mode, Tempo) or service, operation,
// tags and duration bounds (builder), as a table whose trace IDs link to the trace query.
func Search(ctx context.Context, env *Env, r Request) backend.DataResponse {
	p, err := searchParams(r)
	if err != nil {
		return errorResponse(err)
	}
	ts, err := env.traces()
	if err != nil {
		return errorResponse(err)
	}
	res, err := ts.Search(ctx, p)
	if err != nil {
		return errorResponse(err)
	}
	// Newest first, as Grafana's Tempo and Jaeger data sources show hits: neither store
	// promises an order (Jaeger none at all), so both answers read alike.
	traces := slices.Clone(res.Traces)
	slices.SortStableFunc(traces, func(a, b model.TraceSummary) int { return cmp.Compare(b.StartUnixNano, a.StartUnixNano) })
	f := frames.Search(traces, env.Links)
	for _, w := range res.Warnings {
		frames.Notice(f, data.NoticeSeverityWarning, "%s", w)
	}
	if len(res.Traces) >= p.Limit {
		frames.Notice(f, data.NoticeSeverityInfo, "showing the first %d traces; raise the limit to see more", p.Limit)
		// Tempo's search returns the first traces it finds unless asked for the newest;
		// the builder's search asks (tempo.Client.Search), TraceQL is sent as written.
		if ts.Name() == tempo.StoreName && p.TraceQL != "" && !tempo.AsksMostRecent(p.TraceQL) {
			frames.Notice(f, data.NoticeSeverityWarning, "tempo: these are the first %d traces Tempo found, which need not be the newest in the range: "+
				"add `with (most_recent=true)` to the TraceQL for the newest (Tempo 2.8 or later)", len(res.Traces))
		}
	}
	return backend.DataResponse{Frames: data.Frames{f}}
}

// searchParams turns a search (or spans-latency) query into store-neutral parameters.
func searchParams(r Request) (tracestore.SearchParams, error) {
	q := r.Query
	p := tracestore.SearchParams{Start: r.From, End: r.To, Limit: q.Limit}
	if p.Limit <= 0 {
		p.Limit = DefaultSearchLimit
	}
	if q.EditorMode == ModeCode {
		p.TraceQL = strings.TrimSpace(q.TraceQL)
		if p.TraceQL == "" {
			return p, badQuery("search query: TraceQL is empty")
		}
		return p, nil
	}
	p.Service, p.Operation = q.Service, q.Operation
	tags, err := ParseLogfmtTags(q.Tags)
	if err != nil {
		return p, err
	}
	p.Tags = tags
	if p.MinDuration, err = parseDur("minDuration", q.MinDuration); err != nil {
		return p, err
	}
	if p.MaxDuration, err = parseDur("maxDuration", q.MaxDuration); err != nil {
		return p, err
	}
	if p.MinDuration > 0 && p.MaxDuration > 0 && p.MinDuration > p.MaxDuration {
		return p, badQuery("search query: minDuration %s is above maxDuration %s", p.MinDuration, p.MaxDuration)
	}
	return p, nil
}

func parseDur(name, s string) (time.Duration, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d < 0 {
		return 0, badQuery("%s %q is not a Go duration such as 120ms or 1.5s", name, s)
	}
	return d, nil
}

// ParseLogfmtTags reads `k=v k2="v 2"` into a map (a later key wins), as the search
// editor reads it (parseLogfmt in src/datasource/queryBuilders/logfmt.ts): pairs are
// separated by ASCII whitespace (loki.IsLogfmtSpace); a key is a run of characters other
// than whitespace, `=` and `"` and must be followed by `=`; a value is a JSON-escaped
// double-quoted string followed by whitespace or the end, or a run of characters other
// than whitespace, `=` and `"`. Anything else is refused with an error naming it.
func ParseLogfmtTags(s string) (map[string]string, error) {
	bad := func(format string, args ...any) error {
		return badQuery("tags %q: "+format+"; each tag must be key=value, with a value holding spaces, = or \" in double quotes", append([]any{s}, args...)...)
	}
	out := map[string]string{}
	i := 0
	skipSpace := func() {
		for i < len(s) && loki.IsLogfmtSpace(s[i]) {
			i++
		}
	}
	for skipSpace(); i < len(s); skipSpace() {
		ks := i
		for i < len(s) && !loki.IsLogfmtSpace(s[i]) && s[i] != '=' && s[i] != '"' {
			i++
		}
		key := s[ks:i]
		if key == "" || i >= len(s) || s[i] != '=' {
			return nil, bad("expected key=value at %q", cut(s[ks:], 20))
		}
		if _, twice := out[key]; twice {
			return nil, bad("%s is given twice (a span holds one value per tag)", key)
		}
		i++ // '='
		if i < len(s) && s[i] == '"' {
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, bad("the quoted value of %s is not closed", key)
			}
			var v string
			if err := json.Unmarshal([]byte(s[i:j+1]), &v); err != nil {
				return nil, bad("the quoted value of %s has a bad escape or a control character", key)
			}
			out[key] = v
			i = j + 1
			if i < len(s) && !loki.IsLogfmtSpace(s[i]) {
				return nil, bad("expected a space after the value of %s", key)
			}
			continue
		}
		vs := i
		for i < len(s) && !loki.IsLogfmtSpace(s[i]) {
			if s[i] == '"' || s[i] == '=' {
				return nil, bad("the value of %s holds %q unquoted", key, s[i])
			}
			i++
		}
		out[key] = s[vs:i]
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// cut shortens s to at most n bytes on a character boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
