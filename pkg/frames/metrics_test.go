package frames

import (
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
