package testenv

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// PostOTLP sends an OTLP/HTTP JSON body (traces or logs) to a store's OTLP endpoint and
// fails the test unless the store accepts it with a 2xx answer, whose status it returns.
func PostOTLP(t testing.TB, url string, body []byte) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %d %s", url, resp.StatusCode, b)
	}
	return resp.StatusCode
}
