package loki

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
)

var hostileValues = []string{
	`a"b`, `a\b`, `\`, `"}`, `"} |= "x`, `"} or {a=~".+`, `x", b="y`, "new\nline", "\x00\x7f",
	`ü 日本`, "\xff", "`raw`", `| json | line_format "{{.x}}"`,
}

// FuzzStreamSelector: whatever the service, the selector is `{service_name="…"}` with
// exactly that value and nothing after it.
func FuzzStreamSelector(f *testing.F) {
	for _, v := range hostileValues {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		sel, err := StreamSelector("service_name", v)
		if err != nil {
			t.Fatal(err)
		}
		body, ok := strings.CutPrefix(sel, "{service_name=")
		if !ok {
			t.Fatalf("%q", sel)
		}
		lit, err := strconv.QuotedPrefix(body)
		if err != nil {
			t.Fatalf("%q: %v", sel, err)
		}
		if got, _ := strconv.Unquote(lit); got != v || body[len(lit):] != "}" {
			t.Fatalf("%q reads as %q followed by %q", sel, got, body[len(lit):])
		}
	})
}

func TestStreamSelectorRefusesBadLabel(t *testing.T) {
	for _, l := range []string{"", "a b", `a="x"} or {b`, "service.name"} {
		if sel, err := StreamSelector(l, "x"); err == nil {
			t.Errorf("label %q accepted: %s", l, sel)
		}
	}
}

// TestQueryRangeFollowsTheStoreLineLimit: a limit above the store's
// max_entries_limit_per_query is refused with Loki's plain-text 400; the client pages
// with the store's limit until the range is exhausted (paging_test.go has the rest).
func TestQueryRangeFollowsTheStoreLineLimit(t *testing.T) {
	var limits []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limits = append(limits, r.URL.Query().Get("limit"))
		if n, _ := strconv.Atoi(r.URL.Query().Get("limit")); n > 2 {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(400)
			fmt.Fprintf(w, "max entries limit per query exceeded, limit > max_entries_limit_per_query (%d > 2)\n", n)
			return
		}
		if end, _ := strconv.ParseInt(r.URL.Query().Get("end"), 10, 64); end <= 2 { // end is exclusive
			_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"streams","result":[{"stream":{"a":"b"},"values":[["1","x"]]}]}}`))
			return
		}
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"streams","result":[{"stream":{"a":"b"},"values":[["2","y"],["1","x"]]}]}}`))
	}))
	defer srv.Close()
	h, err := httpx.New(StoreName, settings.Store{URL: srv.URL, Timeout: time.Second}, Options())
	if err != nil {
		t.Fatal(err)
	}
	res, err := NewClient(h).QueryRange(context.Background(), RangeRequest{Expr: `{a="b"}`, Limit: ProbeLimit(4), End: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(limits, ",") != "5,2,2" || res.Limit != 5 || res.StoreMax != 2 || res.Lines != 2 || res.Full() {
		t.Errorf("limits asked %v; result limit %d store max %d lines %d full %t", limits, res.Limit, res.StoreMax, res.Lines, res.Full())
	}
	if ProbeLimit(10) != 11 || ProbeLimit(5000) != DefaultMaxEntries+1 {
		t.Errorf("ProbeLimit(10) = %d, ProbeLimit(5000) = %d", ProbeLimit(10), ProbeLimit(5000))
	}
}
