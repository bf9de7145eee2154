package transport_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/transport"
)

// selfSigned makes a self-signed CA certificate for 127.0.0.1 and returns it as a TLS
// certificate, as an x509 certificate, and the path of a PEM file holding it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "aioaws transport test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "bundle.pem")
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, cert, path
}

func newTLSServer(t *testing.T, cert tls.Certificate, h2 bool) *httptest.Server {
	t.Helper()
	s := httptest.NewUnstartedServer(http.HandlerFunc(ok))
	s.EnableHTTP2 = h2
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func TestCABundle(t *testing.T) {
	cert, x509Cert, bundle := selfSigned(t)
	pool := x509.NewCertPool()
	pool.AddCert(x509Cert)
	userConf := &tls.Config{RootCAs: pool, NextProtos: []string{"h2", "http/1.1"}}

	for _, tc := range []struct {
		name      string
		serverH2  bool
		opts      transport.Options
		wantProto int    // 0: the request must fail verification
		wantErr   string // from New
	}{
		{name: "untrusted without the bundle", opts: transport.Options{}},
		{name: "untrusted without the bundle, net/http", opts: transport.Options{HTTP2: true}},
		{name: "trusted through CABundle", opts: transport.Options{CABundle: bundle}, wantProto: 1},
		{name: "trusted through CABundle, net/http", opts: transport.Options{CABundle: bundle, HTTP2: true}, wantProto: 1},
		{name: "HTTP/2 negotiated", serverH2: true, opts: transport.Options{CABundle: bundle, HTTP2: true}, wantProto: 2},
		{name: "default engine speaks HTTP/1.1 to an h2 server", serverH2: true, opts: transport.Options{CABundle: bundle}, wantProto: 1},
		{name: "TLSConfig override", serverH2: true, opts: transport.Options{TLSConfig: userConf, HTTP2: true}, wantProto: 2},
		{name: "TLSConfig override, default engine", serverH2: true, opts: transport.Options{TLSConfig: userConf}, wantProto: 1},
		{name: "TLSConfig without the root, plus CABundle", opts: transport.Options{TLSConfig: &tls.Config{RootCAs: x509.NewCertPool()}, CABundle: bundle}, wantProto: 1},
		{name: "TLSConfig without the root, plus CABundle, net/http", opts: transport.Options{TLSConfig: &tls.Config{RootCAs: x509.NewCertPool()}, CABundle: bundle, HTTP2: true}, wantProto: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTLSServer(t, cert, tc.serverH2)
			tr := newTransport(t, tc.opts)
			resp, _, err := tr.Do(get(t, context.Background(), s.URL))
			if tc.wantProto == 0 {
				var te *transport.Error
				require.ErrorAs(t, err, &te)
				require.Equal(t, transport.OpSend, te.Op)
				var verr *tls.CertificateVerificationError
				require.ErrorAs(t, err, &verr)
				require.Zero(t, tr.InFlight())
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantProto, resp.ProtoMajor)
			require.NotNil(t, resp.TLS)
			if !tc.opts.HTTP2 {
				// Offered only http/1.1: httptest's h2 server, which offers only h2, agrees
				// on no protocol and serves HTTP/1.1.
				require.NotEqual(t, "h2", resp.TLS.NegotiatedProtocol)
			}
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, "ok", string(b))
			require.NoError(t, resp.Body.Close())
			require.Zero(t, tr.InFlight())
		})
	}
	// The caller's config is cloned, never changed.
	require.Equal(t, []string{"h2", "http/1.1"}, userConf.NextProtos)
	require.Same(t, pool, userConf.RootCAs)
}

func TestCABundleErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	garbage := filepath.Join(dir, "garbage.pem")
	require.NoError(t, os.WriteFile(garbage, []byte("not a certificate\n"), 0o600))

	_, err := transport.New(transport.Options{CABundle: missing})
	require.ErrorContains(t, err, missing)
	require.ErrorIs(t, err, fs.ErrNotExist)

	_, err = transport.New(transport.Options{CABundle: garbage})
	require.ErrorContains(t, err, garbage)
	require.ErrorContains(t, err, "holds no PEM certificate")

	_, err = transport.New(transport.Options{CABundle: dir})
	require.ErrorContains(t, err, dir, "a directory is unreadable as a bundle")
}

// AWS_CA_BUNDLE is commonly set to the system bundle itself: that must work.
func TestCABundleSystemBundle(t *testing.T) {
	paths := []string{os.Getenv("AWS_CA_BUNDLE"), "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"}
	tested := 0
	for _, p := range paths {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			continue
		}
		tr, err := transport.New(transport.Options{CABundle: p})
		require.NoError(t, err, p)
		tr.Close()
		tested++
	}
	if tested == 0 {
		t.Skip("no system CA bundle on this machine")
	}
}
