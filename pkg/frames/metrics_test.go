package frames

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/model"
)

// TestExemplarsFrameReadsAsGrafanaExemplars: Grafana's time series panel draws the
// annotation frames named "exemplar" as exemplar markers, placed by the fields named
// Time and Value (TIME_SERIES_TIME_FIELD_NAME, TIME_SERIES_VALUE_FIELD_NAME in
// @grafana/data; ExemplarsPlugin finds them by name); a frame without either gets no
// marker at all.
func TestExemplarsFrameReadsAsGrafanaExemplars(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ex := []model.Exemplar{{TimeUnixNano: at.UnixNano(), Value: 0.25, TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7"}}
	f := Exemplars(ex, Links{DatasourceUID: "lens"})
	if f.Name != "exemplar" || f.Meta == nil || f.Meta.DataTopic != data.DataTopicAnnotations {
		t.Fatalf("frame %q, meta %+v: want an annotations frame named exemplar", f.Name, f.Meta)
	}
	tests := []struct {
		name string
		typ  data.FieldType
		want any
	}{
		{name: "Time", typ: data.FieldTypeTime, want: at},
		{name: "Value", typ: data.FieldTypeFloat64, want: 0.25},
	}
	for _, tc := range tests {
		fd, _ := f.FieldByName(tc.name)
		if fd == nil {
			t.Errorf("no %s field (fields %v)", tc.name, fieldNames(f))
			continue
		}
		if fd.Type() != tc.typ || fd.At(0) != tc.want {
			t.Errorf("%s = %v (%s), want %v (%s)", tc.name, fd.At(0), fd.Type(), tc.want, tc.typ)
		}
	}
}

func fieldNames(f *data.Frame) []string {
	out := make([]string, len(f.Fields))
	for i, fd := range f.Fields {
		out[i] = fd.Name
	}
	return out
}

// TestExemplarsFrameCarriesSeriesLabelsAsFields: Grafana's time series panel shows an
// exemplar only while a series it belongs to is visible, and colours it like that series,
// by comparing each label of the visible series with the exemplar frame's field of the
// same name. So each series label is a string field of its own ("" where an exemplar's
// series lacks it), besides the seriesLabels JSON; names taken by the frame's own fields
// stay in the JSON only. A missing span ID is null, which Grafana leaves out of the
// marker's tooltip.
func TestExemplarsFrameCarriesSeriesLabelsAsFields(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ex := []model.Exemplar{
		{TimeUnixNano: at.UnixNano(), Value: 0.25, TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7",
			SeriesLabels: map[string]string{"__name__": "http_server_duration_seconds_bucket", "service": "checkout", "le": "0.5", "Value": "x"}},
		{TimeUnixNano: at.UnixNano() + 1e9, Value: 1.5, TraceID: "5bf92f3577b34da6a3ce929d0e0e4736",
			SeriesLabels: map[string]string{"__name__": "http_server_duration_seconds_bucket", "service": "cart", "pod": "p-1"}},
	}
	f := Exemplars(ex, Links{DatasourceUID: "lens"})
	want := []string{ExemplarTime, ExemplarValue, ExemplarTraceID, ExemplarSpanID, ExemplarSeriesLabels, "__name__", "le", "pod", "service"}
	if got := fieldNames(f); !slices.Equal(got, want) {
		t.Fatalf("fields %v, want %v", got, want)
	}
	tests := []struct {
		field string
		row   int
		want  string
	}{
		{"service", 0, "checkout"},
		{"service", 1, "cart"},
		{"le", 0, "0.5"},
		{"le", 1, ""},
		{"pod", 0, ""},
		{"pod", 1, "p-1"},
		{"__name__", 1, "http_server_duration_seconds_bucket"},
	}
	for _, tc := range tests {
		fd, _ := f.FieldByName(tc.field)
		if fd.Type() != data.FieldTypeString || fd.At(tc.row) != tc.want {
			t.Errorf("%s row %d = %v (%s), want %q", tc.field, tc.row, fd.At(tc.row), fd.Type(), tc.want)
		}
	}
	sid, _ := f.FieldByName(ExemplarSpanID)
	if v, ok := sid.At(0).(*string); !ok || v == nil || *v != "00f067aa0ba902b7" {
		t.Errorf("span ID row 0 = %v, want 00f067aa0ba902b7", sid.At(0))
	}
	if v, ok := sid.At(1).(*string); !ok || v != nil {
		t.Errorf("span ID row 1 = %v, want null", sid.At(1))
	}
	lbl, _ := f.FieldByName(ExemplarSeriesLabels)
	if got := string(lbl.At(0).(json.RawMessage)); !strings.Contains(got, `"Value":"x"`) {
		t.Errorf("seriesLabels row 0 = %s, want the label named like a frame field kept there", got)
	}
}

// Legend formats as Grafana's Prometheus query editor writes them: "" and its "Auto"
// option, saved as "__auto", both name a series by its metric and labels; "{{label}}"
// templates are filled from the labels, a missing label giving "". Label values are quoted
// as Go strings, as Grafana's Prometheus data source quotes them.
func TestLegend(t *testing.T) {
	labels := map[string]string{"__name__": "http_requests_total", "route": "/pay", "code": "500"}
	for _, tc := range []struct{ format, want string }{
		{"", `http_requests_total{code="500", route="/pay"}`},
		{"__auto", `http_requests_total{code="500", route="/pay"}`},
		{"{{route}} {{ code }}", "/pay 500"},
		{"{{missing}}x", "x"},
		{"__auto {{route}}", "__auto /pay"},
	} {
		if got := Legend(tc.format, labels); got != tc.want {
			t.Errorf("Legend(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
	// Prometheus 3 takes UTF-8 label names (OpenTelemetry's service.name kept as it is),
	// and Grafana's Prometheus data source fills any name between the braces.
	otel := map[string]string{"__name__": "http_server_duration", "service.name": "checkout", "http.route": "/pay"}
	if got, want := Legend("{{service.name}} {{ http.route }}", otel), "checkout /pay"; got != want {
		t.Errorf("Legend with UTF-8 label names = %q, want %q", got, want)
	}
	odd := map[string]string{"__name__": "x", "path": `/a"b\c`}
	if got, want := Legend("", odd), `x{path="/a\"b\\c"}`; got != want {
		t.Errorf("Legend of a value with a quote and a backslash = %s, want %s", got, want)
	}
}
