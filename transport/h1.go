package transport

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
	"net/textproto"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// engine is aioaws's own HTTP/1.1 client: it writes a request and reads the response head
// on the caller's goroutine, and its response bodies read from the connection on the
// reader's goroutine. It starts no goroutine (a context.AfterFunc callback runs only when a
// request's context ends). It is safe for concurrent use.
type engine struct {
	t             *Transport // for the counters
	dialer        net.Dialer
	tlsConf       *tls.Config // never nil; NextProtos is ["http/1.1"]; cloned per dial
	tlsTimeout    time.Duration
	headerTimeout time.Duration // ResponseHeaderTimeout; 0: none
	proxy         func(*http.Request) (*url.URL, error)
	pool          pool
}

// errUseNetHTTP tells Do to send the request through net/http.Transport instead: the
// request needs something the engine does not do (a proxy other than http://, a CONNECT
// request, a host name that is not ASCII).
var errUseNetHTTP = errors.New("transport: request needs net/http")

// errConcurrentRead is returned by a response body Read that overlaps another Read (for
// example the draining Read of a Close called while a Read is blocked): the overlapping
// Read fails at once instead of racing on the connection.
var errConcurrentRead = errors.New("transport: concurrent Read on a response body")

func newEngine(t *Transport, o Options, tlsConf *tls.Config) *engine {
	var c *tls.Config
	if tlsConf != nil {
		c = tlsConf.Clone()
	} else {
		c = &tls.Config{}
	}
	c.NextProtos = []string{"http/1.1"}
	return &engine{
		t:             t,
		dialer:        net.Dialer{Timeout: o.DialTimeout, KeepAlive: o.KeepAlive},
		tlsConf:       c,
		tlsTimeout:    o.TLSHandshakeTimeout,
		headerTimeout: o.ResponseHeaderTimeout,
		proxy:         o.Proxy,
		pool:          pool{maxIdle: o.MaxIdleConnsPerHost, idleTimeout: o.IdleConnTimeout},
	}
}

// wire is a request prepared for writing: everything validated and decided before a
// connection is taken.
type wire struct {
	method    string
	host      string // the Host header
	absolute  bool   // through an http proxy: absolute-form request target
	uriPrefix string // "scheme:" before an opaque "//..." target
	path      string
	hasQuery  bool
	query     string
	proxyAuth string // Proxy-Authorization for a plain-http request through a proxy

	body       io.Reader // nil: no body
	closer     io.Closer // req.Body, closed once by closeBody
	cl         int64     // the body's length when !chunked
	sendCL     bool      // write Content-Length
	chunked    bool      // Transfer-Encoding: chunked
	trailer    http.Header
	inMemory   bool // the body is an in-memory reader: no flush between head and body
	expect     bool // Expect: 100-continue with a body
	closeConn  bool // the request asks for Connection: close
	writeClose bool // ...and the engine must add the header

	bodyFailed bool // reading the request body failed (not the connection)
}

func (w *wire) closeBody() {
	if w.closer != nil {
		w.closer.Close()
		w.closer = nil
	}
}

// roundTrip sends req and returns the response with its head read. A response with a body
// reads it through b.h1 (resp.Body is &b.h1), which from then on owns the connection. On
// error the connection is closed and req.Body is closed. now is when the request got its
// slot (for idle expiry). It returns errUseNetHTTP, with req.Body untouched, for the
// requests it leaves to net/http.
func (e *engine) roundTrip(req *http.Request, b *body, now time.Time) (*http.Response, error) {
	u := req.URL
	if u == nil {
		closeReqBody(req)
		return nil, errors.New("nil Request.URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		closeReqBody(req)
		return nil, fmt.Errorf("unsupported protocol scheme %q", u.Scheme)
	}
	if u.Host == "" {
		closeReqBody(req)
		return nil, errors.New("no Host in request URL")
	}
	if req.Method == http.MethodConnect || !isASCII(u.Host) || !isASCII(req.Host) {
		return nil, errUseNetHTTP
	}
	var proxy *url.URL
	if e.proxy != nil {
		var err error
		if proxy, err = e.proxy(req); err != nil {
			closeReqBody(req)
			return nil, fmt.Errorf("proxy: %w", err)
		}
		if proxy != nil && proxy.Scheme != "http" {
			return nil, errUseNetHTTP
		}
	}
	var w wire
	if err := w.prepare(req, proxy); err != nil {
		closeReqBody(req)
		return nil, err
	}
	key := connKey{scheme: u.Scheme, host: u.Host}
	if proxy != nil {
		key.proxy = proxy.String()
	}
	var tm *Timing
	if e.t.trace {
		tm = &b.timing
	}
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		var c *conn
		var stop func() bool
		if attempt == 0 {
			c = e.pool.get(key, now)
		}
		reused := c != nil
		if reused {
			stop = c.watch(ctx)
		} else {
			var err error
			if c, stop, err = e.dial(ctx, key, u, proxy, tm); err != nil {
				w.closeBody()
				return nil, err
			}
		}
		if tm != nil {
			tm.Reused = reused
		}
		resp, err := e.exchange(c, stop, req, &w, b)
		if err == nil {
			w.closeBody() // already closed when it was sent; not when there was none to send
			return resp, nil
		}
		// The attempt failed: the connection is done for.
		if stop != nil {
			stop()
		}
		c.close()
		if c.isInterrupted() {
			w.closeBody()
			return nil, fmt.Errorf("%w (request interrupted)", ctxErr(ctx))
		}
		if attempt == 0 && reused && c.nread == 0 && !w.bodyFailed && isStale(err) && ctx.Err() == nil {
			// A pooled connection the server closed while it was idle. Replay the request on a
			// new connection if its body can be had again.
			if w.body == nil {
				continue
			}
			if req.GetBody != nil {
				w.closeBody()
				nb, gerr := req.GetBody()
				if gerr != nil {
					return nil, fmt.Errorf("%w (retrying with a fresh body: GetBody: %v)", err, gerr)
				}
				w.setBody(nb)
				continue
			}
			w.closeBody()
			return nil, fmt.Errorf("the server closed the pooled connection before answering, and the request was not retried: its body cannot be replayed (no GetBody): %w", err)
		}
		w.closeBody()
		return nil, err
	}
}

func closeReqBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// isStale reports whether err is what writing to, or reading the first byte from, a
// connection the server has closed looks like.
func isStale(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNABORTED)
}

// exchange writes the request on c and reads the response head. On success c and stop
// belong to the response (its body, or the pool / a close when there is no body); on error
// they stay with the caller.
func (e *engine) exchange(c *conn, stop func() bool, req *http.Request, w *wire, b *body) (*http.Response, error) {
	c.nread, c.werr = 0, nil
	c.writeHead(req, w)
	if w.body != nil && w.expect {
		if err := c.bw.Flush(); err != nil {
			return nil, fmt.Errorf("writing request: %w", err)
		}
		h, proceed, err := c.awaitContinue()
		if err != nil {
			return nil, err
		}
		if !proceed {
			// A final answer before the body was asked for: the body is not sent, and the
			// connection, where the server may still expect it, is not reused.
			w.closeBody()
			return e.respond(c, stop, req, h, b, false)
		}
	}
	if w.body != nil {
		if !w.inMemory && !w.expect {
			if err := c.bw.Flush(); err != nil { // the server sees the head early
				return nil, fmt.Errorf("writing request: %w", err)
			}
		}
		if err := c.writeBody(w); err != nil {
			return e.earlyAnswer(c, stop, req, b, err)
		}
	}
	if err := c.bw.Flush(); err != nil {
		return e.earlyAnswer(c, stop, req, b, fmt.Errorf("writing request: %w", err))
	}
	var h head
	if err := c.readFinalHead(&h, e.headerTimeout); err != nil {
		var ne net.Error
		if e.headerTimeout > 0 && errors.As(err, &ne) && ne.Timeout() && !c.isInterrupted() {
			return nil, fmt.Errorf("timeout awaiting response headers (ResponseHeaderTimeout %v): %w", e.headerTimeout, err)
		}
		return nil, err
	}
	return e.respond(c, stop, req, &h, b, !w.closeConn)
}

// readFinalHead reads the final response head into h, bounded in size, and within wait when
// wait > 0.
func (c *conn) readFinalHead(h *head, wait time.Duration) error {
	if wait > 0 {
		c.setReadDeadline(time.Now().Add(wait))
	}
	c.limitHead(true)
	_, err := c.readFinal(h, false)
	c.limitHead(false)
	if wait > 0 {
		c.setReadDeadline(time.Time{})
	}
	return err
}

// earlyAnswerWait bounds how long a failed write waits for a response the server sent first.
const earlyAnswerWait = 50 * time.Millisecond

// earlyAnswer handles a failed write of the request. A server may answer before it has read
// the whole body and then close (a 413, a 403 for a bad signature), which fails the write:
// the answer, when one arrives within earlyAnswerWait, is what the caller gets, not the write
// error. The connection is not reused. Any other failure (the caller's body failing, a
// cancellation) returns writeErr.
func (e *engine) earlyAnswer(c *conn, stop func() bool, req *http.Request, b *body, writeErr error) (*http.Response, error) {
	if c.werr == nil || c.isInterrupted() {
		return nil, writeErr
	}
	var h head
	if err := c.readFinalHead(&h, earlyAnswerWait); err != nil {
		return nil, writeErr
	}
	return e.respond(c, stop, req, &h, b, false)
}

// awaitContinue waits, after an "Expect: 100-continue" head was sent, for the server's
// go-ahead: it reports proceed when a 100 came or nothing came within
// ExpectContinueTimeout, and otherwise returns the final response head the server sent.
func (c *conn) awaitContinue() (*head, bool, error) {
	c.setReadDeadline(time.Now().Add(ExpectContinueTimeout))
	_, err := c.br.Peek(1)
	c.setReadDeadline(time.Time{})
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() && !c.isInterrupted() {
			return nil, true, nil // no answer: send the body anyway
		}
		return nil, false, fmt.Errorf("awaiting 100 Continue: %w", err)
	}
	h := new(head)
	c.limitHead(true)
	got100, err := c.readFinal(h, true)
	c.limitHead(false)
	if err != nil {
		return nil, false, err
	}
	return h, got100, nil
}

// prepare validates req and decides how to frame it.
func (w *wire) prepare(req *http.Request, proxy *url.URL) error {
	u := req.URL
	w.method = req.Method
	if w.method == "" {
		w.method = http.MethodGet
	} else if !isToken(w.method) {
		return fmt.Errorf("invalid method %q", w.method)
	}
	host := req.Host
	if host == "" {
		host = u.Host
	}
	host = removeZone(host)
	if !validHost(host) {
		return fmt.Errorf("invalid Host %q", host)
	}
	w.host = host
	if u.Opaque == "" {
		w.path = u.EscapedPath()
		if w.path == "" {
			w.path = "/"
		}
		w.absolute = proxy != nil && u.Scheme == "http"
	} else {
		w.path = u.Opaque
		if strings.HasPrefix(w.path, "//") {
			w.uriPrefix = u.Scheme + ":"
		}
	}
	w.hasQuery, w.query = u.ForceQuery || u.RawQuery != "", u.RawQuery
	if hasCTL(w.path) || hasCTL(w.query) || hasCTL(w.uriPrefix) {
		return errors.New("can't write control character in Request.URL")
	}
	if proxy != nil && u.Scheme == "http" {
		w.proxyAuth = proxyAuth(proxy)
	}
	if err := checkFields(req.Header, "header"); err != nil {
		return err
	}
	w.closeConn = req.Close || hasToken(req.Header["Connection"], "close")
	w.writeClose = w.closeConn && !hasToken(req.Header["Connection"], "close")

	// Body framing, as net/http frames requests.
	w.closer = req.Body
	switch {
	case req.Body == nil:
		if req.ContentLength != 0 {
			return fmt.Errorf("Request.ContentLength=%d with nil Body", req.ContentLength)
		}
	case req.Body == http.NoBody:
	default:
		w.setBody(req.Body)
		w.cl = req.ContentLength
		switch {
		case len(req.TransferEncoding) > 0 && req.TransferEncoding[0] == "chunked":
			w.chunked = true
		case w.cl > 0:
		case w.cl < 0:
			w.chunked = true
		default: // 0 with a body: unknown length
			if lacksBody(w.method) {
				// Only GET, HEAD, DELETE... are probed, as net/http does: one byte is read
				// to tell an empty body (sent as none) from one of unknown length.
				var one [1]byte
				n, err := io.ReadFull(w.body, one[:])
				switch {
				case n == 0 && (err == io.EOF || err == io.ErrUnexpectedEOF):
					w.body = nil
				case err != nil:
					return fmt.Errorf("reading the request body: %w", err)
				default:
					w.body = io.MultiReader(strings.NewReader(string(one[:])), w.body)
					w.inMemory = false
					w.chunked = true
				}
			} else {
				w.chunked = true
			}
		}
	}
	w.sendCL = !w.chunked && (w.cl > 0 || w.method == "POST" || w.method == "PUT" || w.method == "PATCH")
	if w.body == nil {
		w.cl = 0
		w.chunked = false
	}
	if w.chunked {
		w.cl = -1
		if len(req.Trailer) > 0 {
			for k := range req.Trailer {
				switch http.CanonicalHeaderKey(k) {
				case "Transfer-Encoding", "Trailer", "Content-Length":
					return fmt.Errorf("invalid Trailer key %q", k)
				}
			}
			if err := checkFields(req.Trailer, "trailer"); err != nil {
				return err
			}
			w.trailer = req.Trailer
		}
	}
	w.expect = w.body != nil && hasToken(req.Header["Expect"], "100-continue")
	return nil
}

// checkFields reports the first header (or trailer: what) field whose name is not a token or
// whose value has bytes a field value cannot have.
func checkFields(h http.Header, what string) error {
	for k, vs := range h {
		if !isToken(k) {
			return fmt.Errorf("invalid %s field name %q", what, k)
		}
		for _, v := range vs {
			if !validFieldValue(v) {
				return fmt.Errorf("invalid %s field value for %q", what, k)
			}
		}
	}
	return nil
}

// setBody makes r the body to send (req.Body or what GetBody returned): unwrapped from
// io.NopCloser so that an in-memory reader is seen as one (and its WriteTo used).
func (w *wire) setBody(r io.ReadCloser) {
	w.closer = r
	var inner io.Reader = r
	if t := reflect.TypeOf(r); t == nopCloserType || t == nopCloserWriterToType {
		if in, ok := reflect.ValueOf(r).Field(0).Interface().(io.Reader); ok {
			inner = in
		}
	}
	w.body = inner
	switch inner.(type) {
	case *strings.Reader, *bytes.Reader, *bytes.Buffer:
		w.inMemory = true
	default:
		w.inMemory = false
	}
}

var (
	nopCloserType         = reflect.TypeOf(io.NopCloser(nil))
	nopCloserWriterToType = reflect.TypeOf(io.NopCloser(struct {
		io.Reader
		io.WriterTo
	}{}))
)

// lacksBody reports the methods whose requests usually have no body.
func lacksBody(method string) bool {
	switch method {
	case "GET", "HEAD", "DELETE", "OPTIONS", "PROPFIND", "SEARCH":
		return true
	}
	return false
}

// writeHead writes the request line and header fields into c.bw (not flushed). Header
// fields go in map order; Host, Content-Length, Transfer-Encoding and Trailer come from the
// request's fields, not from req.Header.
func (c *conn) writeHead(req *http.Request, w *wire) {
	bw := c.bw
	bw.WriteString(w.method)
	bw.WriteByte(' ')
	if w.absolute {
		bw.WriteString(req.URL.Scheme)
		bw.WriteString("://")
		bw.WriteString(w.host)
	}
	bw.WriteString(w.uriPrefix)
	bw.WriteString(w.path)
	if w.hasQuery {
		bw.WriteByte('?')
		bw.WriteString(w.query)
	}
	bw.WriteString(" HTTP/1.1\r\nHost: ")
	bw.WriteString(w.host)
	bw.WriteString("\r\n")
	if w.writeClose {
		bw.WriteString("Connection: close\r\n")
	}
	if w.sendCL {
		bw.WriteString("Content-Length: ")
		bw.Write(strconv.AppendInt(bw.AvailableBuffer(), w.cl, 10))
		bw.WriteString("\r\n")
	} else if w.chunked {
		bw.WriteString("Transfer-Encoding: chunked\r\n")
	}
	if len(w.trailer) > 0 {
		bw.WriteString("Trailer: ")
		first := true
		for k := range w.trailer {
			if !first {
				bw.WriteByte(',')
			}
			first = false
			bw.WriteString(http.CanonicalHeaderKey(k))
		}
		bw.WriteString("\r\n")
	}
	if w.proxyAuth != "" && req.Header["Proxy-Authorization"] == nil {
		bw.WriteString("Proxy-Authorization: ")
		bw.WriteString(w.proxyAuth)
		bw.WriteString("\r\n")
	}
	writeFields(bw, req.Header)
	bw.WriteString("\r\n")
}

// writeFields writes header (or trailer) fields, except those the engine writes itself.
func writeFields(bw *bufio.Writer, h http.Header) {
	for k, vs := range h {
		switch k {
		case "Host", "Content-Length", "Transfer-Encoding", "Trailer":
			continue
		}
		for _, v := range vs {
			bw.WriteString(k)
			bw.WriteString(": ")
			bw.WriteString(strings.Trim(v, " \t"))
			bw.WriteString("\r\n")
		}
	}
}

// writeBody copies the request body into c.bw, framed, and closes it. Its errors tell a
// failing body (w.bodyFailed) from a failing connection.
func (c *conn) writeBody(w *wire) error {
	var dst io.Writer
	if w.chunked {
		c.cw = chunkWriter{bw: c.bw}
		dst = &c.cw
	} else {
		c.lw = lengthWriter{bw: c.bw, left: w.cl}
		dst = &c.lw
	}
	var err error
	if wt, ok := w.body.(io.WriterTo); ok {
		_, err = wt.WriteTo(dst)
	} else {
		if c.copyBuf == nil {
			c.copyBuf = make([]byte, 32<<10)
		}
		_, err = io.CopyBuffer(dst, w.body, c.copyBuf)
	}
	w.closeBody()
	switch {
	case c.werr != nil:
		return fmt.Errorf("writing request body: %w", c.werr)
	case err == errBodyTooLong:
		w.bodyFailed = true
		return fmt.Errorf("request body longer than ContentLength %d", w.cl)
	case err != nil:
		w.bodyFailed = true
		return fmt.Errorf("reading the request body: %w", err)
	case !w.chunked && c.lw.left != 0:
		w.bodyFailed = true
		return fmt.Errorf("request body is %d bytes, ContentLength is %d", w.cl-c.lw.left, w.cl)
	}
	if w.chunked {
		c.bw.WriteString("0\r\n")
		if len(w.trailer) > 0 {
			writeFields(c.bw, w.trailer)
		}
		c.bw.WriteString("\r\n")
	}
	return nil
}

var errBodyTooLong = errors.New("body longer than ContentLength")

// lengthWriter passes on at most left bytes.
type lengthWriter struct {
	bw   *bufio.Writer
	left int64
}

func (l *lengthWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.left {
		return 0, errBodyTooLong
	}
	n, err := l.bw.Write(p)
	l.left -= int64(n)
	return n, err
}

// chunkWriter writes each Write as one chunk and flushes it, so a streaming body reaches
// the server as it is produced.
type chunkWriter struct{ bw *bufio.Writer }

func (cw *chunkWriter) Write(p []byte) (int, error) {
	if len(p) == 0 { // an empty chunk would end the body
		return 0, nil
	}
	bw := cw.bw
	bw.Write(strconv.AppendInt(bw.AvailableBuffer(), int64(len(p)), 16))
	bw.WriteString("\r\n")
	bw.Write(p)
	bw.WriteString("\r\n")
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	return len(p), nil
}

// head is one parsed response head.
type head struct {
	code         int
	status       string // "200 OK"
	proto        string
	major, minor int
	header       http.Header
}

// readFinal reads response heads until a final one (skipping 1xx responses) and reports
// whether it stopped at a "100 Continue" instead, which it does only with awaiting100.
func (c *conn) readFinal(h *head, awaiting100 bool) (got100 bool, err error) {
	for {
		if err := c.readHead(h); err != nil {
			return false, err
		}
		switch {
		case h.code == http.StatusContinue && awaiting100:
			return true, nil
		case h.code == http.StatusSwitchingProtocols:
			return false, errors.New("unexpected 101 Switching Protocols (upgrades are not supported)")
		case h.code < 200:
			continue // 1xx interim responses (100, 102, 103...) are skipped
		}
		return false, nil
	}
}

// readHead reads one response head: the status line and the header section. A head that
// is wholly in the read buffer and plain (no folded lines, nothing malformed) is parsed by
// parseHead into one string; any other goes through net/textproto, which also words the
// errors.
func (c *conn) readHead(h *head) error {
	for n := 1; ; {
		if _, err := c.br.Peek(n); err != nil {
			if err == io.EOF && c.br.Buffered() > 0 {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("reading response: %w", err)
		}
		buf, _ := c.br.Peek(c.br.Buffered())
		size, complete := parseHead(buf, h)
		if size > 0 {
			c.br.Discard(size)
			return nil
		}
		if complete || len(buf) == c.br.Size() {
			break // unusual or larger than the buffer: the general path
		}
		n = len(buf) + 1 // wait for more of the head
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		switch {
		case err == bufio.ErrBufferFull:
			return errors.New("malformed HTTP response: status line too long")
		case err == io.EOF && len(line) > 0:
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("reading response: %w", err)
	}
	status := strings.TrimSuffix(string(line[:len(line)-1]), "\r")
	i, err := h.parseStatus(status)
	if err != nil {
		return err
	}
	h.status = status[i:]
	hdr, err := c.tp.ReadMIMEHeader()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("reading response header: %w", err)
	}
	h.header = http.Header(hdr)
	return nil
}

// parseHead parses a head at the start of buf into h and returns its size, or 0 when buf
// holds no whole head (complete false) or holds one that is not plain (complete true).
// It accepts only what textproto.Reader.ReadMIMEHeader reads the same way: lines ending in
// LF or CRLF, no folded line, keys of token bytes, values of field-value bytes. Keys are
// canonicalized; keys and values are substrings of one string holding the head.
func parseHead(buf []byte, h *head) (size int, complete bool) {
	lines := -1 // header lines, not counting the status line
	for i := 0; ; lines++ {
		j := bytes.IndexByte(buf[i:], '\n')
		if j < 0 {
			return 0, false
		}
		if j == 0 || (j == 1 && buf[i] == '\r') {
			if lines < 0 {
				return 0, true // an empty status line: the general path words the error
			}
			size = i + j + 1
			break
		}
		i += j + 1
	}
	s := string(buf[:size])
	line, rest, _ := strings.Cut(s, "\n")
	line = strings.TrimSuffix(line, "\r")
	i, err := h.parseStatus(line)
	if err != nil {
		return 0, true
	}
	h.status = line[i:]
	hdr := make(http.Header, lines)
	slab := make([]string, lines)
	for {
		line, rest, _ = strings.Cut(rest, "\n")
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			break
		}
		colon := strings.IndexByte(line, ':')
		if colon <= 0 {
			return 0, true
		}
		key, v := line[:colon], line[colon+1:]
		if !isToken(key) || !validFieldValue(v) {
			return 0, true
		}
		v = strings.Trim(v, " \t")
		key = canonicalKey(key)
		if vv, ok := hdr[key]; ok {
			hdr[key] = append(vv, v)
		} else {
			slab[0] = v
			hdr[key] = slab[:1:1]
			slab = slab[1:]
		}
	}
	h.header = hdr
	return size, true
}

// parseStatus parses a status line ("HTTP/1.1 200 OK", without its line end) into h, but
// for h.status, which is line[i:].
func (h *head) parseStatus(line string) (i int, err error) {
	bad := func(what string) error {
		return fmt.Errorf("malformed HTTP response: %s in %q", what, truncate(line, 64))
	}
	if len(line) < 12 || line[8] != ' ' {
		return 0, bad("bad status line")
	}
	switch line[:8] {
	case "HTTP/1.1":
		h.proto, h.major, h.minor = "HTTP/1.1", 1, 1
	case "HTTP/1.0":
		h.proto, h.major, h.minor = "HTTP/1.0", 1, 0
	default:
		return 0, bad("unsupported HTTP version")
	}
	i = 9
	for i < len(line) && line[i] == ' ' {
		i++
	}
	rest := line[i:]
	if len(rest) < 3 || (len(rest) > 3 && rest[3] != ' ') {
		return 0, bad("bad status code")
	}
	code := 0
	for j := range 3 {
		d := rest[j]
		if d < '0' || d > '9' {
			return 0, bad("bad status code")
		}
		code = code*10 + int(d-'0')
	}
	if code < 100 {
		return 0, bad("bad status code")
	}
	h.code = code
	return i, nil
}

func truncate(b string, n int) string {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// respond turns a final response head into the response. With a body to read, c and stop
// pass to the body; without one, c goes back to the pool (reuse permitting) or is closed.
// reuse is false when the request ruled out reusing the connection.
func (e *engine) respond(c *conn, stop func() bool, req *http.Request, h *head, b *body, reuse bool) (*http.Response, error) {
	f, err := h.frame(req.Method)
	if err != nil {
		return nil, err
	}
	resp := &http.Response{
		Status: h.status, StatusCode: h.code,
		Proto: h.proto, ProtoMajor: h.major, ProtoMinor: h.minor,
		Header: h.header, Request: req, TLS: c.tlsState,
		ContentLength: f.length, Close: f.close, Trailer: f.trailer,
	}
	if f.chunked {
		resp.TransferEncoding = []string{"chunked"}
	}
	reuse = reuse && !f.close
	if f.noBody {
		resp.Body = http.NoBody
		e.release(c, stop, reuse)
		return resp, nil
	}
	b.h1 = h1body{c: c, e: e, stop: stop, ctx: req.Context(), resp: resp, left: f.length, reuse: reuse}
	if f.chunked {
		b.h1.left = -1
		b.h1.cr = newChunkedReader(c.br)
	}
	resp.Body = &b.h1
	return resp, nil
}

// framing is how a response's body is delimited.
type framing struct {
	length  int64 // Response.ContentLength: -1 unknown
	chunked bool
	noBody  bool // none to read (HEAD, 1xx, 204, 304, Content-Length: 0)
	close   bool // Response.Close: the connection ends after this response
	trailer http.Header
}

// frame decides a final response's framing from its head (RFC 9112 section 6, as net/http
// reads it, but refusing a response with both Transfer-Encoding and Content-Length). It
// removes Transfer-Encoding and Trailer from the header and keeps one of several equal
// Content-Length values, as net/http does.
func (h *head) frame(method string) (f framing, err error) {
	hdr := h.header
	f.close = closes(h.major, h.minor, hdr)
	if te, ok := hdr["Transfer-Encoding"]; ok {
		delete(hdr, "Transfer-Encoding")
		if h.minor >= 1 { // HTTP/1.0 has no Transfer-Encoding: ignored, as net/http does
			if len(te) != 1 || !strings.EqualFold(textproto.TrimString(te[0]), "chunked") {
				return f, fmt.Errorf("malformed HTTP response: unsupported Transfer-Encoding %q", te)
			}
			f.chunked = true
		}
	}
	f.length = -1
	if cls := hdr["Content-Length"]; len(cls) > 0 {
		if f.chunked {
			return f, errors.New("malformed HTTP response: both Transfer-Encoding: chunked and Content-Length")
		}
		first := textproto.TrimString(cls[0])
		for _, v := range cls[1:] {
			if textproto.TrimString(v) != first {
				return f, fmt.Errorf("malformed HTTP response: differing Content-Length values %q", cls)
			}
		}
		if len(cls) > 1 {
			hdr["Content-Length"] = cls[:1]
		}
		n, err := strconv.ParseUint(first, 10, 63)
		if err != nil {
			return f, fmt.Errorf("malformed HTTP response: bad Content-Length %q", first)
		}
		f.length = int64(n)
	}
	switch {
	case method == http.MethodHead:
		// No body; ContentLength tells the size a GET would get, when the head says.
		f.noBody = true
		if f.chunked {
			f.length = -1
		}
	case h.code < 200 || h.code == 204 || h.code == 304:
		f.noBody, f.length = true, 0
	case f.chunked:
		if vv, ok := hdr["Trailer"]; ok {
			delete(hdr, "Trailer")
			f.trailer = declaredTrailer(vv)
		}
	case f.length == 0:
		f.noBody = true
	case f.length < 0: // delimited by the end of the connection
		f.close = true
	}
	return f, nil
}

// release ends a request's hold on c: back to the pool when it may be reused and its
// context's watch was stopped before it fired, closed otherwise.
func (e *engine) release(c *conn, stop func() bool, reuse bool) {
	if stop != nil && !stop() {
		reuse = false // interrupted: the connection has a past deadline
	}
	if reuse {
		e.pool.put(c)
	} else {
		c.close()
	}
}

// declaredTrailer makes the Trailer map of the keys a response announces.
func declaredTrailer(vv []string) http.Header {
	var t http.Header
	for _, v := range vv {
		for _, k := range strings.Split(v, ",") {
			k = http.CanonicalHeaderKey(strings.TrimSpace(k))
			switch k {
			case "", "Transfer-Encoding", "Trailer", "Content-Length":
				continue
			}
			if t == nil {
				t = make(http.Header)
			}
			t[k] = nil
		}
	}
	return t
}

// closes reports whether a response's head asks to close the connection after it
// (net/http's rule: HTTP/1.0 keeps it only with "Connection: keep-alive").
func closes(major, minor int, h http.Header) bool {
	conn := h["Connection"]
	if major == 1 && minor == 0 {
		return hasToken(conn, "close") || !hasToken(conn, "keep-alive")
	}
	return hasToken(conn, "close")
}

// hasToken reports whether the comma-separated values contain token, case-insensitively.
func hasToken(values []string, token string) bool {
	for _, v := range values {
		for v != "" {
			var t string
			t, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// removeZone removes an IPv6 zone from a host: "[fe80::1%en0]:80" is "[fe80::1]:80".
func removeZone(host string) string {
	if !strings.HasPrefix(host, "[") {
		return host
	}
	i := strings.LastIndex(host, "]")
	if i < 0 {
		return host
	}
	j := strings.LastIndex(host[:i], "%")
	if j < 0 {
		return host
	}
	return host[:j] + host[i:]
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func hasCTL(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < ' ' || b == 0x7f {
			return true
		}
	}
	return false
}

// isToken reports whether s is an RFC 9110 token (a method or a field name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenByte[s[i]] {
			return false
		}
	}
	return true
}

var tokenByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// validFieldValue reports whether v has only field-value bytes (as net/textproto reads them,
// and as net/http lets a request have): visible ASCII, space, tab, bytes from 0x80.
func validFieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; (b < ' ' && b != '\t') || b == 0x7f {
			return false
		}
	}
	return true
}

// canonicalKey is http.CanonicalHeaderKey of a token, allocating only for a key that was not
// canonical and is not a known one.
func canonicalKey(k string) string {
	upper := true
	for i := 0; i < len(k); i++ {
		c := k[i]
		if (upper && 'a' <= c && c <= 'z') || (!upper && 'A' <= c && c <= 'Z') {
			return canonicalSlow(k)
		}
		upper = c == '-'
	}
	return k
}

func canonicalSlow(k string) string {
	var arr [64]byte
	b := arr[:0]
	if len(k) > len(arr) {
		b = make([]byte, 0, len(k))
	}
	upper := true
	for i := 0; i < len(k); i++ {
		c := k[i]
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
		upper = c == '-'
	}
	if s, ok := knownKeys[string(b)]; ok {
		return s
	}
	return string(b)
}

// knownKeys interns the canonical keys of the response headers HTTP servers and AWS send.
var knownKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{
		"Accept-Ranges", "Age", "Cache-Control", "Connection", "Content-Disposition",
		"Content-Encoding", "Content-Language", "Content-Length", "Content-Md5", "Content-Range",
		"Content-Type", "Date", "Etag", "Expires", "Keep-Alive", "Last-Modified", "Location",
		"Retry-After", "Server", "Trailer", "Transfer-Encoding", "Vary", "Www-Authenticate",
		"X-Amz-Apigw-Id", "X-Amz-Bucket-Region", "X-Amz-Cf-Id", "X-Amz-Cf-Pop", "X-Amz-Checksum-Crc32",
		"X-Amz-Checksum-Crc32c", "X-Amz-Checksum-Crc64nvme", "X-Amz-Checksum-Sha1",
		"X-Amz-Checksum-Sha256", "X-Amz-Checksum-Type", "X-Amz-Crc32", "X-Amz-Delete-Marker",
		"X-Amz-Expiration", "X-Amz-Id-2", "X-Amz-Request-Id", "X-Amz-Server-Side-Encryption",
		"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "X-Amz-Storage-Class", "X-Amz-Version-Id",
		"X-Amzn-Errortype", "X-Amzn-Query-Error", "X-Amzn-Requestid", "X-Amzn-Trace-Id",
	} {
		m[k] = k
	}
	return m
}()

// validHost reports whether a Host header value has only the bytes a host (a name, an
// IPv4 or bracketed IPv6 address, a port) can have.
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		if !hostByte[h[i]] {
			return false
		}
	}
	return true
}

var hostByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!$%&'()*+,-.:;=[]_~" {
		t[c] = true
	}
	return t
}()

// ctxWatchErr is the error of I/O a context's end interrupted.
func ctxWatchErr(ctx context.Context, what string) error {
	return fmt.Errorf("%s: %w", what, ctxErr(ctx))
}
