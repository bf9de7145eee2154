package client

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aioaws/aioaws/benchmarks/cannedserver"
)

var (
	flagInProc = flag.Bool("canned.inproc", false, "run the canned server inside the test process (its CPU time and allocations then count against every client)")
	flagRounds = flag.Int("client.rounds", 1, "TestClientRatios: how many times to run the matrix (medians and ranges are reported)")
)

// Client kinds, in report order.
const (
	kAioaws = "aioaws"
	kSDK    = "aws-sdk-go-v2"
	kRaw    = "net/http"
)

var (
	kinds = []string{kAioaws, kSDK, kRaw}
	ops   = []string{"GetItem", "PutItem", "PutObject", "GetObject"}
	concs = []int{1, 64}
)

// call makes one operation call and checks its answer: cheaply (status, sizes, ETag, item
// attribute count) or, with deep, fully against what the server sent.
type call func(deep bool) error

// factories[kind][op] returns the call for that client and operation against the server at url.
var factories = map[string]map[string]func(url string) (call, error){
	kAioaws: aioawsOps,
	kSDK:    sdkOps,
	kRaw:    rawOps,
}

// The server, started on first use and stopped by TestMain.
var srv struct {
	once  sync.Once
	url   string
	stats func() (cannedserver.Stats, error)
	close func() error
	dir   string
	err   error
}

// cleanups run after all tests and benchmarks (client transports).
var (
	cleanupMu sync.Mutex
	cleanups  []func()
)

func atExit(f func()) { cleanupMu.Lock(); cleanups = append(cleanups, f); cleanupMu.Unlock() }

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	cleanupMu.Lock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	cleanupMu.Unlock()
	if srv.close != nil {
		if err := srv.close(); err != nil {
			fmt.Fprintln(os.Stderr, "canned server:", err)
			code = max(code, 1)
		}
	}
	if srv.dir != "" {
		os.RemoveAll(srv.dir)
	}
	os.Exit(code)
}

// server returns the canned server's URL, starting it on first use: in a child process by
// default, in this process with -canned.inproc.
func server(tb testing.TB) string {
	tb.Helper()
	srv.once.Do(func() {
		if *flagInProc {
			s, err := cannedserver.Start("")
			if err != nil {
				srv.err = err
				return
			}
			srv.url, srv.close = s.URL, s.Close
			srv.stats = func() (cannedserver.Stats, error) { st := s.Handler.Stats(); st.CPUNanos = 0; return st, nil }
			return
		}
		if srv.dir, srv.err = os.MkdirTemp("", "cannedserver"); srv.err != nil {
			return
		}
		bin, err := cannedserver.Build(srv.dir)
		if err != nil {
			srv.err = err
			return
		}
		p, err := cannedserver.Spawn(bin)
		if err != nil {
			srv.err = err
			return
		}
		srv.url, srv.close, srv.stats = p.URL, p.Close, p.Stats
	})
	if srv.err != nil {
		tb.Fatal(srv.err)
	}
	return srv.url
}

// inFlight and inFlightMax count the calls in progress in run.
var inFlight, inFlightMax atomic.Int64

// run makes n calls of c from conc goroutines (the caller's alone when conc is 1) and returns
// how many calls failed and the first error.
func run(c call, conc, n int) (int64, error) {
	c0 := c
	c = func(deep bool) error {
		k := inFlight.Add(1)
		for m := inFlightMax.Load(); k > m && !inFlightMax.CompareAndSwap(m, k); m = inFlightMax.Load() {
		}
		defer inFlight.Add(-1)
		return c0(deep)
	}
	if conc == 1 {
		var failed int64
		var first error
		for range n {
			if err := c(false); err != nil {
				failed++
				if first == nil {
					first = err
				}
			}
		}
		return failed, first
	}
	var (
		next, failed atomic.Int64
		once         sync.Once
		first        error
		wg           sync.WaitGroup
	)
	for range conc {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := c(false); err != nil {
					failed.Add(1)
					once.Do(func() { first = err })
				}
			}
		})
	}
	wg.Wait()
	return failed.Load(), first
}

// bench is one benchmark: kind's op at concurrency conc. A failure is also stored in *failure
// so that TestClientRatios, which runs it through testing.Benchmark, can report it.
func bench(b *testing.B, kind, op string, conc int, failure *error) {
	fail := func(format string, args ...any) {
		err := fmt.Errorf(format, args...)
		if failure != nil {
			*failure = err
		}
		b.Fatal(err)
	}
	url := server(b)
	c, err := factories[kind][op](url)
	if err != nil {
		fail("%s %s: setup: %v", kind, op, err)
	}
	b.ReportAllocs()
	// Warm up: open the connections the timed loop will reuse.
	if _, err := run(c, conc, 4*conc); err != nil {
		fail("%s %s: warm-up: %v", kind, op, err)
	}
	before, err := srv.stats() // also resets the in-flight high-water mark
	if err != nil {
		fail("server stats: %v", err)
	}

	inFlightMax.Store(0)
	b.ResetTimer()
	cpu0, t0 := cannedserver.ProcessCPU(), time.Now()
	failed, err := run(c, conc, b.N)
	elapsed, cpu := time.Since(t0), cannedserver.ProcessCPU()-cpu0
	b.StopTimer()

	if err != nil {
		fail("%s %s c=%d: %d of %d calls failed; first: %v", kind, op, conc, failed, b.N, err)
	}
	after, serr := srv.stats()
	if serr != nil {
		fail("server stats: %v", serr)
	}
	if got := after.Requests - before.Requests; got != int64(b.N) || after.Errors != before.Errors {
		fail("%s %s c=%d: the server answered %d requests (%d errors) for %d calls", kind, op, conc, got, after.Errors-before.Errors, b.N)
	}
	n := float64(b.N)
	b.ReportMetric(n/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/n, "cpu-ns/op")
	if after.CPUNanos > 0 {
		b.ReportMetric(float64(after.CPUNanos-before.CPUNanos)/n, "srv-cpu-ns/op")
	}
	b.ReportMetric(float64(inFlightMax.Load()), "max-inflight")
	b.ReportMetric(float64(after.ConnsOpened-before.ConnsOpened), "new-conns")
}

// BenchmarkClient runs every (operation, concurrency, client):
//
//	go test -run XXX -bench 'Client/GetItem/c64' -benchtime 2s
func BenchmarkClient(b *testing.B) {
	for _, op := range ops {
		for _, conc := range concs {
			for _, kind := range kinds {
				b.Run(fmt.Sprintf("%s/c%d/%s", op, conc, kindName(kind)), func(b *testing.B) {
					bench(b, kind, op, conc, nil)
				})
			}
		}
	}
}

// kindName is kind without the slash, for benchmark names.
func kindName(kind string) string {
	if kind == kRaw {
		return "nethttp"
	}
	return kind
}

// Constants shared by the clients' inputs.
const (
	table     = "users"
	bucket    = "bench"
	putKey    = "objects/put-1k.bin"
	getKey    = "objects/get-1m.bin"
	accessKey = "AKIDEXAMPLE"
	secretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	region    = "us-east-1"
	maxConns  = 64 // in flight (aioaws) and idle pool per host (all three)
)

// tuneTransport gives a net/http transport the idle pool the aioaws transport has.
func tuneTransport(t *http.Transport) {
	t.MaxIdleConns = maxConns
	t.MaxIdleConnsPerHost = maxConns
}
