package plugin

import (
	"net/http"
	"strings"
	"testing"

	"github.com/latencylens/lens/pkg/frames"
	"github.com/latencylens/lens/pkg/stores/storetest"
)

// Jaeger v1 answers `errors` next to `data` when some traces could not be read. The
// traces it did read come back, and each error reaches its part of the response as a
// warning notice, the way Tempo's partial status does.
func TestJaegerV1ErrorsWithDataBecomeNotices(t *testing.T) {
	partial := fixture(t, "jaeger", "traces_v1_partial.json")
	jg := newReplay(t, map[string]func(*http.Request) (int, string, []byte){
		"/api/traces/" + storetest.CheckoutTraceID: ok(partial),
		"/api/traces": ok(partial),
	})
	ds := newTestDatasource(t, settingsJSON(jg.srv.URL, "jaeger-v1", "", "", ""))
	const want = "warning: jaeger: failed to read trace from storage: span with unreadable ID (code 500, trace a3ce929d0e0e47364bf92f3577b34da6)"

	t.Run("trace", func(t *testing.T) {
		res := mustQuery(t, ds, traceQuery(storetest.CheckoutTraceID))
		if res.Error != nil {
			t.Fatal(res.Error)
		}
		s := framesOfKind(res.Frames, frames.KindSpans)
		if len(s) != 1 || s[0].Rows() != 3 {
			t.Fatalf("want the trace's 3 spans, got %d frames", len(s))
		}
		if n := noticeTexts(s[0]); !strings.Contains(n, want) {
			t.Errorf("spans notices %q lack %q", n, want)
		}
	})
	t.Run("search", func(t *testing.T) {
		res := mustQuery(t, ds, map[string]any{"queryType": "search", "version": 1, "editorMode": "builder", "service": "frontend"})
		if res.Error != nil {
			t.Fatal(res.Error)
		}
		f := framesOfKind(res.Frames, frames.KindSearch)
		if len(f) != 1 || f[0].Rows() != 1 {
			t.Fatalf("want one hit, got %d frames", len(f))
		}
		if ids := fieldStrings(t, f[0], frames.SearchTraceID); ids[0] != storetest.CheckoutTraceID {
			t.Errorf("hit %q", ids[0])
		}
		if n := noticeTexts(f[0]); !strings.Contains(n, want) {
			t.Errorf("search notices %q lack %q", n, want)
		}
	})
}
