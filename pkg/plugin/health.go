package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/parallel"
	"github.com/latencylens/lens/pkg/settings"
	"github.com/latencylens/lens/pkg/stores/httpx"
	"github.com/latencylens/lens/pkg/stores/loki"
)

// storeHealth is one store's line in the health report.
type storeHealth struct {
	Store  string `json:"store"`
	Status string `json:"status"` // ok, error, not configured
	Detail string `json:"detail,omitempty"`
}

// checkHealth asks every configured store at once, each under its own deadline, and
// reports them separately: the message has one line per store, JSONDetails the list. A
// store whose settings are invalid reports the problem on its own line; invalid latency
// settings get a line of their own. Only a problem of the whole data source (jsonData
// that is not an object) replaces the report. The logs line also covers the trace log
// selector, which Loki must be able to parse.
func (d *Datasource) checkHealth(ctx context.Context) *backend.CheckHealthResult {
	if d.allErr != nil {
		details, _ := json.Marshal(map[string]any{"stores": []storeHealth{{"settings", "error", d.allErr.Error()}}})
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: d.allErr.Error(), JSONDetails: details}
	}
	env, st := d.env, d.settings
	end := time.Now()
	start := end.Add(-time.Hour)
	checks := []struct {
		name string
		// hasURL: the store is configured; client: its client was built.
		hasURL, client bool
		err            error
		api            storeAPI
		run            func() error
	}{
		{"metrics (prometheus)", st.Metrics.Configured(), env.Metrics != nil, env.MetricsErr, prometheusAPI, func() error {
			_, err := env.Metrics.Query(ctx, "1", time.Time{})
			return err
		}},
		{"logs (loki)", st.Logs.Configured(), env.Logs != nil, env.LogsErr, lokiAPI, func() error {
			if _, err := env.Logs.Labels(ctx, start, end); err != nil {
				return err
			}
			return traceLogSelectorErr(ctx, env.Logs, st.TraceLogSelector, start, end)
		}},
		{"traces (" + st.TraceKind + ")", st.Traces.Configured(), env.Traces != nil, env.TracesErr, traceAPI(st.TraceKind), func() error {
			// Without a range Tempo asks only its ingesters: a cheap call that still
			// checks the store answers.
			_, err := env.Traces.Services(ctx, time.Time{}, time.Time{})
			return err
		}},
	}
	results := make([]storeHealth, len(checks))
	fns := make([]func(), len(checks))
	for i, c := range checks {
		fns[i] = func() {
			switch {
			case c.err != nil:
				results[i] = storeHealth{c.name, "error", c.err.Error()}
			case !c.client:
				results[i] = storeHealth{c.name, "not configured", ""}
			default:
				if err := c.run(); err != nil {
					detail := err.Error()
					if a := advice(err, c.api); a != "" {
						detail += "; " + a
					}
					results[i] = storeHealth{c.name, "error", detail}
				} else {
					results[i] = storeHealth{c.name, "ok", ""}
				}
			}
		}
	}
	parallel.Run(fns...)
	if err := env.LatencyErr; err != nil {
		results = append(results, storeHealth{"latency settings", "error", err.Error()})
	}
	status := backend.HealthStatusOk
	configured, failed := 0, 0
	for _, c := range checks {
		// A store whose settings were refused (its URL among them) was configured.
		if c.hasURL || c.err != nil {
			configured++
		}
	}
	lines := make([]string, len(results))
	for i, r := range results {
		if r.Status == "error" {
			failed++
		}
		lines[i] = fmt.Sprintf("%s: %s", r.Store, r.Status)
		if r.Detail != "" {
			lines[i] += " (" + r.Detail + ")"
		}
	}
	switch {
	case configured == 0:
		status = backend.HealthStatusError
		lines = append(lines, "configure at least one store")
	case failed > 0:
		status = backend.HealthStatusError
	}
	details, _ := json.Marshal(map[string]any{"stores": results})
	return &backend.CheckHealthResult{Status: status, Message: strings.Join(lines, "\n"), JSONDetails: details}
}

// traceLogSelectorErr asks Loki for the label names of the trace log selector's streams:
// every trace query sends the selector, so one Loki cannot parse (an unterminated string,
// a label name with a dash, a bad regex) is named here, with Loki's reason, rather than
// failing the logs part of each trace query. The pipeline after the stream selector is
// not checked (label look-ups take label matchers only).
func traceLogSelectorErr(ctx context.Context, logs any, selector string, start, end time.Time) error {
	ln, ok := logs.(lokiLabelNamer)
	if !ok || selector == "" {
		return nil
	}
	_, err := ln.LabelsOf(ctx, loki.StreamPart(selector), start, end)
	var se *httpx.StoreError
	if errors.As(err, &se) && se.Status == http.StatusBadRequest {
		return fmt.Errorf("logs.traceLogSelector %q: %w", selector, err)
	}
	return err
}

// storeAPI names a store's API for the health check's advice.
type storeAPI struct {
	name    string // Prometheus, Loki, Tempo, Jaeger
	example string // a base URL as the store serves it
	traces  bool   // the trace store, whose kind is a setting too
}

var (
	prometheusAPI = storeAPI{"Prometheus", "http://prometheus:9090", false}
	lokiAPI       = storeAPI{"Loki", "http://loki:3100", false}
)

func traceAPI(kind string) storeAPI {
	if kind == settings.TraceKindJaegerV1 || kind == settings.TraceKindJaegerV3 {
		return storeAPI{"Jaeger", "http://jaeger-query:16686", true}
	}
	return storeAPI{"Tempo", "http://tempo:3200", true}
}

// advice says what to fix for a store's failed health call, from what went wrong: the
// credentials refused, a URL that does not lead to the store's API, a TLS or connection
// failure, the store's own timeout. It is "" when the store's message is all there is
// to say (a store that answers with an error of its own, an invalid request).
func advice(err error, api storeAPI) string {
	var se *httpx.StoreError
	if !errors.As(err, &se) {
		return ""
	}
	orKind := ""
	if api.traces {
		orKind = ", and check the trace store kind (Tempo, Jaeger v1 or v3 API)"
	}
	switch se.Fault {
	case httpx.FaultUnreachable:
		return "cannot connect: check the URL's host and port, and that the store runs and can be reached from the Grafana server"
	case httpx.FaultTLSUntrusted:
		return "the store's certificate is not signed by a CA this data source trusts: paste the CA certificate under TLS (With CA certificate), or skip certificate validation (insecure)"
	case httpx.FaultTLSWrongHost:
		return "the store's certificate is not for the URL's host: use in the URL a host name the certificate names"
	case httpx.FaultTLSExpired:
		return "the store's certificate has expired or is not valid yet (or the Grafana server's clock is wrong)"
	case httpx.FaultNotTLS:
		return "the store does not speak TLS at this address: use an http:// URL"
	case httpx.FaultTLSClientCert:
		return "the store asks for a client certificate (mutual TLS) or refused the one sent: turn on TLS client authentication under TLS and paste a certificate the store trusts, with its private key"
	case httpx.FaultTLS:
		return "the TLS handshake failed: check the URL's scheme and port and the TLS settings"
	}
	switch {
	case se.Timeout && se.Status == 0 && strings.HasPrefix(se.Message, "no answer within"):
		return "check that the URL points at the store (a firewall that drops packets looks like this), or raise the store's timeout"
	case se.Status == http.StatusUnauthorized:
		return "the store refused the credentials: check Authentication (user and password, or token) and custom headers such as X-Scope-OrgID"
	case se.Status == http.StatusForbidden:
		return "the store refused access with these credentials: check that they may read the store's API (and the tenant header, if the store has tenants)"
	case se.Status == http.StatusNotFound:
		return fmt.Sprintf("no %s API at this URL: give the store's base URL (such as %s, with a reverse proxy's path prefix if any), without /api/… or a UI page's path%s",
			api.name, api.example, orKind)
	case se.Status == http.StatusBadRequest && strings.Contains(se.Message, "HTTP request to an HTTPS server"):
		return "use an https:// URL"
	case se.Status >= 200 && se.Status <= 299 && !strings.Contains(se.Message, "check that"):
		// A successful answer that did not parse: something else answers at this URL.
		return fmt.Sprintf("the URL answers, but not as the %s API: check that it is the store's base URL%s", api.name, orKind)
	}
	return ""
}
