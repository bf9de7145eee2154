package faultproxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by [Proxy.Start] after [Proxy.Close].
var ErrClosed = errors.New("faultproxy: proxy closed")

// smallBody is the largest known-length request body that a delayed request
// reads before waiting, so that the server notices a client that goes away
// during the delay (net/http only watches the connection once the body is
// consumed). Larger and chunked bodies stay streamed.
const smallBody = 1 << 20

// Proxy is a fault-injecting reverse proxy listening on 127.0.0.1.
//
// Create it with [New]; the zero value is not usable. All methods are safe for
// concurrent use. Whoever calls [Proxy.Start] must call [Proxy.Close], which
// waits for every goroutine the proxy started.
type Proxy struct {
	target    *url.URL
	transport *http.Transport
	state     atomic.Pointer[state]
	stats     stats

	ctx    context.Context // base of every request's context; done at Close
	cancel context.CancelFunc

	mu        sync.Mutex // guards the fields below and handlers.Add
	srv       *http.Server
	url       string
	closed    bool
	serveDone chan struct{}
	handlers  sync.WaitGroup // running handler calls
	conns     sync.WaitGroup // client connections not yet closed or hijacked
}

// state is a validated Config with its request counter.
type state struct {
	cfg Config
	seq atomic.Uint64
}

// next returns the generator of the next request.
func (s *state) next() *rand.Rand {
	n := s.seq.Add(1) - 1
	return rand.New(rand.NewPCG(splitmix(uint64(s.cfg.Seed)), splitmix(n)))
}

// splitmix is SplitMix64's output function: it spreads neighbouring seeds
// (request numbers 0, 1, 2, ...) over the whole PCG state space.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// New returns a proxy in front of target, a base URL such as
// "http://127.0.0.1:4567" (scheme http or https, no path). It validates cfg
// and does not listen yet: call [Proxy.Start].
func New(target string, cfg Config) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: target: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return nil, fmt.Errorf("faultproxy: target %q is not a base URL like http://127.0.0.1:4567", target)
	}
	p := &Proxy{target: u, transport: newTransport()}
	if err := p.SetConfig(cfg); err != nil {
		return nil, err
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return p, nil
}

// SetConfig validates cfg and makes it the proxy's behaviour for the requests
// that arrive from now on (requests in flight keep the config they started
// with). It restarts the request numbering, so that a new Seed reproduces from
// its first request. On error the current config stays.
func (p *Proxy) SetConfig(cfg Config) error {
	v, err := cfg.validate()
	if err != nil {
		return err
	}
	p.state.Store(&state{cfg: v})
	return nil
}

// Start listens on a free port of 127.0.0.1 and serves in the background. It
// returns the proxy's base URL, like "http://127.0.0.1:38211", which
// [Proxy.URL] returns too. Start may be called once.
func (p *Proxy) Start() (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return "", ErrClosed
	}
	if p.srv != nil {
		return "", errors.New("faultproxy: already started")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("faultproxy: listen: %w", err)
	}
	p.srv = &http.Server{
		Handler:           http.HandlerFunc(p.handle),
		BaseContext:       func(net.Listener) context.Context { return p.ctx },
		ConnState:         p.connState,
		ReadHeaderTimeout: time.Minute,
	}
	p.url = "http://" + ln.Addr().String()
	p.serveDone = make(chan struct{})
	srv, done := p.srv, p.serveDone
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // returns ErrServerClosed after Close
	}()
	return p.url, nil
}

// connState runs on the Serve goroutine for StateNew, so conns.Add never races
// with the conns.Wait in Close, which runs after Serve has returned.
func (p *Proxy) connState(_ net.Conn, s http.ConnState) {
	switch s {
	case http.StateNew:
		p.conns.Add(1)
	case http.StateHijacked, http.StateClosed:
		p.conns.Done()
	}
}

// URL returns the base URL the proxy listens on, or "" before [Proxy.Start].
func (p *Proxy) URL() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.url
}

// Close stops the listener, closes every client connection, cancels the
// requests in flight (delays and backend calls included), waits for all their
// goroutines, and closes the idle connections to the target. It may be called
// more than once, and without Start.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	srv, done := p.srv, p.serveDone
	p.mu.Unlock()

	p.cancel()
	var err error
	if srv != nil {
		err = srv.Close()
		<-done
		p.conns.Wait()
	}
	p.handlers.Wait()
	p.transport.CloseIdleConnections()
	return err
}

// Stats returns a snapshot of the proxy's counters.
func (p *Proxy) Stats() Stats { return p.stats.snapshot() }

// enter registers a handler call, unless the proxy is closed.
func (p *Proxy) enter() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.handlers.Add(1)
	return true
}

// call is one request being handled.
type call struct {
	p    *Proxy
	w    http.ResponseWriter
	r    *http.Request
	st   *state
	rng  *rand.Rand // this request's generator; used by its goroutine only
	info reqInfo
}

func (p *Proxy) handle(w http.ResponseWriter, r *http.Request) {
	if !p.enter() {
		w.Header().Set("Connection", "close")
		http.Error(w, "faultproxy: closed", http.StatusServiceUnavailable)
		return
	}
	defer p.handlers.Done()

	st := p.state.Load()
	c := &call{p: p, w: w, r: r, st: st, rng: st.next()}
	c.info = classify(r, st.cfg.MaxBodyBytes)
	p.stats.begin(c.info.key)
	defer p.stats.end()

	delay, rule := c.plan()
	if delay > 0 {
		p.stats.injected(c.info.key, Latency, 0)
		if !c.sleep(delay) {
			// The client went away, or the proxy is closing: make sure
			// no (empty 200) response goes out.
			reset(w)
			return
		}
	}
	if rule == nil {
		c.forward()
		return
	}
	f := &rule.Fault
	switch f.Kind {
	case Throttle, ServerError:
		p.stats.injected(c.info.key, f.Kind, 0)
		faultError(f, &c.info).write(w, r, &c.info, requestID(c.rng))
	case Reset:
		c.reset(f)
	case Truncate:
		c.truncate(f)
	case PartialBatch:
		c.partial(rule)
	}
}

// plan evaluates the rules (see [Rule]): it returns the total delay of the
// firing Latency rules and the first firing rule of another kind, if any.
func (c *call) plan() (time.Duration, *Rule) {
	var delay time.Duration
	rules := c.st.cfg.Rules
	for i := range rules {
		rule := &rules[i]
		if !rule.Match.matches(c.r, &c.info) {
			continue
		}
		if rule.Fault.Kind == PartialBatch {
			if c.info.batch != notBatch && rule.Rate > 0 {
				return delay, rule
			}
			continue
		}
		if c.rng.Float64() >= rule.Rate {
			continue
		}
		if rule.Fault.Kind != Latency {
			return delay, rule
		}
		d := rule.Fault.Delay
		if rule.Fault.MaxDelay > d {
			d += time.Duration(c.rng.Int64N(int64(rule.Fault.MaxDelay-d) + 1))
		}
		delay += d
	}
	return delay, nil
}

// sleep waits for d; it returns false if the request's context ends first.
func (c *call) sleep(d time.Duration) bool {
	if n := c.r.ContentLength; n > 0 && n <= smallBody {
		buf := make([]byte, n)
		if _, err := io.ReadFull(c.r.Body, buf); err != nil {
			return false
		}
		c.r.Body = readCloser{bytes.NewReader(buf), c.r.Body}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.r.Context().Done():
		return false
	}
}

// reset closes the client connection with an RST, after reading the body or
// forwarding the request if f says so.
func (c *call) reset(f *Fault) {
	c.p.stats.injected(c.info.key, Reset, 0)
	switch {
	case f.Forward:
		resp, err := c.roundTrip(c.r.Body, c.r.ContentLength)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	case f.ReadBody:
		_, _ = io.Copy(io.Discard, c.r.Body)
	}
	reset(c.w)
}

// truncate forwards the request and sends the real status and headers but only
// a prefix of the body, then closes the connection.
func (c *call) truncate(f *Fault) {
	resp, err := c.roundTrip(c.r.Body, c.r.ContentLength)
	if err != nil {
		c.badGateway(err)
		return
	}
	defer resp.Body.Close()
	n := resp.ContentLength
	if n == 0 || c.r.Method == http.MethodHead ||
		resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
		// Nothing to cut: pass the response through.
		c.writeHeader(resp)
		_, _ = io.Copy(c.w, resp.Body)
		return
	}
	keep := f.Bytes
	switch {
	case n > 0 && keep == 0:
		keep = n / 2
	case n > 0:
		keep = min(keep, n-1)
	case keep == 0:
		keep = 1024
	}
	c.p.stats.injected(c.info.key, Truncate, 0)
	c.writeHeader(resp)
	_, _ = io.CopyN(c.w, resp.Body, keep)
	cut(c.w)
}
