package async_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/async"
)

// job describes a future for the table tests: it finishes after delay with (v, err), or
// earlier with ctx.Err() if its ctx ends.
type job struct {
	delay time.Duration
	v     int
	err   error
}

func start(ctx context.Context, jobs []job) []*async.Future[int] {
	fs := make([]*async.Future[int], len(jobs))
	for i, j := range jobs {
		fs[i] = async.Go(ctx, func(ctx context.Context) (int, error) {
			select {
			case <-time.After(j.delay):
				return j.v, j.err
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		})
	}
	return fs
}

var (
	errA = errors.New("a failed")
	errB = errors.New("b failed")
)

func TestAll(t *testing.T) {
	tests := []struct {
		name    string
		jobs    []job
		timeout time.Duration // of All's ctx; 0: none
		want    []int
		wantErr error
		elapsed time.Duration
	}{
		{name: "no futures", want: []int{}},
		{
			name:    "results in input order, not completion order",
			jobs:    []job{{3 * time.Second, 1, nil}, {2 * time.Second, 2, nil}, {time.Second, 3, nil}},
			want:    []int{1, 2, 3},
			elapsed: 3 * time.Second,
		},
		{
			name:    "fails fast without waiting for the rest",
			jobs:    []job{{time.Hour, 1, nil}, {time.Second, 0, errA}, {2 * time.Hour, 3, nil}},
			wantErr: errA,
			elapsed: time.Second,
		},
		{
			name:    "the first error by completion",
			jobs:    []job{{3 * time.Second, 0, errA}, {time.Second, 0, errB}},
			wantErr: errB,
			elapsed: time.Second,
		},
		{
			name:    "ctx ends first",
			jobs:    []job{{time.Hour, 1, nil}, {2 * time.Hour, 2, nil}},
			timeout: time.Minute,
			wantErr: context.DeadlineExceeded,
			elapsed: time.Minute,
		},
		{
			name:    "done before ctx ends",
			jobs:    []job{{time.Second, 1, nil}},
			timeout: time.Minute,
			want:    []int{1},
			elapsed: time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fs := start(t.Context(), tt.jobs)
				ctx := t.Context()
				if tt.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.timeout)
					defer cancel()
				}
				begin := time.Now()
				got, err := async.All(ctx, fs...)
				require.Equal(t, tt.elapsed, time.Since(begin))
				if tt.wantErr != nil {
					require.ErrorIs(t, err, tt.wantErr)
					require.Nil(t, got)
					return
				}
				require.NoError(t, err)
				require.Equal(t, tt.want, got)
			})
		})
	}
}

func TestAllOthersKeepRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fs := start(t.Context(), []job{{time.Hour, 1, nil}, {time.Second, 0, errA}})
		_, err := async.All(t.Context(), fs...)
		require.ErrorIs(t, err, errA)

		begin := time.Now()
		v, err := fs[0].Wait(t.Context())
		require.NoError(t, err, "All did not cancel the slow future")
		require.Equal(t, 1, v)
		require.Equal(t, time.Hour-time.Second, time.Since(begin))
	})
}

func TestAllResolved(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	f := async.Resolved(2, nil)
	got, err := async.All(cancelled, async.Resolved(1, nil), f, f)
	require.NoError(t, err, "ready results win over an ended ctx")
	require.Equal(t, []int{1, 2, 2}, got, "the same future may appear twice")

	_, err = async.All(t.Context(), async.Resolved(1, nil), async.Resolved(0, errA), async.Resolved(0, errB))
	require.ErrorIs(t, err, errA, "among futures already done, the first in order")
}

func TestAllAnyNilFuturePanics(t *testing.T) {
	require.PanicsWithValue(t, "async: All: future 1 is nil", func() {
		_, _ = async.All(t.Context(), async.Resolved(1, nil), nil)
	})
	require.PanicsWithValue(t, "async: Any: future 0 is nil", func() {
		_, _ = async.Any[int](t.Context(), nil)
	})
}

func TestAny(t *testing.T) {
	tests := []struct {
		name     string
		jobs     []job
		timeout  time.Duration
		want     int
		wantErrs []error // all must match
		wantMsg  string
		elapsed  time.Duration
	}{
		{name: "no futures", wantErrs: []error{async.ErrNoFutures}},
		{
			name:    "the first success, without waiting for the rest",
			jobs:    []job{{time.Hour, 1, nil}, {time.Second, 0, errA}, {2 * time.Second, 3, nil}},
			want:    3,
			elapsed: 2 * time.Second,
		},
		{
			name:     "all fail: every error, joined in input order",
			jobs:     []job{{2 * time.Second, 0, errA}, {time.Second, 0, errB}},
			wantErrs: []error{errA, errB},
			wantMsg:  "a failed\nb failed",
			elapsed:  2 * time.Second,
		},
		{
			name:     "ctx ends first",
			jobs:     []job{{time.Hour, 1, nil}, {time.Second, 0, errA}},
			timeout:  time.Minute,
			wantErrs: []error{context.DeadlineExceeded},
			elapsed:  time.Minute,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				fs := start(t.Context(), tt.jobs)
				ctx := t.Context()
				if tt.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.timeout)
					defer cancel()
				}
				begin := time.Now()
				got, err := async.Any(ctx, fs...)
				require.Equal(t, tt.elapsed, time.Since(begin))
				if tt.wantErrs != nil {
					for _, want := range tt.wantErrs {
						require.ErrorIs(t, err, want)
					}
					if tt.wantMsg != "" {
						require.EqualError(t, err, tt.wantMsg)
					}
					require.Zero(t, got)
					return
				}
				require.NoError(t, err)
				require.Equal(t, tt.want, got)
			})
		})
	}
}

// TestAllAnyConcurrent has many goroutines combine the same futures at once, some giving up
// early, for the race detector.
func TestAllAnyConcurrent(t *testing.T) {
	ctx := t.Context()
	fs := make([]*async.Future[int], 20)
	for i := range fs {
		d := time.Duration(rand.IntN(2000)) * time.Microsecond
		fs[i] = async.Go(ctx, func(context.Context) (int, error) {
			time.Sleep(d)
			return i, nil
		})
	}
	var wg sync.WaitGroup
	for g := range 50 {
		wg.Go(func() {
			wctx, cancel := context.WithTimeout(ctx, time.Duration(rand.IntN(2000))*time.Microsecond)
			defer cancel()
			if g%2 == 0 {
				if got, err := async.All(wctx, fs...); err == nil {
					for i, v := range got {
						if v != i {
							t.Errorf("All: got[%d] = %d", i, v)
						}
					}
				}
			} else {
				_, _ = async.Any(wctx, fs...)
			}
		})
	}
	wg.Wait()
	got, err := async.All(ctx, fs...)
	require.NoError(t, err)
	require.Len(t, got, len(fs))
}
