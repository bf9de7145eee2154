package transport_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/aioaws/aioaws/transport"
)

// benchConcurrency is the number of goroutines sending at once.
const benchConcurrency = 64

func benchServer(b *testing.B) *server {
	body := []byte(`{"TableNames":["a","b","c"]}`)
	return newServer(b, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Write(body)
	})
}

// runParallel runs send from benchConcurrency goroutines.
func runParallel(b *testing.B, send func(req *http.Request) error, url string) {
	b.ReportAllocs()
	b.SetParallelism((benchConcurrency + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
		if err != nil {
			b.Error(err)
			return
		}
		for pb.Next() {
			if err := send(req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func readClose(resp *http.Response) error {
	_, err := io.Copy(io.Discard, resp.Body)
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	return err
}

// BenchmarkDoParallel: Transport.Do from 64 goroutines against a local server returning a
// small body. "bound=16" makes 48 of the 64 wait in the queue.
func BenchmarkDoParallel(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts transport.Options
	}{
		{"bound=256", transport.Options{}},
		{"bound=16", transport.Options{MaxInFlight: 16}},
		{"bound=256/trace", transport.Options{Trace: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := benchServer(b)
			tr := newTransport(b, bc.opts)
			runParallel(b, func(req *http.Request) error {
				resp, _, err := tr.Do(req)
				if err != nil {
					return err
				}
				return readClose(resp)
			}, s.URL)
			b.StopTimer()
			b.ReportMetric(float64(tr.Stats().ConnsOpened), "conns")
		})
	}
}

// BenchmarkHTTPClientParallel is the baseline: a raw http.Client over an http.Transport with
// the same pool sizing, and over a clone of http.DefaultTransport (2 idle connections per host).
func BenchmarkHTTPClientParallel(b *testing.B) {
	for _, bc := range []struct {
		name string
		tr   func() *http.Transport
	}{
		{"tuned", func() *http.Transport {
			return &http.Transport{
				MaxIdleConns: 256, MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256,
				DisableCompression: true, ForceAttemptHTTP2: true,
			}
		}},
		{"default-transport", func() *http.Transport { return http.DefaultTransport.(*http.Transport).Clone() }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := benchServer(b)
			ht := bc.tr()
			b.Cleanup(ht.CloseIdleConnections)
			c := &http.Client{Transport: ht}
			runParallel(b, func(req *http.Request) error {
				resp, err := c.Do(req)
				if err != nil {
					return err
				}
				return readClose(resp)
			}, s.URL)
			b.StopTimer()
			b.ReportMetric(float64(s.newConns.Load()), "conns")
		})
	}
}

// lightServer answers every bodiless request with a fixed DynamoDB-like response, reading
// with one buffer and writing one prepared slice: it allocates nothing per request, so a
// benchmark's allocs/op are the client's.
func lightServer(b *testing.B) *rawServer {
	resp := []byte("HTTP/1.1 200 OK\r\nX-Amzn-Requestid: 0123456789ABCDEF0123456789ABCDEF\r\n" +
		"Content-Type: application/x-amz-json-1.0\r\nContent-Length: 28\r\nX-Amz-Crc32: 1234567890\r\n" +
		"Date: Sun, 22 Nov 2026 08:00:00 GMT\r\n\r\n" + `{"TableNames":["a","b","c"]}`)
	return newRawServer(b, func(c net.Conn, _ *bufio.Reader) {
		buf := make([]byte, 8<<10)
		n := 0
		for {
			k, err := c.Read(buf[n:])
			if err != nil {
				return
			}
			n += k
			for {
				i := bytes.Index(buf[:n], []byte("\r\n\r\n"))
				if i < 0 {
					break
				}
				n = copy(buf, buf[i+4:n])
				if _, err := c.Write(resp); err != nil {
					return
				}
			}
		}
	})
}

// BenchmarkDoSerial: one request at a time against lightServer, through the HTTP/1.1 engine,
// through net/http (HTTP2: true), and through a bare http.Client.
func BenchmarkDoSerial(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts *transport.Options
	}{
		{"engine", &transport.Options{}},
		{"engine/cancellable-ctx", &transport.Options{}},
		{"net-http", &transport.Options{HTTP2: true}},
		{"http.Client", nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := lightServer(b)
			send := func(req *http.Request) error {
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return err
				}
				return readClose(resp)
			}
			if bc.opts != nil {
				tr := newTransport(b, *bc.opts)
				send = func(req *http.Request) error {
					resp, _, err := tr.Do(req)
					if err != nil {
						return err
					}
					return readClose(resp)
				}
			}
			ctx := context.Background()
			if strings.HasSuffix(bc.name, "cancellable-ctx") {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				defer cancel()
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL(), nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := send(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
