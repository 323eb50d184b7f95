package jaeger

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/testenv"
)

// Jaeger's v1 operations route unescapes the service in its path as a query value, so a
// "+" there reads as a space: the operations of a service whose name holds "+", "/", a
// space, "%" or a non-ASCII letter are listed through v1 as through v3.
func TestLiveJaegerOperationsOfServicesWithOddNames(t *testing.T) {
	j := testenv.StartJaeger(t, testenv.JaegerOptions{})
	services := []string{"cart+api", "a/b", "café x", "pct%25", "plain"}
	base := time.Now().Add(-time.Minute).UnixNano()
	var rs []string
	for i, svc := range services {
		rs = append(rs, fmt.Sprintf(`{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":%q}}]},
			"scopeSpans":[{"scope":{"name":"lib"},"spans":[{"traceId":"%032x","spanId":"1111111111111111","name":%q,"kind":2,
			"startTimeUnixNano":"%d","endTimeUnixNano":"%d"}]}]}`, svc, i+1, "op of "+svc, base, base+int64(time.Millisecond)))
	}
	testenv.PostOTLP(t, j.OTLPTracesURL, []byte(`{"resourceSpans":[`+strings.Join(rs, ",")+`]}`))
	for _, c := range bothAPIs(t, j.URL) {
		t.Run(c.name, func(t *testing.T) {
			deadline := time.Now().Add(10 * time.Second)
			for {
				got, err := c.s.Services(context.Background(), time.Time{}, time.Time{})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) == len(services) || time.Now().After(deadline) {
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
			for _, svc := range services {
				ops, err := c.s.Operations(context.Background(), svc, time.Time{}, time.Time{})
				if err != nil || strings.Join(ops, ",") != "op of "+svc {
					t.Errorf("operations of %q: %q %v", svc, ops, err)
				}
			}
		})
	}
}
