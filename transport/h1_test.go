package transport_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/transport"
)

// seen is what a server saw of one request.
type seen struct {
	method, host, uri string
	header            http.Header
	contentLength     int64
	te                []string
	body              string
	trailer           http.Header
}

// recorder is an httptest server that records the requests it gets and answers "ok".
func recorder(t *testing.T) (*server, chan seen) {
	ch := make(chan seen, 1)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ch <- seen{r.Method, r.Host, r.RequestURI, r.Header.Clone(), r.ContentLength, r.TransferEncoding, string(b), r.Trailer.Clone()}
		ok(w, r)
	})
	return s, ch
}

// pipeBody is a request body of unknown length that is not an in-memory reader.
func pipeBody(s string) io.ReadCloser { return io.NopCloser(iotest.HalfReader(strings.NewReader(s))) }

func TestH1RequestFraming(t *testing.T) {
	s, ch := recorder(t)
	tr := newTransport(t, transport.Options{})
	big := strings.Repeat("0123456789abcdef", 64<<10) // 1 MiB

	for _, tc := range []struct {
		name    string
		method  string
		body    io.ReadCloser
		length  int64
		te      []string
		trailer http.Header
		wantCL  string // the Content-Length header, "" for none
		wantTE  []string
		want    string
	}{
		{name: "GET without body", method: "GET"},
		{name: "DELETE without body", method: "DELETE"},
		{name: "POST NoBody", method: "POST", body: http.NoBody, wantCL: "0"},
		{name: "PUT nil body", method: "PUT", wantCL: "0"},
		{name: "PATCH NoBody", method: "PATCH", body: http.NoBody, wantCL: "0"},
		{name: "PUT sized", method: "PUT", body: io.NopCloser(strings.NewReader("hello")), length: 5, wantCL: "5", want: "hello"},
		{name: "POST sized, not in memory", method: "POST", body: pipeBody("hello"), length: 5, wantCL: "5", want: "hello"},
		{name: "PUT 1 MiB through WriteTo", method: "PUT", body: io.NopCloser(strings.NewReader(big)), length: int64(len(big)), wantCL: fmt.Sprint(len(big)), want: big},
		{name: "PUT 1 MiB through a copy", method: "PUT", body: pipeBody(big), length: int64(len(big)), wantCL: fmt.Sprint(len(big)), want: big},
		{name: "POST unknown length", method: "POST", body: pipeBody("hello world"), length: -1, wantTE: []string{"chunked"}, want: "hello world"},
		{name: "POST unknown length, 1 MiB", method: "POST", body: pipeBody(big), length: -1, wantTE: []string{"chunked"}, want: big},
		{name: "PUT length 0 with a body", method: "PUT", body: pipeBody("hello"), wantTE: []string{"chunked"}, want: "hello"},
		{name: "GET length 0 with a body: probed", method: "GET", body: pipeBody("hello"), wantTE: []string{"chunked"}, want: "hello"},
		{name: "GET length 0 with an empty body: probed", method: "GET", body: pipeBody("")},
		{name: "TransferEncoding chunked wins", method: "PUT", body: io.NopCloser(strings.NewReader("hello")), length: 5, te: []string{"chunked"}, wantTE: []string{"chunked"}, want: "hello"},
		{name: "chunked with a trailer", method: "PUT", body: pipeBody("hello"), length: -1, trailer: http.Header{"X-Sum": {"abc"}}, wantTE: []string{"chunked"}, want: "hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, s.URL+"/p", nil)
			require.NoError(t, err)
			if tc.body != nil {
				req.Body = tc.body
			}
			req.ContentLength, req.TransferEncoding, req.Trailer = tc.length, tc.te, tc.trailer
			resp, _, err := tr.Do(req)
			require.NoError(t, err)
			require.Equal(t, "ok", readAll(t, resp))
			got := <-ch
			require.Equal(t, tc.method, got.method)
			require.Equal(t, tc.wantCL, got.header.Get("Content-Length"))
			require.Equal(t, tc.wantTE, got.te)
			require.Equal(t, len(tc.want), len(got.body))
			require.True(t, tc.want == got.body)
			if tc.trailer != nil {
				require.Equal(t, "abc", got.trailer.Get("X-Sum"))
			}
		})
	}
	require.EqualValues(t, 1, tr.Stats().ConnsOpened, "one connection for all")
}

func TestH1RequestHead(t *testing.T) {
	s, ch := recorder(t)
	tr := newTransport(t, transport.Options{})

	req := get(t, context.Background(), s.URL+"/a%2Fb/c?x=1&y=%20")
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	req.Header.Set("X-Spaces", "  padded  ")
	req.Header.Set("Host", "ignored.example") // the Host header comes from req.Host / URL.Host
	req.Header.Set("Content-Length", "99")    // ignored: framing comes from the request fields
	req.Host = "override.example:8080"
	resp, _, err := tr.Do(req)
	require.NoError(t, err)
	readAll(t, resp)
	got := <-ch
	require.Equal(t, "/a%2Fb/c?x=1&y=%20", got.uri, "URL.RawPath kept")
	require.Equal(t, "override.example:8080", got.host)
	require.Equal(t, []string{"one", "two"}, got.header["X-Multi"])
	require.Equal(t, "padded", got.header.Get("X-Spaces"))
	require.Empty(t, got.header.Get("Content-Length"))
	require.NotContains(t, got.header, "User-Agent", "no User-Agent added")
	require.NotContains(t, got.header, "Accept-Encoding", "no Accept-Encoding added")

	// An opaque URL is sent as is; an empty path as "/"; ForceQuery keeps the "?".
	u, err := url.Parse(s.URL)
	require.NoError(t, err)
	for _, tc := range []struct {
		u    *url.URL
		want string
	}{
		{&url.URL{Scheme: "http", Host: u.Host, Opaque: "/raw%2Fpath"}, "/raw%2Fpath"},
		{&url.URL{Scheme: "http", Host: u.Host}, "/"},
		{&url.URL{Scheme: "http", Host: u.Host, Path: "/q", ForceQuery: true}, "/q?"},
	} {
		resp, _, err := tr.Do(&http.Request{Method: "GET", URL: tc.u, Header: http.Header{}})
		require.NoError(t, err)
		readAll(t, resp)
		require.Equal(t, tc.want, (<-ch).uri)
	}
}

func TestH1RequestErrors(t *testing.T) {
	s, _ := recorder(t)
	tr := newTransport(t, transport.Options{})
	failing := errors.New("disk on fire")

	for _, tc := range []struct {
		name    string
		req     func() *http.Request
		wantErr string
		wantIs  error
		invalid bool // refused before any connection
	}{
		{name: "body shorter than ContentLength", wantErr: "request body is 5 bytes, ContentLength is 10", req: func() *http.Request {
			r, _ := http.NewRequest("PUT", s.URL, pipeBody("hello"))
			r.ContentLength = 10
			return r
		}},
		{name: "body longer than ContentLength (WriteTo)", wantErr: "longer than ContentLength 3", req: func() *http.Request {
			r, _ := http.NewRequest("PUT", s.URL, strings.NewReader("hello"))
			r.ContentLength = 3
			return r
		}},
		{name: "body longer than ContentLength (copy)", wantErr: "longer than ContentLength 3", req: func() *http.Request {
			r, _ := http.NewRequest("PUT", s.URL, pipeBody("hello"))
			r.ContentLength = 3
			return r
		}},
		{name: "body read error", wantIs: failing, wantErr: "reading the request body", req: func() *http.Request {
			r, _ := http.NewRequest("PUT", s.URL, io.NopCloser(iotest.ErrReader(failing)))
			r.ContentLength = 5
			return r
		}},
		{name: "invalid header value", invalid: true, wantErr: `invalid header field value for "X-Bad"`, req: func() *http.Request {
			r, _ := http.NewRequest("PUT", s.URL, strings.NewReader("x"))
			r.Header.Set("X-Bad", "a\r\nInjected: yes")
			return r
		}},
		{name: "invalid header name", invalid: true, wantErr: "invalid header field name", req: func() *http.Request {
			r, _ := http.NewRequest("PUT", s.URL, strings.NewReader("x"))
			r.Header["Bad Name"] = []string{"v"}
			return r
		}},
		{name: "invalid method", invalid: true, wantErr: "invalid method", req: func() *http.Request {
			r, _ := http.NewRequest("PUT", s.URL, strings.NewReader("x"))
			r.Method = "G T"
			return r
		}},
		{name: "invalid Host", invalid: true, wantErr: "invalid Host", req: func() *http.Request {
			r, _ := http.NewRequest("PUT", s.URL, strings.NewReader("x"))
			r.Host = "a b"
			return r
		}},
		{name: "unsupported scheme", invalid: true, wantErr: `unsupported protocol scheme "ftp"`, req: func() *http.Request {
			r, _ := http.NewRequest("PUT", "ftp://127.0.0.1/", strings.NewReader("x"))
			return r
		}},
		{name: "ContentLength with nil Body", invalid: true, wantErr: "ContentLength=3 with nil Body", req: func() *http.Request {
			r, _ := http.NewRequest("PUT", s.URL, nil)
			r.ContentLength = 3
			r.Body = nil
			return r
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req()
			var body *closeRecorder
			if req.Body != nil {
				body = &closeRecorder{Reader: req.Body}
				req.Body = body
			}
			before := tr.Stats().ConnsOpened
			resp, _, err := tr.Do(req)
			require.Nil(t, resp)
			require.ErrorContains(t, err, tc.wantErr)
			if tc.wantIs != nil {
				require.ErrorIs(t, err, tc.wantIs)
			}
			if body != nil {
				require.True(t, body.closed.Load(), "request body closed")
			}
			require.Zero(t, tr.InFlight())
			if tc.invalid {
				require.Equal(t, before, tr.Stats().ConnsOpened, "refused before dialing")
			}
		})
	}
	require.Equal(t, "ok", do(t, tr, s.URL), "the transport still works")
}

func TestH1ResponseFraming(t *testing.T) {
	for _, tc := range []struct {
		name       string
		method     string
		resp       string
		closeAfter bool // the server closes the connection after answering
		want       string
		wantLength int64
		wantTE     []string
		wantClose  bool
		wantNoBody bool
		reused     bool // the second request reuses the connection
		check      func(t *testing.T, resp *http.Response)
	}{
		{name: "Content-Length", resp: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", want: "hello", wantLength: 5, reused: true},
		{name: "Content-Length 0", resp: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", wantNoBody: true, reused: true},
		{name: "duplicate equal Content-Length", resp: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length:  2\r\n\r\nok", want: "ok", wantLength: 2, reused: true,
			check: func(t *testing.T, resp *http.Response) {
				require.Equal(t, []string{"2"}, resp.Header["Content-Length"])
			}},
		{name: "chunked", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n", want: "hello world", wantLength: -1, wantTE: []string{"chunked"}, reused: true,
			check: func(t *testing.T, resp *http.Response) { require.NotContains(t, resp.Header, "Transfer-Encoding") }},
		{name: "chunked with trailer", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: abc\r\n\r\n", want: "hello", wantLength: -1, wantTE: []string{"chunked"}, reused: true,
			check: func(t *testing.T, resp *http.Response) { require.Equal(t, "abc", resp.Trailer.Get("X-Sum")) }},
		{name: "chunked with an undeclared trailer", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: abc\r\n\r\n", want: "hello", wantLength: -1, wantTE: []string{"chunked"}, reused: true,
			check: func(t *testing.T, resp *http.Response) { require.Equal(t, "abc", resp.Trailer.Get("X-Sum")) }},
		{name: "delimited by close", resp: "HTTP/1.1 200 OK\r\n\r\nhello", closeAfter: true, want: "hello", wantLength: -1, wantClose: true},
		{name: "Connection: close", resp: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", want: "ok", wantLength: 2, wantClose: true},
		{name: "HTTP/1.0", resp: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", want: "ok", wantLength: 2, wantClose: true},
		{name: "HTTP/1.0 keep-alive", resp: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", want: "ok", wantLength: 2, reused: true},
		{name: "HTTP/1.0 ignores Transfer-Encoding", resp: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\nok", want: "ok", wantLength: 2, reused: true},
		{name: "204", resp: "HTTP/1.1 204 No Content\r\n\r\n", wantNoBody: true, reused: true},
		{name: "304 with a Content-Length", resp: "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", wantNoBody: true, reused: true},
		{name: "HEAD", method: "HEAD", resp: "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", wantLength: 1234, wantNoBody: true, reused: true},
		{name: "HEAD chunked", method: "HEAD", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", wantLength: -1, wantTE: []string{"chunked"}, wantNoBody: true, reused: true},
		{name: "1xx skipped", resp: "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", want: "ok", wantLength: 2, reused: true,
			check: func(t *testing.T, resp *http.Response) { require.NotContains(t, resp.Header, "Link") }},
		{name: "bare LF line ends", resp: "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", want: "ok", wantLength: 2, reused: true},
		{name: "status without reason", resp: "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok", want: "ok", wantLength: 2, reused: true,
			check: func(t *testing.T, resp *http.Response) { require.Equal(t, "200", resp.Status) }},
		{name: "unsolicited bytes after the body", resp: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", want: "ok", wantLength: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newRawServer(t, canned(tc.resp, tc.closeAfter))
			tr := newTransport(t, transport.Options{})
			method := tc.method
			if method == "" {
				method = "GET"
			}
			for i := range 2 {
				req, err := http.NewRequest(method, s.URL(), nil)
				require.NoError(t, err)
				resp, _, err := tr.Do(req)
				require.NoError(t, err)
				require.Equal(t, "HTTP/1."+map[bool]string{true: "0", false: "1"}[strings.HasPrefix(tc.resp, "HTTP/1.0")], resp.Proto)
				require.Equal(t, tc.wantLength, resp.ContentLength)
				require.Equal(t, tc.wantTE, resp.TransferEncoding)
				require.Equal(t, tc.wantClose, resp.Close)
				require.Same(t, req, resp.Request)
				require.Nil(t, resp.TLS)
				if tc.wantNoBody {
					n, err := resp.Body.Read(make([]byte, 1))
					require.Zero(t, n)
					require.Equal(t, io.EOF, err)
				}
				require.Equal(t, tc.want, readAll(t, resp))
				if tc.check != nil {
					tc.check(t, resp)
				}
				want := uint64(i + 1)
				if tc.reused {
					want = 1
				}
				require.Equal(t, want, tr.Stats().ConnsOpened, "request %d", i)
			}
		})
	}
}

func TestH1MalformedResponses(t *testing.T) {
	hugeHeader := "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Filler: "+strings.Repeat("a", 1000)+"\r\n", 2<<10) + "Content-Length: 2\r\n\r\nok"
	for _, tc := range []struct {
		name       string
		resp       string
		closeAfter bool
		wantErr    string // from Do
		wantIs     error
		bodyErr    string // from reading the body
		bodyIs     error
	}{
		{name: "garbage", resp: "hello there\r\n\r\n", wantErr: "malformed HTTP response"},
		{name: "no status code", resp: "HTTP/1.1 OK\r\n\r\n", wantErr: "malformed HTTP response"},
		{name: "letters in the status code", resp: "HTTP/1.1 2x0 OK\r\n\r\n", wantErr: "bad status code"},
		{name: "short status code", resp: "HTTP/1.1 20 OK\r\n\r\n", wantErr: "malformed HTTP response"},
		{name: "status code too low", resp: "HTTP/1.1 099 Odd\r\n\r\n", wantErr: "bad status code"},
		{name: "HTTP/2.0", resp: "HTTP/2.0 200 OK\r\n\r\n", wantErr: "unsupported HTTP version"},
		{name: "status line too long", resp: "HTTP/1.1 200 " + strings.Repeat("a", 10<<10) + "\r\n\r\n", wantErr: "status line too long"},
		{name: "bad header line", resp: "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", wantErr: "reading response header"},
		{name: "header too large", resp: hugeHeader, wantErr: "response head larger than 1048576 bytes"},
		{name: "bad Content-Length", resp: "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", wantErr: `bad Content-Length "abc"`},
		{name: "negative Content-Length", resp: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", wantErr: `bad Content-Length "-1"`},
		{name: "differing Content-Length", resp: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", wantErr: "differing Content-Length"},
		{name: "chunked and Content-Length", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n", wantErr: "both Transfer-Encoding: chunked and Content-Length"},
		{name: "unsupported Transfer-Encoding", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", wantErr: "unsupported Transfer-Encoding"},
		{name: "101", resp: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", wantErr: "101 Switching Protocols"},
		{name: "closed before answering", resp: "", closeAfter: true, wantErr: "EOF", wantIs: io.EOF},
		{name: "closed in the head", resp: "HTTP/1.1 200 OK\r\nContent-Le", closeAfter: true, wantIs: io.ErrUnexpectedEOF},
		{name: "closed after a header line", resp: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", closeAfter: true, wantIs: io.ErrUnexpectedEOF},
		{name: "closed in the status line", resp: "HTTP/1.1 200", closeAfter: true, wantIs: io.ErrUnexpectedEOF},
		{name: "bad chunk size", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", bodyErr: "reading the response body"},
		{name: "bad chunk end", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", bodyErr: "malformed chunked encoding"},
		{name: "chunked body cut short", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", closeAfter: true, bodyIs: io.ErrUnexpectedEOF},
		{name: "bad trailer", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nnot a field\r\n\r\n", bodyErr: "reading the response trailer"},
		{name: "sized body cut short", resp: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", closeAfter: true, bodyIs: io.ErrUnexpectedEOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newRawServer(t, canned(tc.resp, tc.closeAfter))
			tr := newTransport(t, transport.Options{})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			resp, _, err := tr.Do(get(t, ctx, s.URL()))
			if tc.bodyErr == "" && tc.bodyIs == nil {
				require.Nil(t, resp)
				require.Error(t, err)
				require.NotErrorIs(t, err, context.DeadlineExceeded, "failed, did not hang")
				if tc.wantErr != "" {
					require.ErrorContains(t, err, tc.wantErr)
				}
				if tc.wantIs != nil {
					require.ErrorIs(t, err, tc.wantIs)
				}
			} else {
				require.NoError(t, err)
				_, err = io.ReadAll(resp.Body)
				require.Error(t, err)
				if tc.bodyErr != "" {
					require.ErrorContains(t, err, tc.bodyErr)
				}
				if tc.bodyIs != nil {
					require.ErrorIs(t, err, tc.bodyIs)
				}
				_, err2 := resp.Body.Read(make([]byte, 1))
				require.Equal(t, err.Error(), err2.Error(), "the error sticks")
				require.NoError(t, resp.Body.Close())
			}
			require.Zero(t, tr.InFlight())
			require.EqualValues(t, 1, tr.Stats().ConnsOpened, "no retry on a new connection")
		})
	}
}

func TestH1KeepAlive(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.Query().Has("chunked") {
			w.Write(b)
			w.(http.Flusher).Flush()
		}
		w.Write(b)
		io.WriteString(w, strings.Repeat("z", 100))
	})
	tr := newTransport(t, transport.Options{})
	const n = 100
	for i := range n {
		var req *http.Request
		var err error
		body := fmt.Sprintf("body %d", i)
		switch i % 4 {
		case 0:
			req, err = http.NewRequest("GET", s.URL, nil)
		case 1:
			req, err = http.NewRequest("PUT", s.URL, strings.NewReader(body))
		case 2:
			req, err = http.NewRequest("POST", s.URL+"?chunked", pipeBody(body))
		case 3:
			req, err = http.NewRequest("POST", s.URL, http.NoBody)
		}
		require.NoError(t, err)
		resp, _, err := tr.Do(req)
		require.NoError(t, err)
		if i%3 == 0 { // left to Close to drain
			_, err = resp.Body.Read(make([]byte, 3))
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
		} else {
			readAll(t, resp)
		}
	}
	require.EqualValues(t, n, s.requests.Load())
	require.EqualValues(t, 1, tr.Stats().ConnsOpened)
	require.EqualValues(t, 1, s.newConns.Load())
	require.Zero(t, tr.Stats().DrainLimitHits)
}

// io.Copy from a body goes through its WriteTo: whole bodies, connection reused.
func TestH1BodyWriteTo(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 64<<10) // 1 MiB
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("chunked") {
			io.WriteString(w, big[:1000])
			w.(http.Flusher).Flush()
			io.WriteString(w, big[1000:])
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(big)))
		io.WriteString(w, big)
	})
	tr := newTransport(t, transport.Options{})
	for _, path := range []string{"/", "/?chunked", "/", "/?chunked"} {
		resp, _, err := tr.Do(get(t, context.Background(), s.URL+path))
		require.NoError(t, err)
		_, isWriterTo := resp.Body.(io.WriterTo)
		require.True(t, isWriterTo)
		var buf bytes.Buffer
		n, err := io.Copy(&buf, resp.Body)
		require.NoError(t, err)
		require.EqualValues(t, len(big), n)
		require.True(t, buf.String() == big)
		require.NoError(t, resp.Body.Close())
	}
	require.EqualValues(t, 1, tr.Stats().ConnsOpened)

	// A failing writer stops the copy; the body, not at its end, then closes the connection.
	resp, _, err := tr.Do(get(t, context.Background(), s.URL))
	require.NoError(t, err)
	failing := errors.New("disk full")
	_, err = resp.Body.(io.WriterTo).WriteTo(failingWriter{failing})
	require.ErrorIs(t, err, failing)
	require.NoError(t, resp.Body.Close())
	require.Len(t, do(t, tr, s.URL), len(big))
	require.EqualValues(t, 2, tr.Stats().ConnsOpened)
	require.EqualValues(t, 1, tr.Stats().DrainLimitHits, "the 1 MiB rest was not drained")
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

// The connection goes back to the pool at the body's end, before Close.
func TestH1ReleasedAtEOF(t *testing.T) {
	s := newServer(t, ok)
	tr := newTransport(t, transport.Options{MaxInFlight: 2})
	resp, _, err := tr.Do(get(t, context.Background(), s.URL))
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "ok", string(b))
	// Not closed yet: a second request reuses the connection.
	require.Equal(t, "ok", do(t, tr, s.URL))
	require.EqualValues(t, 1, tr.Stats().ConnsOpened)
	require.Equal(t, 1, tr.InFlight())
	require.NoError(t, resp.Body.Close())
	require.Zero(t, tr.InFlight())
}

func TestH1RequestClose(t *testing.T) {
	s, ch := recorder(t)
	tr := newTransport(t, transport.Options{})
	req := get(t, context.Background(), s.URL)
	req.Close = true
	resp, _, err := tr.Do(req)
	require.NoError(t, err)
	readAll(t, resp)
	require.Equal(t, "close", (<-ch).header.Get("Connection"))

	req = get(t, context.Background(), s.URL)
	req.Header.Set("Connection", "close")
	resp, _, err = tr.Do(req)
	require.NoError(t, err)
	readAll(t, resp)
	require.Equal(t, []string{"close"}, (<-ch).header["Connection"], "not written twice")

	resp, _, err = tr.Do(get(t, context.Background(), s.URL))
	require.NoError(t, err)
	readAll(t, resp)
	<-ch
	require.EqualValues(t, 3, tr.Stats().ConnsOpened, "a connection that asked to close is not reused")
}

// A pooled connection the server closed while it was idle: replayable requests are sent
// again on a new connection, others fail clearly.
func TestH1StaleConnection(t *testing.T) {
	s, ch := recorder(t)
	tr := newTransport(t, transport.Options{})
	staleOne := func() {
		t.Helper()
		resp, _, err := tr.Do(get(t, context.Background(), s.URL))
		require.NoError(t, err)
		readAll(t, resp)
		<-ch
		s.CloseClientConnections()
		require.Eventually(t, func() bool { return s.open.Load() == 0 }, 2*time.Second, time.Millisecond)
	}

	for _, tc := range []struct {
		name   string
		req    func() *http.Request
		replay bool
	}{
		{"GET", func() *http.Request { return get(t, context.Background(), s.URL) }, true},
		{"POST with GetBody", func() *http.Request {
			r, _ := http.NewRequest("POST", s.URL, strings.NewReader("payload")) // sets GetBody
			return r
		}, true},
		{"POST NoBody", func() *http.Request {
			r, _ := http.NewRequest("POST", s.URL, http.NoBody)
			return r
		}, true},
		{"POST without GetBody", func() *http.Request {
			r, _ := http.NewRequest("POST", s.URL, pipeBody("payload"))
			r.ContentLength = 7
			return r
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			staleOne()
			before := tr.Stats()
			req := tc.req()
			resp, _, err := tr.Do(req)
			if !tc.replay {
				require.Nil(t, resp)
				require.ErrorContains(t, err, "the server closed the pooled connection")
				require.ErrorContains(t, err, "cannot be replayed")
				require.EqualValues(t, before.SendErrors+1, tr.Stats().SendErrors)
				return
			}
			require.NoError(t, err)
			require.Equal(t, "ok", readAll(t, resp))
			got := <-ch
			if req.Method == "POST" && req.Body != http.NoBody {
				require.Equal(t, "payload", got.body)
			}
			require.Equal(t, before.ConnsOpened+1, tr.Stats().ConnsOpened)
			require.Equal(t, before.SendErrors, tr.Stats().SendErrors)
		})
	}
}

func TestH1ExpectContinue(t *testing.T) {
	t.Run("100 then the body", func(t *testing.T) {
		s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body) // net/http sends the 100 on this first read
			w.Write(b)
		})
		tr := newTransport(t, transport.Options{})
		for range 2 {
			req, _ := http.NewRequest("PUT", s.URL, strings.NewReader("hello"))
			req.Header.Set("Expect", "100-continue")
			start := time.Now()
			resp, _, err := tr.Do(req)
			require.NoError(t, err)
			require.Equal(t, "hello", readAll(t, resp))
			require.Less(t, time.Since(start), transport.ExpectContinueTimeout/2, "did not wait for the timeout")
		}
		require.EqualValues(t, 1, tr.Stats().ConnsOpened)
	})

	t.Run("final answer instead: body not sent", func(t *testing.T) {
		bodyBytes := make(chan int, 1)
		s := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			if req.Header.Get("Expect") == "" {
				io.Copy(io.Discard, req.Body)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				canned("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false)(c, br)
				return
			}
			io.WriteString(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 6\r\n\r\ndenied")
			c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			n, _ := io.Copy(io.Discard, br)
			bodyBytes <- int(n)
		})
		tr := newTransport(t, transport.Options{})
		body := &closeRecorder{Reader: strings.NewReader("hello")}
		req, _ := http.NewRequest("PUT", s.URL(), body)
		req.ContentLength = 5
		req.Header.Set("Expect", "100-continue")
		resp, _, err := tr.Do(req)
		require.NoError(t, err)
		require.Equal(t, 403, resp.StatusCode)
		require.Equal(t, "denied", readAll(t, resp))
		require.True(t, body.closed.Load())
		require.Zero(t, <-bodyBytes, "the body was not sent")
		require.Equal(t, "ok", do(t, tr, s.URL()))
		require.EqualValues(t, 2, tr.Stats().ConnsOpened, "the connection is not reused")
	})

	t.Run("no answer: body sent after the timeout", func(t *testing.T) {
		s := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			b, _ := io.ReadAll(req.Body) // never sends 100
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
		})
		tr := newTransport(t, transport.Options{})
		req, _ := http.NewRequest("PUT", s.URL(), strings.NewReader("hello"))
		req.Header.Set("Expect", "100-continue")
		start := time.Now()
		resp, _, err := tr.Do(req)
		require.NoError(t, err)
		require.Equal(t, "hello", readAll(t, resp))
		require.GreaterOrEqual(t, time.Since(start), transport.ExpectContinueTimeout)
	})

	t.Run("no answer over TLS: the connection survives the wait", func(t *testing.T) {
		cert, _, bundle := selfSigned(t)
		s := newRawServer(t, func(c net.Conn, _ *bufio.Reader) {
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
			defer tc.Close()
			br := bufio.NewReader(tc)
			for {
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				b, _ := io.ReadAll(req.Body)
				fmt.Fprintf(tc, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
			}
		})
		url := "https://" + s.ln.Addr().String()
		tr := newTransport(t, transport.Options{CABundle: bundle})
		req, _ := http.NewRequest("PUT", url, strings.NewReader("hello"))
		req.Header.Set("Expect", "100-continue")
		resp, _, err := tr.Do(req)
		require.NoError(t, err)
		require.Equal(t, "hello", readAll(t, resp))
		req, _ = http.NewRequest("PUT", url, strings.NewReader("again"))
		resp, _, err = tr.Do(req)
		require.NoError(t, err)
		require.Equal(t, "again", readAll(t, resp))
		require.EqualValues(t, 1, tr.Stats().ConnsOpened)
	})

	t.Run("103 then 100", func(t *testing.T) {
		s := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			io.WriteString(c, "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n")
			b, _ := io.ReadAll(req.Body)
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
		})
		tr := newTransport(t, transport.Options{})
		req, _ := http.NewRequest("PUT", s.URL(), strings.NewReader("hello"))
		req.Header.Set("Expect", "100-continue")
		start := time.Now()
		resp, _, err := tr.Do(req)
		require.NoError(t, err)
		require.Equal(t, "hello", readAll(t, resp))
		require.Less(t, time.Since(start), transport.ExpectContinueTimeout/2)
	})
}

// hangServer answers "/ok" with "ok" and, for "/head", never answers; for "/body" it sends
// the head and part of a 1000-byte body, then nothing. It returns when the client hangs up.
func hangServer(t *testing.T) *rawServer {
	return newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			io.Copy(io.Discard, req.Body)
			switch req.URL.Path {
			case "/head":
				io.Copy(io.Discard, br) // until the client hangs up
				return
			case "/body":
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nfirst part")
				io.Copy(io.Discard, br)
				return
			default:
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}
		}
	})
}

func TestH1Cancellation(t *testing.T) {
	const slack = 50 * time.Millisecond
	cause := errors.New("caller gave up")
	for _, tc := range []struct {
		name   string
		ctx    func() (context.Context, func())
		wantIs []error
	}{
		{"cancel", func() (context.Context, func()) {
			ctx, cancel := context.WithCancel(context.Background())
			tm := time.AfterFunc(30*time.Millisecond, cancel)
			return ctx, func() { tm.Stop(); cancel() }
		}, []error{context.Canceled}},
		{"cancel with cause", func() (context.Context, func()) {
			ctx, cancel := context.WithCancelCause(context.Background())
			tm := time.AfterFunc(30*time.Millisecond, func() { cancel(cause) })
			return ctx, func() { tm.Stop(); cancel(nil) }
		}, []error{context.Canceled, cause}},
		{"deadline", func() (context.Context, func()) {
			return context.WithTimeout(context.Background(), 30*time.Millisecond)
		}, []error{context.DeadlineExceeded}},
	} {
		t.Run(tc.name+" while waiting for the head", func(t *testing.T) {
			s := hangServer(t)
			tr := newTransport(t, transport.Options{})
			require.Equal(t, "ok", do(t, tr, s.URL()+"/ok")) // a pooled connection

			ctx, cancel := tc.ctx()
			defer cancel()
			start := time.Now()
			resp, _, err := tr.Do(get(t, ctx, s.URL()+"/head"))
			require.Nil(t, resp)
			require.Less(t, time.Since(start), 30*time.Millisecond+slack)
			for _, want := range tc.wantIs {
				require.ErrorIs(t, err, want)
			}
			var te *transport.Error
			require.ErrorAs(t, err, &te)
			require.Equal(t, transport.OpSend, te.Op)

			require.Equal(t, "ok", do(t, tr, s.URL()+"/ok"))
			require.EqualValues(t, 2, tr.Stats().ConnsOpened, "the interrupted connection is not reused")
		})

		t.Run(tc.name+" while reading the body", func(t *testing.T) {
			s := hangServer(t)
			tr := newTransport(t, transport.Options{})
			ctx, cancel := tc.ctx()
			defer cancel()
			resp, _, err := tr.Do(get(t, ctx, s.URL()+"/body"))
			require.NoError(t, err)
			buf := make([]byte, 100)
			n, err := resp.Body.Read(buf)
			require.NoError(t, err)
			require.Equal(t, "first part", string(buf[:n]))

			_, err = resp.Body.Read(buf)
			for _, want := range tc.wantIs {
				require.ErrorIs(t, err, want)
			}
			require.ErrorContains(t, err, "reading the response body")
			start := time.Now()
			require.NoError(t, resp.Body.Close())
			require.Less(t, time.Since(start), slack)
			require.Zero(t, tr.InFlight())

			require.Equal(t, "ok", do(t, tr, s.URL()+"/ok"))
			require.EqualValues(t, 2, tr.Stats().ConnsOpened, "the interrupted connection is not reused")
		})
	}

	t.Run("cancel promptly while blocked in a body Read", func(t *testing.T) {
		s := hangServer(t)
		tr := newTransport(t, transport.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		resp, _, err := tr.Do(get(t, ctx, s.URL()+"/body"))
		require.NoError(t, err)
		_, err = resp.Body.Read(make([]byte, 100))
		require.NoError(t, err)
		cancelled := make(chan time.Time, 1)
		time.AfterFunc(30*time.Millisecond, func() { cancelled <- time.Now(); cancel() })
		_, err = resp.Body.Read(make([]byte, 100))
		require.Less(t, time.Since(<-cancelled), slack)
		require.ErrorIs(t, err, context.Canceled)
		resp.Body.Close()
	})

	t.Run("cancel while writing a large body", func(t *testing.T) {
		s := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
			http.ReadRequest(br)
			time.Sleep(time.Second) // reads none of the body
		})
		tr := newTransport(t, transport.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		big := bytes.Repeat([]byte("x"), 64<<20)
		req, _ := http.NewRequestWithContext(ctx, "PUT", s.URL(), bytes.NewReader(big))
		cancelled := make(chan time.Time, 1)
		time.AfterFunc(50*time.Millisecond, func() { cancelled <- time.Now(); cancel() })
		_, _, err := tr.Do(req)
		require.Less(t, time.Since(<-cancelled), slack)
		require.ErrorIs(t, err, context.Canceled)
	})
}

func TestH1ResponseHeaderTimeout(t *testing.T) {
	s := hangServer(t)
	tr := newTransport(t, transport.Options{ResponseHeaderTimeout: 30 * time.Millisecond})
	require.Equal(t, "ok", do(t, tr, s.URL()+"/ok"))
	start := time.Now()
	_, _, err := tr.Do(get(t, context.Background(), s.URL()+"/head"))
	require.Less(t, time.Since(start), 30*time.Millisecond+50*time.Millisecond)
	require.ErrorContains(t, err, "ResponseHeaderTimeout")
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	require.True(t, ne.Timeout())
	// A body slower than the timeout is fine: the timeout is to the head only.
	resp, _, err := tr.Do(get(t, context.Background(), s.URL()+"/ok"))
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond)
	require.Equal(t, "ok", readAll(t, resp))
	require.EqualValues(t, 2, tr.Stats().ConnsOpened, "the timed-out connection is not reused")
}

// Close from another goroutine ends a Read blocked on the connection.
func TestH1CloseDuringRead(t *testing.T) {
	s := hangServer(t)
	tr := newTransport(t, transport.Options{})
	resp, _, err := tr.Do(get(t, context.Background(), s.URL()+"/body"))
	require.NoError(t, err)
	_, err = resp.Body.Read(make([]byte, 100))
	require.NoError(t, err)
	readErr := make(chan error, 1)
	go func() {
		_, err := resp.Body.Read(make([]byte, 100))
		readErr <- err
	}()
	time.Sleep(20 * time.Millisecond) // let it block
	start := time.Now()
	require.NoError(t, resp.Body.Close())
	select {
	case err := <-readErr:
		require.Error(t, err)
	case <-time.After(time.Second):
		t.Fatal("Read still blocked after Close")
	}
	require.Less(t, time.Since(start), time.Second)
	require.Zero(t, tr.InFlight())
	_, err = resp.Body.Read(make([]byte, 1))
	require.ErrorIs(t, err, http.ErrBodyReadAfterClose)
}

func TestH1IdlePool(t *testing.T) {
	t.Run("IdleConnTimeout", func(t *testing.T) {
		s := newServer(t, ok)
		tr := newTransport(t, transport.Options{IdleConnTimeout: 30 * time.Millisecond})
		do(t, tr, s.URL)
		do(t, tr, s.URL)
		require.EqualValues(t, 1, tr.Stats().ConnsOpened)
		time.Sleep(60 * time.Millisecond)
		do(t, tr, s.URL)
		require.EqualValues(t, 2, tr.Stats().ConnsOpened, "the expired connection was not used")
		require.Eventually(t, func() bool { return s.open.Load() == 1 }, 2*time.Second, time.Millisecond, "and it was closed")
	})

	t.Run("MaxIdleConnsPerHost", func(t *testing.T) {
		s := newServer(t, ok)
		tr := newTransport(t, transport.Options{MaxIdleConnsPerHost: 2})
		var resps []*http.Response
		for range 5 {
			resp, _, err := tr.Do(get(t, context.Background(), s.URL))
			require.NoError(t, err)
			resps = append(resps, resp)
		}
		require.EqualValues(t, 5, tr.Stats().ConnsOpened)
		for _, resp := range resps {
			readAll(t, resp)
		}
		require.Eventually(t, func() bool { return s.open.Load() == 2 }, 2*time.Second, time.Millisecond)
	})

	t.Run("CloseIdleConnections", func(t *testing.T) {
		s := newServer(t, ok)
		tr := newTransport(t, transport.Options{})
		do(t, tr, s.URL)
		tr.CloseIdleConnections()
		require.Eventually(t, func() bool { return s.open.Load() == 0 }, 2*time.Second, time.Millisecond)
		do(t, tr, s.URL)
		require.EqualValues(t, 2, tr.Stats().ConnsOpened)
	})

	t.Run("per host", func(t *testing.T) {
		a, b := newServer(t, ok), newServer(t, ok)
		tr := newTransport(t, transport.Options{})
		for range 3 {
			do(t, tr, a.URL)
			do(t, tr, b.URL)
		}
		require.EqualValues(t, 2, tr.Stats().ConnsOpened)
	})
}

func TestH1TLS(t *testing.T) {
	cert, _, bundle := selfSigned(t)
	s := newTLSServer(t, cert, false)
	tr := newTransport(t, transport.Options{CABundle: bundle, Trace: true})
	for i := range 20 {
		resp, tm, err := tr.Do(get(t, context.Background(), s.URL))
		require.NoError(t, err)
		require.NotNil(t, resp.TLS)
		require.True(t, resp.TLS.HandshakeComplete)
		require.Equal(t, "ok", readAll(t, resp))
		if i == 0 {
			require.False(t, tm.Reused)
			require.Positive(t, tm.Connect)
			require.Positive(t, tm.TLSHandshake)
			require.Zero(t, tm.DNS)
		} else {
			require.True(t, tm.Reused)
			require.Zero(t, tm.Connect)
			require.Zero(t, tm.TLSHandshake)
		}
	}
	require.EqualValues(t, 1, tr.Stats().ConnsOpened)

	// A TLS server that never answers the handshake: TLSHandshakeTimeout bounds it.
	silent := newRawServer(t, func(c net.Conn, br *bufio.Reader) { io.Copy(io.Discard, br) })
	tr = newTransport(t, transport.Options{TLSHandshakeTimeout: 30 * time.Millisecond})
	start := time.Now()
	_, _, err := tr.Do(get(t, context.Background(), "https://"+silent.ln.Addr().String()))
	require.ErrorContains(t, err, "TLS handshake timeout")
	require.Less(t, time.Since(start), time.Second)
}

// testProxy is an HTTP proxy: CONNECT tunnels, and absolute-form requests forwarded through
// an http.Transport. It records what it saw.
type testProxy struct {
	*rawServer
	mu       sync.Mutex
	uris     []string // request targets of forwarded requests and CONNECTs
	auths    []string // their Proxy-Authorization
	connects atomic.Int64
}

func newTestProxy(t *testing.T, refuse bool) *testProxy {
	p := &testProxy{}
	upstream := &http.Transport{}
	t.Cleanup(upstream.CloseIdleConnections)
	p.rawServer = newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			p.mu.Lock()
			p.uris = append(p.uris, req.RequestURI)
			p.auths = append(p.auths, req.Header.Get("Proxy-Authorization"))
			p.mu.Unlock()
			if req.Method == http.MethodConnect {
				p.connects.Add(1)
				if refuse {
					io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
					return
				}
				target, err := net.Dial("tcp", req.Host)
				if err != nil {
					io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
					return
				}
				p.track(target)
				io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
				done := make(chan struct{})
				go func() { io.Copy(target, br); target.Close(); close(done) }()
				io.Copy(c, target)
				c.Close()
				<-done
				return
			}
			req.RequestURI = ""
			req.Header.Del("Proxy-Authorization")
			resp, err := upstream.RoundTrip(req)
			if err != nil {
				io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
				return
			}
			err = resp.Write(c)
			resp.Body.Close()
			if err != nil {
				return
			}
		}
	})
	return p
}

func TestH1Proxy(t *testing.T) {
	proxyURL := func(p *testProxy) *url.URL {
		return &url.URL{Scheme: "http", Host: p.ln.Addr().String(), User: url.UserPassword("user", "secret")}
	}
	const wantAuth = "Basic dXNlcjpzZWNyZXQ=" // user:secret

	t.Run("http target: absolute-form", func(t *testing.T) {
		s := newServer(t, ok)
		p := newTestProxy(t, false)
		var calls atomic.Int64
		tr := newTransport(t, transport.Options{Proxy: func(*http.Request) (*url.URL, error) {
			calls.Add(1)
			return proxyURL(p), nil
		}})
		for range 3 {
			require.Equal(t, "ok", do(t, tr, s.URL+"/path?q=1"))
		}
		require.EqualValues(t, 3, calls.Load(), "Proxy is consulted per request")
		require.EqualValues(t, 1, tr.Stats().ConnsOpened, "one kept-alive connection to the proxy")
		require.Equal(t, []string{s.URL + "/path?q=1", s.URL + "/path?q=1", s.URL + "/path?q=1"}, p.uris)
		require.Equal(t, []string{wantAuth, wantAuth, wantAuth}, p.auths)
	})

	t.Run("https target: CONNECT tunnel", func(t *testing.T) {
		cert, _, bundle := selfSigned(t)
		s := newTLSServer(t, cert, true)
		p := newTestProxy(t, false)
		tr := newTransport(t, transport.Options{CABundle: bundle, Proxy: http.ProxyURL(proxyURL(p))})
		for range 3 {
			resp, _, err := tr.Do(get(t, context.Background(), s.URL))
			require.NoError(t, err)
			require.Equal(t, 1, resp.ProtoMajor)
			require.NotNil(t, resp.TLS)
			require.Equal(t, "ok", readAll(t, resp))
		}
		require.EqualValues(t, 1, p.connects.Load())
		require.EqualValues(t, 1, tr.Stats().ConnsOpened)
		require.Equal(t, []string{strings.TrimPrefix(s.URL, "https://")}, p.uris)
		require.Equal(t, []string{wantAuth}, p.auths)
	})

	t.Run("CONNECT refused", func(t *testing.T) {
		p := newTestProxy(t, true)
		tr := newTransport(t, transport.Options{Proxy: http.ProxyURL(proxyURL(p))})
		_, _, err := tr.Do(get(t, context.Background(), "https://127.0.0.1:1/"))
		require.ErrorContains(t, err, "proxy http://user:xxxxx@"+p.ln.Addr().String()+" refused CONNECT 127.0.0.1:1: 407 Proxy Authentication Required")
		require.NotContains(t, err.Error(), "secret")
		require.Zero(t, tr.InFlight())
	})

	t.Run("other proxy schemes go through net/http", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		l.Close()
		tr := newTransport(t, transport.Options{Proxy: http.ProxyURL(&url.URL{Scheme: "socks5", Host: addr})})
		_, _, err = tr.Do(get(t, context.Background(), "http://127.0.0.1:1/"))
		require.ErrorContains(t, err, "proxyconnect") // net/http's wording: the engine did not send it
	})

	t.Run("Proxy error", func(t *testing.T) {
		tr := newTransport(t, transport.Options{Proxy: func(*http.Request) (*url.URL, error) { return nil, errors.New("no proxy for you") }})
		_, _, err := tr.Do(get(t, context.Background(), "http://127.0.0.1:1/"))
		require.ErrorContains(t, err, "no proxy for you")
	})
}

// The engine starts no goroutine of its own: none per connection, none per request.
func TestH1NoGoroutines(t *testing.T) {
	s := newRawServer(t, canned("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false))
	tr := newTransport(t, transport.Options{})
	// engineGoroutines lists the goroutines, other than this one, running or started by
	// package transport's code.
	engineGoroutines := func() []string {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var found []string
		for i, g := range strings.Split(string(buf), "\n\n") {
			if i > 0 && strings.Contains(g, "github.com/aioaws/aioaws/transport.") {
				found = append(found, g)
			}
		}
		return found
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, _, err := tr.Do(get(t, ctx, s.URL()))
	require.NoError(t, err)
	require.Empty(t, engineGoroutines(), "while the body is open")
	readAll(t, resp)
	require.Empty(t, engineGoroutines(), "with the connection idle")
	resp, _, err = tr.Do(get(t, ctx, s.URL()))
	require.NoError(t, err)
	readAll(t, resp)
	require.Empty(t, engineGoroutines(), "after a second request on it")
	require.EqualValues(t, 1, tr.Stats().ConnsOpened)

	// net/http, for comparison, keeps two per connection: the check would see them.
	tr2 := newTransport(t, transport.Options{HTTP2: true})
	resp, _, err = tr2.Do(get(t, ctx, s.URL()))
	require.NoError(t, err)
	readAll(t, resp)
	buf := make([]byte, 1<<20)
	require.Contains(t, string(buf[:runtime.Stack(buf, true)]), "net/http.(*persistConn).readLoop")
}

func TestH1Concurrent(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	})
	tr := newTransport(t, transport.Options{MaxInFlight: 64})
	const goroutines, perG = 64, 200
	n := perG
	if testing.Short() {
		n = 20
	}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for i := range n {
				body := fmt.Sprintf("g%d-i%d", g, i)
				req, _ := http.NewRequest("PUT", s.URL, strings.NewReader(body))
				if i%2 == 1 {
					req, _ = http.NewRequest("POST", s.URL, pipeBody(body))
				}
				resp, _, err := tr.Do(req)
				if err != nil {
					errs <- err
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil && string(b) != body {
					err = fmt.Errorf("got %q, want %q", b, body)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.LessOrEqual(t, tr.Stats().ConnsOpened, uint64(64))
	require.EqualValues(t, goroutines*n, s.requests.Load())
	require.Zero(t, tr.InFlight())
}

// HTTP2: true sends through net/http, which speaks HTTP/2 to a server that offers it; the
// default engine speaks HTTP/1.1 to the same server (see TestCABundle).
func TestH1OptionHTTP2(t *testing.T) {
	cert, _, bundle := selfSigned(t)
	s := newTLSServer(t, cert, true)
	for _, h2 := range []bool{false, true} {
		tr := newTransport(t, transport.Options{CABundle: bundle, HTTP2: h2})
		resp, _, err := tr.Do(get(t, context.Background(), s.URL))
		require.NoError(t, err)
		want := 1
		if h2 {
			want = 2
		}
		require.Equal(t, want, resp.ProtoMajor)
		readAll(t, resp)
	}
}

// A server that answers before reading the whole body and closes fails the body's write; the
// caller gets the server's answer, not the write error, and the connection is not reused.
func TestH1EarlyAnswer(t *testing.T) {
	s := newRawServer(t, func(c net.Conn, br *bufio.Reader) {
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 8\r\nConnection: close\r\n\r\ntoo big!")
		c.(*net.TCPConn).CloseWrite()
		time.Sleep(20 * time.Millisecond) // let the client see the answer before the reset
	})
	tr := newTransport(t, transport.Options{})
	for _, body := range []func() io.Reader{
		func() io.Reader { return bytes.NewReader(make([]byte, 64<<20)) }, // sized
		func() io.Reader { return io.LimitReader(zeros{}, 64<<20) },       // chunked
	} {
		req, err := http.NewRequest("PUT", s.URL(), body())
		require.NoError(t, err)
		resp, _, err := tr.Do(req)
		require.NoError(t, err)
		require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
		require.Equal(t, "too big!", readAll(t, resp))
	}
	require.Equal(t, int64(2), s.accepted.Load(), "the answered connection was not reused")
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
