package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/latencylens/lens/pkg/localstores"
)

// Fixed IDs so fixtures are stable. The trace ID starts with a zero nibble
// (Tempo's search strips leading zeros); the second trace is 64-bit (high
// half zero), which Jaeger's v1 API prints as 16 hex characters.
const (
	testTraceID      = "0af7651916cd43dd8448eb211c80319c"
	testRootSpanID   = "b7ad6b7169203331"
	testChildSpanID  = "00f067aa0ba902b7"
	testShortTraceID = "0000000000000000d4cda95b652f4a15"
	testShortSpanID  = "4bf92f3577b34da6"
	testService      = "testenv-checkout"
)

// otlpTracesJSON is an OTLP/JSON export request (hex IDs, integer enums,
// nanosecond times as strings): a SERVER root span with a CLIENT child that
// failed and logged an event, plus a one-span 64-bit trace.
func otlpTracesJSON(start time.Time) []byte {
	ns := func(d time.Duration) string { return fmt.Sprint(start.Add(d).UnixNano()) }
	doc := map[string]any{
		"resourceSpans": []any{map[string]any{
			"resource": map[string]any{"attributes": []any{
				strAttr("service.name", testService),
				strAttr("deployment.environment", "test"),
			}},
			"scopeSpans": []any{map[string]any{
				"scope": map[string]any{"name": "latencylens.testenv", "version": "1"},
				"spans": []any{
					map[string]any{
						"traceId": testTraceID, "spanId": testRootSpanID,
						"name": "GET /checkout", "kind": 2,
						"startTimeUnixNano": ns(0), "endTimeUnixNano": ns(250 * time.Millisecond),
						"attributes": []any{
							strAttr("http.request.method", "GET"),
							intAttr("http.response.status_code", 200),
						},
						"status": map[string]any{"code": 1},
					},
					map[string]any{
						"traceId": testTraceID, "spanId": testChildSpanID, "parentSpanId": testRootSpanID,
						"name": "SELECT orders", "kind": 3,
						"startTimeUnixNano": ns(20 * time.Millisecond), "endTimeUnixNano": ns(140 * time.Millisecond),
						"attributes": []any{
							strAttr("db.system", "postgresql"),
							map[string]any{"key": "db.rows", "value": map[string]any{"intValue": "9007199254740993"}},
						},
						"events": []any{map[string]any{
							"timeUnixNano": ns(130 * time.Millisecond), "name": "exception",
							"attributes": []any{strAttr("exception.message", "deadlock detected")},
						}},
						"status": map[string]any{"code": 2, "message": "deadlock detected"},
					},
					map[string]any{
						"traceId": testShortTraceID, "spanId": testShortSpanID,
						"name": "GET /health", "kind": 2,
						"startTimeUnixNano": ns(300 * time.Millisecond), "endTimeUnixNano": ns(305 * time.Millisecond),
					},
				},
			}},
		}},
	}
	b, _ := json.Marshal(doc)
	return b
}

// otlpLogsJSON is an OTLP/JSON logs export request with one log record
// carrying the trace and span ID of the failing child span.
func otlpLogsJSON(at time.Time) []byte {
	doc := map[string]any{
		"resourceLogs": []any{map[string]any{
			"resource": map[string]any{"attributes": []any{
				strAttr("service.name", testService),
				strAttr("deployment.environment", "test"),
			}},
			"scopeLogs": []any{map[string]any{
				"scope": map[string]any{"name": "latencylens.testenv"},
				"logRecords": []any{map[string]any{
					"timeUnixNano":         fmt.Sprint(at.UnixNano()),
					"observedTimeUnixNano": fmt.Sprint(at.UnixNano()),
					"severityNumber":       17,
					"severityText":         "ERROR",
					"body":                 map[string]any{"stringValue": "order query failed: deadlock detected"},
					"attributes":           []any{strAttr("http.route", "/checkout"), intAttr("attempt", 2)},
					"traceId":              testTraceID,
					"spanId":               testChildSpanID,
				}},
			}},
		}},
	}
	b, _ := json.Marshal(doc)
	return b
}

func strAttr(k, v string) map[string]any {
	return map[string]any{"key": k, "value": map[string]any{"stringValue": v}}
}

func intAttr(k string, v int64) map[string]any {
	return map[string]any{"key": k, "value": map[string]any{"intValue": fmt.Sprint(v)}}
}

// response is one HTTP exchange with a store.
type response struct {
	Status      int
	ContentType string
	Body        []byte
}

func get(ctx context.Context, url string, header http.Header) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &response{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: b}, nil
}

// getUntil polls url until ok accepts the response, and fails the test
// with the last response after timeout.
func getUntil(t *testing.T, url string, header http.Header, timeout time.Duration, ok func(*response) error) *response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last *response
	var lastErr error
	err := localstores.Poll(ctx, 500*time.Millisecond, func() (bool, error) {
		r, err := get(ctx, url, header)
		if err != nil {
			lastErr = err
			return false, err
		}
		last = r
		if err := ok(r); err != nil {
			lastErr = err
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		body := ""
		if last != nil {
			body = fmt.Sprintf("%d %s: %.2000s", last.Status, last.ContentType, last.Body)
		}
		t.Fatalf("GET %s: not as expected within %s: %v (last check: %v)\nlast response: %s", url, timeout, err, lastErr, body)
	}
	return last
}

// status200 wraps a body check so it only runs on a 200 response.
func status200(check func([]byte) error) func(*response) error {
	return func(r *response) error {
		if r.Status != http.StatusOK {
			return fmt.Errorf("status %d", r.Status)
		}
		return check(r.Body)
	}
}

// assertStopped stops a store and checks its process group is gone.
func assertStopped(t *testing.T, name string, pid int, stop func() error) {
	t.Helper()
	if err := stop(); err != nil {
		t.Fatalf("stop %s: %v", name, err)
	}
	if err := syscall.Kill(-pid, 0); err != syscall.ESRCH {
		t.Fatalf("%s process group %d still exists after Stop (kill -0: %v)", name, pid, err)
	}
}

// fixtureRecorder saves real store responses under tests/stores/fixtures
// when LATENCYLENS_UPDATE_FIXTURES is set, with an index of how each was
// obtained (request without host, status, content type, store version).
type fixtureRecorder struct {
	mu      sync.Mutex
	entries map[string]fixtureEntry
}

type fixtureEntry struct {
	File        string `json:"file"`
	Store       string `json:"store"`
	Version     string `json:"version"`
	Request     string `json:"request"`
	Headers     string `json:"requestHeaders,omitempty"`
	Status      int    `json:"status"`
	ContentType string `json:"contentType"`
}

var fixtures = &fixtureRecorder{}

func updateFixtures() bool { return os.Getenv("LATENCYLENS_UPDATE_FIXTURES") != "" }

var hostPort = regexp.MustCompile(`^https?://[^/]+`)

// save writes the body byte for byte and notes it in fixtures/index.json.
func (f *fixtureRecorder) save(t *testing.T, file, store, url string, header http.Header, r *response) {
	t.Helper()
	if !updateFixtures() {
		return
	}
	root, err := localstores.RepoRoot()
	if err != nil {
		t.Fatalf("fixtures: %v", err)
	}
	dir := filepath.Join(root, "tests", "stores", "fixtures")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, file), r.Body, 0o644); err != nil {
		t.Fatal(err)
	}
	version, _ := StoreVersion(store)
	var hs []string
	for k, vs := range header {
		hs = append(hs, k+": "+strings.Join(vs, ","))
	}
	sort.Strings(hs)
	e := fixtureEntry{File: file, Store: store, Version: version, Request: "GET " + hostPort.ReplaceAllString(url, ""),
		Headers: strings.Join(hs, "; "), Status: r.Status, ContentType: r.ContentType}

	f.mu.Lock()
	defer f.mu.Unlock()
	index := filepath.Join(dir, "index.json")
	if f.entries == nil {
		f.entries = map[string]fixtureEntry{}
		if b, err := os.ReadFile(index); err == nil {
			var old []fixtureEntry
			if json.Unmarshal(b, &old) == nil {
				for _, o := range old {
					f.entries[o.File] = o
				}
			}
		}
	}
	f.entries[file] = e
	list := make([]fixtureEntry, 0, len(f.entries))
	for _, v := range f.entries {
		list = append(list, v)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].File < list[j].File })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep & in request URLs readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(list); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(index, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
