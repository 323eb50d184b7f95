package plugin

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// When a data source's settings are saved, the SDK disposes of the old instance. Its
// store clients' kept-alive connections must close then, not linger until the stores
// time them out: every save would otherwise leave one more set of open sockets on each
// store (and on a proxy counting connections per client).
func TestDisposeClosesStoreConnections(t *testing.T) {
	var mu sync.Mutex
	open := map[net.Conn]bool{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`))
	}))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch s {
		case http.StateNew:
			open[c] = true
		case http.StateClosed, http.StateHijacked:
			delete(open, c)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	openConns := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(open)
	}

	inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: "u", JSONData: []byte(`{"metrics":{"url":"` + srv.URL + `"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	ds := inst.(*Datasource)
	if _, err := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{}); err != nil {
		t.Fatal(err)
	}
	if openConns() == 0 {
		t.Fatal("the health check left no kept-alive connection to close")
	}
	ds.Dispose()
	deadline := time.Now().Add(5 * time.Second)
	for openConns() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := openConns(); n > 0 {
		t.Errorf("%d connections to the store still open after Dispose", n)
	}
}
