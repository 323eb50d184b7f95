// Package settings parses a data source's jsonData and secureJsonData (mirroring
// src/shared/settings.ts) into validated settings with defaults applied.
//
// Guarantees to the next stage: every duration, limit and percentile is set and valid,
// percentiles sorted and each once; a store's connection settings can be sent (header
// names and values, tokens and the CA certificate are checked); secrets live only in
// Store fields that String/GoString/MarshalJSON never print.
package settings

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/http/httpguts"

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

// DefaultScrapeInterval is the metrics store's scrape interval when its settings give
// none: Prometheus' own default, as Grafana's Prometheus data source assumes.
const DefaultScrapeInterval = 15 * time.Second

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
	// TLSAuth sends a client certificate (mutual TLS): <store>TlsClientCert and
	// <store>TlsClientKey in secureJsonData, as Grafana's tlsAuth does.
	TLSAuth bool `json:"tlsAuth"`
	// Timeout is a Go duration ("30s") or, as Grafana reads jsonData.timeout and
	// provisioning files write it, a number of seconds (30 or "30").
	Timeout json.RawMessage `json:"timeout"`
	// ScrapeInterval (metrics store only) is how often the store scrapes its targets,
	// read like Timeout: rate windows span at least four of them.
	ScrapeInterval json.RawMessage `json:"scrapeInterval"`
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
	// ScrapeInterval is the metrics store's scrape interval (DefaultScrapeInterval unless
	// set); 0 for the other stores.
	ScrapeInterval time.Duration

	basicAuthPassword string
	bearerToken       string
	caCert            string
	clientCert        *tls.Certificate
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

// ClientCertificate returns the client certificate and key for mutual TLS, if any (for
// the HTTP client only).
func (s Store) ClientCertificate() *tls.Certificate { return s.clientCert }

// Headers returns the custom headers with their secret values (for the HTTP client only).
func (s Store) Headers() map[string]string { return s.headers }

// MinScrubLen is the shortest secret (in characters) that Secrets offers for scrubbing.
// A secret of one or two characters cannot be cut out of free text without destroying
// the text (every "a" or "42" would go), so it is not scrubbed from what a store says;
// it stays safe because the backend never formats a secret into its own messages
// (errors name settings and headers, never their values). Such a secret still travels
// inside longer forms (basic auth's user:password and its base64), and those are
// scrubbed.
const MinScrubLen = 3

// Secrets lists every form in which the store's secrets go on the wire or can come back
// in a store's error text, longest first, for scrubbing: each secret (password, bearer
// token, custom header value) as it is, percent-encoded (query and path), JSON- and
// HTML-escaped; and for basic auth, user:password and its base64 (standard and URL-safe
// alphabets, with and without padding, and percent-encoded), which is what an echoed
// Authorization header shows. A custom Authorization (or Proxy-Authorization) header adds
// its credentials without the scheme, and for Basic the decoded user:password and password.
// Secrets shorter than MinScrubLen are left out (see MinScrubLen).
func (s Store) Secrets() []string {
	seen := map[string]bool{}
	var out []string
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	addForms := func(plain string) {
		if utf8.RuneCountInString(plain) < MinScrubLen {
			return
		}
		add(plain)
		add(url.QueryEscape(plain))
		add(url.PathEscape(plain))
		add(html.EscapeString(plain))
		if b, err := json.Marshal(plain); err == nil {
			add(string(b[1 : len(b)-1]))
		}
	}
	if s.basicAuthPassword != "" {
		addForms(s.basicAuthPassword)
		pair := s.BasicAuthUser + ":" + s.basicAuthPassword
		if utf8.RuneCountInString(pair) >= MinScrubLen {
			addForms(pair)
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
				b64 := enc.EncodeToString([]byte(pair))
				add(b64)
				add(url.QueryEscape(b64)) // '+', '/' and '=' are escaped in a URL
				add(url.PathEscape(b64))
			}
		}
	}
	addForms(s.bearerToken)
	for k, v := range s.headers {
		addForms(v)
		if c := http.CanonicalHeaderKey(k); c == "Authorization" || c == "Proxy-Authorization" {
			for _, cred := range headerCredentials(v) {
				addForms(cred)
			}
		}
	}
	// Longest first, so a form that contains another is replaced whole.
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// headerCredentials are the parts of an Authorization header's value (`<scheme>
// <credentials>`) that a store can echo on their own: the credentials, and for Basic the
// decoded user:password and the password.
func headerCredentials(v string) []string {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
	cred = strings.TrimSpace(cred)
	if !ok || cred == "" {
		return nil
	}
	out := []string{cred}
	if strings.EqualFold(scheme, "Basic") {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(cred); err == nil && utf8.Valid(b) {
				pair := string(b)
				out = append(out, pair)
				if _, pw, ok := strings.Cut(pair, ":"); ok {
					out = append(out, pw)
				}
				break
			}
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
	return fmt.Sprintf("%s{url=%s auth=%s headers=%v tlsSkipVerify=%t caCert=%t clientCert=%t timeout=%s}",
		s.Name, s.URL, s.Auth, names, s.TLSSkipVerify, s.caCert != "", s.clientCert != nil, s.Timeout)
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

// Parse reads jsonData and the decrypted secureJsonData. It always returns settings
// (defaults where a value is missing or invalid); the error, when not nil, is a Problems
// listing every invalid setting with what it concerns, so that a bad setting of one store
// disables that store alone. Errors never contain secrets.
func Parse(raw []byte, secure map[string]string) (*Settings, error) {
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
	s.Metrics, _ = parseStore(StoreMetrics, nil, secure)
	s.Logs, _ = parseStore(StoreLogs, nil, secure)
	s.Traces, _ = parseStore(StoreTraces, nil, secure)

	var ps Problems
	// Each section is decoded on its own, so that a value of the wrong type in one
	// section is that section's problem only.
	var sections map[string]json.RawMessage
	if len(strings.TrimSpace(string(raw))) > 0 {
		if err := json.Unmarshal(raw, &sections); err != nil {
			ps = append(ps, jsonProblem("", "jsonData", err))
			return s, ps
		}
	}
	decode := func(section, store string, dst any) bool {
		b, ok := sections[section]
		if !ok {
			return false
		}
		if err := json.Unmarshal(b, dst); err != nil {
			ps = append(ps, jsonProblem(store, section, err))
			return false
		}
		return true
	}

	var metrics *storeJSON
	if decode(StoreMetrics, StoreMetrics, &metrics) && metrics != nil {
		s.Metrics = ps.store(StoreMetrics, metrics, secure)
	}

	var logs *struct {
		storeJSON
		TraceLogSelector string          `json:"traceLogSelector"`
		Extraction       *extractionJSON `json:"extraction"`
	}
	if decode(StoreLogs, StoreLogs, &logs) && logs != nil {
		s.Logs = ps.store(StoreLogs, &logs.storeJSON, secure)
		switch sel := strings.TrimSpace(logs.TraceLogSelector); {
		case sel == "":
		case !streamSelectorShape(sel):
			ps.add(StoreLogs, "logs.traceLogSelector", "logs.traceLogSelector is not a LogQL stream selector: write it in braces with at least one matcher, such as %s", DefaultTraceLogSelector)
		default:
			s.TraceLogSelector = sel
		}
		if logs.Extraction != nil {
			if e, p := parseExtraction(*logs.Extraction); p != nil {
				ps = append(ps, p)
			} else {
				s.Extraction = e
			}
		}
	}

	var traces *struct {
		storeJSON
		Kind string `json:"kind"`
	}
	if decode(StoreTraces, StoreTraces, &traces) && traces != nil {
		s.Traces = ps.store(StoreTraces, &traces.storeJSON, secure)
		switch traces.Kind {
		case "":
		case TraceKindTempo, TraceKindJaegerV1, TraceKindJaegerV3:
			s.TraceKind = traces.Kind
		default:
			ps.add(StoreTraces, "traces.kind", "traces.kind %q is not one of tempo, jaeger-v1, jaeger-v3", traces.Kind)
		}
	}

	var latency *latencyJSON
	if decode("latency", "", &latency) && latency != nil {
		ps.latency(s, latency)
	}

	// Each limit bounds what one store returns, so its problem is that store's.
	var limits map[string]json.RawMessage
	if _, ok := sections["limits"]; ok {
		if err := json.Unmarshal(sections["limits"], &limits); err != nil {
			for _, store := range []string{StoreTraces, StoreLogs} {
				ps = append(ps, jsonProblem(store, "limits", err))
			}
		}
	}
	for _, l := range []struct {
		key, store string
		dst        *int
	}{{"maxSpans", StoreTraces, &s.MaxSpans}, {"maxLogLines", StoreLogs, &s.MaxLogLines}} {
		b, ok := limits[l.key]
		if !ok {
			continue
		}
		var n *int
		switch err := json.Unmarshal(b, &n); {
		case err != nil:
			ps.add(l.store, "limits."+l.key, "limits.%s is not a whole number", l.key)
		case n != nil && *n < 0:
			ps.add(l.store, "limits."+l.key, "limits.%s %d must not be negative", l.key, *n)
		case n != nil && *n > 0:
			*l.dst = *n
		}
	}
	if b, ok := limits["logWindowPadding"]; ok {
		var v *string
		if err := json.Unmarshal(b, &v); err != nil {
			ps.add(StoreLogs, "limits.logWindowPadding", "limits.logWindowPadding is not a string")
		} else if v != nil && *v != "" {
			d, err := time.ParseDuration(*v)
			if err != nil || d < 0 {
				ps.add(StoreLogs, "limits.logWindowPadding", "limits.logWindowPadding %q is not a non-negative Go duration", *v)
			} else {
				s.LogWindowPadding = d
			}
		}
	}

	if len(ps) > 0 {
		return s, ps
	}
	return s, nil
}

type latencyJSON struct {
	Percentiles      []float64 `json:"percentiles"`
	HistogramMetrics []string  `json:"histogramMetrics"`
	ServiceLabel     string    `json:"serviceLabel"`
	OperationLabel   string    `json:"operationLabel"`
	ServiceRate      float64   `json:"serviceRate"`
	ErrorLabel       string    `json:"errorLabel"`
	ErrorValues      string    `json:"errorValues"`
}

// latency applies the latency section; an invalid value is reported and never stored.
func (ps *Problems) latency(s *Settings, l *latencyJSON) {
	if len(l.Percentiles) > 0 {
		ok := true
		for _, p := range l.Percentiles {
			if !(p > 0 && p < 1) {
				ps.add("", "latency.percentiles", "latency.percentiles: %v is not in (0,1)", p)
				ok = false
			}
		}
		if ok {
			// Sorted, each once: a percentile given twice would be two series of the same
			// name, which Grafana's alerting refuses as duplicate results.
			s.Percentiles = slices.Compact(slices.Sorted(slices.Values(l.Percentiles)))
		}
	}
	s.HistogramMetrics = l.HistogramMetrics
	for _, lb := range []struct {
		key, v string
		dst    *string
	}{{"serviceLabel", l.ServiceLabel, &s.ServiceLabel}, {"operationLabel", l.OperationLabel, &s.OperationLabel}} {
		switch {
		case lb.v == "":
		case !language.ValidLabelName(lb.v):
			ps.add("", "latency."+lb.key, "latency.%s %q is not a Prometheus label name", lb.key, lb.v)
		default:
			*lb.dst = lb.v
		}
	}
	if l.ServiceRate < 0 {
		ps.add("", "latency.serviceRate", "latency.serviceRate %v is negative", l.ServiceRate)
	} else {
		s.ServiceRate = l.ServiceRate
	}
	if l.ErrorLabel != "" {
		if !language.ValidLabelName(l.ErrorLabel) {
			ps.add("", "latency.errorLabel", "latency.errorLabel %q is not a Prometheus label name", l.ErrorLabel)
			return
		}
		values := DefaultErrorValues
		if l.ErrorValues != "" {
			_, err := regexp.Compile(l.ErrorValues)
			if err == nil {
				_, err = regexp.Compile("^(?:" + l.ErrorValues + ")$")
			}
			if err != nil {
				ps.addErr("", "latency.errorValues", fmt.Errorf("latency.errorValues: %w", err))
				return
			}
			values = l.ErrorValues
		}
		s.ErrorLabel, s.ErrorValues = l.ErrorLabel, values
	}
}

// store parses one store's section, recording its problem.
func (ps *Problems) store(name string, j *storeJSON, secure map[string]string) Store {
	st, p := parseStore(name, j, secure)
	if p != nil {
		*ps = append(*ps, p)
	}
	return st
}

// jsonProblem describes a section that does not decode, naming the setting and the
// types rather than quoting the value.
func jsonProblem(store, section string, err error) *Problem {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		at := section
		if f := strings.TrimPrefix(te.Field, "storeJSON."); f != "" {
			at += "." + f
		}
		return problem(store, at, "%s is not valid: got a JSON %s, want %s", at, te.Value, jsonKind(te.Type.Kind().String()))
	}
	return problem(store, section, "%s is not valid: %v", section, err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "a list"
	case "struct", "map", "ptr":
		return "an object"
	default:
		return "a number"
	}
}

func parseStore(name string, j *storeJSON, secure map[string]string) (Store, *Problem) {
	st := Store{Name: name, Auth: AuthNone, Timeout: DefaultTimeout}
	if name == StoreMetrics {
		st.ScrapeInterval = DefaultScrapeInterval
	}
	if j == nil {
		return st, nil
	}
	raw := strings.TrimRight(strings.TrimSpace(j.URL), "/")
	if raw != "" {
		// A rejected URL is not kept: it may carry a password (user:password@).
		if p := urlProblem(name, raw); p != nil {
			return st, p
		}
		st.URL = raw
	}
	switch j.Auth {
	case "", AuthNone:
	case AuthBasic:
		st.Auth = AuthBasic
		st.BasicAuthUser = j.BasicAuthUser
		st.basicAuthPassword = secret(secure, name+"BasicAuthPassword")
	case AuthBearer:
		st.Auth = AuthBearer
		st.bearerToken = secret(secure, name+"BearerToken")
		if st.bearerToken == "" {
			return st, problem(name, name+".auth", "%s.auth is bearer but %sBearerToken is not set", name, name)
		}
		if !httpguts.ValidHeaderFieldValue(st.bearerToken) {
			return st, problem(name, name+".auth", "%s.auth is bearer but %sBearerToken has a control character (a line break inside it?), which HTTP cannot send", name, name)
		}
	default:
		return st, problem(name, name+".auth", "%s.auth %q is not one of none, basic, bearer", name, j.Auth)
	}
	if len(j.HeaderNames) > 0 {
		st.headers = make(map[string]string, len(j.HeaderNames))
		given := map[string]string{} // canonical name → the name as given
		for i, h := range j.HeaderNames {
			h = strings.TrimSpace(h)
			if h == "" {
				continue
			}
			v := secret(secure, name+"HeaderValue"+strconv.Itoa(i))
			if p := headerProblem(name, h, v); p != nil {
				return st, p
			}
			if p := ownHeaderProblem(name, h, st.Auth); p != nil {
				return st, p
			}
			// HTTP header names are case-insensitive: two of the same name would each
			// replace the other, and which one is sent could change from call to call.
			c := http.CanonicalHeaderKey(h)
			if first, ok := given[c]; ok {
				return st, problem(name, name+".headerNames", "%s.headerNames: %s is given twice (%q and %q); keep one", name, first, first, h)
			}
			given[c] = h
			st.headers[h] = v
		}
	}
	st.TLSSkipVerify = j.TLSSkipVerify
	if j.TLSWithCACert {
		st.caCert = secure[name+"TlsCACert"]
		if st.caCert == "" {
			return st, problem(name, name+".tlsWithCACert", "%s.tlsWithCACert is set but %sTlsCACert is empty", name, name)
		}
		if !x509.NewCertPool().AppendCertsFromPEM([]byte(st.caCert)) {
			return st, problem(name, name+".tlsWithCACert", "%s.tlsWithCACert is set but %sTlsCACert holds no PEM certificate", name, name)
		}
	}
	if j.TLSAuth {
		certKey, keyKey := name+"TlsClientCert", name+"TlsClientKey"
		cert, key := secure[certKey], secure[keyKey]
		for _, k := range []struct{ key, v string }{{certKey, cert}, {keyKey, key}} {
			if strings.TrimSpace(k.v) == "" {
				return st, problem(name, name+".tlsAuth", "%s.tlsAuth is set but %s is empty", name, k.key)
			}
		}
		pair, err := tls.X509KeyPair([]byte(cert), []byte(key))
		if err != nil {
			// The error names what is wrong (no PEM, a key of another certificate), never the PEM.
			return st, problem(name, name+".tlsAuth", "%s.tlsAuth is set but %s and %s are not a PEM certificate and its private key (%v)", name, certKey, keyKey, err)
		}
		st.clientCert = &pair
	}
	d, p := parseDuration(name, name+".timeout", j.Timeout)
	if p != nil {
		return st, p
	}
	if d > 0 {
		st.Timeout = d
	}
	if name == StoreMetrics {
		d, p := parseDuration(name, name+".scrapeInterval", j.ScrapeInterval)
		if p != nil {
			return st, p
		}
		if d > 0 {
			st.ScrapeInterval = d
		}
	}
	return st, nil
}

// maxTimeout bounds a timeout given in seconds so that it fits a time.Duration.
const maxTimeout = 24 * time.Hour

// parseDuration reads a store's timeout or scrape interval (setting names it): a Go
// duration ("30s", "1m30s") or a number of seconds, as a JSON number or a string of
// digits (Grafana's own jsonData.timeout is seconds). Left out, null or blank gives 0
// (the default applies).
func parseDuration(store, setting string, raw json.RawMessage) (time.Duration, *Problem) {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil || v == nil {
		return 0, nil
	}
	notPositive := func(shown string) *Problem {
		return problem(store, setting, "%s %s is not a positive duration (such as 30s, 1m, or a number of seconds)", setting, shown)
	}
	seconds := func(f float64, shown string) (time.Duration, *Problem) {
		if f > maxTimeout.Seconds() {
			return 0, problem(store, setting, "%s %s seconds is longer than %s", setting, shown, maxTimeout)
		}
		d := time.Duration(f * float64(time.Second))
		if d <= 0 {
			return 0, notPositive(shown)
		}
		return d, nil
	}
	switch v := v.(type) {
	case float64:
		return seconds(v, string(raw))
	case string:
		text := strings.TrimSpace(v)
		if text == "" {
			return 0, nil
		}
		if f, err := strconv.ParseFloat(text, 64); err == nil && !strings.ContainsAny(text, "eEnNxXpP") {
			return seconds(f, strconv.Quote(v))
		}
		d, err := time.ParseDuration(text)
		if err != nil || d <= 0 {
			return 0, notPositive(strconv.Quote(v))
		}
		return d, nil
	default:
		return 0, problem(store, setting, "%s is not a duration such as 30s or a number of seconds", setting)
	}
}

// urlProblem checks a store's URL: http(s), with a host name and without credentials.
// The problem says which of them is wrong and never quotes the URL (it may carry a
// password). A browser reads `http:/prom:9090`, `http:prom:9090` or a backslash for a
// slash as http://prom:9090 (WHATWG URL parsing), so such a URL looks right in the
// config editor: the problem says it has no host.
func urlProblem(name, raw string) *Problem {
	const form = "write it as http://host:port or https://host:port, followed by the path the store is served under, if any"
	u, err := url.Parse(raw)
	switch {
	case err != nil && !strings.HasPrefix(strings.ToLower(raw), "http://") && !strings.HasPrefix(strings.ToLower(raw), "https://"):
		return problem(name, name+".url", "%s.url must be an http(s) URL", name)
	case err != nil:
		// The parse error quotes the URL: not repeated.
		return problem(name, name+".url", "%s.url is not a URL: %s", name, form)
	case u.Scheme != "http" && u.Scheme != "https":
		return problem(name, name+".url", "%s.url must be an http(s) URL", name)
	case u.User != nil:
		return problem(name, name+".url", "%s.url must not carry credentials; use basic auth", name)
	case u.Hostname() == "":
		return problem(name, name+".url", "%s.url has no host: %s", name, form)
	}
	return nil
}

// secret is a secureJsonData value without the line break a paste into the secret's
// input field often brings along (a token copied from a terminal or a file).
func secret(secure map[string]string, key string) string {
	return strings.TrimRight(secure[key], "\r\n")
}

// headerProblem checks a custom header: its name must be an HTTP field name (RFC 9110
// token) and its value one HTTP can carry (no control characters but tab), or net/http
// refuses every request; a Host header's value must be a host[:port]. The problem names
// the header, never its value.
func headerProblem(store, name, value string) *Problem {
	setting := store + ".headerNames"
	switch {
	case !httpguts.ValidHeaderFieldName(name):
		return problem(store, setting, "%s: %q is not an HTTP header name", setting, name)
	case !httpguts.ValidHeaderFieldValue(value):
		return problem(store, setting, "%s: the value of %s has a control character (a line break inside it?), which HTTP cannot send", setting, name)
	case http.CanonicalHeaderKey(name) == "Host" && !httpguts.ValidHostHeader(value):
		return problem(store, setting, "%s: the value of Host is not a host name with an optional port", setting)
	}
	return nil
}

// LokiEncodingFlagsHeader is the header with which the logs store's client asks Loki 3 to
// keep structured metadata and parsed labels apart (pkg/stores/loki sends it).
const LokiEncodingFlagsHeader = "X-Loki-Response-Encoding-Flags"

// ownHeaders are the headers the backend sets on its calls itself, by canonical name, with
// why a custom value cannot take their place. settings.ts ownHeaderError keeps the same list.
var ownHeaders = map[string]string{
	// net/http asks for gzip and decompresses the answer only when the request has no
	// Accept-Encoding of its own: with one, the store's gzip body reaches the parsers.
	"Accept-Encoding": "it asks for gzip and decompresses the answer, which it cannot read once the header is set by hand",
	// Tempo and Loki answer protobuf when asked for it; the parsers read JSON.
	"Accept": "it asks each store for the JSON it reads",
	// The only bodies sent are Prometheus queries too long for a URL, as a plain form.
	"Content-Type":     "it names the type of the bodies it sends (Prometheus queries too long for a URL go as a form)",
	"Content-Encoding": "it sends its bodies (Prometheus queries too long for a URL) uncompressed",
}

// framingHeaders are HTTP's own framing: net/http writes them from the request itself and
// drops a custom value without a word (net/http Request.Write).
var framingHeaders = map[string]bool{"Content-Length": true, "Transfer-Encoding": true, "Trailer": true}

// ownHeaderProblem refuses a custom header the backend sets on the store's calls itself:
// sent instead of the backend's own value, it would leave the answers unreadable or the
// bodies mislabelled, or it would replace the store's authentication (auth); the problem
// names the header as given. Grafana's own data sources let such a header override theirs,
// with the same breakage, so it is refused here rather than half applied.
func ownHeaderProblem(store, name, auth string) *Problem {
	setting := store + ".headerNames"
	c := http.CanonicalHeaderKey(name)
	switch {
	case ownHeaders[c] != "":
		return problem(store, setting, "%s: %s is set by the backend itself: %s; remove the header", setting, name, ownHeaders[c])
	case framingHeaders[c]:
		return problem(store, setting, "%s: %s is HTTP's own framing, which the backend's HTTP client writes itself and never takes from a custom header; remove the header", setting, name)
	case store == StoreLogs && c == LokiEncodingFlagsHeader:
		return problem(store, setting, "%s: %s is set by the backend itself: it asks Loki for categorize-labels, to read structured metadata apart from the stream labels; remove the header", setting, name)
	case c == "Authorization" && (auth == AuthBasic || auth == AuthBearer):
		return problem(store, setting, "%s: %s is also set by %s.auth (%s): keep one, the authentication or the header (with auth none)", setting, name, store, auth)
	}
	return nil
}

func parseExtraction(j extractionJSON) (Extraction, *Problem) {
	e := Extraction{Mode: j.Mode}
	switch j.Mode {
	case ExtractLabel, ExtractStructuredMetadata, ExtractLogfmt:
		e.TraceIDKey, e.SpanIDKey = j.TraceIDKey, j.SpanIDKey
		if e.TraceIDKey == "" {
			return e, problem(StoreLogs, "logs.extraction.traceIdKey", "logs.extraction (%s) needs traceIdKey", j.Mode)
		}
		// A logfmt key is a run of characters other than white space, `=` and `"`
		// (pkg/stores/loki LogfmtValue): a key with one of them is never found.
		if j.Mode == ExtractLogfmt {
			for _, k := range []struct{ setting, v string }{{"traceIdKey", e.TraceIDKey}, {"spanIdKey", e.SpanIDKey}} {
				if strings.ContainsAny(k.v, asciiSpace+`="`) {
					return e, problem(StoreLogs, "logs.extraction."+k.setting, "logs.extraction.%s %q cannot be a logfmt key: a key has no white space, = or \"", k.setting, k.v)
				}
			}
		}
		// Label and structured-metadata keys are written unquoted into LogQL filters.
		if j.Mode != ExtractLogfmt {
			for _, k := range []string{e.TraceIDKey, e.SpanIDKey} {
				if k != "" && !language.ValidLabelName(k) {
					return e, problem(StoreLogs, "logs.extraction", "logs.extraction key %q is not a Loki label name", k)
				}
			}
		}
	case ExtractJSON:
		e.TraceIDKey, e.SpanIDKey = j.TraceIDPath, j.SpanIDPath
		if e.TraceIDKey == "" {
			return e, problem(StoreLogs, "logs.extraction.traceIdPath", "logs.extraction (json) needs traceIdPath")
		}
		if p := jsonPathProblem("traceIdPath", e.TraceIDKey); p != nil {
			return e, p
		}
		if strings.Trim(e.SpanIDKey, asciiSpace) == "" {
			e.SpanIDKey = "" // blank: no span ID
		} else if p := jsonPathProblem("spanIdPath", e.SpanIDKey); p != nil {
			return e, p
		}
	case ExtractRegex:
		var err error
		if j.TraceIDRegex == "" {
			return e, problem(StoreLogs, "logs.extraction.traceIdRegex", "logs.extraction (regex) needs traceIdRegex")
		}
		if e.TraceIDRegex, err = regexp.Compile(j.TraceIDRegex); err != nil {
			return e, &Problem{Store: StoreLogs, Setting: "logs.extraction.traceIdRegex", err: fmt.Errorf("logs.extraction.traceIdRegex: %w", err)}
		}
		if p := emptyMatchProblem("traceIdRegex", e.TraceIDRegex); p != nil {
			return e, p
		}
		if j.SpanIDRegex != "" {
			if e.SpanIDRegex, err = regexp.Compile(j.SpanIDRegex); err != nil {
				return e, &Problem{Store: StoreLogs, Setting: "logs.extraction.spanIdRegex", err: fmt.Errorf("logs.extraction.spanIdRegex: %w", err)}
			}
			if p := emptyMatchProblem("spanIdRegex", e.SpanIDRegex); p != nil {
				return e, p
			}
		}
	default:
		return e, problem(StoreLogs, "logs.extraction.mode", "logs.extraction.mode %q is not one of label, structuredMetadata, json, logfmt, regex", j.Mode)
	}
	return e, nil
}

// emptyMatchProblem refuses an extraction regex that matches the empty string: the
// leftmost match wins, so on a line where an empty match comes first (at its start, for
// `[0-9a-f]*` before any word that is not hex) the ID read is empty, and the line has none.
func emptyMatchProblem(setting string, re *regexp.Regexp) *Problem {
	if !re.MatchString("") {
		return nil
	}
	return problem(StoreLogs, "logs.extraction."+setting, "logs.extraction.%s matches the empty string, so it reads an empty ID from most lines; require at least one character (+ rather than *, no optional group around the ID)", setting)
}

// streamSelectorShape tells whether sel starts as a LogQL log query must: a stream
// selector in braces with something inside (Loki refuses `{}`), optionally followed by
// a pipeline. The matchers themselves are left to Loki.
func streamSelectorShape(sel string) bool {
	if !strings.HasPrefix(sel, "{") {
		return false
	}
	end := strings.IndexByte(sel, '}')
	return end > 0 && strings.TrimSpace(sel[1:end]) != ""
}

// asciiSpace is the whitespace around a JSON path that extraction ignores.
const asciiSpace = " \t\n\v\f\r"

// jsonPathProblem is what is wrong with a JSON extraction path (ParseJSONPath reads it),
// or nil: a quoted key in brackets that does not parse, or a path that names nothing
// (only `.`, `[` and `]` are left once the whitespace around it and a leading `$` are
// dropped).
func jsonPathProblem(setting, path string) *Problem {
	rest, _, err := ParseJSONPath(path)
	if err != nil {
		return problem(StoreLogs, "logs.extraction."+setting, "logs.extraction.%s %q: %v", setting, path, err)
	}
	if strings.Trim(rest, ".[]") == "" {
		return problem(StoreLogs, "logs.extraction."+setting, "logs.extraction.%s %q names no field (write it as a.b[0].c, optionally after $., and a key with dots as a[\"b.c\"])", setting, path)
	}
	return nil
}
