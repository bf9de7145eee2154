package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults applied by [New] to zero fields of [Options].
const (
	DefaultMaxInFlight         = 256
	DefaultDialTimeout         = 5 * time.Second
	DefaultTLSHandshakeTimeout = 5 * time.Second
	DefaultIdleConnTimeout     = 90 * time.Second
	DefaultKeepAlive           = 30 * time.Second
	DefaultMaxDrainBytes       = 64 << 10
	// ExpectContinueTimeout is how long a request with "Expect: 100-continue" waits for the
	// server's go-ahead before it sends its body anyway.
	ExpectContinueTimeout = time.Second
)

// Op values of [Error].
const (
	OpQueue = "queue" // waiting for an in-flight slot
	OpSend  = "send"  // sending the request and reading the response headers
)

// ErrClosed is the error (inside an [*Error] with Op "queue") of a Do on a closed Transport,
// and of a request that was still queued when [Transport.Close] was called.
var ErrClosed = errors.New("transport: closed")

// Options configure a [Transport]. A zero field takes the default named on it.
type Options struct {
	// MaxInFlight bounds the requests in flight at once (a request is in flight from the
	// moment it takes its slot until its response Body is closed); more wait in a FIFO queue.
	// Default 256; negative is an error.
	MaxInFlight int
	// MaxIdleConnsPerHost is the idle pool per host. Default MaxInFlight; negative is an error.
	MaxIdleConnsPerHost int
	// DialTimeout bounds a TCP connect. Default 5s; negative means none.
	DialTimeout time.Duration
	// TLSHandshakeTimeout bounds a TLS handshake. Default 5s; negative means none.
	TLSHandshakeTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for the response headers once the request is
	// written (time to first byte), per attempt. Default 0: none, the caller's context bounds
	// the attempt.
	ResponseHeaderTimeout time.Duration
	// IdleConnTimeout closes a connection idle that long (the HTTP/1.1 engine closes it when
	// it next comes across it, having no timers). Default 90s; negative means never.
	IdleConnTimeout time.Duration
	// KeepAlive is the TCP keep-alive period. Default 30s; negative disables keep-alive probes.
	KeepAlive time.Duration
	// Proxy chooses a proxy per request. Default http.ProxyFromEnvironment.
	Proxy func(*http.Request) (*url.URL, error)
	// CABundle names a PEM file whose certificates are trusted in addition to the system
	// roots (or to TLSConfig.RootCAs when that is set). "" means the system roots only.
	// A missing or unreadable file, or one holding no certificate, is an error from New.
	CABundle string
	// TLSConfig, if set, is cloned and used for TLS connections.
	TLSConfig *tls.Config
	// HTTP2 sends every request through net/http.Transport, which negotiates HTTP/2 over
	// TLS where the server offers it. Default false: aioaws's own HTTP/1.1 engine (see the
	// package documentation), which never speaks HTTP/2.
	HTTP2 bool
	// MaxDrainBytes is how much of an unread response body Close reads and discards so the
	// connection can be reused. Default 64 KiB; negative means never drain.
	MaxDrainBytes int64
	// Trace records per-request connection details in [Timing] (Reused, DNS, Connect,
	// TLSHandshake). The HTTP/1.1 engine measures them directly, at no cost to a request on a
	// pooled connection; requests sent through net/http.Transport use net/http/httptrace, at
	// the cost of a few allocations per request.
	Trace bool
}

// Timing is what [Transport.Do] measured of one request. Start+Queued+ToHeaders is when the
// response headers arrived (or the send failed).
type Timing struct {
	Start     time.Time     // when Do was called
	Queued    time.Duration // waiting for an in-flight slot
	ToHeaders time.Duration // from taking the slot to the response headers (or the send error)

	// Set only with Options.Trace. DNS, Connect and TLSHandshake are zero when the request
	// used a pooled connection (Reused) or the step did not happen. The HTTP/1.1 engine dials
	// by name in one step: its DNS is always zero and its Connect includes the lookup (and,
	// through a proxy, the CONNECT exchange is in neither).
	Reused       bool
	DNS          time.Duration
	Connect      time.Duration
	TLSHandshake time.Duration
}

// Stats is a snapshot of a Transport's counters.
type Stats struct {
	Limit          int           // Options.MaxInFlight
	InFlight       int           // slots held now
	Queued         int           // requests waiting for a slot now
	Requests       uint64        // Do calls
	QueuedRequests uint64        // Do calls that waited for a slot and got one
	TotalQueueWait time.Duration // summed over QueuedRequests
	MaxQueueWait   time.Duration // the longest single wait for a slot
	SendErrors     uint64        // Do calls that failed after taking a slot
	ConnsOpened    uint64        // TCP connections dialed successfully
	DrainLimitHits uint64        // bodies closed with more than MaxDrainBytes unread (connection dropped)
}

// Error is the error of a failed [Transport.Do]. Op is [OpQueue] when no slot was taken
// (context ended, or the Transport closed, while queued) and [OpSend] when the request was
// being sent. Err is the cause; errors.Is and errors.As see through to it.
type Error struct {
	Op  string
	Err error
}

func (e *Error) Error() string { return "transport: " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Transport sends HTTP requests with a bound on how many are in flight at once. It is safe
// for concurrent use; its zero value is not usable: make one with [New]. The owner calls
// [Transport.Close] when done. Every successful Do's response Body must be closed (see the
// package documentation).
type Transport struct {
	h1       *engine         // the HTTP/1.1 engine; nil with Options.HTTP2
	ht       *http.Transport // with Options.HTTP2, and for what the engine leaves to net/http
	sem      chan struct{}   // one element per slot held; FIFO hand-off to blocked senders
	done     chan struct{}   // closed by Close
	closed   atomic.Bool
	once     sync.Once
	maxDrain int64
	trace    bool

	requests       atomic.Uint64
	queuedNow      atomic.Int64
	queuedRequests atomic.Uint64
	totalWait      atomic.Int64
	maxWait        atomic.Int64
	sendErrors     atomic.Uint64
	connsOpened    atomic.Uint64
	drainLimitHits atomic.Uint64
}

// New returns a Transport configured by opts. It fails on a negative count in opts and on a
// CABundle that cannot be read or holds no certificate.
func New(opts Options) (*Transport, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	tlsConf, err := o.tlsConfig()
	if err != nil {
		return nil, err
	}
	t := &Transport{
		sem:      make(chan struct{}, o.MaxInFlight),
		done:     make(chan struct{}),
		maxDrain: o.MaxDrainBytes,
		trace:    o.Trace,
	}
	dialer := &net.Dialer{Timeout: o.DialTimeout, KeepAlive: o.KeepAlive}
	t.ht = &http.Transport{
		Proxy: o.Proxy,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, addr)
			if err == nil {
				t.connsOpened.Add(1)
			}
			return c, err
		},
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   o.TLSHandshakeTimeout,
		DisableCompression:    true, // the client handles Content-Encoding itself
		MaxIdleConns:          max(o.MaxInFlight, o.MaxIdleConnsPerHost),
		MaxIdleConnsPerHost:   o.MaxIdleConnsPerHost,
		MaxConnsPerHost:       o.MaxInFlight,
		IdleConnTimeout:       o.IdleConnTimeout,
		ResponseHeaderTimeout: o.ResponseHeaderTimeout,
		ExpectContinueTimeout: ExpectContinueTimeout,
		ForceAttemptHTTP2:     o.HTTP2,
	}
	if !o.HTTP2 {
		p := new(http.Protocols)
		p.SetHTTP1(true)
		t.ht.Protocols = p
		t.h1 = newEngine(t, o, tlsConf)
	}
	return t, nil
}

func (o Options) withDefaults() (Options, error) {
	switch {
	case o.MaxInFlight < 0:
		return o, fmt.Errorf("transport: MaxInFlight %d is negative", o.MaxInFlight)
	case o.MaxIdleConnsPerHost < 0:
		return o, fmt.Errorf("transport: MaxIdleConnsPerHost %d is negative", o.MaxIdleConnsPerHost)
	case o.ResponseHeaderTimeout < 0:
		return o, fmt.Errorf("transport: ResponseHeaderTimeout %v is negative", o.ResponseHeaderTimeout)
	}
	if o.MaxInFlight == 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.MaxIdleConnsPerHost == 0 {
		o.MaxIdleConnsPerHost = o.MaxInFlight
	}
	o.DialTimeout = duration(o.DialTimeout, DefaultDialTimeout)
	o.TLSHandshakeTimeout = duration(o.TLSHandshakeTimeout, DefaultTLSHandshakeTimeout)
	o.IdleConnTimeout = duration(o.IdleConnTimeout, DefaultIdleConnTimeout)
	if o.KeepAlive == 0 { // negative is passed on: net.Dialer reads it as "disabled"
		o.KeepAlive = DefaultKeepAlive
	}
	if o.Proxy == nil {
		o.Proxy = http.ProxyFromEnvironment
	}
	switch {
	case o.MaxDrainBytes == 0:
		o.MaxDrainBytes = DefaultMaxDrainBytes
	case o.MaxDrainBytes < 0:
		o.MaxDrainBytes = 0
	}
	return o, nil
}

// duration maps 0 to def and a negative value to 0 (net/http's "no limit").
func duration(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// tlsConfig returns the client TLS config, or nil for net/http's default.
func (o Options) tlsConfig() (*tls.Config, error) {
	if o.TLSConfig == nil && o.CABundle == "" {
		return nil, nil
	}
	var c *tls.Config
	if o.TLSConfig != nil {
		c = o.TLSConfig.Clone()
	} else {
		c = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if o.CABundle != "" {
		pem, err := os.ReadFile(o.CABundle)
		if err != nil {
			return nil, fmt.Errorf("transport: CA bundle: %w", err) // a *fs.PathError: names the file
		}
		var pool *x509.CertPool
		if c.RootCAs != nil {
			pool = c.RootCAs.Clone()
		} else if pool, err = x509.SystemCertPool(); err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		// The bundle may be the system bundle itself (AWS_CA_BUNDLE is often set to it):
		// CertPool ignores certificates it already holds.
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("transport: CA bundle %s holds no PEM certificate", o.CABundle)
		}
		c.RootCAs = pool
	}
	if !o.HTTP2 && len(c.NextProtos) > 0 {
		protos := make([]string, 0, len(c.NextProtos))
		for _, p := range c.NextProtos {
			if p != "h2" {
				protos = append(protos, p)
			}
		}
		c.NextProtos = protos
	}
	return c, nil
}

// Do sends req, with req's context, once it holds an in-flight slot; while it waits for one
// it honours that context. On success the slot is held until the response Body is closed,
// which the caller must do; on error the slot is already released and the response is nil.
// req.Body is always closed. The Timing is never nil: on error it tells how far the request
// got. Every error is an [*Error].
func (t *Transport) Do(req *http.Request) (*http.Response, *Timing, error) {
	start := time.Now()
	t.requests.Add(1)
	if req == nil {
		return nil, &Timing{Start: start}, &Error{Op: OpSend, Err: errors.New("nil request")}
	}
	ctx := req.Context()
	sent, err := t.acquire(ctx, start)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &Timing{Start: start, Queued: sent.Sub(start)}, err
	}
	b := &body{t: t}
	b.timing = Timing{Start: start, Queued: sent.Sub(start)}
	var resp *http.Response
	if t.h1 != nil {
		resp, err = t.h1.roundTrip(req, b, sent)
	}
	if t.h1 == nil || err == errUseNetHTTP {
		resp, err = t.netHTTP(req, b, start)
	}
	b.timing.ToHeaders = time.Since(sent)
	if err != nil {
		t.sendErrors.Add(1)
		t.release()
		return nil, &b.timing, &Error{Op: OpSend, Err: withCtxErr(ctx, err)}
	}
	b.rc = resp.Body
	b.drain = resp.ProtoMajor < 2 && t.maxDrain > 0
	resp.Body = b
	return resp, &b.timing, nil
}

// netHTTP sends req through net/http.Transport, tracing it with Options.Trace.
func (t *Transport) netHTTP(req *http.Request, b *body, start time.Time) (*http.Response, error) {
	if !t.trace {
		return t.ht.RoundTrip(req)
	}
	b.tr = &traceState{start: start}
	resp, err := t.ht.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), b.tr.clientTrace())))
	b.tr.fill(&b.timing)
	return resp, err
}

// RoundTrip implements [net/http.RoundTripper] with Do, so a Transport can sit under an
// [net/http.Client]. The response Body must be closed, as with Do.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, _, err := t.Do(req)
	return resp, err
}

// acquire takes a slot, waiting for one while ctx lasts and t is open. It returns when it
// took the slot (start when there was no wait).
func (t *Transport) acquire(ctx context.Context, start time.Time) (time.Time, error) {
	if t.closed.Load() {
		return start, &Error{Op: OpQueue, Err: ErrClosed}
	}
	if ctx.Err() != nil {
		return start, &Error{Op: OpQueue, Err: ctxErr(ctx)}
	}
	now := start
	select {
	case t.sem <- struct{}{}:
	default:
		t.queuedNow.Add(1)
		var err error
		select {
		case t.sem <- struct{}{}:
		case <-ctx.Done():
			err = ctxErr(ctx)
		case <-t.done:
			err = ErrClosed
		}
		t.queuedNow.Add(-1)
		now = time.Now()
		if err != nil {
			return now, &Error{Op: OpQueue, Err: err}
		}
		wait := int64(now.Sub(start))
		t.queuedRequests.Add(1)
		t.totalWait.Add(wait)
		for m := t.maxWait.Load(); wait > m && !t.maxWait.CompareAndSwap(m, wait); m = t.maxWait.Load() {
		}
	}
	if t.closed.Load() { // Close raced with the acquisition: a Do that starts after Close fails
		t.release()
		return now, &Error{Op: OpQueue, Err: ErrClosed}
	}
	return now, nil
}

func (t *Transport) release() {
	<-t.sem
	if t.closed.Load() && len(t.sem) == 0 {
		// The last request in flight after Close has put its connection back: close it.
		// (The HTTP/1.1 engine's pool closes connections put back after Close itself.)
		t.ht.CloseIdleConnections()
	}
}

// ctxErr is ctx.Err(), with the cause joined when one was given, so that errors.Is matches
// both context.Canceled/DeadlineExceeded and the cause.
func ctxErr(ctx context.Context) error {
	err := ctx.Err()
	if cause := context.Cause(ctx); cause != nil && cause != err {
		return fmt.Errorf("%w: %w", err, cause)
	}
	return err
}

// withCtxErr makes sure a send error caused by the end of ctx matches ctx's error.
func withCtxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}

// InFlight returns how many slots are held now.
func (t *Transport) InFlight() int { return len(t.sem) }

// Stats returns a snapshot of the counters; each field is read atomically, the set is not.
func (t *Transport) Stats() Stats {
	return Stats{
		Limit:          cap(t.sem),
		InFlight:       len(t.sem),
		Queued:         int(t.queuedNow.Load()),
		Requests:       t.requests.Load(),
		QueuedRequests: t.queuedRequests.Load(),
		TotalQueueWait: time.Duration(t.totalWait.Load()),
		MaxQueueWait:   time.Duration(t.maxWait.Load()),
		SendErrors:     t.sendErrors.Load(),
		ConnsOpened:    t.connsOpened.Load(),
		DrainLimitHits: t.drainLimitHits.Load(),
	}
}

// CloseIdleConnections closes the connections not in use now (it does not stop later
// requests from opening new ones). It implements the interface [net/http.Client]'s method
// of the same name looks for.
func (t *Transport) CloseIdleConnections() {
	if t.h1 != nil {
		t.h1.pool.closeIdle(false)
	}
	t.ht.CloseIdleConnections()
}

// Close closes the idle connections and makes every later Do, and every Do still queued,
// fail with [ErrClosed]. Requests in flight finish normally; their connections are closed
// when the last of their bodies is closed. Close is idempotent and does not wait.
func (t *Transport) Close() {
	t.once.Do(func() {
		t.closed.Store(true)
		close(t.done)
	})
	if t.h1 != nil {
		t.h1.pool.closeIdle(true)
	}
	t.ht.CloseIdleConnections()
}
