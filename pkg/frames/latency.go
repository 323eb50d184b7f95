package frames

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// QuantileName renders a quantile as frames.ts expects in the `quantile` label ("0.99").
func QuantileName(q float64) string { return strconv.FormatFloat(q, 'g', -1, 64) }

// percentName is q in percent as the user wrote it ("55" for 0.55): q·100 in float64 is
// often a ulp off the decimal (55.00000000000001), so it is rounded to 12 significant
// digits, far finer than any percentile asked for.
func percentName(q float64) string {
	p, _ := strconv.ParseFloat(strconv.FormatFloat(q*100, 'g', 12, 64), 64)
	return strconv.FormatFloat(p, 'g', -1, 64)
}

// Percentile builds one alertable frame for quantile q: a time field and one float64
// value field in ms, labelled quantile=q plus the group's labels.
func Percentile(q float64, group map[string]string, timesMs []int64, valuesMs []float64) *data.Frame {
	labels := data.Labels{QuantileLabel: QuantileName(q)}
	for k, v := range group {
		if k != "__name__" {
			labels[k] = v
		}
	}
	ts := make([]time.Time, len(timesMs))
	for i, t := range timesMs {
		ts[i] = time.UnixMilli(t).UTC()
	}
	name := "p" + percentName(q)
	vf := data.NewField(PercentileValue, labels, append([]float64(nil), valuesMs...))
	vf.Config = &data.FieldConfig{Unit: "ms", DisplayNameFromDS: Legend("", labelsWithName(name, group))}
	f := data.NewFrame(name, data.NewField(PercentileTime, nil, ts), vf)
	f.Meta = newMeta(KindPercentile)
	f.Meta.Type = data.FrameTypeTimeSeriesMulti
	f.Meta.TypeVersion = data.FrameTypeVersion{0, 1}
	return f
}

// PercentileStep records step on the time field of each percentile frame as its interval
// (config.interval, ms), as Grafana's Prometheus data source does for its series: Grafana's
// time series panel breaks a line where two points are further apart than that, instead of
// drawing it across the steps that had no traffic.
func PercentileStep(fs []*data.Frame, step time.Duration) {
	for _, f := range fs {
		if f.Meta == nil || len(f.Fields) == 0 || f.Fields[0].Type() != data.FieldTypeTime {
			continue
		}
		if kind, _ := f.Meta.Custom.(map[string]any)[LensKindKey].(string); kind != KindPercentile {
			continue
		}
		setStepInterval(f.Fields[0], step)
	}
}

// setStepInterval records step (> 0) as a time field's interval in ms (config.interval),
// by which Grafana's time series panel tells a gap from the next point.
func setStepInterval(tf *data.Field, step time.Duration) {
	if step <= 0 {
		return
	}
	if tf.Config == nil {
		tf.Config = &data.FieldConfig{}
	}
	tf.Config.Interval = float64(step) / float64(time.Millisecond)
}

// PercentilesForAlert turns percentile frames into what an alert rule should read: each
// series keeps only its points that are numbers (a NaN percentile is a step without
// traffic: histogram_quantile over zero rates, a TraceQL step without spans), and a
// series left without points is left out, as the stores leave out a group that had no
// traffic. Grafana's reducers in their default mode turn one NaN into NaN, which fires
// the rule; now "last" is the last step with traffic and a rule without traffic in its
// range gets NoData: when no series is left, the answer is the typed "no data" frame
// (timeseries-multi without fields), carrying the notices of the frames left out.
func PercentilesForAlert(in []*data.Frame) []*data.Frame {
	var out []*data.Frame
	var notices []data.Notice
	for _, f := range in {
		if len(f.Fields) != 2 || f.Fields[1].Type() != data.FieldTypeFloat64 {
			out = append(out, f)
			continue
		}
		keep := make([]int, 0, f.Rows())
		for i := 0; i < f.Rows(); i++ {
			if !math.IsNaN(f.Fields[1].At(i).(float64)) {
				keep = append(keep, i)
			}
		}
		if len(keep) == 0 {
			if f.Meta != nil {
				notices = append(notices, f.Meta.Notices...)
			}
			continue
		}
		if len(keep) < f.Rows() {
			ts := make([]time.Time, len(keep))
			vs := make([]float64, len(keep))
			for k, i := range keep {
				ts[k], vs[k] = f.Fields[0].At(i).(time.Time), f.Fields[1].At(i).(float64)
			}
			g := *f
			g.Fields = []*data.Field{
				data.NewField(f.Fields[0].Name, f.Fields[0].Labels, ts).SetConfig(f.Fields[0].Config),
				data.NewField(f.Fields[1].Name, f.Fields[1].Labels, vs).SetConfig(f.Fields[1].Config),
			}
			f = &g
		}
		out = append(out, f)
	}
	if len(out) > 0 {
		if len(notices) > 0 {
			// On a copy of the first frame and of its meta: the frames given are not changed.
			g := *out[0]
			meta := data.FrameMeta{}
			if g.Meta != nil {
				meta = *g.Meta
			}
			meta.Notices = append(slices.Clone(meta.Notices), notices...)
			g.Meta = &meta
			out[0] = &g
		}
		return out
	}
	nd := data.NewFrame("")
	nd.Meta = newMeta(KindPercentile)
	nd.Meta.Type = data.FrameTypeTimeSeriesMulti
	nd.Meta.TypeVersion = data.FrameTypeVersion{0, 1}
	nd.Meta.Notices = notices
	return []*data.Frame{nd}
}

func labelsWithName(name string, group map[string]string) map[string]string {
	m := map[string]string{"__name__": name}
	for k, v := range group {
		m[k] = v
	}
	return m
}

// CDFRow is one point of a CDF: F(DurationMs) = Fraction; from histogram buckets the
// values counted lie in (LowerMs, UpperMs]; from raw values LowerMs = UpperMs = DurationMs.
type CDFRow struct {
	DurationMs, Fraction, LowerMs, UpperMs float64
	Count                                  int64
}

// CDF builds the CDF frame, rows as given (sorted by duration).
func CDF(rows []CDFRow) *data.Frame {
	n := len(rows)
	d, fr, lo, hi := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	c := make([]int64, n)
	for i, r := range rows {
		d[i], fr[i], lo[i], hi[i], c[i] = r.DurationMs, r.Fraction, r.LowerMs, r.UpperMs, r.Count
	}
	ms := func(name string, v []float64) *data.Field {
		f := data.NewField(name, nil, v)
		f.Config = &data.FieldConfig{Unit: "ms"}
		return f
	}
	ff := data.NewField(CDFFraction, nil, fr)
	ff.Config = &data.FieldConfig{Unit: "percentunit", Min: ptr(0), Max: ptr(1)}
	f := data.NewFrame("CDF", ms(CDFDurationMs, d), ff, ms(CDFLowerMs, lo), ms(CDFUpperMs, hi), data.NewField(CDFCount, nil, c))
	f.Meta = newMeta(KindCDF)
	return f
}

func ptr(f float64) *data.ConfFloat64 { c := data.ConfFloat64(f); return &c }

// SummaryRow is the summary of a latency query. NaN means "not known" (e.g. the error
// rate of a histogram without a status label); Rho is left out when ServiceRate is 0.
type SummaryRow struct {
	Count, MeanMs, TPS, ErrorRate float64
	Rho                           float64
	HasRho                        bool
}

// Summary builds the one-row summary frame.
func Summary(s SummaryRow) *data.Frame {
	fields := []*data.Field{
		data.NewField(SummaryCount, nil, []float64{s.Count}),
		data.NewField(SummaryMeanMs, nil, []float64{s.MeanMs}),
		data.NewField(SummaryTPS, nil, []float64{s.TPS}),
		data.NewField(SummaryErrorRate, nil, []*float64{nanToNil(s.ErrorRate)}),
	}
	fields[1].Config = &data.FieldConfig{Unit: "ms"}
	fields[2].Config = &data.FieldConfig{Unit: "reqps"}
	fields[3].Config = &data.FieldConfig{Unit: "percentunit"}
	if s.HasRho {
		fields = append(fields, data.NewField(SummaryRho, nil, []float64{s.Rho}))
	}
	f := data.NewFrame("Summary", fields...)
	f.Meta = newMeta(KindSummary)
	return f
}

func nanToNil(f float64) *float64 {
	if math.IsNaN(f) {
		return nil
	}
	return &f
}
