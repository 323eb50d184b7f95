package query

import (
	"context"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/stores/loki"
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
	f := frames.Search(res.Traces, env.Links)
	for _, w := range res.Warnings {
		frames.Notice(f, data.NoticeSeverityWarning, "%s", w)
	}
	if len(res.Traces) >= p.Limit {
		frames.Notice(f, data.NoticeSeverityInfo, "showing the first %d traces; raise the limit to see more", p.Limit)
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

// ParseLogfmtTags reads `k=v k2="v 2"` into a map; a key without `=` is refused.
func ParseLogfmtTags(s string) (map[string]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	out := map[string]string{}
	rest := s
	for rest != "" {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			break
		}
		eq := strings.IndexByte(rest, '=')
		sp := strings.IndexAny(rest, " \t")
		if eq <= 0 || (sp >= 0 && sp < eq) {
			return nil, badQuery("tags %q: each tag must be key=value", s)
		}
		key := rest[:eq]
		val := loki.LogfmtValue(rest, key)
		out[key] = val
		// Skip past this pair.
		after := rest[eq+1:]
		if strings.HasPrefix(after, `"`) {
			end := 1
			for end < len(after) && after[end] != '"' {
				if after[end] == '\\' {
					end++
				}
				end++
			}
			rest = after[min(end+1, len(after)):]
		} else if k := strings.IndexAny(after, " \t"); k >= 0 {
			rest = after[k:]
		} else {
			rest = ""
		}
	}
	return out, nil
}
