// Package settings parses a data source's jsonData and secureJsonData (mirroring
// src/shared/settings.ts) into validated settings with defaults applied.
//
// Guarantees to the next stage: every duration, limit and percentile is set and valid;
// secrets live only in Store fields that String/GoString/MarshalJSON never print.
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/latencylens/lens/pkg/language"
)

// Auth methods, as in settings.ts AuthMethod.
const (
	AuthNone   = "none"
	AuthBasic  = "basic"
	AuthBearer = "bearer"
)

// Trace store kinds, as in settings.ts TraceStoreKind.
const (
	TraceKindTempo    = "tempo"
	TraceKindJaegerV1 = "jaeger-v1"
	TraceKindJaegerV3 = "jaeger-v3"
)

// Extraction modes, as in settings.ts TraceIdExtraction.
const (
	ExtractLabel              = "label"
	ExtractStructuredMetadata = "structuredMetadata"
	ExtractJSON               = "json"
	ExtractLogfmt             = "logfmt"
	ExtractRegex              = "regex"
)

// Store names used in secure keys, errors and health reports.
const (
	StoreMetrics = "metrics"
	StoreLogs    = "logs"
	StoreTraces  = "traces"
)

// Defaults applied when jsonData leaves a value out.
var (
	DefaultPercentiles      = []float64{0.5, 0.9, 0.95, 0.99}
	DefaultTimeout          = 30 * time.Second
	DefaultMaxSpans         = 50_000
	DefaultMaxLogLines      = 5_000
	DefaultLogWindowPadding = time.Minute
	DefaultServiceLabel     = "service"
	DefaultOperationLabel   = "operation"
	DefaultTraceLogSelector = `{service_name=~".+"}`
	DefaultErrorValues      = `5..|error|ERROR|STATUS_CODE_ERROR`
)

// storeJSON is settings.ts StoreConfig.
type storeJSON struct {
	URL           string   `json:"url"`
	Auth          string   `json:"auth"`
	BasicAuthUser string   `json:"basicAuthUser"`
	HeaderNames   []string `json:"headerNames"`
	TLSSkipVerify bool     `json:"tlsSkipVerify"`
	TLSWithCACert bool     `json:"tlsWithCACert"`
	Timeout       string   `json:"timeout"`
}

type extractionJSON struct {
	Mode         string `json:"mode"`
	TraceIDKey   string `json:"traceIdKey"`
	SpanIDKey    string `json:"spanIdKey"`
	TraceIDPath  string `json:"traceIdPath"`
	SpanIDPath   string `json:"spanIdPath"`
	TraceIDRegex string `json:"traceIdRegex"`
	SpanIDRegex  string `json:"spanIdRegex"`
}

type jsonData struct {
	Metrics *storeJSON `json:"metrics"`
	Logs    *struct {
		storeJSON
		TraceLogSelector string          `json:"traceLogSelector"`
		Extraction       *extractionJSON `json:"extraction"`
	} `json:"logs"`
	Traces *struct {
		storeJSON
		Kind string `json:"kind"`
	} `json:"traces"`
	Latency *struct {
		Percentiles      []float64 `json:"percentiles"`
		HistogramMetrics []string  `json:"histogramMetrics"`
		ServiceLabel     string    `json:"serviceLabel"`
		OperationLabel   string    `json:"operationLabel"`
		ServiceRate      float64   `json:"serviceRate"`
		ErrorLabel       string    `json:"errorLabel"`
		ErrorValues      string    `json:"errorValues"`
	} `json:"latency"`
	Limits *struct {
		MaxSpans         int    `json:"maxSpans"`
		MaxLogLines      int    `json:"maxLogLines"`
		LogWindowPadding string `json:"logWindowPadding"`
	} `json:"limits"`
}

// Store is one configured store. The secret fields are unexported-by-convention: they
// are read by the HTTP client only and never printed.
type Store struct {
	// Name is metrics, logs or traces.
	Name          string
	URL           string
	Auth          string
	BasicAuthUser string
	TLSSkipVerify bool
	Timeout       time.Duration

	basicAuthPassword string
	bearerToken       string
	caCert            string
	headers           map[string]string
}

// Configured reports whether the store has a URL.
func (s Store) Configured() bool { return s.URL != "" }

// BasicAuthPassword returns the secret password (for the HTTP client only).
func (s Store) BasicAuthPassword() string { return s.basicAuthPassword }

// BearerToken returns the secret token (for the HTTP client only).
func (s Store) BearerToken() string { return s.bearerToken }

// CACert returns the PEM CA certificate, if any.
func (s Store) CACert() string { return s.caCert }

// Headers returns the custom headers with their secret values (for the HTTP client only).
func (s Store) Headers() map[string]string { return s.headers }

// Secrets lists every secret value of the store, so callers can scrub them from text.
func (s Store) Secrets() []string {
	var out []string
	for _, v := range []string{s.basicAuthPassword, s.bearerToken} {
		if v != "" {
			out = append(out, v)
		}
	}
	for _, v := range s.headers {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// String describes the store without its secrets.
func (s Store) String() string {
	names := make([]string, 0, len(s.headers))
	for k := range s.headers {
		names = append(names, k)
	}
	sort.Strings(names)
	return fmt.Sprintf("%s{url=%s auth=%s headers=%v tlsSkipVerify=%t caCert=%t timeout=%s}",
		s.Name, s.URL, s.Auth, names, s.TLSSkipVerify, s.caCert != "", s.Timeout)
}

// GoString keeps %#v from printing secrets.
func (s Store) GoString() string { return s.String() }

// MarshalJSON keeps secrets out of any JSON the store ends up in.
func (s Store) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// Extraction says how a Loki line carries its trace and span IDs.
type Extraction struct {
	Mode string
	// Key or JSON path for the trace ID / span ID (label, structuredMetadata, json, logfmt).
	TraceIDKey, SpanIDKey string
	// Compiled regexes (regex mode): the first capture group, or the whole match.
	TraceIDRegex, SpanIDRegex *regexp.Regexp
}

// Settings is a parsed, validated data source configuration.
type Settings struct {
	Metrics, Logs, Traces Store
	TraceKind             string
	TraceLogSelector      string
	Extraction            Extraction

	Percentiles      []float64
	HistogramMetrics []string
	ServiceLabel     string
	OperationLabel   string
	// ServiceRate is mu in requests per second; 0 means not configured.
	ServiceRate float64
	// ErrorLabel is the histogram label that carries a request's status (e.g. `status`,
	// `code`); "" means histograms carry none and their error rate is unknown.
	ErrorLabel string
	// ErrorValues is the RE2 regex (fully anchored, as PromQL's =~) of ErrorLabel's
	// values that count as errors; DefaultErrorValues when not set.
	ErrorValues string

	MaxSpans         int
	MaxLogLines      int
	LogWindowPadding time.Duration
}

// Parse reads jsonData and the decrypted secureJsonData. Errors never contain secrets.
func Parse(raw []byte, secure map[string]string) (*Settings, error) {
	var jd jsonData
	if len(strings.TrimSpace(string(raw))) > 0 {
		if err := json.Unmarshal(raw, &jd); err != nil {
			return nil, fmt.Errorf("settings: jsonData is not valid: %w", err)
		}
	}
	s := &Settings{
		TraceKind:        TraceKindTempo,
		TraceLogSelector: DefaultTraceLogSelector,
		Extraction:       Extraction{Mode: ExtractStructuredMetadata, TraceIDKey: "trace_id", SpanIDKey: "span_id"},
		Percentiles:      append([]float64(nil), DefaultPercentiles...),
		ServiceLabel:     DefaultServiceLabel,
		OperationLabel:   DefaultOperationLabel,
		MaxSpans:         DefaultMaxSpans,
		MaxLogLines:      DefaultMaxLogLines,
		LogWindowPadding: DefaultLogWindowPadding,
	}
	var errs []error
	var err error
	if s.Metrics, err = parseStore(StoreMetrics, jd.Metrics, secure); err != nil {
		errs = append(errs, err)
	}
	if jd.Logs != nil {
		if s.Logs, err = parseStore(StoreLogs, &jd.Logs.storeJSON, secure); err != nil {
			errs = append(errs, err)
		}
		if jd.Logs.TraceLogSelector != "" {
			s.TraceLogSelector = jd.Logs.TraceLogSelector
		}
		if jd.Logs.Extraction != nil {
			if s.Extraction, err = parseExtraction(*jd.Logs.Extraction); err != nil {
				errs = append(errs, err)
			}
		}
	} else {
		s.Logs, _ = parseStore(StoreLogs, nil, secure)
	}
	if jd.Traces != nil {
		if s.Traces, err = parseStore(StoreTraces, &jd.Traces.storeJSON, secure); err != nil {
			errs = append(errs, err)
		}
		switch jd.Traces.Kind {
		case "":
		case TraceKindTempo, TraceKindJaegerV1, TraceKindJaegerV3:
			s.TraceKind = jd.Traces.Kind
		default:
			errs = append(errs, fmt.Errorf("settings: traces.kind %q is not one of tempo, jaeger-v1, jaeger-v3", jd.Traces.Kind))
		}
	} else {
		s.Traces, _ = parseStore(StoreTraces, nil, secure)
	}
	if l := jd.Latency; l != nil {
		if len(l.Percentiles) > 0 {
			for _, p := range l.Percentiles {
				if !(p > 0 && p < 1) {
					errs = append(errs, fmt.Errorf("settings: latency.percentiles: %v is not in (0,1)", p))
				}
			}
			s.Percentiles = append([]float64(nil), l.Percentiles...)
		}
		s.HistogramMetrics = l.HistogramMetrics
		if l.ServiceLabel != "" {
			s.ServiceLabel = l.ServiceLabel
		}
		if l.OperationLabel != "" {
			s.OperationLabel = l.OperationLabel
		}
		for _, n := range []string{s.ServiceLabel, s.OperationLabel} {
			if !language.ValidLabelName(n) {
				errs = append(errs, fmt.Errorf("settings: latency label %q is not a Prometheus label name", n))
			}
		}
		if l.ServiceRate < 0 {
			errs = append(errs, fmt.Errorf("settings: latency.serviceRate %v is negative", l.ServiceRate))
		}
		s.ServiceRate = l.ServiceRate
		if l.ErrorLabel != "" {
			if !language.ValidLabelName(l.ErrorLabel) {
				errs = append(errs, fmt.Errorf("settings: latency.errorLabel %q is not a Prometheus label name", l.ErrorLabel))
			}
			s.ErrorLabel = l.ErrorLabel
			s.ErrorValues = DefaultErrorValues
			if l.ErrorValues != "" {
				if _, err := regexp.Compile("^(?:" + l.ErrorValues + ")$"); err != nil {
					errs = append(errs, fmt.Errorf("settings: latency.errorValues: %w", err))
				}
				s.ErrorValues = l.ErrorValues
			}
		}
	}
	if l := jd.Limits; l != nil {
		if l.MaxSpans < 0 || l.MaxLogLines < 0 {
			errs = append(errs, errors.New("settings: limits must not be negative"))
		}
		if l.MaxSpans > 0 {
			s.MaxSpans = l.MaxSpans
		}
		if l.MaxLogLines > 0 {
			s.MaxLogLines = l.MaxLogLines
		}
		if l.LogWindowPadding != "" {
			d, err := time.ParseDuration(l.LogWindowPadding)
			if err != nil || d < 0 {
				errs = append(errs, fmt.Errorf("settings: limits.logWindowPadding %q is not a non-negative Go duration", l.LogWindowPadding))
			} else {
				s.LogWindowPadding = d
			}
		}
	}
	if len(errs) > 0 {
		return s, errors.Join(errs...)
	}
	return s, nil
}

func parseStore(name string, j *storeJSON, secure map[string]string) (Store, error) {
	st := Store{Name: name, Auth: AuthNone, Timeout: DefaultTimeout}
	if j == nil {
		return st, nil
	}
	st.URL = strings.TrimRight(strings.TrimSpace(j.URL), "/")
	if st.URL != "" {
		u, err := url.Parse(st.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return st, fmt.Errorf("settings: %s.url must be an http(s) URL", name)
		}
		if u.User != nil {
			return st, fmt.Errorf("settings: %s.url must not carry credentials; use basic auth", name)
		}
	}
	switch j.Auth {
	case "", AuthNone:
	case AuthBasic:
		st.Auth = AuthBasic
		st.BasicAuthUser = j.BasicAuthUser
		st.basicAuthPassword = secure[name+"BasicAuthPassword"]
	case AuthBearer:
		st.Auth = AuthBearer
		st.bearerToken = secure[name+"BearerToken"]
		if st.bearerToken == "" {
			return st, fmt.Errorf("settings: %s.auth is bearer but %sBearerToken is not set", name, name)
		}
	default:
		return st, fmt.Errorf("settings: %s.auth %q is not one of none, basic, bearer", name, j.Auth)
	}
	if len(j.HeaderNames) > 0 {
		st.headers = make(map[string]string, len(j.HeaderNames))
		for i, h := range j.HeaderNames {
			h = strings.TrimSpace(h)
			if h == "" {
				continue
			}
			st.headers[h] = secure[name+"HeaderValue"+strconv.Itoa(i)]
		}
	}
	st.TLSSkipVerify = j.TLSSkipVerify
	if j.TLSWithCACert {
		st.caCert = secure[name+"TlsCACert"]
		if st.caCert == "" {
			return st, fmt.Errorf("settings: %s.tlsWithCACert is set but %sTlsCACert is empty", name, name)
		}
	}
	if j.Timeout != "" {
		d, err := time.ParseDuration(j.Timeout)
		if err != nil || d <= 0 {
			return st, fmt.Errorf("settings: %s.timeout %q is not a positive Go duration", name, j.Timeout)
		}
		st.Timeout = d
	}
	return st, nil
}

func parseExtraction(j extractionJSON) (Extraction, error) {
	e := Extraction{Mode: j.Mode}
	switch j.Mode {
	case ExtractLabel, ExtractStructuredMetadata, ExtractLogfmt:
		e.TraceIDKey, e.SpanIDKey = j.TraceIDKey, j.SpanIDKey
		if e.TraceIDKey == "" {
			return e, fmt.Errorf("settings: logs.extraction (%s) needs traceIdKey", j.Mode)
		}
		// Label and structured-metadata keys are written unquoted into LogQL filters.
		if j.Mode != ExtractLogfmt {
			for _, k := range []string{e.TraceIDKey, e.SpanIDKey} {
				if k != "" && !language.ValidLabelName(k) {
					return e, fmt.Errorf("settings: logs.extraction key %q is not a Loki label name", k)
				}
			}
		}
	case ExtractJSON:
		e.TraceIDKey, e.SpanIDKey = j.TraceIDPath, j.SpanIDPath
		if e.TraceIDKey == "" {
			return e, errors.New("settings: logs.extraction (json) needs traceIdPath")
		}
	case ExtractRegex:
		var err error
		if j.TraceIDRegex == "" {
			return e, errors.New("settings: logs.extraction (regex) needs traceIdRegex")
		}
		if e.TraceIDRegex, err = regexp.Compile(j.TraceIDRegex); err != nil {
			return e, fmt.Errorf("settings: logs.extraction.traceIdRegex: %w", err)
		}
		if j.SpanIDRegex != "" {
			if e.SpanIDRegex, err = regexp.Compile(j.SpanIDRegex); err != nil {
				return e, fmt.Errorf("settings: logs.extraction.spanIdRegex: %w", err)
			}
		}
	default:
		return e, fmt.Errorf("settings: logs.extraction.mode %q is not one of label, structuredMetadata, json, logfmt, regex", j.Mode)
	}
	return e, nil
}
