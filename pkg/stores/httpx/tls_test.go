package httpx

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  string
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key, pem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
}

// leaf is a certificate signed by the CA for the given host names and IPs.
func (ca *testCA) leaf(t *testing.T, names []string, ips []net.IP, usage x509.ExtKeyUsage) tls.Certificate {
	return ca.leafUntil(t, names, ips, usage, time.Now().Add(time.Hour))
}

func (ca *testCA) leafUntil(t *testing.T, names []string, ips []net.IP, usage x509.ExtKeyUsage, notAfter time.Time) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "leaf"},
		NotBefore:    notAfter.Add(-2 * time.Hour),
		NotAfter:     notAfter,
		DNSNames:     names,
		IPAddresses:  ips,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// leafPEM is a leaf certificate of the CA (no host names) and its private key, in PEM.
func (ca *testCA) leafPEM(t *testing.T, usage x509.ExtKeyUsage) (certPEM, keyPEM string) {
	t.Helper()
	leaf := ca.leaf(t, nil, nil, usage)
	der, err := x509.MarshalPKCS8PrivateKey(leaf.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Certificate[0]})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// tlsStore is an HTTPS server with a certificate of ca for 127.0.0.1 (or for names).
func tlsStore(t *testing.T, ca *testCA, names []string, cfg func(*tls.Config)) *httptest.Server {
	t.Helper()
	var ips []net.IP
	if names == nil {
		ips = []net.IP{net.ParseIP("127.0.0.1")}
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.leaf(t, names, ips, x509.ExtKeyUsageServerAuth)}}
	if cfg != nil {
		cfg(srv.TLS)
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func callOnce(t *testing.T, url, store string, secure map[string]string) error {
	t.Helper()
	c, err := New("prometheus", storeFor(t, url, store, secure), Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), "/api/v1/query", nil, nil)
	return err
}

// TestTLSEndToEnd: a store behind HTTPS with a private CA is reached with that CA (alone or
// in a bundle of several certificates) or with verification skipped; any other TLS failure
// is a StoreError that names the store, says what is wrong with the certificate, and is
// marked as a TLS fault, so that the health check can say what to fix.
func TestTLSEndToEnd(t *testing.T) {
	ca, other := newTestCA(t, "Store CA"), newTestCA(t, "Other CA")
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(plain.Close)
	store := tlsStore(t, ca, nil, nil)
	named := tlsStore(t, ca, []string{"store.internal"}, nil)
	expired := tlsStore(t, ca, nil, func(c *tls.Config) {
		c.Certificates = []tls.Certificate{ca.leafUntil(t, nil, []net.IP{net.ParseIP("127.0.0.1")}, x509.ExtKeyUsageServerAuth, time.Now().Add(-time.Minute))}
	})
	mtls := tlsStore(t, ca, nil, func(c *tls.Config) { c.ClientAuth = tls.RequireAnyClientCert })
	// A store that takes only client certificates signed by its CA.
	clients := x509.NewCertPool()
	clients.AddCert(ca.cert)
	verified := tlsStore(t, ca, nil, func(c *tls.Config) {
		c.ClientAuth, c.ClientCAs = tls.RequireAndVerifyClientCert, clients
	})
	withCA := func(pem string) map[string]string { return map[string]string{"metricsTlsCACert": pem} }
	withClient := func(of *testCA) map[string]string {
		cert, key := of.leafPEM(t, x509.ExtKeyUsageClientAuth)
		return map[string]string{"metricsTlsCACert": ca.pem, "metricsTlsClientCert": cert, "metricsTlsClientKey": key}
	}
	tests := []struct {
		name, url, store string
		secure           map[string]string
		want             []string // in the error; none: the call succeeds
		fault            Fault
	}{
		{"the store's CA", store.URL, `"tlsWithCACert":true`, withCA(ca.pem), nil, FaultNone},
		{"a bundle with the store's CA second", store.URL, `"tlsWithCACert":true`, withCA(other.pem + "\n" + ca.pem), nil, FaultNone},
		{"CRLF line ends", store.URL, `"tlsWithCACert":true`, withCA(strings.ReplaceAll(ca.pem, "\n", "\r\n")), nil, FaultNone},
		{"skip verification", store.URL, `"tlsSkipVerify":true`, nil, nil, FaultNone},
		{"another CA", store.URL, `"tlsWithCACert":true`, withCA(other.pem), []string{"prometheus: ", "certificate signed by unknown authority"}, FaultTLSUntrusted},
		{"no CA", store.URL, `"tlsSkipVerify":false`, nil, []string{"prometheus: ", "certificate signed by unknown authority"}, FaultTLSUntrusted},
		{"certificate for another host", named.URL, `"tlsWithCACert":true`, withCA(ca.pem), []string{"prometheus: ", "certificate for 127.0.0.1"}, FaultTLSWrongHost},
		{"expired certificate", expired.URL, `"tlsWithCACert":true`, withCA(ca.pem), []string{"prometheus: ", "certificate has expired"}, FaultTLSExpired},
		{"https to a plain HTTP store", strings.Replace(plain.URL, "http:", "https:", 1), `"tlsSkipVerify":false`, nil, []string{"prometheus: ", "server gave HTTP response to HTTPS client"}, FaultNotTLS},
		{"store wants a client certificate", mtls.URL, `"tlsWithCACert":true`, withCA(ca.pem), []string{"prometheus: ", "certificate required"}, FaultTLSClientCert},
		{"client certificate", verified.URL, `"tlsWithCACert":true,"tlsAuth":true`, withClient(ca), nil, FaultNone},
		{"client certificate and skip verification", verified.URL, `"tlsSkipVerify":true,"tlsAuth":true`, withClient(ca), nil, FaultNone},
		{"client certificate of another CA", verified.URL, `"tlsWithCACert":true,"tlsAuth":true`, withClient(other), []string{"prometheus: ", "remote error"}, FaultTLSClientCert},
		{"no client certificate", verified.URL, `"tlsWithCACert":true`, withCA(ca.pem), []string{"prometheus: ", "certificate required"}, FaultTLSClientCert},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := callOnce(t, tc.url, tc.store, tc.secure)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("call failed: %v", err)
				}
				return
			}
			var se *StoreError
			if !errors.As(err, &se) {
				t.Fatalf("err %v (%T), want a StoreError", err, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(se.Error(), w) {
					t.Errorf("error %q does not say %q", se.Error(), w)
				}
			}
			if se.Fault != tc.fault || !se.Fault.TLS() || se.Status != 0 || se.Timeout {
				t.Errorf("fault %q status %d timeout %t, want fault %q without an answer", se.Fault, se.Status, se.Timeout, tc.fault)
			}
		})
	}
}

// TestUnreachableStoreIsMarked: a store that cannot be connected to (nothing listens on
// the port, the host name does not resolve) is a StoreError marked unreachable.
func TestUnreachableStoreIsMarked(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	_ = l.Close()
	for _, tc := range []struct{ name, url, want string }{
		{"nothing listens", closed, "connection refused"},
		{"no such host", "http://store.invalid:9090", "no such host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := callOnce(t, tc.url, `"tlsSkipVerify":false`, nil)
			var se *StoreError
			if !errors.As(err, &se) || se.Fault != FaultUnreachable || !strings.Contains(se.Error(), tc.want) || !strings.HasPrefix(se.Error(), "prometheus: ") {
				t.Fatalf("err %v, want an unreachable StoreError saying %q", err, tc.want)
			}
		})
	}
	// A store that answers, even with an error, is not unreachable.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	t.Cleanup(srv.Close)
	var se *StoreError
	if err := callOnce(t, srv.URL, `"tlsSkipVerify":false`, nil); !errors.As(err, &se) || se.Fault != FaultNone || se.Status != 503 {
		t.Fatalf("err %v, want HTTP 503 without a fault", err)
	}
}
