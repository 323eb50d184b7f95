package frames

import (
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// QueryModelVersion is queryModel.ts QUERY_MODEL_VERSION, used in trace links.
const QueryModelVersion = 1

// Links says where trace-ID links point: this data source.
type Links struct {
	DatasourceUID  string
	DatasourceName string
}

// TraceLinks returns the internal data link from a trace-ID field to a `trace` query of
// this data source. Without a UID there is nothing to link to.
func (l Links) TraceLinks() []data.DataLink {
	if l.DatasourceUID == "" {
		return nil
	}
	return []data.DataLink{{
		Title: "Open trace",
		Internal: &data.InternalDataLink{
			DatasourceUID:  l.DatasourceUID,
			DatasourceName: l.DatasourceName,
			Query: map[string]any{
				"refId":     "trace",
				"queryType": "trace",
				"traceId":   "${__value.raw}",
				"version":   QueryModelVersion,
			},
		},
	}}
}

// linkTraceField puts the trace links on f.
func (l Links) linkTraceField(f *data.Field) {
	if links := l.TraceLinks(); links != nil {
		if f.Config == nil {
			f.Config = &data.FieldConfig{}
		}
		f.Config.Links = links
	}
}

// newMeta returns meta with the lens kind set.
func newMeta(kind string) *data.FrameMeta {
	return &data.FrameMeta{Custom: map[string]any{LensKindKey: kind}}
}

// frameTypeKey and labeledTimeValues are the meta.custom entry by which Grafana's logs
// panel and Explore read a logs frame's `labels` column as each line's labels, as Grafana's
// own Loki data source marks its frames; without it the column is one more field of a line.
const (
	frameTypeKey      = "frameType"
	labeledTimeValues = "LabeledTimeValues"
)

// Notice appends a notice to the frame's meta.
func Notice(f *data.Frame, sev data.NoticeSeverity, format string, args ...any) {
	if f.Meta == nil {
		f.Meta = &data.FrameMeta{}
	}
	f.Meta.Notices = append(f.Meta.Notices, data.Notice{Severity: sev, Text: fmt.Sprintf(format, args...)})
}

// Executed records on each frame the query sent to the store (macros expanded), which
// Grafana's query inspector and Explore show as the executed query.
func Executed(fs []*data.Frame, query string) {
	for _, f := range fs {
		if f.Meta == nil {
			f.Meta = &data.FrameMeta{}
		}
		f.Meta.ExecutedQueryString = query
	}
}

// Truncated announces that a limit cut the data.
func Truncated(f *data.Frame, what string, limit, total int) {
	if total > limit {
		Notice(f, data.NoticeSeverityWarning, "%s truncated to the configured limit of %d (the store returned %d)", what, limit, total)
	} else {
		Notice(f, data.NoticeSeverityWarning, "%s truncated at the configured limit of %d; there may be more", what, limit)
	}
}

// StoreFailed marks f as a part whose store failed: an error notice naming the store.
func StoreFailed(f *data.Frame, err error) {
	Notice(f, data.NoticeSeverityError, "%s", err.Error())
}
