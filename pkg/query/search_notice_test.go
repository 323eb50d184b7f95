package query

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/storetest"
)

// A TraceQL search that stops at its limit on Tempo says that its traces are the first
// Tempo found, not necessarily the newest, and how to ask for the newest; a TraceQL that
// asks for them, a search below its limit, and a Jaeger search say nothing of it.
func TestSearchNoticeWhenTempoHitsAreNotTheNewest(t *testing.T) {
	const advice = "with (most_recent=true)"
	tests := []struct {
		name       string
		q          Query
		stored     int
		wantAdvice bool
	}{
		{"TraceQL at its limit", Query{EditorMode: ModeCode, TraceQL: "{ status = error }", Limit: 2}, 2, true},
		{"TraceQL asking for the newest", Query{EditorMode: ModeCode, TraceQL: "{ status = error } with (most_recent=true)", Limit: 2}, 2, false},
		{"TraceQL below its limit", Query{EditorMode: ModeCode, TraceQL: "{ status = error }", Limit: 5}, 2, false},
		{"builder at its limit (asks for the newest)", Query{Service: "shop", Limit: 2}, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := newStoreReplay(t, map[string]answer{"/api/search": jsonAnswer(storetest.TempoSearchHits(tt.stored))})
			env := replayEnv(t, nil, tp, settings.TraceKindTempo, "")
			q := tt.q
			q.QueryType = TypeSearch
			res := Search(context.Background(), env, Request{Query: &q, From: time.Unix(1699990000, 0), To: time.Unix(1700003600, 0)})
			if res.Error != nil {
				t.Fatal(res.Error)
			}
			var got []data.Notice
			for _, n := range res.Frames[0].Meta.Notices {
				if strings.Contains(n.Text, advice) {
					got = append(got, n)
				}
			}
			if tt.wantAdvice && (len(got) != 1 || got[0].Severity != data.NoticeSeverityWarning || !strings.Contains(got[0].Text, "need not be the newest")) {
				t.Errorf("notices %+v, want one warning that the traces need not be the newest, naming %q", res.Frames[0].Meta.Notices, advice)
			}
			if !tt.wantAdvice && len(got) > 0 {
				t.Errorf("notices %+v, want none naming %q", res.Frames[0].Meta.Notices, advice)
			}
		})
	}
}
