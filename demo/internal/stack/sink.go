package stack

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
)

// AlertSink is the local webhook the provisioned contact point posts to (the Go twin of
// demo/alert-sink/sink.py): POST /alerts stores a notification and prints one line per
// alert; GET /alerts returns what arrived.
type AlertSink struct {
	URL string

	srv      *http.Server
	mu       sync.Mutex
	received []json.RawMessage
	out      io.Writer
}

func startAlertSink(out io.Writer) (*AlertSink, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &AlertSink{out: out, URL: fmt.Sprintf("http://%s/alerts", l.Addr())}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"status":"ok"}`)) })
	mux.HandleFunc("GET /alerts", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.received)
	})
	mux.HandleFunc("POST /alerts", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		if err != nil || !json.Valid(body) {
			http.Error(w, `{"error":"body is not JSON"}`, http.StatusBadRequest)
			return
		}
		s.add(body)
		_, _ = w.Write([]byte(`{"status":"received"}`))
	})
	s.srv = &http.Server{Handler: mux}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

func (s *AlertSink) add(body []byte) {
	s.mu.Lock()
	s.received = append(s.received, json.RawMessage(body))
	if len(s.received) > 200 {
		s.received = s.received[len(s.received)-200:]
	}
	s.mu.Unlock()
	var p struct {
		Alerts []struct {
			Status string            `json:"status"`
			Labels map[string]string `json:"labels"`
		} `json:"alerts"`
	}
	if json.Unmarshal(body, &p) == nil {
		for _, a := range p.Alerts {
			fmt.Fprintf(s.out, "alert-sink: %s %s %v\n", a.Status, a.Labels["alertname"], a.Labels)
		}
	}
}

// Close stops the sink.
func (s *AlertSink) Close() error { return s.srv.Close() }
