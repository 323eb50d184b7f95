package tempo

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/stores/storetest"
	"github.com/latencylens/lens/pkg/stores/tracestore"
)

// Tempo's search returns the first traces it finds, not the newest, unless the query asks
// `with (most_recent=true)` (Tempo 2.8+; checked against Tempo: `{ resource.service.name =
// "shop" }` with limit 2 gave two older traces, with the hint the two newest). The search
// table shows hits newest first, so a builder search asks for the newest; a Tempo that
// refuses the hint is asked again without it, and a search cut at its limit without the
// hint because Tempo refused it says its hits need not be the newest.
func TestSearchAsksForTheNewestTraces(t *testing.T) {
	const hint = " with (most_recent=true)"
	tests := []struct {
		name      string
		p         tracestore.SearchParams
		refuse    bool // the store answers 400 to a query holding a hint
		stored    int  // hits the store answers with
		wantSent  []string
		wantWarn  string // part of the one warning; "" for none
		wantTrace int
	}{
		{name: "builder", p: tracestore.SearchParams{Service: "shop", Limit: 2}, stored: 2,
			wantSent: []string{`{ resource.service.name = "shop" }` + hint}, wantTrace: 2},
		{name: "builder without conditions", p: tracestore.SearchParams{Limit: 20}, stored: 1,
			wantSent: []string{`{}` + hint}, wantTrace: 1},
		{name: "builder on a Tempo that refuses the hint", p: tracestore.SearchParams{Service: "shop", Limit: 2}, refuse: true, stored: 2,
			wantSent:  []string{`{ resource.service.name = "shop" }` + hint, `{ resource.service.name = "shop" }`},
			wantWarn:  "the first 2 traces Tempo found",
			wantTrace: 2},
		{name: "refused hint, below the limit: nothing left out", p: tracestore.SearchParams{Service: "shop", Limit: 20}, refuse: true, stored: 3,
			wantSent:  []string{`{ resource.service.name = "shop" }` + hint, `{ resource.service.name = "shop" }`},
			wantTrace: 3},
		{name: "TraceQL is sent as written", p: tracestore.SearchParams{TraceQL: "{ status = error }", Limit: 20}, stored: 3,
			wantSent: []string{"{ status = error }"}, wantTrace: 3},
		{name: "TraceQL cut at the limit is sent as written, without a warning (the search query gives one)", p: tracestore.SearchParams{TraceQL: "{ status = error }", Limit: 2}, stored: 2,
			wantSent: []string{"{ status = error }"}, wantTrace: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sent []string
			c := replayClient(t, func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query().Get("q")
				sent = append(sent, q)
				if tt.refuse && strings.Contains(q, " with ") {
					http.Error(w, `invalid TraceQL query: parse error at line 1, col 36: syntax error: unexpected with`, http.StatusBadRequest)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(storetest.TempoSearchHits(tt.stored)))
			})
			tt.p.Start, tt.p.End = time.Unix(1700000000, 0), time.Unix(1700003600, 0)
			res, err := c.Search(context.Background(), tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(sent, "\n") != strings.Join(tt.wantSent, "\n") {
				t.Errorf("sent %q, want %q", sent, tt.wantSent)
			}
			if len(res.Traces) != tt.wantTrace {
				t.Errorf("%d traces, want %d", len(res.Traces), tt.wantTrace)
			}
			switch {
			case tt.wantWarn == "" && len(res.Warnings) > 0:
				t.Errorf("warnings %q, want none", res.Warnings)
			case tt.wantWarn != "" && (len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], tt.wantWarn) || !strings.Contains(res.Warnings[0], "newest")):
				t.Errorf("warnings %q, want one saying %q", res.Warnings, tt.wantWarn)
			}
		})
	}
}

// A search Tempo refuses for another reason than the hint keeps Tempo's own message.
func TestSearchRefusedTwiceKeepsTempoMessage(t *testing.T) {
	calls := 0
	c := replayClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		http.Error(w, "limit 5000 exceeds max limit 1000", http.StatusBadRequest)
	})
	_, err := c.Search(context.Background(), tracestore.SearchParams{Service: "shop", Limit: 5000,
		Start: time.Unix(1700000000, 0), End: time.Unix(1700003600, 0)})
	if err == nil || !strings.Contains(err.Error(), "limit 5000 exceeds max limit 1000") {
		t.Fatalf("error %v, want Tempo's message", err)
	}
	if calls != 2 {
		t.Errorf("%d calls, want the hinted one and one without the hint", calls)
	}
}

func TestAsksMostRecent(t *testing.T) {
	for q, want := range map[string]bool{
		"{} with (most_recent=true)":                     true,
		"{ .a = 1 } with ( most_recent = true )":         true,
		"{} with (most_recent=false)":                    false,
		"{ status = error }":                             false,
		`{ .note = "x" } with (most_recent=true, foo=1)`: true,
	} {
		if got := AsksMostRecent(q); got != want {
			t.Errorf("AsksMostRecent(%q) = %v, want %v", q, got, want)
		}
	}
}
