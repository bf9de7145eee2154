package transport

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"net/url"
	"sync"
	"time"
)

// This file holds the connections of the HTTP/1.1 engine and their pool; h1.go sends
// requests over them and h1body.go reads response bodies from them.

const (
	connReadBufSize  = 4 << 10
	connWriteBufSize = 4 << 10
	// maxHeaderBytes bounds what is read from a connection for one response head (status
	// line and header fields, 1xx responses included) and for a chunked body's trailer
	// section. It counts bytes read from the connection, so a response whose head is a little
	// under the bound but whose body follows in the same read is also refused: the bound is
	// approximate by up to one read buffer.
	maxHeaderBytes = 1 << 20
	// connectTimeout bounds a CONNECT exchange with a proxy when the request's context has
	// no deadline of its own (as net/http does).
	connectTimeout = time.Minute
)

// aLongTimeAgo is a deadline in the past: setting it makes blocked I/O return at once.
var aLongTimeAgo = time.Unix(1, 0)

var errHeaderTooLarge = fmt.Errorf("response head larger than %d bytes", maxHeaderBytes)

// connKey identifies the connections a request may use: same scheme, same host (as the
// request URL spells it) and same proxy.
type connKey struct {
	scheme string // "http" or "https"
	host   string // URL.Host: host or host:port
	proxy  string // the proxy URL, userinfo included; "" for none
}

// conn is one HTTP/1.1 connection. It is owned by exactly one party at a time: the pool
// (while idle), a round trip (while the request is written and the head read), or the
// response body (until EOF or Close). Only the owner touches br, bw and the per-request
// fields; interrupt may run on any goroutine and only sets deadlines under mu.
type conn struct {
	key      connKey
	raw      net.Conn // the TCP connection: deadlines and interrupt act on it
	nc       net.Conn // raw, or the TLS connection over it
	br       *bufio.Reader
	bw       *bufio.Writer
	tp       textproto.Reader // over br
	tlsState *tls.ConnectionState
	copyBuf  []byte // request body copy buffer, made on first need
	lw       lengthWriter
	cw       chunkWriter
	idleAt   time.Time // when the conn went idle (pool only)

	// Per request, owner only.
	limited bool  // reading a response head: Read enforces left
	left    int64 // head bytes still allowed
	nread   int64 // bytes read from nc during this request
	werr    error // the first write error on nc during this request

	interruptFn func() // c.interrupt, bound once

	mu          sync.Mutex
	interrupted bool // the request's context ended: a past deadline is set; never reuse
}

func newConn(key connKey, raw net.Conn) *conn {
	c := &conn{key: key, raw: raw, nc: raw}
	c.br = bufio.NewReaderSize(c, connReadBufSize)
	c.bw = bufio.NewWriterSize(c, connWriteBufSize)
	c.tp.R = c.br
	c.interruptFn = c.interrupt
	return c
}

// Read reads from the connection for br, counting the bytes and, while a response head
// is read, refusing to read past the head bound.
func (c *conn) Read(p []byte) (int, error) {
	if c.limited {
		if c.left <= 0 {
			return 0, errHeaderTooLarge
		}
		if int64(len(p)) > c.left {
			p = p[:c.left]
		}
	}
	n, err := c.nc.Read(p)
	c.nread += int64(n)
	if c.limited {
		c.left -= int64(n)
	}
	return n, err
}

// Write writes to the connection for bw and remembers the first error, so that a failed
// body copy can tell a broken connection from a failing request body.
func (c *conn) Write(p []byte) (int, error) {
	n, err := c.nc.Write(p)
	if err != nil && c.werr == nil {
		c.werr = err
	}
	return n, err
}

// limitHead starts (on) or ends (off) the bound on the bytes read for a response head.
func (c *conn) limitHead(on bool) {
	c.limited, c.left = on, maxHeaderBytes
}

// interrupt makes the connection's blocked and future I/O fail at once. It runs from
// context.AfterFunc when a request's context ends, on its own goroutine.
func (c *conn) interrupt() {
	c.mu.Lock()
	c.interrupted = true
	c.raw.SetDeadline(aLongTimeAgo)
	c.mu.Unlock()
}

func (c *conn) isInterrupted() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.interrupted
}

// setReadDeadline sets a read deadline unless the connection was interrupted (whose past
// deadline must stay). The zero time clears it.
func (c *conn) setReadDeadline(t time.Time) {
	c.mu.Lock()
	if !c.interrupted {
		c.raw.SetReadDeadline(t)
	}
	c.mu.Unlock()
}

// setDeadline is setReadDeadline for reads and writes.
func (c *conn) setDeadline(t time.Time) {
	c.mu.Lock()
	if !c.interrupted {
		c.raw.SetDeadline(t)
	}
	c.mu.Unlock()
}

// watch arranges for ctx's end to interrupt c and returns the function that stops that
// (reporting false when the interrupt already ran or is running), or nil when ctx cannot
// end. The caller calls stop once the connection leaves the request.
func (c *conn) watch(ctx context.Context) (stop func() bool) {
	if ctx.Done() == nil {
		return nil
	}
	return context.AfterFunc(ctx, c.interruptFn)
}

func (c *conn) close() { c.nc.Close() }

// pool keeps idle connections per key, most recently used first. It is safe for concurrent
// use. A connection in the pool is owned by the pool: get hands it over to the caller, put
// takes it back (or closes it).
type pool struct {
	maxIdle     int           // per key
	idleTimeout time.Duration // 0: never expire

	mu     sync.Mutex
	idle   map[connKey]*idleList
	closed bool
}

// idleList is a stack: the last element is the most recently used connection.
type idleList struct{ conns []*conn }

// get returns the most recently used idle connection of key, or nil. Connections idle
// longer than idleTimeout at now are closed (all of those under the first expired one,
// since they went idle earlier).
func (p *pool) get(key connKey, now time.Time) *conn {
	p.mu.Lock()
	l := p.idle[key]
	if l == nil || len(l.conns) == 0 {
		p.mu.Unlock()
		return nil
	}
	last := len(l.conns) - 1
	c := l.conns[last]
	if p.idleTimeout > 0 && now.Sub(c.idleAt) > p.idleTimeout {
		expired := l.conns
		delete(p.idle, key)
		p.mu.Unlock()
		for _, c := range expired {
			c.close()
		}
		return nil
	}
	l.conns[last] = nil
	l.conns = l.conns[:last]
	p.mu.Unlock()
	return c
}

// put takes back a connection whose last response was read to its end and which may be
// reused; it closes it instead when the pool is closed or full for its key, or when the
// server sent bytes nobody asked for.
func (p *pool) put(c *conn) {
	if c.br.Buffered() > 0 {
		c.close()
		return
	}
	now := time.Now()
	p.mu.Lock()
	l := p.idle[c.key]
	idle := 0
	if l != nil {
		idle = len(l.conns)
	}
	if p.closed || idle >= p.maxIdle {
		p.mu.Unlock()
		c.close()
		return
	}
	if l == nil {
		if p.idle == nil {
			p.idle = make(map[connKey]*idleList)
		}
		l = &idleList{}
		p.idle[c.key] = l
	}
	c.idleAt = now
	l.conns = append(l.conns, c)
	p.mu.Unlock()
}

// closeIdle closes every idle connection; with shut, the pool also closes every connection
// put back later.
func (p *pool) closeIdle(shut bool) {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	if shut {
		p.closed = true
	}
	p.mu.Unlock()
	for _, l := range idle {
		for _, c := range l.conns {
			c.close()
		}
	}
}

// dial opens a connection for key: TCP to the target or to the proxy, a CONNECT tunnel
// through an http proxy for an https target, then TLS for https. The returned connection
// is watched by ctx (stop is its watch's stop function, possibly nil). On error nothing is
// left open.
func (e *engine) dial(ctx context.Context, key connKey, u *url.URL, proxy *url.URL, tm *Timing) (*conn, func() bool, error) {
	addr := canonicalAddr(u.Scheme, u.Host)
	dialAddr := addr
	if proxy != nil {
		dialAddr = canonicalAddr(proxy.Scheme, proxy.Host)
	}
	start := time.Now()
	raw, err := e.dialer.DialContext(ctx, "tcp", dialAddr)
	if err != nil {
		return nil, nil, err
	}
	e.t.connsOpened.Add(1)
	if tm != nil {
		tm.Connect = time.Since(start)
	}
	c := newConn(key, raw)
	stop := c.watch(ctx)
	fail := func(err error) (*conn, func() bool, error) {
		if stop != nil {
			stop()
		}
		c.close()
		if c.isInterrupted() {
			err = fmt.Errorf("%w: %w", ctxErr(ctx), err)
		}
		return nil, nil, err
	}
	if proxy != nil && key.scheme == "https" {
		if err := c.connect(ctx, proxy, addr); err != nil {
			return fail(err)
		}
	}
	if key.scheme == "https" {
		start := time.Now()
		if err := c.handshake(e.tlsConf, u.Hostname(), e.tlsTimeout); err != nil {
			return fail(err)
		}
		if tm != nil {
			tm.TLSHandshake = time.Since(start)
		}
	}
	return c, stop, nil
}

// handshake runs the TLS client handshake over c, bounded by timeout (0: none) and by the
// request's context through c's watch. It uses no goroutine: the bounds are deadlines.
func (c *conn) handshake(base *tls.Config, host string, timeout time.Duration) error {
	cfg := base.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	tc := tls.Client(c.raw, cfg)
	if timeout > 0 {
		c.setDeadline(time.Now().Add(timeout))
	}
	err := tc.Handshake()
	if timeout > 0 {
		c.setDeadline(time.Time{})
	}
	if err != nil {
		var ne net.Error
		if timeout > 0 && errors.As(err, &ne) && ne.Timeout() && !c.isInterrupted() {
			return fmt.Errorf("TLS handshake timeout (%v): %w", timeout, err)
		}
		return err
	}
	st := tc.ConnectionState()
	c.tlsState = &st
	c.nc = tc
	return nil
}

// connect opens a tunnel to addr through an http proxy on c.
func (c *conn) connect(ctx context.Context, proxy *url.URL, addr string) error {
	if _, ok := ctx.Deadline(); !ok {
		c.setDeadline(time.Now().Add(connectTimeout))
		defer c.setDeadline(time.Time{})
	}
	c.bw.WriteString("CONNECT " + addr + " HTTP/1.1\r\nHost: " + addr + "\r\n")
	if auth := proxyAuth(proxy); auth != "" {
		c.bw.WriteString("Proxy-Authorization: " + auth + "\r\n")
	}
	c.bw.WriteString("\r\n")
	if err := c.bw.Flush(); err != nil {
		return fmt.Errorf("proxy %s: CONNECT %s: %w", proxy.Redacted(), addr, err)
	}
	var h head
	c.limitHead(true)
	err := c.readHead(&h)
	c.limitHead(false)
	if err != nil {
		return fmt.Errorf("proxy %s: CONNECT %s: %w", proxy.Redacted(), addr, err)
	}
	if h.code < 200 || h.code > 299 {
		return fmt.Errorf("proxy %s refused CONNECT %s: %s", proxy.Redacted(), addr, h.status)
	}
	if c.br.Buffered() > 0 {
		return fmt.Errorf("proxy %s: CONNECT %s: unexpected data after the proxy's reply", proxy.Redacted(), addr)
	}
	return nil
}

// proxyAuth is the Proxy-Authorization value for the proxy URL's userinfo, or "".
func proxyAuth(proxy *url.URL) string {
	if proxy == nil || proxy.User == nil {
		return ""
	}
	pass, _ := proxy.User.Password()
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(proxy.User.Username()+":"+pass))
}

// canonicalAddr is host:port of a URL host, the port defaulting to the scheme's.
func canonicalAddr(scheme, host string) string {
	h, port, err := net.SplitHostPort(host)
	if err != nil || port == "" { // no port (a bare IPv6 literal is bracketed in a URL)
		h = host
		if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
			h = h[1 : len(h)-1]
		}
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(h, port)
}
