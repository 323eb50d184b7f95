// Package httpx is the HTTP client every store client shares: authentication, TLS,
// a per-call deadline, a response size limit and StoreError.
//
// Guarantees to the next stage: a nil error means a 2xx answer whose body is complete
// and within the limit; any other outcome is a *StoreError naming the store, the HTTP
// status (0 when there was no answer) and the store's own message, with every secret
// of the store scrubbed out. A request a client refuses before calling its store (invalid,
// or beyond what the store can do) is a *RequestError instead, never a StoreError.
package httpx

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/latencylens/lens/pkg/settings"
)

// DefaultMaxBody is the largest response body read (64 MiB).
const DefaultMaxBody int64 = 64 << 20

// StoreError is a failed store call.
type StoreError struct {
	// Store names the store, e.g. "loki".
	Store string
	// Status is the HTTP status, 0 when the store did not answer.
	Status int
	// Message is the store's own message (or the transport's).
	Message string
	// Timeout is set when the call hit its deadline.
	Timeout bool
	// Fault says why the store did not answer, when that is known (FaultNone otherwise).
	Fault Fault
	// TooLarge is set when the answer was larger than the client's limit on one answer
	// (DefaultMaxBody unless set), so that it was not read: the same call asking for
	// fewer records may fit.
	TooLarge bool
}

// IsTooLarge reports whether err is a store's answer larger than the client's limit on
// one answer.
func IsTooLarge(err error) bool {
	var se *StoreError
	return errors.As(err, &se) && se.TooLarge
}

// Size is a byte count as the limit on one answer is named to users: in MiB or KiB when
// it is a whole number of them.
func Size(n int64) string {
	switch {
	case n > 0 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n > 0 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Fault is why a store call got no answer, so that a health check can say what to fix.
type Fault int

const (
	// FaultNone: the store answered, or the reason is none of the others.
	FaultNone Fault = iota
	// FaultUnreachable: no connection (nothing listens, the host does not resolve, no route).
	FaultUnreachable
	// FaultTLS: the TLS handshake failed for a reason none of the FaultTLS… below names.
	FaultTLS
	// FaultTLSUntrusted: the store's certificate is signed by a CA the client does not trust.
	FaultTLSUntrusted
	// FaultTLSWrongHost: the store's certificate is not for the URL's host.
	FaultTLSWrongHost
	// FaultTLSExpired: the store's certificate has expired or is not valid yet.
	FaultTLSExpired
	// FaultNotTLS: the URL is https but the store answered in plain HTTP.
	FaultNotTLS
	// FaultTLSClientCert: the store asked for a client certificate and refused the call.
	FaultTLSClientCert
)

// TLS reports whether the fault is a TLS one.
func (f Fault) TLS() bool { return f >= FaultTLS && f <= FaultTLSClientCert }

func (f Fault) String() string {
	switch f {
	case FaultUnreachable:
		return "unreachable"
	case FaultTLS:
		return "tls"
	case FaultTLSUntrusted:
		return "tls: untrusted certificate"
	case FaultTLSWrongHost:
		return "tls: certificate for another host"
	case FaultTLSExpired:
		return "tls: certificate expired or not yet valid"
	case FaultNotTLS:
		return "tls: store does not speak TLS"
	case FaultTLSClientCert:
		return "tls: client certificate required"
	default:
		return "none"
	}
}

func (e *StoreError) Error() string {
	if e.Status == 0 || e.TooLarge {
		// An answer too large to read is no failure of the store: its status (200) would
		// read as if it were.
		return fmt.Sprintf("%s: %s", e.Store, e.Message)
	}
	return fmt.Sprintf("%s: HTTP %d: %s", e.Store, e.Status, e.Message)
}

// RequestError is a request refused before any store is called: it is invalid (a search
// without the service the store needs, a tag name TraceQL cannot carry) or asks the store
// for what it cannot do (TraceQL sent to Jaeger). It names the store, as StoreError does,
// but it is the user's to fix, not a store failure: handlers answer it as a bad request.
type RequestError struct {
	// Store names the store that cannot answer the request, e.g. "jaeger".
	Store string
	// Message says what is wrong with the request.
	Message string
}

func (e *RequestError) Error() string { return fmt.Sprintf("%s: %s", e.Store, e.Message) }

// NotConfigured is the error for a request to a store the data source's settings do not
// name: the request cannot be served as set up, which is not the store's failure.
func NotConfigured(store string) *RequestError {
	return &RequestError{Store: store, Message: "not configured (no URL in the data source settings)"}
}

// MessageFunc extracts the store's own message from an error body.
type MessageFunc func(status int, contentType string, body []byte) string

// Client calls one store.
type Client struct {
	store   string
	base    *url.URL
	http    *http.Client
	cfg     settings.Store
	timeout time.Duration
	maxBody int64
	message MessageFunc
	secrets []string
}

// Options tune a Client.
type Options struct {
	// MaxBody overrides DefaultMaxBody.
	MaxBody int64
	// Message extracts the store's message from error bodies; default: the trimmed body.
	Message MessageFunc
	// Transport overrides the round tripper (tests).
	Transport http.RoundTripper
}

// New builds a client for the store named store (e.g. "prometheus") configured by cfg.
func New(store string, cfg settings.Store, opts Options) (*Client, error) {
	if !cfg.Configured() {
		return nil, NotConfigured(store)
	}
	base, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, &StoreError{Store: store, Message: "URL does not parse"}
	}
	rt := opts.Transport
	if rt == nil {
		tr := &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
		}
		if cfg.TLSSkipVerify || cfg.CACert() != "" || cfg.ClientCertificate() != nil {
			tc := &tls.Config{InsecureSkipVerify: cfg.TLSSkipVerify} //nolint:gosec // the user asked for it
			if cc := cfg.ClientCertificate(); cc != nil {
				tc.Certificates = []tls.Certificate{*cc}
			}
			if ca := cfg.CACert(); ca != "" {
				pool := x509.NewCertPool()
				if !pool.AppendCertsFromPEM([]byte(ca)) {
					return nil, &StoreError{Store: store, Message: "TLS CA certificate is not valid PEM"}
				}
				tc.RootCAs = pool
			}
			tr.TLSClientConfig = tc
		}
		rt = tr
	}
	c := &Client{
		store:   store,
		base:    base,
		http:    &http.Client{Transport: rt, CheckRedirect: dropHeadersOffHost(cfg.Headers())},
		cfg:     cfg,
		timeout: cfg.Timeout,
		maxBody: opts.MaxBody,
		message: opts.Message,
		secrets: cfg.Secrets(),
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBody
	}
	if c.timeout <= 0 {
		c.timeout = settings.DefaultTimeout
	}
	if c.message == nil {
		c.message = PlainMessage
	}
	return c, nil
}

// dropHeadersOffHost follows redirects as net/http does by default (at most 10), but
// removes the store's custom headers from a redirect to another host: net/http drops only
// Authorization, WWW-Authenticate and Cookie there (net/http Client docs) and forwards
// every other header, and custom headers carry secrets (API keys, tenant IDs).
//
// A POST redirected with 301, 302 or 303 is not followed: net/http would send it on as a
// GET without its body (net/http Client docs), so a Prometheus query too long for a URL,
// posted as a form, would arrive without its query.
func dropHeadersOffHost(headers map[string]string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if last := via[len(via)-1]; last.Method == http.MethodPost && req.Method != http.MethodPost {
			status := 0
			if req.Response != nil {
				status = req.Response.StatusCode
			}
			return &postRedirected{status: status, to: req.URL}
		}
		if !strings.EqualFold(req.URL.Host, via[0].URL.Host) {
			for name := range headers {
				req.Header.Del(name)
			}
		}
		return nil
	}
}

// postRedirected is a POST that the store answered with a redirect that would turn it
// into a GET without its body.
type postRedirected struct {
	status int
	to     *url.URL
}

// Error names where the redirect leads by its scheme and host only: its path and query
// may carry query text.
func (e *postRedirected) Error() string {
	return fmt.Sprintf("answered a POST (a query too long for a URL, sent as a form) with a redirect to %s://%s, "+
		"which would send it on as a GET without its query: set the store's URL to the address it redirects to",
		e.to.Scheme, e.to.Host)
}

// Store names the store this client calls.
func (c *Client) Store() string { return c.store }

// Timeout is the store's per-call deadline (its configured timeout, or the default).
func (c *Client) Timeout() time.Duration { return c.timeout }

// MaxBody is the client's limit on one answer, in bytes.
func (c *Client) MaxBody() int64 { return c.maxBody }

// MaxMessage is the most bytes of an error body PlainMessage keeps.
const MaxMessage = 512

var (
	htmlTitle   = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title\s*>`)
	htmlScripts = regexp.MustCompile(`(?is)<script\b.*?</script\s*>|<style\b.*?</style\s*>`)
	htmlTags    = regexp.MustCompile(`(?s)<[^>]*>`)
)

// PlainMessage is an error body that is not the store's own error document (a reverse
// proxy's page, a plain-text error) as one line: an HTML page (nginx's 502 page, a load
// balancer's) gives its <title>, or its text without markup; every run of white space,
// line breaks included, becomes one space (a store's health line and an error message
// stay one line); the result is cut to MaxMessage bytes between characters.
func PlainMessage(_ int, contentType string, body []byte) string {
	s := string(body)
	if isHTML(contentType, body) {
		if m := htmlTitle.FindStringSubmatch(s); m != nil && strings.TrimSpace(htmlTags.ReplaceAllString(m[1], " ")) != "" {
			s = m[1]
		}
		s = html.UnescapeString(htmlTags.ReplaceAllString(htmlScripts.ReplaceAllString(s, " "), " "))
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > MaxMessage {
		cut := MaxMessage
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut-- // not inside a character
		}
		s = s[:cut] + "…"
	}
	return s
}

// isHTML tells whether a body is an HTML page: by its content type, or by its first
// bytes when it has none.
func isHTML(contentType string, body []byte) bool {
	if contentType == "" {
		contentType = http.DetectContentType(body)
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "text/html" || mt == "application/xhtml+xml")
}

// IsHTMLPage tells whether a successful answer is an HTML page (a UI, a sign-in page, a
// proxy's page) rather than a store's API document: by its content type, or by its first
// bytes (no JSON document starts with '<').
func IsHTMLPage(resp *Response) bool {
	if isHTML(resp.ContentType, resp.Body) {
		return true
	}
	b := bytes.TrimSpace(resp.Body)
	return len(b) > 0 && b[0] == '<'
}

// maxPageTitle is the most bytes of an HTML page's title or text an error quotes.
const maxPageTitle = 100

// PageTitle is an HTML page's title (or its text) as one line of at most maxPageTitle
// bytes, for an error to quote.
func PageTitle(resp *Response) string {
	page := PlainMessage(resp.Status, "text/html", resp.Body)
	if len(page) > maxPageTitle {
		cut := maxPageTitle
		for cut > 0 && !utf8.RuneStart(page[cut]) {
			cut--
		}
		page = page[:cut] + "…"
	}
	return page
}

// Garbled is the error of a successful answer the store's parser could not read (perr).
// An HTML page says so, with its title: the URL leads to a web page (the store's UI,
// Grafana's own address, a proxy's sign-in page), not to the store's API.
func (c *Client) Garbled(resp *Response, perr error) *StoreError {
	if IsHTMLPage(resp) {
		return c.Fail(resp.Status, fmt.Sprintf("answered with an HTML page (%q), not the %s API's JSON: the URL leads to a web page (a UI, Grafana's "+
			"own address, a sign-in page) rather than to the store's API; give the store's API address", PageTitle(resp), c.store))
	}
	return c.Fail(resp.Status, "garbled answer: "+perr.Error())
}

// Response is a successful answer.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

// Get calls GET base+path?query with extra headers. path is in escaped form (see Do).
func (c *Client) Get(ctx context.Context, path string, query url.Values, header http.Header) (*Response, error) {
	return c.Do(ctx, http.MethodGet, path, query, header, nil)
}

// Do performs one call under the store's own deadline.
//
// path is in escaped form: the caller escapes each value it puts in a segment with
// url.PathEscape (so a `/` in a value stays in its segment), and Do sends the path as
// given after the base URL's own (escaped) path, escaping nothing a second time. A path
// that is not a valid escaped form is an error and nothing is sent.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, header http.Header, body io.Reader) (*Response, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, c.timeout, ErrStoreTimeout)
	defer cancel()
	u, err := c.url(path)
	if err != nil {
		return nil, c.Refuse("cannot build request: " + err.Error())
	}
	// The base URL's own query (a gateway's ?tenant=a) comes first, then the call's.
	if q := query.Encode(); q != "" {
		if u.RawQuery != "" {
			q = u.RawQuery + "&" + q
		}
		u.RawQuery = q
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, c.Refuse("cannot build request: " + err.Error())
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	switch c.cfg.Auth {
	case settings.AuthBasic:
		req.SetBasicAuth(c.cfg.BasicAuthUser, c.cfg.BasicAuthPassword())
	case settings.AuthBearer:
		req.Header.Set("Authorization", "Bearer "+c.cfg.BearerToken())
	}
	for k, v := range c.cfg.Headers() {
		// net/http sends Request.Host and ignores Header["Host"] (net/http Request docs);
		// Grafana's SDK custom-headers middleware sets Host the same way.
		if http.CanonicalHeaderKey(k) == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if pr := (*postRedirected)(nil); errors.As(err, &pr) {
		return nil, c.fail(pr.status, pr.Error(), false)
	}
	if err != nil {
		timeout := errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded)
		msg := transportMessage(err)
		if timeout {
			msg = c.deadlineMessage(ctx, "no answer", msg)
		}
		e := c.fail(0, msg, timeout)
		if !timeout {
			e.Fault = transportFault(err)
		}
		return nil, e
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		timeout := errors.Is(ctx.Err(), context.DeadlineExceeded)
		msg := "reading the answer: " + transportMessage(err)
		if timeout {
			msg = c.deadlineMessage(ctx, "answer not complete", msg)
		}
		return nil, c.fail(resp.StatusCode, msg, timeout)
	}
	if int64(len(data)) > c.maxBody {
		e := c.fail(resp.StatusCode, fmt.Sprintf("answer larger than the %s the backend reads from one store answer: "+
			"ask for less (a shorter time range, a narrower query or a lower limit)", Size(c.maxBody)), false)
		e.TooLarge = true
		return nil, e
	}
	ct := resp.Header.Get("Content-Type")
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Scrub the whole body before the message is picked out and cut to length: a
		// secret cut in half by the cut would no longer match.
		msg := c.message(resp.StatusCode, ct, []byte(c.Scrub(string(data))))
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		return nil, c.fail(resp.StatusCode, msg, resp.StatusCode == http.StatusGatewayTimeout)
	}
	return &Response{Status: resp.StatusCode, ContentType: ct, Body: data}, nil
}

// ErrStoreTimeout is the cause (context.Cause) of a context ended by a store's own
// timeout: Do's, Budget's, or any time budget a caller sets to the store's timeout
// (context.WithTimeoutCause). A call it ends reports "no answer within <timeout>"; a call
// ended by another deadline (Grafana's query timeout, an alert evaluation's) says so
// instead. It reads and matches (errors.Is) as context.DeadlineExceeded, and net/http
// returns it as the call's error.
var ErrStoreTimeout error = storeTimeout{}

type storeTimeout struct{}

func (storeTimeout) Error() string { return context.DeadlineExceeded.Error() }
func (storeTimeout) Unwrap() error { return context.DeadlineExceeded }

// deadlineMessage says which deadline ended a call: the store's own timeout, or the
// caller's (Grafana's query timeout, an alert evaluation's), which can come first and
// then says nothing about how long the store had.
func (c *Client) deadlineMessage(ctx context.Context, what, cause string) string {
	if errors.Is(context.Cause(ctx), ErrStoreTimeout) {
		return fmt.Sprintf("%s within %s (%s)", what, c.timeout, cause)
	}
	return fmt.Sprintf("%s before the request's deadline, which came before the store's %s timeout (%s)", what, c.timeout, cause)
}

// url is the base URL followed by the escaped path. Path and RawPath are set together,
// so the URL's escaped form is exactly the base's escaped path plus path.
func (c *Client) url(path string) (*url.URL, error) {
	raw := strings.TrimRight(c.base.EscapedPath(), "/") + path
	plain, err := url.PathUnescape(raw)
	if err != nil {
		return nil, fmt.Errorf("path %q is not a valid escaped path", path)
	}
	u := *c.base
	u.Path, u.RawPath = plain, raw
	if u.EscapedPath() != raw {
		return nil, fmt.Errorf("path %q has characters a path cannot carry unescaped", path)
	}
	return &u, nil
}

// CloseIdle closes the client's kept-alive connections to its store; calls made later
// open new ones.
func (c *Client) CloseIdle() { c.http.CloseIdleConnections() }

// Budget bounds ctx by the store's timeout, for calls that together make one store call
// (a fallback after a first answer): each Do inside keeps the earlier deadline, so the
// sequence ends within one timeout.
func (c *Client) Budget(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, c.timeout, ErrStoreTimeout)
}

// Fail builds a StoreError for this store, for parsers that find a garbled body.
func (c *Client) Fail(status int, msg string) *StoreError { return c.fail(status, msg, false) }

// FailTooLarge builds a StoreError for this store saying, in msg, that what was asked
// does not fit the limit on one answer (IsTooLarge).
func (c *Client) FailTooLarge(status int, msg string) *StoreError {
	e := c.fail(status, msg, false)
	e.TooLarge = true
	return e
}

// Refuse builds a RequestError for this store: the request is invalid or asks what the
// store cannot do, and the store is not called.
func (c *Client) Refuse(msg string) *RequestError {
	return &RequestError{Store: c.store, Message: c.Scrub(msg)}
}

func (c *Client) fail(status int, msg string, timeout bool) *StoreError {
	return &StoreError{Store: c.store, Status: status, Message: c.Scrub(msg), Timeout: timeout}
}

// Scrub replaces every secret of the store in s, in each form it takes on the wire
// (settings.Store.Secrets). A secret shorter than settings.MinScrubLen is not replaced:
// it cannot be cut out of free text without destroying it; the backend's own messages
// never carry a secret (headers and settings are named, never their values).
func (c *Client) Scrub(s string) string {
	for _, sec := range c.secrets {
		s = strings.ReplaceAll(s, sec, "[redacted]")
	}
	return s
}

// transportFault classifies an error of http.Client.Do.
func transportFault(err error) Fault {
	var (
		verify    *tls.CertificateVerificationError
		unknownCA x509.UnknownAuthorityError
		host      x509.HostnameError
		invalid   x509.CertificateInvalidError
		record    tls.RecordHeaderError
		dns       *net.DNSError
		op        *net.OpError
	)
	switch {
	case errors.As(err, &unknownCA):
		return FaultTLSUntrusted
	case errors.As(err, &host):
		return FaultTLSWrongHost
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return FaultTLSExpired
	case errors.As(err, &record), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		// net/http turns the record error of a plain-HTTP answer into an error of its own.
		return FaultNotTLS
	case errors.As(err, &verify), errors.As(err, &invalid):
		return FaultTLS
	case errors.As(err, &op) && op.Op == "remote error":
		// A TLS alert from the store: a client certificate was wanted (TLS 1.3 sends
		// "certificate required", TLS 1.2 "bad certificate" or "handshake failure").
		if m := op.Err.Error(); strings.Contains(m, "certificate required") || strings.Contains(m, "bad certificate") {
			return FaultTLSClientCert
		}
		return FaultTLS
	case errors.As(err, &dns):
		return FaultUnreachable
	case errors.As(err, &op) && op.Op == "dial":
		return FaultUnreachable
	}
	return FaultNone
}

func transportMessage(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		// Drop the URL: it may carry query text users consider private; keep the cause.
		err = ue.Err
	}
	return err.Error()
}
