package transport

import (
	"crypto/tls"
	"io"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// body wraps a response body: Close drains it (bounded) and releases the slot exactly once.
// It also carries the request's Timing and trace state, so Do allocates one object.
type body struct {
	rc     io.ReadCloser
	t      *Transport
	drain  bool        // HTTP/1 and MaxDrainBytes > 0
	eof    atomic.Bool // rc returned io.EOF (Read may run concurrently with Close)
	closed atomic.Bool
	lr     io.LimitedReader
	timing Timing
	tr     *traceState
	h1     h1body // rc is &h1 for a body read by the HTTP/1.1 engine
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.eof.Store(true)
	}
	return n, err
}

// WriteTo copies the rest of the body to w, through the inner body's WriteTo when it has one
// (the HTTP/1.1 engine's reads 64 KiB at a time), so that io.Copy from a body is not cut
// into small reads.
func (b *body) WriteTo(w io.Writer) (int64, error) {
	if wt, ok := b.rc.(io.WriterTo); ok {
		n, err := wt.WriteTo(w)
		if err == nil {
			b.eof.Store(true)
		}
		return n, err
	}
	return io.Copy(w, struct{ io.Reader }{b})
}

// Close drains what is left of the body, closes it and releases the slot; only the first call
// does so. It reads at most MaxDrainBytes+1 bytes (one past the limit so that a chunked body
// exactly MaxDrainBytes long shows its terminator); if the body ends within them the
// connection goes back to the pool, otherwise net/http closes it.
func (b *body) Close() error {
	if !b.closed.CompareAndSwap(false, true) {
		return nil
	}
	defer b.t.release()
	if b.drain && !b.eof.Load() {
		b.lr = io.LimitedReader{R: b, N: b.t.maxDrain + 1}
		if _, err := io.Copy(io.Discard, &b.lr); err == nil && !b.eof.Load() {
			b.t.drainLimitHits.Add(1) // the connection is dropped: cheaper than reading on
		}
	}
	return b.rc.Close()
}

// traceState collects httptrace events as offsets from start. The hooks may run on net/http's
// dialing goroutine, even after Do returned, so they write atomics that fill reads once.
type traceState struct {
	start                     time.Time
	reused                    atomic.Bool
	dnsStart, dnsDone         atomic.Int64
	connectStart, connectDone atomic.Int64
	tlsStart, tlsDone         atomic.Int64
}

func (s *traceState) now() int64 { return int64(time.Since(s.start)) | 1 } // never 0: 0 is "unset"

func (s *traceState) first(v *atomic.Int64) { v.CompareAndSwap(0, s.now()) }

func (s *traceState) clientTrace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GotConn:           func(i httptrace.GotConnInfo) { s.reused.Store(i.Reused) },
		DNSStart:          func(httptrace.DNSStartInfo) { s.first(&s.dnsStart) },
		DNSDone:           func(httptrace.DNSDoneInfo) { s.dnsDone.Store(s.now()) },
		ConnectStart:      func(string, string) { s.first(&s.connectStart) },
		ConnectDone:       func(string, string, error) { s.connectDone.Store(s.now()) },
		TLSHandshakeStart: func() { s.first(&s.tlsStart) },
		TLSHandshakeDone:  func(tls.ConnectionState, error) { s.tlsDone.Store(s.now()) },
	}
}

func (s *traceState) fill(t *Timing) {
	t.Reused = s.reused.Load()
	if t.Reused {
		return // a dial this request started may have finished, but it used a pooled connection
	}
	span := func(a, b *atomic.Int64) time.Duration {
		if x, y := a.Load(), b.Load(); x != 0 && y > x {
			return time.Duration(y - x)
		}
		return 0
	}
	t.DNS = span(&s.dnsStart, &s.dnsDone)
	t.Connect = span(&s.connectStart, &s.connectDone)
	t.TLSHandshake = span(&s.tlsStart, &s.tlsDone)
}
