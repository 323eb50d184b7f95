package settings

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	secure := map[string]string{
		"metricsBearerToken":    "tok-SECRET-1",
		"logsBasicAuthPassword": "pw-SECRET-2",
		"tracesHeaderValue0":    "hdr-SECRET-3",
		"tracesTlsCACert":       "-----BEGIN CERTIFICATE-----",
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
