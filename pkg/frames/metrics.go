package frames

import (
	"encoding/json"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/model"
	"github.com/latencylens/lens/pkg/stores/prometheus"
)

// legendRE finds the {{label}} references of a legend format: any name between the
// braces, blanks around it left out, as Prometheus 3 takes UTF-8 label names
// ({{service.name}}).
var legendRE = regexp.MustCompile(`\{\{\s*(.+?)\s*\}\}`)

// LegendAuto is the legend format Grafana's Prometheus query editor saves for its "Auto"
// option; like "", it names a series by its metric and labels.
const LegendAuto = "__auto"

// Legend renders a legend format such as "{{service}} p99" against labels; an empty
// format (or LegendAuto) gives the PromQL-style series name, each value quoted as a Go
// string, as Grafana's Prometheus data source writes it.
func Legend(format string, labels map[string]string) string {
	if format == "" || format == LegendAuto {
		name := labels["__name__"]
		keys := make([]string, 0, len(labels))
		for k := range labels {
			if k != "__name__" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+"="+strconv.Quote(labels[k]))
		}
		if len(parts) == 0 {
			return name
		}
		return name + "{" + strings.Join(parts, ", ") + "}"
	}
	return legendRE.ReplaceAllStringFunc(format, func(m string) string {
		return labels[legendRE.FindStringSubmatch(m)[1]]
	})
}

// MetricSeries turns a parsed query answer into one frame per series: a time field and
// a float64 value field carrying the series labels, `__name__` included as Grafana's
// Prometheus data source keeps it (one numeric field per frame, each frame told apart by
// its labels, as alert rules need: series that differ only by name stay apart). A series
// of native histogram samples becomes two such frames, its count and its sum, named as
// the classic histogram's series would be (<name>_count, <name>_sum; histogram_count and
// histogram_sum for an expression without a name). A series without name or labels is
// named expr when the legend is "" or LegendAuto, as Grafana's Prometheus data source
// names it (expr "" leaves it without a name). With a step, each time field's config
// carries it as its interval (milliseconds), as Grafana's Prometheus data source sets it:
// Grafana's time series panel breaks a line where two points are further apart than that,
// instead of drawing it across the time the series had no samples.
func MetricSeries(d *prometheus.Data, legend, expr string, step time.Duration) []*data.Frame {
	var out []*data.Frame
	if d.Scalar != nil {
		f := data.NewFrame("scalar",
			data.NewField(PercentileTime, nil, []time.Time{time.UnixMilli(d.Scalar.TimeMs).UTC()}),
			data.NewField(PercentileValue, nil, []float64{d.Scalar.Value}),
		)
		f.Meta = newMeta(KindMetrics)
		return []*data.Frame{f}
	}
	series := func(labels map[string]string, ts []time.Time, vs []float64) *data.Frame {
		name := Legend(legend, labels)
		if name == "" && len(labels) == 0 && (legend == "" || legend == LegendAuto) {
			name = expr
		}
		val := data.NewField(PercentileValue, data.Labels(labels), vs)
		val.Config = &data.FieldConfig{DisplayNameFromDS: name}
		tf := data.NewField(PercentileTime, nil, ts)
		setStepInterval(tf, step)
		f := data.NewFrame(name, tf, val)
		f.Meta = newMeta(KindMetrics)
		f.Meta.Type = data.FrameTypeTimeSeriesMulti
		return f
	}
	for _, s := range d.Series {
		if len(s.Points) > 0 || len(s.Histograms) == 0 {
			ts := make([]time.Time, len(s.Points))
			vs := make([]float64, len(s.Points))
			for i, p := range s.Points {
				ts[i] = time.UnixMilli(p.TimeMs).UTC()
				vs[i] = p.Value
			}
			out = append(out, series(copyLabels(s.Labels), ts, vs))
		}
		if len(s.Histograms) > 0 {
			ts := make([]time.Time, len(s.Histograms))
			cs := make([]float64, len(s.Histograms))
			ss := make([]float64, len(s.Histograms))
			for i, h := range s.Histograms {
				ts[i] = time.UnixMilli(h.TimeMs).UTC()
				cs[i], ss[i] = h.Count, h.Sum
			}
			for _, part := range []struct {
				suffix, fn string
				vs         []float64
			}{{"_count", "histogram_count", cs}, {"_sum", "histogram_sum", ss}} {
				labels := copyLabels(s.Labels)
				if n := labels["__name__"]; n != "" {
					labels["__name__"] = n + part.suffix
				} else {
					labels["__name__"] = part.fn
				}
				out = append(out, series(labels, append([]time.Time(nil), ts...), part.vs))
			}
		}
	}
	if len(d.Warnings)+len(d.Infos) > 0 {
		if len(out) == 0 {
			f := data.NewFrame("")
			f.Meta = newMeta(KindMetrics)
			out = append(out, f)
		}
		StoreAnnotations(out[0], "prometheus", d.Warnings, d.Infos)
	}
	return out
}

// StoreAnnotations adds a store's warnings and infos about its answer to f as notices of
// those severities, each prefixed with the store's name.
func StoreAnnotations(f *data.Frame, store string, warnings, infos []string) {
	for _, w := range warnings {
		Notice(f, data.NoticeSeverityWarning, "%s: %s", store, w)
	}
	for _, w := range infos {
		Notice(f, data.NoticeSeverityInfo, "%s: %s", store, w)
	}
}

// Exemplars builds the exemplars frame; its trace-ID field links to the trace query.
func Exemplars(ex []model.Exemplar, links Links) *data.Frame {
	n := len(ex)
	ts := make([]time.Time, n)
	vs := make([]float64, n)
	tids := make([]string, n)
	sids := make([]*string, n)
	lbls := make([]json.RawMessage, n)
	for i, e := range ex {
		ts[i] = time.Unix(0, e.TimeUnixNano).UTC()
		vs[i] = e.Value
		if math.IsInf(vs[i], 0) || math.IsNaN(vs[i]) {
			vs[i] = math.NaN()
		}
		tids[i] = e.TraceID
		if sid := e.SpanID; sid != "" {
			sids[i] = &sid
		}
		lbls[i] = labelsJSON(e.SeriesLabels)
	}
	tf := data.NewField(ExemplarTraceID, nil, tids)
	links.linkTraceField(tf)
	f := data.NewFrame("exemplar",
		data.NewField(ExemplarTime, nil, ts),
		data.NewField(ExemplarValue, nil, vs),
		tf,
		data.NewField(ExemplarSpanID, nil, sids),
		data.NewField(ExemplarSeriesLabels, nil, lbls),
	)
	f.Fields = append(f.Fields, seriesLabelFields(ex, f)...)
	f.Meta = newMeta(KindExemplars)
	f.Meta.DataTopic = data.DataTopicAnnotations
	return f
}

// seriesLabelFields are the exemplars' series labels as string fields, one per label name
// in name order ("" where an exemplar's series lacks the label), as Grafana's Prometheus
// data source writes its exemplar frames: Grafana's time series panel matches them with
// the labels of the series it shows, to hide the exemplars of hidden series and to colour
// each marker like its series. Names the frame already uses stay in seriesLabels only.
func seriesLabelFields(ex []model.Exemplar, f *data.Frame) []*data.Field {
	taken := map[string]bool{}
	for _, fd := range f.Fields {
		taken[fd.Name] = true
	}
	names := map[string]bool{}
	for _, e := range ex {
		for k := range e.SeriesLabels {
			if !taken[k] {
				names[k] = true
			}
		}
	}
	var out []*data.Field
	for _, k := range slices.Sorted(maps.Keys(names)) {
		vals := make([]string, len(ex))
		for i, e := range ex {
			vals[i] = e.SeriesLabels[k]
		}
		out = append(out, data.NewField(k, nil, vals))
	}
	return out
}

// labelsJSON renders a label map as a JSON object with sorted keys.
func labelsJSON(m map[string]string) json.RawMessage {
	if len(m) == 0 {
		return json.RawMessage(`{}`)
	}
	b, _ := json.Marshal(m) // map keys are sorted by encoding/json
	return b
}

// copyLabels is a copy of a series' labels, never nil.
func copyLabels(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
