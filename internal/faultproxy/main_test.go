package faultproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/internal/testenv"
)

// TestMain stops the shared emulators and checks for leaked goroutines.
func TestMain(m *testing.M) { testenv.Main(m) }

// echo is what the echo backend saw of a request.
type echo struct {
	Method, Path, RawPath, Query, Host string
	Header                             http.Header
	Body                               string
	TransferEncoding                   []string
	ContentLength                      int64
}

// backend is an httptest server with a hit counter.
type backend struct {
	*httptest.Server
	hits atomic.Int64
}

// newBackend starts a backend that runs h (an echo of the request as JSON if
// h is nil) and closes it at the end of the test.
func newBackend(t *testing.T, h http.HandlerFunc) *backend {
	t.Helper()
	b := &backend{}
	if h == nil {
		h = echoHandler
	}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(b.Close)
	return b
}

func echoHandler(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Backend", "echo")
	_ = json.NewEncoder(w).Encode(echo{
		Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Query: r.URL.RawQuery,
		Host: r.Host, Header: r.Header, Body: string(body),
		TransferEncoding: r.TransferEncoding, ContentLength: r.ContentLength,
	})
}

// startProxy starts a proxy in front of target and closes it at the end of the test.
func startProxy(t *testing.T, target string, cfg Config) *Proxy {
	t.Helper()
	p, err := New(target, cfg)
	require.NoError(t, err)
	_, err = p.Start()
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	return p
}

// newClient returns a client with its own connection pool, closed at the
// end of the test. Keep-alives are off unless keepAlive, so that a reset or a
// cut connection is never retried by the transport on a reused connection.
func newClient(t *testing.T, keepAlive bool) *http.Client {
	t.Helper()
	tr := &http.Transport{Proxy: nil, DisableKeepAlives: !keepAlive, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// jsonReq builds an AWS JSON request for target (e.g. DynamoDB_20120810.GetItem).
func jsonReq(t testing.TB, base, target, body string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, base+"/", strings.NewReader(body))
	require.NoError(t, err)
	r.Header.Set("X-Amz-Target", target)
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	return r
}

// queryReq builds a query-protocol request for action.
func queryReq(t testing.TB, base, action string) *http.Request {
	t.Helper()
	form := url.Values{"Action": {action}, "Version": {"2012-11-05"}, "QueueName": {"q"}}
	r, err := http.NewRequest(http.MethodPost, base+"/", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r
}

// restReq builds a REST request.
func restReq(t testing.TB, method, base, path, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, base+path, rd)
	require.NoError(t, err)
	return r
}

// result is a response read whole.
type result struct {
	status int
	header http.Header
	body   []byte
	err    error // from Do or from reading the body
}

func do(t testing.TB, c *http.Client, r *http.Request) result {
	t.Helper()
	resp, err := c.Do(r)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: body, err: err}
}

// doOK is do for requests that must succeed at the HTTP level.
func doOK(t testing.TB, c *http.Client, r *http.Request) result {
	t.Helper()
	res := do(t, c, r)
	require.NoError(t, res.err)
	return res
}

// withTimeout gives r a context that ends after d.
func withTimeout(t testing.TB, r *http.Request, d time.Duration) *http.Request {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return r.WithContext(ctx)
}

func compact(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, json.Compact(&b, []byte(s)))
	return b.String()
}

// httptestServer starts a plain httptest server; the caller closes it.
func httptestServer(h http.HandlerFunc) *httptest.Server { return httptest.NewServer(h) }

// netDial opens a raw TCP connection to a proxy's base URL.
func netDial(base string) (net.Conn, error) {
	return net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), 5*time.Second)
}
