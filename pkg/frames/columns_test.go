package frames

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// TestColumnWritesIntoTheField: values written into the slice column returns are the
// field's values (zero-copy with this SDK, copied by finish otherwise).
func TestColumnWritesIntoTheField(t *testing.T) {
	f, vs, finish := column[string]("s", data.FieldTypeString, 3)
	copy(vs, []string{"a", "b", "c"})
	finish()
	g, ts, finishT := column[time.Time]("t", data.FieldTypeTime, 2)
	ts[1] = time.Unix(5, 0).UTC()
	finishT()
	h, js, finishJ := column[json.RawMessage]("j", data.FieldTypeJSON, 1)
	js[0] = json.RawMessage(`[1]`)
	finishJ()
	if f.Name != "s" || f.Len() != 3 || f.At(0) != "a" || f.At(2) != "c" {
		t.Errorf("string field %v", f)
	}
	if g.At(1).(time.Time).Unix() != 5 || !g.At(0).(time.Time).IsZero() {
		t.Errorf("time field %v", g)
	}
	if string(h.At(0).(json.RawMessage)) != `[1]` {
		t.Errorf("json field %v", h)
	}
	if e, vs, finish := column[float64]("e", data.FieldTypeFloat64, 0); e.Len() != 0 || len(vs) != 0 {
		t.Errorf("empty column")
	} else {
		finish()
	}
}
