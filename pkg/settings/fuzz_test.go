package settings

import (
	"strings"
	"testing"
)

// FuzzParse: any jsonData, with a secret in every secure key a store reads, parses
// without a panic into settings whose printed form names no secret.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"metrics":{"url":"http://prom:9090","auth":"basic","basicAuthUser":"u","timeout":30,"scrapeInterval":"1m"}}`))
	f.Add([]byte(`{"logs":{"url":"http://loki:3100","headerNames":["X-Scope-OrgID"],"extraction":{"mode":"regex","traceIdRegex":"trace=(\\w+)"}}}`))
	f.Add([]byte(`{"traces":{"url":"https://tempo:3200","kind":"jaeger-v3","tlsAuth":true,"tlsWithCACert":true}}`))
	f.Add([]byte(`{"latency":{"percentiles":[0.5,0.99],"serviceRate":100},"limits":{"maxSpans":10}}`))
	f.Add([]byte(`[1,2]`))
	const secret = "SECRETVALUE-7f3"
	secure := map[string]string{}
	for _, store := range []string{StoreMetrics, StoreLogs, StoreTraces} {
		for _, k := range []string{"BasicAuthPassword", "BearerToken", "HeaderValue0", "HeaderValue1", "TlsCACert", "TlsClientCert", "TlsClientKey"} {
			secure[store+k] = secret
		}
	}
	f.Fuzz(func(t *testing.T, jsonData []byte) {
		s, err := Parse(jsonData, secure)
		if s == nil {
			return
		}
		for _, st := range []Store{s.Metrics, s.Logs, s.Traces} {
			if strings.Contains(st.String(), secret) {
				t.Fatalf("printed settings hold a secret: %s", st)
			}
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Fatalf("settings problem quotes a secret: %v", err)
		}
	})
}
