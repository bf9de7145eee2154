package testenv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/aioaws/aioaws/internal/emulator"
)

// Main runs the tests of m, stops every shared emulator, then, if the tests
// passed, fails the run if any goroutine is left over (goleak), and exits
// with the result. Call it from TestMain, and only there.
func Main(m *testing.M) {
	code := m.Run()
	if err := shared.stopAll(); err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		code = 1
	}
	if code == 0 {
		// Idle keep-alive connections of the default client are a pool, not
		// a leak: close them so only real leaks remain.
		http.DefaultClient.CloseIdleConnections()
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "testenv: goroutines left after the tests:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// Moto returns the moto server shared by every test of this test binary,
// starting it on first use. It is safe for concurrent use. Tests must not
// stop it (Main does), and should use their own names (queues, functions)
// since other tests share its state.
func Moto(t testing.TB) *emulator.Server {
	t.Helper()
	return shared.server(t, emulator.Moto)
}

// Dynalite returns the shared dynalite server (DynamoDB), as Moto does.
func Dynalite(t testing.TB) *emulator.Server {
	t.Helper()
	return shared.server(t, emulator.Dynalite)
}

// Versity returns the shared versitygw server (S3), as Moto does.
func Versity(t testing.TB) *emulator.Server {
	t.Helper()
	return shared.server(t, emulator.Versitygw)
}

// Start starts a private emulator of the given kind for t with opts, and
// stops it when t and its subtests are done (t.Cleanup).
func Start(t testing.TB, kind emulator.Kind, opts emulator.Options) *emulator.Server {
	t.Helper()
	skipShort(t, kind)
	s, err := emulator.Start(t.Context(), kind, opts)
	if err != nil {
		fail(t, kind, err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("testenv: %v", err)
		}
	})
	return s
}

// shared holds the emulators shared by the tests of this binary.
var shared registry

// registry starts one server per kind on first use and stops them all at
// the end. The zero value is ready; it is safe for concurrent use.
type registry struct {
	mu      sync.Mutex
	entries map[emulator.Kind]*entry
}

type entry struct {
	once sync.Once
	srv  *emulator.Server
	err  error
}

func (r *registry) server(t testing.TB, kind emulator.Kind) *emulator.Server {
	t.Helper()
	skipShort(t, kind)
	r.mu.Lock()
	if r.entries == nil {
		r.entries = make(map[emulator.Kind]*entry)
	}
	e := r.entries[kind]
	if e == nil {
		e = new(entry)
		r.entries[kind] = e
	}
	r.mu.Unlock()
	// Not started under r.mu: other kinds start in parallel, and callers for
	// this kind wait in once.Do for its result.
	e.once.Do(func() { e.srv, e.err = emulator.Start(context.Background(), kind, emulator.Options{}) })
	if e.err != nil {
		fail(t, kind, e.err)
	}
	return e.srv
}

// stopAll stops every server started so far; later calls to server start
// new ones.
func (r *registry) stopAll() error {
	r.mu.Lock()
	entries := r.entries
	r.entries = nil
	r.mu.Unlock()
	var errs []error
	for _, e := range entries {
		e.once.Do(func() {}) // waits for a start in progress
		if e.srv != nil {
			errs = append(errs, e.srv.Stop())
		}
	}
	return errors.Join(errs...)
}

func skipShort(t testing.TB, kind emulator.Kind) {
	t.Helper()
	if testing.Short() {
		t.Skipf("skipping: needs the %s emulator; not started under -short", kind)
	}
}

// fail skips or fails t for an emulator that could not be started.
func fail(t testing.TB, kind emulator.Kind, err error) {
	t.Helper()
	switch {
	case !errors.Is(err, emulator.ErrNotInstalled):
		t.Fatalf("testenv: start %s: %v", kind, err)
	case os.Getenv("CI") == "true":
		t.Fatalf("testenv: needs the %s emulator: %v\n(with CI=true a missing emulator is a failure, not a skip)", kind, err)
	default: // err says how to install it
		t.Skipf("skipping: needs the %s emulator: %v", kind, err)
	}
}

// Require skips or fails t, as Start would, unless the emulator of the given
// kind could be started: for tests that start it through package emulator
// themselves, e.g. to check how a start fails.
func Require(t testing.TB, kind emulator.Kind) {
	t.Helper()
	skipShort(t, kind)
	if _, err := emulator.Lookup(kind); err != nil {
		fail(t, kind, err)
	}
}

// ConformanceDir returns the directory of the third-party conformance suites, read in place:
// $AIOAWS_CONFORMANCE_DIR, else ../shared/conformance beside the repository. Without it t is
// skipped, or failed when CI=true.
func ConformanceDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("AIOAWS_CONFORMANCE_DIR")
	if dir == "" {
		root, err := emulator.ModuleRoot()
		if err != nil {
			t.Fatalf("testenv: %v", err)
		}
		dir = filepath.Join(filepath.Dir(root), "shared", "conformance")
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("testenv: conformance suites missing (set AIOAWS_CONFORMANCE_DIR): %v", err)
		}
		t.Skipf("skipping: conformance suites not found (set AIOAWS_CONFORMANCE_DIR): %v", err)
	}
	return dir
}
