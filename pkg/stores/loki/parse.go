// Package loki talks to Loki: LogQL builders, a client behind API, and pure parsers of
// query_range answers (streams with and without categorize-labels triples, matrix) and
// of its plain-text errors, plus trace-ID extraction from lines.
//
// Guarantees to the next stage: entries carry nanosecond times, their stream labels
// (shared map per stream), structured metadata and parsed labels kept apart when the
// store categorised them; extraction yields normalised IDs or "".
package loki

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// Result types.
const (
	ResultStreams = "streams"
	ResultMatrix  = "matrix"
	ResultVector  = "vector"
)

// Entry is one log line.
type Entry struct {
	TimeUnixNano       int64
	Line               string
	StructuredMetadata map[string]string
	Parsed             map[string]string
}

// Stream is one labelled stream.
type Stream struct {
	Labels  map[string]string
	Entries []Entry
}

// Result is a parsed query_range answer.
type Result struct {
	ResultType  string
	Streams     []Stream
	Series      []prometheus.Series
	Categorized bool
	// Lines is the number of entries in all streams.
	Lines int
	// Limit is the request's line limit. When it is above the store's
	// max_entries_limit_per_query, Client.QueryRange pages through the range to honour it.
	Limit int
	// StoreMax is the store's max_entries_limit_per_query when it refused a larger
	// limit and the lines were read in pages of at most StoreMax (0 otherwise).
	StoreMax int
	// Incomplete, when not empty, says why fewer lines than exist up to Limit were read:
	// paging stopped early (time budget spent, a page failed) or skipped lines.
	Incomplete string
}

// Full reports whether more lines than those read may exist: the query came back with
// as many lines as its limit allowed, or reading was Incomplete.
func (r *Result) Full() bool { return (r.Limit > 0 && r.Lines >= r.Limit) || r.Incomplete != "" }

// ParseQueryRange parses /loki/api/v1/query_range (and /query).
func ParseQueryRange(body []byte) (*Result, error) {
	var env struct {
		Status string `json:"status"`
		Data   struct {
			ResultType    string          `json:"resultType"`
			Result        json.RawMessage `json:"result"`
			EncodingFlags []string        `json:"encodingFlags"`
		} `json:"data"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("answer is not Loki's JSON: %w", err)
	}
	if env.Status != "success" {
		if env.Error != "" {
			return nil, errors.New(env.Error)
		}
		return nil, fmt.Errorf("answer has status %q", env.Status)
	}
	r := &Result{ResultType: env.Data.ResultType}
	for _, f := range env.Data.EncodingFlags {
		if f == "categorize-labels" {
			r.Categorized = true
		}
	}
	switch env.Data.ResultType {
	case ResultStreams:
		var raw []struct {
			Stream map[string]string   `json:"stream"`
			Values [][]json.RawMessage `json:"values"`
		}
		if len(env.Data.Result) > 0 && string(env.Data.Result) != "null" {
			if err := json.Unmarshal(env.Data.Result, &raw); err != nil {
				return nil, fmt.Errorf("streams: %w", err)
			}
		}
		r.Streams = make([]Stream, 0, len(raw))
		for _, s := range raw {
			st := Stream{Labels: s.Stream, Entries: make([]Entry, 0, len(s.Values))}
			if st.Labels == nil {
				st.Labels = map[string]string{}
			}
			for _, v := range s.Values {
				e, err := parseEntry(v)
				if err != nil {
					return nil, err
				}
				st.Entries = append(st.Entries, e)
			}
			r.Lines += len(st.Entries)
			r.Streams = append(r.Streams, st)
		}
	case ResultMatrix, ResultVector:
		series, err := prometheus.ParseSeries(env.Data.Result)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", env.Data.ResultType, err)
		}
		r.Series = series
	default:
		return nil, fmt.Errorf("unknown resultType %q", env.Data.ResultType)
	}
	return r, nil
}

// parseEntry reads ["<ns>","<line>"] or ["<ns>","<line>",{…}]. The third element is
// {"structuredMetadata":{…},"parsed":{…}} with categorize-labels, or a flat map of
// structured metadata from versions that send it without the flag.
func parseEntry(v []json.RawMessage) (Entry, error) {
	var e Entry
	if len(v) != 2 && len(v) != 3 {
		return e, fmt.Errorf("stream value has %d elements, want 2 or 3", len(v))
	}
	var ts string
	if err := json.Unmarshal(v[0], &ts); err != nil {
		return e, fmt.Errorf("stream value timestamp %s is not a string", v[0])
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return e, fmt.Errorf("stream value timestamp %q is not integer nanoseconds", ts)
	}
	e.TimeUnixNano = n
	if err := json.Unmarshal(v[1], &e.Line); err != nil {
		return e, fmt.Errorf("stream value line is not a string")
	}
	if len(v) == 3 {
		var meta map[string]json.RawMessage
		if err := json.Unmarshal(v[2], &meta); err != nil {
			return e, fmt.Errorf("stream value metadata is not an object")
		}
		sm, hasSM := meta["structuredMetadata"]
		pa, hasP := meta["parsed"]
		if hasSM || hasP {
			if hasSM {
				if err := json.Unmarshal(sm, &e.StructuredMetadata); err != nil {
					return e, fmt.Errorf("structuredMetadata is not a string map")
				}
			}
			if hasP {
				if err := json.Unmarshal(pa, &e.Parsed); err != nil {
					return e, fmt.Errorf("parsed is not a string map")
				}
			}
		} else if len(meta) > 0 {
			if err := json.Unmarshal(v[2], &e.StructuredMetadata); err != nil {
				return e, fmt.Errorf("structured metadata is not a string map")
			}
		}
	}
	return e, nil
}

// ParseLabels parses /loki/api/v1/labels and /label/<name>/values.
func ParseLabels(body []byte) ([]string, error) {
	var env struct {
		Status string   `json:"status"`
		Data   []string `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	if env.Status != "success" {
		return nil, fmt.Errorf("labels: status %q", env.Status)
	}
	return env.Data, nil
}
