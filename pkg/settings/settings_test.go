package settings

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	secure := map[string]string{
		"metricsBearerToken":    "tok-SECRET-1",
		"logsBasicAuthPassword": "pw-SECRET-2",
		"tracesHeaderValue0":    "hdr-SECRET-3",
		"tracesTlsCACert":       testCACert(t),
	}
	tests := []struct {
		name    string
		json    string
		check   func(t *testing.T, s *Settings)
		wantErr string
	}{
		{name: "empty gives defaults", json: ``, check: func(t *testing.T, s *Settings) {
			if s.MaxSpans != DefaultMaxSpans || s.MaxLogLines != DefaultMaxLogLines || s.LogWindowPadding != time.Minute ||
				len(s.Percentiles) != 4 || s.TraceKind != TraceKindTempo || s.Metrics.Configured() || s.Metrics.Timeout != DefaultTimeout {
				t.Errorf("defaults: %+v", s)
			}
		}},
		{name: "full", json: `{"metrics":{"url":"http://prom:9090/","auth":"bearer","timeout":"5s"},
			"logs":{"url":"https://loki","auth":"basic","basicAuthUser":"u","extraction":{"mode":"json","traceIdPath":"a.b"}},
			"traces":{"url":"http://jaeger:16686","kind":"jaeger-v3","headerNames":["X-Org"],"tlsWithCACert":true},
			"latency":{"percentiles":[0.5,0.999],"serviceRate":100},"limits":{"maxSpans":10,"logWindowPadding":"30s"}}`,
			check: func(t *testing.T, s *Settings) {
				if s.Metrics.URL != "http://prom:9090" || s.Metrics.BearerToken() != "tok-SECRET-1" || s.Metrics.Timeout != 5*time.Second {
					t.Errorf("metrics %v", s.Metrics)
				}
				if s.Logs.BasicAuthPassword() != "pw-SECRET-2" || s.Extraction.Mode != ExtractJSON || s.Extraction.TraceIDKey != "a.b" {
					t.Errorf("logs %v %+v", s.Logs, s.Extraction)
				}
				if s.TraceKind != TraceKindJaegerV3 || s.Traces.Headers()["X-Org"] != "hdr-SECRET-3" || s.Traces.CACert() == "" {
					t.Errorf("traces %v", s.Traces)
				}
				if s.ServiceRate != 100 || s.MaxSpans != 10 || s.LogWindowPadding != 30*time.Second || s.Percentiles[1] != 0.999 {
					t.Errorf("latency/limits %+v", s)
				}
			}},
		{name: "bad url", json: `{"metrics":{"url":"ftp://x"}}`, wantErr: "metrics.url"},
		{name: "credentials in url", json: `{"metrics":{"url":"http://u:p@x"}}`, wantErr: "must not carry credentials"},
		{name: "bad auth", json: `{"logs":{"url":"http://x","auth":"kerberos"}}`, wantErr: `logs.auth "kerberos"`},
		{name: "bad kind", json: `{"traces":{"url":"http://x","kind":"zipkin"}}`, wantErr: "traces.kind"},
		{name: "bad percentile", json: `{"latency":{"percentiles":[1.5]}}`, wantErr: "not in (0,1)"},
		{name: "bad regex", json: `{"logs":{"extraction":{"mode":"regex","traceIdRegex":"("}}}`, wantErr: "traceIdRegex"},
		{name: "bad timeout", json: `{"traces":{"url":"http://x","timeout":"soon"}}`, wantErr: "traces.timeout"},
		{name: "not json", json: `{`, wantErr: "jsonData is not valid"},
		{name: "service label is not a label name", json: `{"latency":{"serviceLabel":"svc\"} or vector(1) #"}}`, wantErr: "is not a Prometheus label name"},
		{name: "error label is not a label name", json: `{"latency":{"errorLabel":"status code"}}`, wantErr: "latency.errorLabel"},
		{name: "error values do not compile", json: `{"latency":{"errorLabel":"status","errorValues":"5(("}}`, wantErr: "latency.errorValues"},
		{name: "trace ID regex that matches the empty string", json: `{"logs":{"extraction":{"mode":"regex","traceIdRegex":"[0-9a-f]*"}}}`, wantErr: "logs.extraction.traceIdRegex matches the empty string"},
		{name: "span ID regex whose match can be empty", json: `{"logs":{"extraction":{"mode":"regex","traceIdRegex":"trace_id=(\\w+)","spanIdRegex":"(?:span_id=(\\w+))?"}}}`, wantErr: "logs.extraction.spanIdRegex matches the empty string"},
		{name: "regex extraction", json: `{"logs":{"extraction":{"mode":"regex","traceIdRegex":"trace_id=(\\w+)","spanIdRegex":"span_id=([0-9a-f]{16})"}}}`, check: func(t *testing.T, s *Settings) {
			tr, sp := s.Extraction.TraceIDRegex, s.Extraction.SpanIDRegex
			if s.Extraction.Mode != ExtractRegex || tr == nil || sp == nil || tr.String() != `trace_id=(\w+)` || sp.String() != `span_id=([0-9a-f]{16})` {
				t.Errorf("extraction %+v", s.Extraction)
			}
		}},
		{name: "logfmt key with a space", json: `{"logs":{"extraction":{"mode":"logfmt","traceIdKey":"trace id"}}}`, wantErr: "logs.extraction.traceIdKey \"trace id\" cannot be a logfmt key"},
		{name: "logfmt span key with an equals sign", json: `{"logs":{"extraction":{"mode":"logfmt","traceIdKey":"traceID","spanIdKey":"span_id="}}}`, wantErr: "logs.extraction.spanIdKey \"span_id=\" cannot be a logfmt key"},
		{name: "logfmt keys", json: `{"logs":{"extraction":{"mode":"logfmt","traceIdKey":"trace.id","spanIdKey":"span-id"}}}`, check: func(t *testing.T, s *Settings) {
			if s.Extraction.Mode != ExtractLogfmt || s.Extraction.TraceIDKey != "trace.id" || s.Extraction.SpanIDKey != "span-id" {
				t.Errorf("extraction %+v", s.Extraction)
			}
		}},
		{name: "trace log selector without braces", json: `{"logs":{"url":"http://loki:3100","traceLogSelector":"service_name=~\".+\""}}`, wantErr: "logs.traceLogSelector is not a LogQL stream selector"},
		{name: "trace log selector without a matcher", json: `{"logs":{"url":"http://loki:3100","traceLogSelector":" { } "}}`, wantErr: "logs.traceLogSelector is not a LogQL stream selector"},
		{name: "trace log selector with a pipeline", json: `{"logs":{"url":"http://loki:3100","traceLogSelector":" {app=\"api\"} | json "}}`, check: func(t *testing.T, s *Settings) {
			if s.TraceLogSelector != `{app="api"} | json` || !s.Logs.Configured() {
				t.Errorf("selector %q, logs %v", s.TraceLogSelector, s.Logs)
			}
		}},
		{name: "extraction key is not a label name", json: `{"logs":{"extraction":{"mode":"label","traceIdKey":"trace id"}}}`, wantErr: "is not a Loki label name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse([]byte(tc.json), secure)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			} else {
				tc.check(t, s)
			}
			// Secrets never show in errors or in printed settings.
			var printed string
			if s != nil {
				b, _ := json.Marshal(s)
				printed = fmt.Sprintf("%v %+v %#v %s", s, s, s.Traces, b)
			}
			if err != nil {
				printed += err.Error()
			}
			if strings.Contains(printed, "SECRET") {
				t.Errorf("a secret leaked: %s", printed)
			}
		})
	}
}

// TestProblemsConcernTheirOwnPart: a bad setting is reported by the part that uses it
// (its store, the latency section, or the whole data source for a jsonData that is not
// an object) and every other store still parses in full.
func TestProblemsConcernTheirOwnPart(t *testing.T) {
	good := map[string]string{
		StoreMetrics: `"metrics":{"url":"http://prom:9090"}`,
		StoreLogs:    `"logs":{"url":"http://loki:3100"}`,
		StoreTraces:  `"traces":{"url":"http://tempo:3200"}`,
	}
	tests := []struct {
		name string
		// replace swaps one store's section (or, with store "", adds a section).
		store, section string
		wantSetting    string
		wantMsg        string
	}{
		{"loki trace ID regex", StoreLogs, `"logs":{"url":"http://loki:3100","extraction":{"mode":"regex","traceIdRegex":"("}}`,
			"logs.extraction.traceIdRegex", "logs.extraction.traceIdRegex: error parsing regexp"},
		{"loki extraction mode", StoreLogs, `"logs":{"url":"http://loki:3100","extraction":{"mode":"xml"}}`,
			"logs.extraction.mode", `logs.extraction.mode "xml"`},
		{"prometheus timeout", StoreMetrics, `"metrics":{"url":"http://prom:9090","timeout":"soon"}`,
			"metrics.timeout", `metrics.timeout "soon"`},
		{"prometheus timeout of the wrong JSON type", StoreMetrics, `"metrics":{"url":"http://prom:9090","timeout":true}`,
			"metrics.timeout", "metrics.timeout is not a duration such as 30s or a number of seconds"},
		{"prometheus timeout of zero seconds", StoreMetrics, `"metrics":{"url":"http://prom:9090","timeout":0}`,
			"metrics.timeout", "metrics.timeout 0 is not a positive duration"},
		{"header names of the wrong JSON type", StoreLogs, `"logs":{"url":"http://loki:3100","headerNames":"X-Org"}`,
			"logs.headerNames", "logs.headerNames is not valid: got a JSON string, want a list"},
		{"trace kind", StoreTraces, `"traces":{"url":"http://tempo:3200","kind":"zipkin"}`,
			"traces.kind", `traces.kind "zipkin"`},
		{"traces section not an object", StoreTraces, `"traces":"http://tempo:3200"`,
			"traces", "traces is not valid: got a JSON string, want an object"},
		{"bearer without token", StoreMetrics, `"metrics":{"url":"http://prom:9090","auth":"bearer"}`,
			"metrics.auth", "metricsBearerToken is not set"},
		{"max spans", StoreTraces, `"limits":{"maxSpans":-1}`, "limits.maxSpans", "limits.maxSpans -1 must not be negative"},
		{"max log lines", StoreLogs, `"limits":{"maxLogLines":"many"}`, "limits.maxLogLines", "limits.maxLogLines is not a whole number"},
		{"log window padding", StoreLogs, `"limits":{"logWindowPadding":"-1m"}`, "limits.logWindowPadding", "limits.logWindowPadding"},
		{"percentile", "", `"latency":{"percentiles":[0.5,2]}`, "latency.percentiles", "latency.percentiles: 2 is not in (0,1)"},
		{"service label", "", `"latency":{"serviceLabel":"svc\"} or vector(1) #"}`, "latency.serviceLabel", "is not a Prometheus label name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parts := []string{}
			for _, name := range []string{StoreMetrics, StoreLogs, StoreTraces} {
				if name == tc.store && strings.HasPrefix(tc.section, `"`+name+`"`) {
					parts = append(parts, tc.section)
				} else {
					parts = append(parts, good[name])
				}
			}
			if !strings.HasPrefix(tc.section, `"`+tc.store+`"`) || tc.store == "" {
				parts = append(parts, tc.section)
			}
			s, err := Parse([]byte("{"+strings.Join(parts, ",")+"}"), nil)
			ps := ProblemsOf(err)
			if len(ps) != 1 {
				t.Fatalf("problems %v, want one", err)
			}
			p := ps[0]
			if p.Store != tc.store || p.Setting != tc.wantSetting || !strings.Contains(p.Error(), tc.wantMsg) {
				t.Errorf("problem {store %q setting %q %q}, want {store %q setting %q ...%q...}",
					p.Store, p.Setting, p.Error(), tc.store, tc.wantSetting, tc.wantMsg)
			}
			if ps.DataSource() != nil {
				t.Errorf("a store's or section's problem concerns the whole data source: %v", ps.DataSource())
			}
			for _, st := range []Store{s.Metrics, s.Logs, s.Traces} {
				if st.Name == tc.store {
					if ps.Store(st.Name) == nil {
						t.Errorf("Store(%s) lost the problem", st.Name)
					}
					continue
				}
				if e := ps.Store(st.Name); e != nil {
					t.Errorf("Store(%s) = %v, want nil", st.Name, e)
				}
				if !st.Configured() {
					t.Errorf("store %s lost its URL", st.Name)
				}
			}
		})
	}
}

// testCACert is a self-signed CA certificate in PEM.
func testCACert(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// testClientPair is a self-signed client certificate and its private key, in PEM.
func testClientPair(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "grafana"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
}

// TestConnectionSettingsProblems: connection settings HTTP cannot use (a CA that is not
// PEM, a header name that is not an HTTP token, a value with a control character) are
// problems of their store alone, naming the setting and never quoting a secret; a line
// break at the end of a pasted secret is dropped.
func TestConnectionSettingsProblems(t *testing.T) {
	cert, key := testClientPair(t)
	_, otherKey := testClientPair(t)
	tests := []struct {
		name, store string
		secure      map[string]string
		wantSetting string // "" for no problem
		wantMsg     string
	}{
		{"client certificate and key", `"tlsAuth":true`, map[string]string{"metricsTlsClientCert": cert, "metricsTlsClientKey": key}, "", ""},
		{"client key missing", `"tlsAuth":true`, map[string]string{"metricsTlsClientCert": cert},
			"metrics.tlsAuth", "metrics.tlsAuth is set but metricsTlsClientKey is empty"},
		{"client certificate missing", `"tlsAuth":true`, map[string]string{"metricsTlsClientKey": key},
			"metrics.tlsAuth", "metrics.tlsAuth is set but metricsTlsClientCert is empty"},
		{"client certificate not PEM", `"tlsAuth":true`, map[string]string{"metricsTlsClientCert": "not a SECRET certificate", "metricsTlsClientKey": key},
			"metrics.tlsAuth", "metricsTlsClientCert and metricsTlsClientKey are not a PEM certificate and its private key"},
		{"client key of another certificate", `"tlsAuth":true`, map[string]string{"metricsTlsClientCert": cert, "metricsTlsClientKey": otherKey},
			"metrics.tlsAuth", "private key does not match public key"},
		{"CA not PEM", `"tlsWithCACert":true`, map[string]string{"metricsTlsCACert": "not a SECRET certificate"},
			"metrics.tlsWithCACert", "metricsTlsCACert holds no PEM certificate"},
		{"CA in PEM", `"tlsWithCACert":true`, map[string]string{"metricsTlsCACert": testCACert(t)}, "", ""},
		{"header name with a space", `"headerNames":["X Scope OrgID"]`, map[string]string{"metricsHeaderValue0": "SECRET-1"},
			"metrics.headerNames", `"X Scope OrgID" is not an HTTP header name`},
		{"header name with a colon", `"headerNames":["X-Org:"]`, nil, "metrics.headerNames", `"X-Org:" is not an HTTP header name`},
		{"header value with a line break inside", `"headerNames":["X-Api-Key"]`, map[string]string{"metricsHeaderValue0": "SECRET\nkey"},
			"metrics.headerNames", "the value of X-Api-Key has a control character"},
		{"header value with a NUL", `"headerNames":["X-Api-Key"]`, map[string]string{"metricsHeaderValue0": "SECRET\x00"},
			"metrics.headerNames", "the value of X-Api-Key has a control character"},
		{"header value with a line break at the end", `"headerNames":["X-Api-Key"]`, map[string]string{"metricsHeaderValue0": "SECRET-key\r\n"}, "", ""},
		{"Host value not a host", `"headerNames":["host"]`, map[string]string{"metricsHeaderValue0": "SECRET/path"},
			"metrics.headerNames", "the value of Host is not a host name"},
		{"Host value a host and port", `"headerNames":["Host"]`, map[string]string{"metricsHeaderValue0": "prom.internal:9090"}, "", ""},
		{"the same header twice in two cases", `"headerNames":["X-Scope-OrgID","x-scope-orgid"]`, map[string]string{"metricsHeaderValue0": "SECRET-a", "metricsHeaderValue1": "SECRET-b"},
			"metrics.headerNames", `metrics.headerNames: X-Scope-OrgID is given twice ("X-Scope-OrgID" and "x-scope-orgid"); keep one`},
		{"the same header twice", `"headerNames":["X-Org","","X-Org"]`, map[string]string{"metricsHeaderValue0": "SECRET-a", "metricsHeaderValue2": "SECRET-b"},
			"metrics.headerNames", `metrics.headerNames: X-Org is given twice ("X-Org" and "X-Org"); keep one`},
		{"two headers in odd case", `"headerNames":["x-SCOPE-orgid","HOST"]`, map[string]string{"metricsHeaderValue0": "SECRET-a", "metricsHeaderValue1": "prom.internal"}, "", ""},
		{"bearer token with a line break inside", `"auth":"bearer"`, map[string]string{"metricsBearerToken": "SECRET-1\nSECRET-2"},
			"metrics.auth", "metricsBearerToken has a control character"},
		{"bearer token with a line break at the end", `"auth":"bearer"`, map[string]string{"metricsBearerToken": "SECRET-tok\n"}, "", ""},
		{"bearer token of line breaks only", `"auth":"bearer"`, map[string]string{"metricsBearerToken": "\r\n"},
			"metrics.auth", "metricsBearerToken is not set"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse([]byte(`{"metrics":{"url":"http://prom:9090",`+tc.store+`},"logs":{"url":"http://loki:3100"}}`), tc.secure)
			ps := ProblemsOf(err)
			if tc.wantSetting == "" {
				if err != nil {
					t.Fatalf("problems: %v", err)
				}
				for _, v := range append(slices.Collect(maps.Values(s.Metrics.Headers())), s.Metrics.BearerToken()) {
					if strings.ContainsAny(v, "\r\n") {
						t.Errorf("secret %q kept its line break", v)
					}
				}
				return
			}
			if len(ps) != 1 || ps[0].Store != StoreMetrics || ps[0].Setting != tc.wantSetting || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("problems %v, want one of metrics at %s saying %q", err, tc.wantSetting, tc.wantMsg)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("a secret is quoted: %v", err)
			}
			if ps.Store(StoreLogs) != nil || !s.Logs.Configured() {
				t.Errorf("the logs store is affected: %v", ps.Store(StoreLogs))
			}
		})
	}
}

// TestRejectedURLWithCredentialsIsNotKept: a URL with user:password@ is refused, and like
// every other invalid value it is not kept, so the password shows in no String, %v or
// JSON form of the settings (Store.String promises a description without secrets).
func TestRejectedURLWithCredentialsIsNotKept(t *testing.T) {
	s, err := Parse([]byte(`{"metrics":{"url":"https://admin:hunter2-pw@prom.example/"}}`), nil)
	if err == nil {
		t.Fatal("URL with credentials accepted")
	}
	b, _ := json.Marshal(s)
	for _, out := range []string{err.Error(), s.Metrics.String(), fmt.Sprintf("%v %+v %#v", s, s.Metrics, s.Metrics), string(b)} {
		if strings.Contains(out, "hunter2-pw") {
			t.Errorf("password shows: %s", out)
		}
	}
	if s.Metrics.Configured() {
		t.Errorf("the rejected URL is kept: %v", s.Metrics)
	}
}

// TestURLProblemsSayWhatIsWrong: a store URL the backend cannot call is refused with
// what is wrong with it. A browser reads `http:/prom:9090` or `http:prom:9090` as
// http://prom:9090 (WHATWG URL parsing), so such a URL looks fine in the config editor;
// it has no host for the backend, and "must be an http(s) URL" would name the one part
// that is right. Nothing of the URL is quoted (it may carry a password).
func TestURLProblemsSayWhatIsWrong(t *testing.T) {
	tests := []struct{ url, want string }{
		{"http:/prom:9090", "metrics.url has no host"},
		{"http:prom:9090", "metrics.url has no host"},
		{"http:///prom", "metrics.url has no host"},
		{"http://:9090", "metrics.url has no host"},
		{`http:\\\\prom:9090`, "metrics.url has no host"},
		{`http://prom\\api`, "metrics.url is not a URL"},
		{"ftp://prom", "metrics.url must be an http(s) URL"},
		{"prom:9090", "metrics.url must be an http(s) URL"},
		{"https://admin:SECRET@", "must not carry credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			s, err := Parse([]byte(`{"metrics":{"url":"`+tc.url+`"}}`), nil)
			ps := ProblemsOf(err)
			if len(ps) != 1 || ps[0].Setting != "metrics.url" || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("problems %v, want one at metrics.url saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "prom") || strings.Contains(err.Error(), "SECRET") {
				t.Errorf("the URL is quoted: %v", err)
			}
			if s.Metrics.Configured() {
				t.Errorf("the refused URL is kept: %v", s.Metrics)
			}
		})
	}
}

// TestPercentilesSortedOnce: percentiles given twice or out of order (provisioned
// jsonData has no editor to tidy them) are sorted and each kept once: twice would give
// two series of the same name (p90 and p90), which Grafana's alerting refuses as
// duplicate results.
func TestPercentilesSortedOnce(t *testing.T) {
	s, err := Parse([]byte(`{"latency":{"percentiles":[0.99,0.5,0.9,0.5]}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{0.5, 0.9, 0.99}; !slices.Equal(s.Percentiles, want) {
		t.Errorf("percentiles %v, want %v", s.Percentiles, want)
	}
}

func TestProblemsWholeDataSource(t *testing.T) {
	for _, raw := range []string{`{"metrics":`, `[]`, `"x"`} {
		s, err := Parse([]byte(raw), nil)
		ps := ProblemsOf(err)
		if s == nil || ps.DataSource() == nil || !strings.Contains(err.Error(), "jsonData is not valid") {
			t.Errorf("%s: settings %v, problems %v", raw, s, err)
		}
	}
}

// TestInvalidValuesAreNotKept: a setting that is reported keeps its default, so a part
// that forgets to ask for its problems still never uses the bad value.
func TestInvalidValuesAreNotKept(t *testing.T) {
	s, err := Parse([]byte(`{"latency":{"percentiles":[2],"serviceLabel":"a b","operationLabel":"c-d","serviceRate":-1,
		"errorLabel":"status","errorValues":"5(("},"limits":{"maxSpans":-3,"logWindowPadding":"x"},
		"logs":{"extraction":{"mode":"regex","traceIdRegex":"("}},"traces":{"kind":"zipkin"}}`), nil)
	if len(ProblemsOf(err)) != 9 {
		t.Fatalf("problems: %v", err)
	}
	if s.ServiceLabel != DefaultServiceLabel || s.OperationLabel != DefaultOperationLabel || s.ServiceRate != 0 ||
		s.ErrorLabel != "" || s.ErrorValues != "" || len(s.Percentiles) != len(DefaultPercentiles) ||
		s.MaxSpans != DefaultMaxSpans || s.LogWindowPadding != DefaultLogWindowPadding ||
		s.Extraction.Mode != ExtractStructuredMetadata || s.TraceKind != TraceKindTempo {
		t.Errorf("an invalid value was kept: %+v", s)
	}
}

func TestProblemsSettings(t *testing.T) {
	section := &Problem{Setting: "latency", err: errors.New("section")}
	label := &Problem{Setting: "latency.serviceLabel", err: errors.New("label")}
	pct := &Problem{Setting: "latency.percentiles", err: errors.New("pct")}
	other := &Problem{Setting: "latency.serviceLabelX", err: errors.New("other")}
	tests := []struct {
		name  string
		ps    Problems
		names []string
		want  string
	}{
		{"exact", Problems{label, pct}, []string{"latency.serviceLabel"}, "settings: label"},
		{"a section covers its settings", Problems{section}, []string{"latency.serviceLabel"}, "settings: section"},
		{"a section name asks for all of it", Problems{label, pct}, []string{"latency"}, "settings: label; settings: pct"},
		{"a longer name is not inside", Problems{other}, []string{"latency.serviceLabel"}, ""},
		{"none", Problems{pct}, []string{"latency.serviceLabel", "latency.operationLabel"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if err := tc.ps.Settings(tc.names...); err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Settings(%v) = %q, want %q", tc.names, got, tc.want)
			}
		})
	}
	var p *Problem
	if !errors.As(Problems{label, pct}.Settings("latency"), &p) {
		t.Error("errors.As does not find a *Problem")
	}
}

// TestSecretsWireForms: Secrets lists each secret in every form it can take on the wire
// or in a store's echo of a request.
func TestSecretsWireForms(t *testing.T) {
	pair := "alice:s3cret pw/&"
	tests := []struct {
		name   string
		json   string
		secure map[string]string
		want   []string
		not    []string
	}{
		{"basic", `{"metrics":{"url":"http://x","auth":"basic","basicAuthUser":"alice"}}`,
			map[string]string{"metricsBasicAuthPassword": "s3cret pw/&"},
			[]string{"s3cret pw/&", pair, "s3cret+pw%2F%26", "s3cret%20pw%2F&", "s3cret pw/&amp;", `s3cret pw/\u0026`,
				base64.StdEncoding.EncodeToString([]byte(pair)), base64.RawStdEncoding.EncodeToString([]byte(pair)),
				base64.URLEncoding.EncodeToString([]byte(pair)), base64.RawURLEncoding.EncodeToString([]byte(pair))},
			nil},
		{"basic, base64 with URL specials", `{"metrics":{"url":"http://x","auth":"basic","basicAuthUser":"alice"}}`,
			map[string]string{"metricsBasicAuthPassword": "pa>ss?"},
			[]string{"YWxpY2U6cGE+c3M/", "YWxpY2U6cGE%2Bc3M%2F", "YWxpY2U6cGE-c3M_"}, nil},
		{"basic with a short password", `{"metrics":{"url":"http://x","auth":"basic","basicAuthUser":"alice"}}`,
			map[string]string{"metricsBasicAuthPassword": "Ω"},
			[]string{"alice:Ω", base64.StdEncoding.EncodeToString([]byte("alice:Ω"))},
			[]string{"Ω", "%CE%A9"}},
		{"bearer", `{"metrics":{"url":"http://x","auth":"bearer"}}`,
			map[string]string{"metricsBearerToken": "tok+en=="},
			[]string{"tok+en==", "tok%2Ben%3D%3D"}, nil},
		{"headers", `{"metrics":{"url":"http://x","headerNames":["X-Org","X-Short"]}}`,
			map[string]string{"metricsHeaderValue0": "tenant 42", "metricsHeaderValue1": "ab"},
			[]string{"tenant 42", "tenant+42", "tenant%2042"}, []string{"ab", "X-Org"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse([]byte(tc.json), tc.secure)
			if err != nil {
				t.Fatal(err)
			}
			got := s.Metrics.Secrets()
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing %q in %q", w, got)
				}
			}
			for _, n := range tc.not {
				if slices.Contains(got, n) {
					t.Errorf("%q should not be scrubbed: %q", n, got)
				}
			}
			for i := 1; i < len(got); i++ {
				if len(got[i]) > len(got[i-1]) {
					t.Fatalf("not longest first: %q", got)
				}
			}
		})
	}
}

// TestHeadersTheBackendSetsItself: a custom header the backend sets on its calls itself
// is refused, naming the header, as a problem of its store alone: with it the backend
// could not read the answers (Accept-Encoding: gzip turned off Go's decompression, so the
// store's gzip body reached the JSON parser; Accept asked Tempo or Loki for protobuf),
// its bodies would be mislabelled (Content-Type, Content-Encoding), net/http would drop
// it without a word (Content-Length, Transfer-Encoding, Trailer), Loki would merge
// structured metadata into the labels (X-Loki-Response-Encoding-Flags), or it would
// replace the store's own authentication. Case does not matter, and the same names are
// taken where the backend does not set them.
func TestHeadersTheBackendSetsItself(t *testing.T) {
	tests := []struct {
		name, store, section string
		wantMsg              string // "" for no problem
	}{
		{"Accept-Encoding", StoreMetrics, `"headerNames":["Accept-Encoding"]`, "Accept-Encoding is set by the backend itself"},
		{"accept-encoding in lower case", StoreTraces, `"headerNames":["accept-encoding"]`, "accept-encoding is set by the backend itself"},
		{"Accept", StoreTraces, `"headerNames":["Accept"]`, "Accept is set by the backend itself"},
		{"Content-Type", StoreMetrics, `"headerNames":["Content-Type"]`, "Content-Type is set by the backend itself"},
		{"Content-Encoding", StoreMetrics, `"headerNames":["content-encoding"]`, "content-encoding is set by the backend itself"},
		{"Content-Length", StoreLogs, `"headerNames":["Content-Length"]`, "Content-Length is HTTP's own framing"},
		{"Transfer-Encoding", StoreLogs, `"headerNames":["Transfer-Encoding"]`, "Transfer-Encoding is HTTP's own framing"},
		{"Trailer", StoreLogs, `"headerNames":["Trailer"]`, "Trailer is HTTP's own framing"},
		{"Loki's encoding flags on the logs store", StoreLogs, `"headerNames":["X-Loki-Response-Encoding-Flags"]`,
			"X-Loki-Response-Encoding-Flags is set by the backend itself"},
		{"Loki's encoding flags on another store", StoreMetrics, `"headerNames":["X-Loki-Response-Encoding-Flags"]`, ""},
		{"Authorization with basic auth", StoreMetrics, `"auth":"basic","basicAuthUser":"u","headerNames":["Authorization"]`,
			"Authorization is also set by metrics.auth (basic)"},
		{"Authorization with a bearer token", StoreTraces, `"auth":"bearer","headerNames":["authorization"]`,
			"authorization is also set by traces.auth (bearer)"},
		{"Authorization without auth", StoreLogs, `"headerNames":["Authorization"]`, ""},
		{"headers the backend leaves alone", StoreMetrics, `"headerNames":["X-Scope-OrgID","User-Agent","Connection","Host"]`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			secure := map[string]string{}
			for i := range 4 {
				secure[tc.store+"HeaderValue"+strconv.Itoa(i)] = "SECRET-v" + strconv.Itoa(i)
			}
			secure[tc.store+"BearerToken"] = "SECRET-token"
			secure[tc.store+"BasicAuthPassword"] = "SECRET-pw"
			secure[tc.store+"HeaderValue3"] = "host.internal"
			raw := `{"metrics":{"url":"http://prom:9090"},"logs":{"url":"http://loki:3100"},"traces":{"url":"http://tempo:3200"}}`
			raw = strings.Replace(raw, `"`+tc.store+`":{`, `"`+tc.store+`":{`+tc.section+",", 1)
			s, err := Parse([]byte(raw), secure)
			if tc.wantMsg == "" {
				if err != nil {
					t.Fatalf("problems: %v", err)
				}
				return
			}
			ps := ProblemsOf(err)
			if len(ps) != 1 || ps[0].Store != tc.store || ps[0].Setting != tc.store+".headerNames" || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("problems %v, want one of %s at %s.headerNames saying %q", err, tc.store, tc.store, tc.wantMsg)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("a secret is quoted: %v", err)
			}
			for _, st := range []Store{s.Metrics, s.Logs, s.Traces} {
				if st.Name != tc.store && !st.Configured() {
					t.Errorf("store %s is affected", st.Name)
				}
			}
		})
	}
}
