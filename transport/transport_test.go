package transport_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/aioaws/aioaws/transport"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// server is an httptest server on 127.0.0.1 that counts what the transport does to it.
type server struct {
	*httptest.Server
	requests atomic.Int64 // handler calls
	cur, max atomic.Int64 // handlers running now, and the most at once
	newConns atomic.Int64 // connections accepted
	open     atomic.Int64 // connections open now
}

func newServer(t testing.TB, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		n := s.cur.Add(1)
		defer s.cur.Add(-1)
		for m := s.max.Load(); n > m && !s.max.CompareAndSwap(m, n); m = s.max.Load() {
		}
		h(w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			s.newConns.Add(1)
			s.open.Add(1)
		case http.StateClosed, http.StateHijacked:
			s.open.Add(-1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func ok(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }

// newTransport makes a Transport closed at the end of the test (before the server, which
// was registered first).
func newTransport(t testing.TB, o transport.Options) *transport.Transport {
	t.Helper()
	tr, err := transport.New(o)
	require.NoError(t, err)
	t.Cleanup(tr.Close)
	return tr
}

func get(t testing.TB, ctx context.Context, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	return req
}

// do sends a GET and returns the whole body, closing it.
func do(t testing.TB, tr *transport.Transport, url string) string {
	t.Helper()
	resp, _, err := tr.Do(get(t, context.Background(), url))
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return string(b)
}

// closeRecorder is a request body that records being closed.
type closeRecorder struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeRecorder) Close() error { c.closed.Store(true); return nil }

func TestNewOptions(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      transport.Options
		wantErr   string
		wantLimit int
	}{
		{name: "defaults", wantLimit: transport.DefaultMaxInFlight},
		{name: "bound", opts: transport.Options{MaxInFlight: 8}, wantLimit: 8},
		{name: "negative durations mean none", opts: transport.Options{DialTimeout: -1, TLSHandshakeTimeout: -1, IdleConnTimeout: -1, KeepAlive: -1, MaxDrainBytes: -1}, wantLimit: 256},
		{name: "negative MaxInFlight", opts: transport.Options{MaxInFlight: -1}, wantErr: "MaxInFlight -1 is negative"},
		{name: "negative MaxIdleConnsPerHost", opts: transport.Options{MaxIdleConnsPerHost: -2}, wantErr: "MaxIdleConnsPerHost -2 is negative"},
		{name: "negative ResponseHeaderTimeout", opts: transport.Options{ResponseHeaderTimeout: -time.Second}, wantErr: "ResponseHeaderTimeout -1s is negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := transport.New(tc.opts)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.Nil(t, tr)
				return
			}
			require.NoError(t, err)
			defer tr.Close()
			require.Equal(t, tc.wantLimit, tr.Stats().Limit)
		})
	}
}

func TestBoundRespected(t *testing.T) {
	const limit, n = 8, 200
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond)
		ok(w, r)
	})
	tr := newTransport(t, transport.Options{MaxInFlight: limit})

	var wg sync.WaitGroup
	var overLimit atomic.Int64
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			resp, _, err := tr.Do(get(t, context.Background(), s.URL))
			if err != nil {
				errs <- err
				return
			}
			if tr.InFlight() > limit {
				overLimit.Add(1)
			}
			_, err = io.Copy(io.Discard, resp.Body)
			if cerr := resp.Body.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	require.Zero(t, overLimit.Load())
	require.EqualValues(t, n, s.requests.Load())
	require.EqualValues(t, limit, s.max.Load(), "the server should see exactly the bound at once")
	st := tr.Stats()
	require.Zero(t, st.InFlight)
	require.Zero(t, st.Queued)
	require.EqualValues(t, n, st.Requests)
	require.Positive(t, st.QueuedRequests)
	require.Positive(t, st.MaxQueueWait)
	require.GreaterOrEqual(t, st.TotalQueueWait, st.MaxQueueWait)
	require.LessOrEqual(t, st.ConnsOpened, uint64(limit), "MaxConnsPerHost and the idle pool are sized to the bound")
	require.LessOrEqual(t, s.newConns.Load(), int64(limit))
}

func TestQueueWaitCancellation(t *testing.T) {
	s := newServer(t, ok)
	tr := newTransport(t, transport.Options{MaxInFlight: 1})

	// Hold the only slot: a response whose body is not closed.
	held, _, err := tr.Do(get(t, context.Background(), s.URL))
	require.NoError(t, err)
	require.Equal(t, 1, tr.InFlight())

	cause := errors.New("caller gave up")
	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, func())
		want []error
	}{
		{"deadline", func() (context.Context, func()) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}, []error{context.DeadlineExceeded}},
		{"cancel", func() (context.Context, func()) {
			ctx, cancel := context.WithCancel(context.Background())
			tm := time.AfterFunc(20*time.Millisecond, cancel)
			return ctx, func() { tm.Stop(); cancel() }
		}, []error{context.Canceled}},
		{"cancel with cause", func() (context.Context, func()) {
			ctx, cancel := context.WithCancelCause(context.Background())
			tm := time.AfterFunc(20*time.Millisecond, func() { cancel(cause) })
			return ctx, func() { tm.Stop(); cancel(nil) }
		}, []error{context.Canceled, cause}},
		{"already cancelled", func() (context.Context, func()) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, []error{context.Canceled}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := tc.ctx()
			defer cancel()
			body := &closeRecorder{Reader: strings.NewReader("payload")}
			req, err := http.NewRequestWithContext(ctx, http.MethodPut, s.URL, body)
			require.NoError(t, err)
			before := s.requests.Load()

			start := time.Now()
			resp, timing, err := tr.Do(req)
			elapsed := time.Since(start)

			require.Nil(t, resp)
			require.Less(t, elapsed, 20*time.Millisecond+50*time.Millisecond, "must return within 50ms of the cancellation")
			var te *transport.Error
			require.ErrorAs(t, err, &te)
			require.Equal(t, transport.OpQueue, te.Op)
			for _, want := range tc.want {
				require.ErrorIs(t, err, want)
			}
			require.NotNil(t, timing)
			require.Equal(t, 1, tr.InFlight(), "freed nothing it didn't take")
			require.Zero(t, tr.Stats().Queued)
			require.Equal(t, before, s.requests.Load(), "nothing sent")
			require.True(t, body.closed.Load(), "request body closed on every error")
		})
	}

	require.NoError(t, held.Body.Close())
	require.Zero(t, tr.InFlight())
	require.Equal(t, "ok", do(t, tr, s.URL), "the slot is usable again")
}

func TestSlotReleasedOnCloseNotBefore(t *testing.T) {
	s := newServer(t, ok)
	tr := newTransport(t, transport.Options{MaxInFlight: 2})

	resp, _, err := tr.Do(get(t, context.Background(), s.URL))
	require.NoError(t, err)
	require.Equal(t, 1, tr.InFlight())
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "ok", string(b))
	require.Equal(t, 1, tr.InFlight(), "EOF does not release: Close does")

	require.NoError(t, resp.Body.Close())
	require.Zero(t, tr.InFlight())
	require.NoError(t, resp.Body.Close(), "second Close is a no-op")
	require.Zero(t, tr.InFlight(), "released exactly once")

	// Concurrent Closes release once as well.
	resp, _, err = tr.Do(get(t, context.Background(), s.URL))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { resp.Body.Close() })
	}
	wg.Wait()
	require.Zero(t, tr.InFlight())
}

func TestCloseReleasesAfterContextCancelledDuringRead(t *testing.T) {
	unblock := make(chan struct{})
	defer close(unblock)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first chunk")
		w.(http.Flusher).Flush()
		select { // never finishes the body on its own
		case <-r.Context().Done():
		case <-unblock:
		}
	})
	tr := newTransport(t, transport.Options{MaxInFlight: 1})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, _, err := tr.Do(get(t, ctx, s.URL))
	require.NoError(t, err)
	buf := make([]byte, 64)
	n, err := resp.Body.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "first chunk", string(buf[:n]))

	cancel()
	_, err = io.ReadAll(resp.Body)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, tr.InFlight())

	start := time.Now()
	resp.Body.Close()
	require.Less(t, time.Since(start), time.Second, "drain ends with the context")
	require.Zero(t, tr.InFlight())
}

func TestSendErrors(t *testing.T) {
	// A port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := "http://" + l.Addr().String()
	require.NoError(t, l.Close())

	unblock := make(chan struct{})
	defer close(unblock)
	slow := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-unblock:
		}
	})

	for _, tc := range []struct {
		name    string
		opts    transport.Options
		url     string
		timeout time.Duration
		check   func(t *testing.T, err error)
	}{
		{"connection refused", transport.Options{}, refused, 0, func(t *testing.T, err error) {
			var op *net.OpError
			require.ErrorAs(t, err, &op)
		}},
		{"deadline while waiting for headers", transport.Options{}, slow.URL, 30 * time.Millisecond, func(t *testing.T, err error) {
			require.ErrorIs(t, err, context.DeadlineExceeded)
		}},
		{"ResponseHeaderTimeout", transport.Options{ResponseHeaderTimeout: 30 * time.Millisecond}, slow.URL, 0, func(t *testing.T, err error) {
			var ne net.Error
			require.ErrorAs(t, err, &ne)
			require.True(t, ne.Timeout())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTransport(t, tc.opts)
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			body := &closeRecorder{Reader: strings.NewReader("payload")}
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, tc.url, body)
			require.NoError(t, err)

			resp, timing, err := tr.Do(req)
			require.Nil(t, resp)
			var te *transport.Error
			require.ErrorAs(t, err, &te)
			require.Equal(t, transport.OpSend, te.Op)
			require.Contains(t, err.Error(), "transport: send: ")
			tc.check(t, err)
			require.NotNil(t, timing)
			require.Positive(t, timing.ToHeaders)
			require.Zero(t, tr.InFlight(), "slot released on a send failure")
			require.EqualValues(t, 1, tr.Stats().SendErrors)
			require.True(t, body.closed.Load())
		})
	}
}

func TestConnectionsReused(t *testing.T) {
	body := strings.Repeat("x", 1024)
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("chunked") { // no Content-Length
			io.WriteString(w, body[:512])
			w.(http.Flusher).Flush()
			io.WriteString(w, body[512:])
			return
		}
		io.WriteString(w, body)
	})
	tr := newTransport(t, transport.Options{})

	const n = 1000
	for i := range n {
		url := s.URL
		if i%2 == 1 {
			url += "?chunked"
		}
		resp, _, err := tr.Do(get(t, context.Background(), url))
		require.NoError(t, err)
		switch i % 3 { // read all, read some, read none: Close drains the rest
		case 0:
			_, err = io.Copy(io.Discard, resp.Body)
		case 1:
			_, err = resp.Body.Read(make([]byte, 10))
		}
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
	}
	st := tr.Stats()
	require.EqualValues(t, n, s.requests.Load())
	require.LessOrEqual(t, st.ConnsOpened, uint64(2), "a handful of connections for %d requests", n)
	require.LessOrEqual(t, s.newConns.Load(), int64(2))
	require.Zero(t, st.DrainLimitHits)
}

func TestDrainBounded(t *testing.T) {
	const limit = 4 << 10
	const huge = 64 << 20
	for _, tc := range []struct {
		name      string
		size      int
		chunked   bool
		wantHits  uint64
		wantConns uint64
	}{
		{"remainder exactly the limit, chunked", limit, true, 0, 1},
		{"remainder exactly the limit, sized", limit, false, 0, 1},
		{"one byte over the limit, sized: ends within the extra byte", limit + 1, false, 0, 1},
		{"two bytes over the limit", limit + 2, false, 1, 2},
		{"two bytes over the limit, chunked", limit + 2, true, 1, 2},
		{"large body not drained", huge, true, 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var written atomic.Int64
			done := make(chan error, 2)
			s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/next" {
					ok(w, r)
					return
				}
				if !tc.chunked {
					w.Header().Set("Content-Length", fmt.Sprint(tc.size))
				}
				chunk := make([]byte, min(32<<10, tc.size))
				var err error
				for left := tc.size; left > 0 && err == nil; {
					var n int
					n, err = w.Write(chunk[:min(len(chunk), left)])
					written.Add(int64(n))
					left -= n
					if tc.chunked {
						w.(http.Flusher).Flush()
					}
				}
				done <- err
			})
			tr := newTransport(t, transport.Options{MaxDrainBytes: limit})

			resp, _, err := tr.Do(get(t, context.Background(), s.URL))
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close()) // nothing read: Close decides
			require.Equal(t, tc.wantHits, tr.Stats().DrainLimitHits)

			select {
			case err := <-done:
				if tc.size == huge {
					require.Error(t, err, "the client hung up before the end")
					require.Less(t, written.Load(), int64(huge), "the body was not read to its end")
				}
			case <-time.After(10 * time.Second):
				t.Fatal("handler still writing")
			}

			require.Equal(t, "ok", do(t, tr, s.URL+"/next"))
			require.Equal(t, tc.wantConns, tr.Stats().ConnsOpened)
			require.Zero(t, tr.InFlight())
		})
	}
}

func TestClose(t *testing.T) {
	arrived := make(chan struct{}, 1)
	unblock := make(chan struct{})
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			arrived <- struct{}{}
			<-unblock
		}
		ok(w, r)
	})
	tr := newTransport(t, transport.Options{MaxInFlight: 1})
	require.Equal(t, "ok", do(t, tr, s.URL)) // a warm idle connection

	type result struct {
		resp *http.Response
		err  error
	}
	inflight := make(chan result, 1)
	go func() {
		resp, _, err := tr.Do(get(t, context.Background(), s.URL+"/slow"))
		inflight <- result{resp, err}
	}()
	<-arrived
	queued := make(chan error, 1)
	go func() {
		_, _, err := tr.Do(get(t, context.Background(), s.URL))
		queued <- err
	}()
	require.Eventually(t, func() bool { return tr.Stats().Queued == 1 }, time.Second, time.Millisecond)

	tr.Close()

	select { // the queued request fails promptly
	case err := <-queued:
		require.ErrorIs(t, err, transport.ErrClosed)
		var te *transport.Error
		require.ErrorAs(t, err, &te)
		require.Equal(t, transport.OpQueue, te.Op)
	case <-time.After(time.Second):
		t.Fatal("queued Do did not return after Close")
	}

	// Later Do fails without touching the server, and closes the request body.
	before := s.requests.Load()
	body := &closeRecorder{Reader: strings.NewReader("x")}
	req, err := http.NewRequest(http.MethodPut, s.URL, body)
	require.NoError(t, err)
	_, _, err = tr.Do(req)
	require.ErrorIs(t, err, transport.ErrClosed)
	require.Equal(t, before, s.requests.Load())
	require.True(t, body.closed.Load())

	// The request in flight finishes normally.
	close(unblock)
	r := <-inflight
	require.NoError(t, r.err)
	b, err := io.ReadAll(r.resp.Body)
	require.NoError(t, err)
	require.Equal(t, "ok", string(b))
	require.Equal(t, 1, tr.InFlight())
	require.NoError(t, r.resp.Body.Close())
	require.Zero(t, tr.InFlight())

	// Its connection is closed once it came back; no idle connection is left.
	require.Eventually(t, func() bool { return s.open.Load() == 0 }, 2*time.Second, 5*time.Millisecond)
	tr.Close() // idempotent
}

func TestFIFO(t *testing.T) {
	var mu sync.Mutex
	var order []string
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		order = append(order, r.URL.Path)
		mu.Unlock()
		ok(w, r)
	})
	tr := newTransport(t, transport.Options{MaxInFlight: 1})
	held, _, err := tr.Do(get(t, context.Background(), s.URL+"/held"))
	require.NoError(t, err)

	const n = 5
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { do(t, tr, fmt.Sprintf("%s/%d", s.URL, i)) })
		require.Eventually(t, func() bool { return tr.Stats().Queued == i+1 }, time.Second, time.Millisecond)
		time.Sleep(5 * time.Millisecond) // counted just before it parks: let it park
	}
	require.NoError(t, held.Body.Close())
	wg.Wait()
	require.Equal(t, []string{"/held", "/0", "/1", "/2", "/3", "/4"}, order)
}

func TestTiming(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		ok(w, r)
	})
	tr := newTransport(t, transport.Options{MaxInFlight: 1, Trace: true})

	before := time.Now()
	resp, first, err := tr.Do(get(t, context.Background(), s.URL))
	require.NoError(t, err)
	require.False(t, first.Start.Before(before))
	require.Zero(t, first.Queued)
	require.GreaterOrEqual(t, first.ToHeaders, 20*time.Millisecond)
	require.False(t, first.Reused)
	require.Positive(t, first.Connect)

	queued := make(chan *transport.Timing, 1)
	go func() {
		resp, tm, err := tr.Do(get(t, context.Background(), s.URL))
		if err == nil {
			resp.Body.Close()
		}
		queued <- tm
	}()
	require.Eventually(t, func() bool { return tr.Stats().Queued == 1 }, time.Second, time.Millisecond)
	time.Sleep(30 * time.Millisecond)
	require.NoError(t, resp.Body.Close())

	second := <-queued
	require.GreaterOrEqual(t, second.Queued, 30*time.Millisecond)
	require.GreaterOrEqual(t, second.ToHeaders, 20*time.Millisecond)
	require.True(t, second.Reused)
	require.Zero(t, second.Connect)
	st := tr.Stats()
	require.GreaterOrEqual(t, st.MaxQueueWait, second.Queued)
	require.EqualValues(t, 1, st.QueuedRequests)
}

func TestRoundTripper(t *testing.T) {
	s := newServer(t, ok)
	tr := newTransport(t, transport.Options{})
	c := &http.Client{Transport: tr}
	resp, err := c.Get(s.URL)
	require.NoError(t, err)
	require.Equal(t, 1, tr.InFlight())
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "ok", string(b))
	require.NoError(t, resp.Body.Close())
	require.Zero(t, tr.InFlight())
}

func TestNilRequest(t *testing.T) {
	tr := newTransport(t, transport.Options{})
	resp, timing, err := tr.Do(nil)
	require.Nil(t, resp)
	require.NotNil(t, timing)
	require.ErrorContains(t, err, "nil request")
	require.Zero(t, tr.InFlight())
}
