package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// This file evaluates a data source answer the way a Grafana-managed alert rule
// "A = query; B = reduce(A); C = threshold(B)" does, following Grafana's server-side
// expressions (pkg/expr: the frame conversion, dataplane reading of typed frames,
// reduce and threshold) and its rule evaluation (pkg/services/ngalert/eval: one state
// per reduced number, NoData for a missing value, duplicate label sets refused). The
// answer first goes through Arrow, as it travels from the plugin to Grafana.

// ruleEval is the outcome of one rule evaluation.
type ruleEval struct {
	// state is the rule's state when it has one for the whole rule: "Error", "NoData"
	// (no instance at all), or "" when it has instances.
	state string
	err   string
	// instances maps each instance's labels to its state (Normal, Alerting, NoData).
	instances map[string]string
	// values maps each instance's labels to B's value ("nil" when it has none).
	values map[string]string
}

func (r ruleEval) String() string {
	if r.state != "" {
		return r.state + " " + r.err
	}
	keys := make([]string, 0, len(r.instances))
	for k := range r.instances {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = "{" + k + "}=" + r.instances[k] + "(" + r.values[k] + ")"
	}
	return strings.Join(parts, " ")
}

// sseSeries is one series as server-side expressions read it.
type sseSeries struct {
	labels data.Labels
	values []*float64
}

// errSSE is a conversion failure: the rule goes to Error.
type errSSE struct{ msg string }

func (e errSSE) Error() string { return e.msg }

// sseConvert reads a data source's frames as server-side expressions do: nil series and
// noData set for "no data", else the series.
func sseConvert(frames data.Frames) (series []sseSeries, noData bool, err error) {
	if len(frames) == 0 {
		return nil, true, nil
	}
	first := frames[0]
	// Typed (dataplane) frames: a type and a non-zero type version on the first frame.
	if first.Meta != nil && first.Meta.Type != "" && !first.Meta.TypeVersion.IsZero() {
		if first.Meta.Type != data.FrameTypeTimeSeriesMulti {
			return nil, false, errSSE{fmt.Sprintf("test evaluator: frame type %s not modelled", first.Meta.Type)}
		}
		if len(first.Fields) == 0 {
			return nil, true, nil // the typed "no data" form; any later frame is ignored
		}
		for i, f := range frames {
			if f.Meta == nil || f.Meta.Type != data.FrameTypeTimeSeriesMulti {
				continue // frames without the type indicator are ignored
			}
			if len(f.Fields) == 0 {
				return nil, false, errSSE{fmt.Sprintf("frame %d has zero or null fields which is invalid when more than one frame", i)}
			}
			if _, err := f.RowLen(); err != nil {
				return nil, false, errSSE{err.Error()}
			}
			ti := f.TypeIndices(data.FieldTypeTime)
			if len(ti) == 0 {
				return nil, false, errSSE{fmt.Sprintf("frame %d is missing a []time.Time field", i)}
			}
			var vi []int
			for k, fld := range f.Fields {
				if fld.Type().Numeric() {
					vi = append(vi, k)
				}
			}
			if len(vi) == 0 {
				return nil, false, errSSE{fmt.Sprintf("frame %d must have at least one value field", i)}
			}
			series = append(series, readSeries(f.Fields[vi[0]]))
		}
		return series, false, nil
	}
	if len(frames) == 1 && len(first.Fields) == 0 {
		return nil, true, nil
	}
	for _, f := range frames {
		schema := f.TimeSeriesSchema()
		if schema.Type != data.TimeSeriesTypeWide {
			return nil, false, errSSE{fmt.Sprintf("input data must be a wide series but got type %s (input refid)", schema.Type)}
		}
		for _, vi := range schema.ValueIndices {
			series = append(series, readSeries(f.Fields[vi]))
		}
	}
	return series, false, nil
}

func readSeries(fld *data.Field) sseSeries {
	s := sseSeries{labels: fld.Labels}
	for i := 0; i < fld.Len(); i++ {
		v, err := fld.NullableFloatAt(i)
		if err != nil {
			v = nil
		}
		s.values = append(s.values, v)
	}
	return s
}

// reduceLast is the `last` reducer; mode "dropNN" drops null, NaN and ±Inf points first
// and turns a NaN result into no value; the default (strict) mode keeps them, and an
// empty series gives NaN.
func reduceLast(vals []*float64, mode string) *float64 {
	if mode == "dropNN" {
		var kept []*float64
		for _, v := range vals {
			if v != nil && !math.IsNaN(*v) && !math.IsInf(*v, 0) {
				kept = append(kept, v)
			}
		}
		vals = kept
	}
	var out *float64
	if len(vals) == 0 {
		nan := math.NaN()
		out = &nan
	} else {
		out = vals[len(vals)-1]
	}
	if mode == "dropNN" && out != nil && math.IsNaN(*out) {
		return nil
	}
	return out
}

// evalRule evaluates "B = last(A) (mode); C = B > threshold" on one answer.
func evalRule(t *testing.T, resp backend.DataResponse, mode string, threshold float64) ruleEval {
	t.Helper()
	if resp.Error != nil {
		return ruleEval{state: "Error", err: resp.Error.Error()}
	}
	// Through Arrow, as the answer travels to Grafana.
	var frames data.Frames
	for _, f := range resp.Frames {
		b, err := f.MarshalArrow()
		if err != nil {
			t.Fatalf("frame %q does not encode: %v", f.Name, err)
		}
		g, err := data.UnmarshalArrowFrame(b)
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, g)
	}
	series, noData, err := sseConvert(frames)
	if err != nil {
		return ruleEval{state: "Error", err: err.Error()}
	}
	if noData {
		return ruleEval{state: "NoData"}
	}
	out := ruleEval{instances: map[string]string{}, values: map[string]string{}}
	for _, s := range series {
		b := reduceLast(s.values, mode)
		key := s.labels.String()
		if _, dup := out.instances[key]; dup {
			return ruleEval{state: "Error", err: fmt.Sprintf("frame cannot uniquely be identified by its labels: has duplicate results with labels {%s}", key)}
		}
		switch {
		case b == nil:
			out.instances[key], out.values[key] = "NoData", "nil"
		case math.IsNaN(*b) || *b > threshold: // NaN > x is NaN: not 0, so Alerting
			out.instances[key], out.values[key] = "Alerting", fmt.Sprint(*b)
		default:
			out.instances[key], out.values[key] = "Normal", fmt.Sprint(*b)
		}
	}
	if len(out.instances) == 0 {
		return ruleEval{state: "NoData"}
	}
	return out
}

// alertQuery sends q as alert evaluation does: header FromAlert, the rule's range,
// intervalMs 1000 and maxDataPoints 43200 (the alert rule editor's defaults).
func alertQuery(t *testing.T, ds *Datasource, from, to time.Time, q map[string]any) backend.DataResponse {
	t.Helper()
	return queryWith(t, ds, map[string]string{"FromAlert": "true"}, from, to, time.Second, 43200, q)
}

func queryWith(t *testing.T, ds *Datasource, headers map[string]string, from, to time.Time, interval time.Duration, maxDP int64, q map[string]any) backend.DataResponse {
	t.Helper()
	raw, _ := json.Marshal(q)
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{
		Headers: headers,
		Queries: []backend.DataQuery{{
			RefID: "A", QueryType: q["queryType"].(string), JSON: raw,
			TimeRange: backend.TimeRange{From: from, To: to}, Interval: interval, MaxDataPoints: maxDP,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Responses["A"]
}
