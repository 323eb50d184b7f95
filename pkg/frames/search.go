package frames

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/model"
)

// Search builds the table of traces; its trace-ID field links to the trace query.
func Search(hits []model.TraceSummary, links Links) *data.Frame {
	n := len(hits)
	ids := make([]string, n)
	svc := make([]string, n)
	names := make([]string, n)
	starts := make([]time.Time, n)
	durs := make([]float64, n)
	counts := make([]int64, n)
	errs := make([]bool, n)
	for i, h := range hits {
		ids[i], svc[i], names[i] = h.TraceID, h.RootService, h.RootName
		starts[i] = time.Unix(0, h.StartUnixNano).UTC()
		durs[i], counts[i], errs[i] = h.DurationMs, int64(h.SpanCount), h.HasError
	}
	tf := data.NewField(SearchTraceID, nil, ids)
	links.linkTraceField(tf)
	df := data.NewField(SearchDurationMs, nil, durs)
	df.Config = &data.FieldConfig{Unit: "ms"}
	f := data.NewFrame("Traces",
		tf,
		data.NewField(SearchRootService, nil, svc),
		data.NewField(SearchRootName, nil, names),
		data.NewField(SearchStartTime, nil, starts),
		df,
		data.NewField(SearchSpanCount, nil, counts),
		data.NewField(SearchHasError, nil, errs),
	)
	f.Meta = newMeta(KindSearch)
	f.Meta.PreferredVisualization = data.VisTypeTable
	return f
}
