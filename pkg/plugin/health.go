package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/latencylens/lens/pkg/parallel"
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
// that is not an object) replaces the report.
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
		run            func() error
	}{
		{"metrics (prometheus)", st.Metrics.Configured(), env.Metrics != nil, env.MetricsErr, func() error {
			_, err := env.Metrics.Query(ctx, "1", time.Time{})
			return err
		}},
		{"logs (loki)", st.Logs.Configured(), env.Logs != nil, env.LogsErr, func() error {
			_, err := env.Logs.Labels(ctx, start, end)
			return err
		}},
		{"traces (" + st.TraceKind + ")", st.Traces.Configured(), env.Traces != nil, env.TracesErr, func() error {
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
					results[i] = storeHealth{c.name, "error", err.Error()}
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
