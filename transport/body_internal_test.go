package transport

import (
	"io"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// endless is a body that never ends and counts what was read of it.
type endless struct {
	read   int64
	closed bool
}

func (e *endless) Read(p []byte) (int, error) {
	e.read += int64(len(p))
	return len(p), nil
}

func (e *endless) Close() error { e.closed = true; return nil }

func newTestBody(rc io.ReadCloser, maxDrain int64, drain bool) (*Transport, *body) {
	t := &Transport{sem: make(chan struct{}, 1), done: make(chan struct{}), maxDrain: maxDrain}
	t.sem <- struct{}{}
	return t, &body{rc: rc, t: t, drain: drain}
}

func TestBodyDrainReadsAtMostLimitPlusOne(t *testing.T) {
	for _, tc := range []struct {
		name     string
		maxDrain int64
		drain    bool
		want     int64
	}{
		{"default limit", DefaultMaxDrainBytes, true, DefaultMaxDrainBytes + 1},
		{"small limit", 100, true, 101},
		{"HTTP/2 or draining disabled", 100, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := &endless{}
			tr, b := newTestBody(rc, tc.maxDrain, tc.drain)
			require.NoError(t, b.Close())
			require.Equal(t, tc.want, rc.read)
			require.True(t, rc.closed)
			require.Zero(t, tr.InFlight())
			if tc.drain {
				require.EqualValues(t, 1, tr.Stats().DrainLimitHits)
			}
		})
	}
}

func TestBodyReleasesExactlyOnce(t *testing.T) {
	tr, b := newTestBody(&endless{}, 10, true)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() { b.Close() })
	}
	wg.Wait()
	require.Zero(t, tr.InFlight())
	// A second release would block on the empty semaphore; a slot can be taken and given back.
	tr.sem <- struct{}{}
	require.Equal(t, 1, tr.InFlight())
}
