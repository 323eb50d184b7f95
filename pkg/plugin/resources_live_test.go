package plugin

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestResourcesAgainstRealStores asks every look-up of the editors and template variables
// of the real Tempo, Jaeger (v1 and v3 APIs) and Loki, fed the checkout trace and its log
// lines: the values, the time range (a range before the data finds nothing where the
// store can narrow by time; Jaeger's services and operations cannot), and the 400s that
// name what the caller got wrong.
func TestResourcesAgainstRealStores(t *testing.T) {
	real := newRealStores(t)
	base := time.Unix(0, real.base)
	around := fmt.Sprintf("start=%d&end=%d", base.Add(-time.Hour).UnixMilli(), base.Add(time.Hour).UnixMilli())
	before := fmt.Sprintf("start=%d&end=%d", base.Add(-3*time.Hour).UnixMilli(), base.Add(-2*time.Hour).UnixMilli())
	monthBefore := fmt.Sprintf("start=%d&end=%d", base.AddDate(0, 0, -30).UnixMilli(), base.AddDate(0, 0, -29).UnixMilli())
	const services = `{"values":["checkout","frontend","payment"]}`
	type row struct{ path, want string }
	ok := func(path, want string) row { return row{path, want} }
	bad := func(path, msg string) row { return row{path, "400 " + msg} }
	check := func(t *testing.T, ds *Datasource, rows []row) {
		t.Helper()
		for _, r := range rows {
			status, body := callResource(t, ds, r.path)
			if msg, isBad := strings.CutPrefix(r.want, "400 "); isBad {
				if status != 400 || !strings.Contains(body, msg) {
					t.Errorf("%s: %d %s, want 400 with %q", r.path, status, body, msg)
				}
			} else if status != 200 || body != r.want {
				t.Errorf("%s: %d %s, want %s", r.path, status, body, r.want)
			}
		}
	}
	traceRows := []row{
		ok("services?"+around, services),
		ok("operations?service=checkout&"+around, `{"values":["POST /pay"]}`),
		ok("operations?service=nope&"+around, `{"values":[]}`),
		bad("operations?"+around, "parameter service is required"),
	}

	t.Run("tempo", func(t *testing.T) {
		u := real.tempoURL(t)
		ds := newTestDatasource(t, settingsJSON(u, "tempo", "", "", ""))
		// The trace is found by ID at once; tag look-ups see it once the ingester has cut it
		// from its live traces, seconds later.
		q := url.Values{"start": {fmt.Sprint(base.Add(-time.Hour).Unix())}, "end": {fmt.Sprint(base.Add(time.Hour).Unix())}}
		waitFor(t, u+"/api/v2/search/tag/resource.service.name/values?"+q.Encode(), func(b []byte) error {
			if !strings.Contains(string(b), "payment") {
				return fmt.Errorf("not yet: %s", b)
			}
			return nil
		})
		check(t, ds, append(traceRows,
			ok("services?"+before, `{"values":[]}`),
			ok("operations?service=checkout&"+before, `{"values":[]}`),
			ok("traceql/tag-values?tag=span.http.status_code&"+around, `{"values":["500"]}`),
			ok("traceql/tag-values?tag=.http.status_code&"+around, `{"values":["500"]}`),
			ok("traceql/tag-values?tag=span.http.status_code&"+before, `{"values":[]}`),
			ok("traceql/tag-values?tag=resource.service.name&"+around, services),
			ok("traceql/tag-values?tag=name&"+around, `{"values":["GET /checkout","POST /pay","charge"]}`),
			ok("traceql/tag-values?tag=status&"+around, `{"values":["error","ok","unset"]}`),
			bad("traceql/tag-values?"+around, "parameter tag is required"),
			bad("traceql/tag-values?tag=http.status_code&"+around, `tag \"http.status_code\" is not a TraceQL tag: scope an attribute (span.http.status_code`),
		))
		for _, tc := range []struct {
			rng  string
			want []string
			not  []string
		}{
			{around, []string{"span.http.method", "span.http.status_code", "span.retry", "resource.service.name", "resource.host.name", "event.code", "name", "status"}, nil},
			{before, []string{"name", "status"}, []string{"span.http.method", "resource.service.name"}},
		} {
			status, body := callResource(t, ds, "traceql/tags?"+tc.rng)
			if status != 200 {
				t.Fatalf("tags: %d %s", status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, `"`+w+`"`) {
					t.Errorf("tags %s lack %s", body, w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(body, `"`+n+`"`) {
					t.Errorf("tags before the data %s have %s", body, n)
				}
			}
		}
	})

	for _, kind := range []string{"jaeger-v1", "jaeger-v3"} {
		t.Run(kind, func(t *testing.T) {
			ds := newTestDatasource(t, settingsJSON(real.jaegerURL(t), kind, "", "", ""))
			check(t, ds, append(traceRows,
				// Jaeger's services and operations take no time range.
				ok("services?"+before, services),
				bad("traceql/tags?"+around, "jaeger: TraceQL tags need Tempo"),
				bad("traceql/tag-values?tag=name&"+around, "jaeger: TraceQL tags need Tempo"),
			))
		})
	}

	t.Run("loki", func(t *testing.T) {
		ds := newTestDatasource(t, settingsJSON("", "tempo", real.lokiURL(t), "", ""))
		check(t, ds, []row{
			ok("loki/labels?"+around, `{"values":["service_name"]}`),
			ok("loki/label-values?label=service_name&"+around, services),
			ok("loki/labels?selector="+url.QueryEscape(`{service_name="payment"}`)+"&"+around, `{"values":["service_name"]}`),
			ok("loki/labels?selector="+url.QueryEscape(`{service_name="nope"}`)+"&"+around, `{"values":[]}`),
			bad("loki/labels?selector="+url.QueryEscape(`{service_name=`)+"&"+around, `selector \"{service_name=\": loki: HTTP 400: parse error`),
			// Loki answers label look-ups from whole index periods and from every stream
			// its ingesters hold, so only a range days away finds nothing.
			ok("loki/labels?"+monthBefore, `{"values":[]}`),
			ok("loki/label-values?label=service_name&"+monthBefore, `{"values":[]}`),
			bad("services?source=logs&"+monthBefore, "loki has no service_name label in this time range"),
			ok("loki/label-values?label=service_name&selector="+url.QueryEscape(`{service_name=~"pay.*"}`)+"&"+around, `{"values":["payment"]}`),
			ok("services?source=logs&"+around, services),
			bad("loki/label-values?"+around, "parameter label is required"),
			bad("loki/label-values?label=service_name&selector="+url.QueryEscape(`{service_name=`)+"&"+around, `selector \"{service_name=\": loki: HTTP 400: parse error`),
			bad("traceql/tags", "traces: not configured"),
			bad("prometheus/labels", "prometheus: not configured"),
		})
	})
}
