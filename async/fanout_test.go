package async_test

import (
	"context"
	"iter"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/async"
)

// gauge tracks how many calls run at once, and the most that ever did.
type gauge struct{ now, max, started atomic.Int64 }

func (g *gauge) enter() {
	g.started.Add(1)
	n := g.now.Add(1)
	for {
		m := g.max.Load()
		if n <= m || g.max.CompareAndSwap(m, n) {
			return
		}
	}
}

func (g *gauge) exit() { g.now.Add(-1) }

func TestMap(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		limit   int
		wantMax int64
	}{
		{name: "empty", n: 0, limit: 3, wantMax: 0},
		{name: "limit 1", n: 10, limit: 1, wantMax: 1},
		{name: "limit 3", n: 10, limit: 3, wantMax: 3},
		{name: "limit 0 means all at once", n: 10, limit: 0, wantMax: 10},
		{name: "negative limit means all at once", n: 10, limit: -1, wantMax: 10},
		{name: "limit above len", n: 10, limit: 100, wantMax: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				in := make([]int, tt.n)
				want := make([]int, tt.n)
				for i := range in {
					in[i] = i
					want[i] = i * i
				}
				var g gauge
				got, err := async.Map(t.Context(), in, tt.limit, func(ctx context.Context, v int) (int, error) {
					g.enter()
					defer g.exit()
					// Later inputs finish first, so order must come from the index.
					time.Sleep(time.Duration(tt.n-v) * time.Millisecond)
					return v * v, nil
				})
				require.NoError(t, err)
				require.Equal(t, want, got)
				require.Equal(t, tt.wantMax, g.max.Load(), "most calls at once")
				require.Equal(t, int64(tt.n), g.started.Load())
			})
		})
	}
}

func TestMapCancelsOnErrorAndWaitsForStarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g gauge
		var causes atomic.Int64
		begin := time.Now()
		got, err := async.Map(t.Context(), make([]int, 10), 3, func(ctx context.Context, _ int) (int, error) {
			g.enter()
			defer g.exit()
			if g.started.Load() == 2 { // the second call fails after a second
				time.Sleep(time.Second)
				return 0, errA
			}
			<-ctx.Done()
			if context.Cause(ctx) == errA {
				causes.Add(1)
			}
			time.Sleep(time.Second) // slow to clean up: Map must wait for it
			return 0, ctx.Err()
		})
		require.ErrorIs(t, err, errA, "the first error, not the cancellations it caused")
		require.Nil(t, got)
		require.Equal(t, int64(3), g.started.Load(), "no call starts after the failure")
		require.Equal(t, int64(2), causes.Load(), "the others see the failure as their ctx's cause")
		require.Zero(t, g.now.Load(), "every started call returned before Map")
		require.Equal(t, 2*time.Second, time.Since(begin))
	})
}

func TestMapCtxEnds(t *testing.T) {
	t.Run("while waiting for a slot", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
			defer cancel()
			var g gauge
			begin := time.Now()
			got, err := async.Map(ctx, make([]int, 10), 2, func(context.Context, int) (int, error) {
				g.enter()
				defer g.exit()
				time.Sleep(time.Second) // ignores ctx: Map still waits for it
				return 1, nil
			})
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.Nil(t, got)
			require.Equal(t, int64(4), g.started.Load(), "two rounds of two started, no more")
			require.Zero(t, g.now.Load())
			require.Equal(t, 2*time.Second, time.Since(begin))
		})
	})
	t.Run("before Map", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		called := false
		got, err := async.Map(ctx, []int{1}, 1, func(context.Context, int) (int, error) {
			called = true
			return 0, nil
		})
		require.ErrorIs(t, err, context.Canceled)
		require.Nil(t, got)
		require.False(t, called)

		got, err = async.Map(ctx, nil, 1, func(context.Context, int) (int, error) { return 0, nil })
		require.NoError(t, err, "no work was skipped")
		require.Empty(t, got)
	})
}

// failures are the ways an fn can fail, for Map and ForEach.
var failures = []struct {
	name  string
	fail  func() error
	check func(t *testing.T, err error)
}{
	{
		name:  "error",
		fail:  func() error { return errA },
		check: func(t *testing.T, err error) { require.ErrorIs(t, err, errA) },
	},
	{
		name: "panic",
		fail: func() error { panicky("kaboom"); return nil },
		check: func(t *testing.T, err error) {
			var pe *async.PanicError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, "kaboom", pe.Value)
			require.Contains(t, string(pe.Stack), "async_test.panicky")
		},
	},
	{
		name:  "runtime.Goexit",
		fail:  func() error { runtime.Goexit(); return nil },
		check: func(t *testing.T, err error) { require.ErrorContains(t, err, "runtime.Goexit") },
	},
}

func TestMapFailures(t *testing.T) {
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var g gauge
				got, err := async.Map(t.Context(), []int{0, 1, 2, 3, 4, 5}, 2, func(ctx context.Context, v int) (int, error) {
					g.enter()
					defer g.exit()
					if v == 1 {
						time.Sleep(time.Second)
						return 0, tt.fail()
					}
					select {
					case <-time.After(time.Hour):
					case <-ctx.Done():
					}
					return v, ctx.Err()
				})
				tt.check(t, err)
				require.Nil(t, got)
				require.Equal(t, int64(2), g.started.Load())
				require.Zero(t, g.now.Load())
			})
		})
	}
}

// counted yields 0, 1, 2, ... up to n-1 (forever if n < 0), counting the values taken. check
// runs before each value is produced.
func counted(n int, taken *atomic.Int64, check func()) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; n < 0 || i < n; i++ {
			check()
			taken.Add(1)
			if !yield(i) {
				return
			}
		}
	}
}

func TestForEach(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		limit   int
		wantMax int64
		elapsed time.Duration
	}{
		{name: "empty", n: 0, limit: 3},
		{name: "limit 1", n: 6, limit: 1, wantMax: 1, elapsed: 6 * time.Second},
		{name: "limit 4", n: 100, limit: 4, wantMax: 4, elapsed: 25 * time.Second},
		{name: "limit 0 means no limit", n: 50, limit: 0, wantMax: 50, elapsed: time.Second},
		{name: "negative limit means no limit", n: 50, limit: -1, wantMax: 50, elapsed: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var g gauge
				var taken, sum atomic.Int64
				begin := time.Now()
				err := async.ForEach(t.Context(), counted(tt.n, &taken, func() {}), tt.limit, func(ctx context.Context, v int) error {
					g.enter()
					defer g.exit()
					time.Sleep(time.Second)
					sum.Add(int64(v))
					return nil
				})
				require.NoError(t, err)
				require.Equal(t, int64(tt.n*(tt.n-1)/2), sum.Load())
				require.Equal(t, tt.wantMax, g.max.Load())
				require.Equal(t, tt.elapsed, time.Since(begin))
			})
		})
	}
}

func TestForEachReadsLazily(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit = 3
		ctx, cancel := context.WithTimeout(t.Context(), 2500*time.Millisecond)
		defer cancel()
		var g gauge
		var taken, early atomic.Int64
		in := counted(-1, &taken, func() {
			if g.now.Load() >= limit {
				early.Add(1) // asked for a value while no slot was free
			}
		})
		err := async.ForEach(ctx, in, limit, func(ctx context.Context, v int) error {
			g.enter()
			defer g.exit()
			time.Sleep(time.Second) // ignores ctx
			return nil
		})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Zero(t, early.Load())
		require.Equal(t, int64(9), taken.Load(), "three rounds of three before the deadline, no more")
		require.Equal(t, int64(9), g.started.Load())
		require.Zero(t, g.now.Load())
	})
}

func TestForEachErrorStopsReading(t *testing.T) {
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var g gauge
				var taken atomic.Int64
				var cause atomic.Value // the cause of the ctx the other call saw
				begin := time.Now()
				err := async.ForEach(t.Context(), counted(-1, &taken, func() {}), 2, func(ctx context.Context, v int) error {
					g.enter()
					defer g.exit()
					if v == 1 {
						time.Sleep(time.Second)
						return tt.fail()
					}
					select {
					case <-time.After(time.Hour):
					case <-ctx.Done():
						cause.Store(context.Cause(ctx))
					}
					return ctx.Err()
				})
				tt.check(t, err)
				require.Equal(t, err, cause.Load(), "the failure is the cause of the others' cancellation")
				require.Equal(t, int64(2), taken.Load(), "no value is taken after the failure")
				require.Zero(t, g.now.Load())
				require.Equal(t, time.Second, time.Since(begin))
			})
		})
	}
}

func TestForEachChannel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		ch := make(chan int) // unbuffered: the producer runs in step with the slots
		go func() {
			defer close(ch)
			for i := range 100 {
				select {
				case ch <- i:
				case <-ctx.Done():
					return
				}
			}
		}()
		var sum atomic.Int64
		err := async.ForEach(ctx, chanSeq(ch), 4, func(ctx context.Context, v int) error {
			sum.Add(int64(v))
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, int64(4950), sum.Load())
	})
}

func chanSeq[T any](ch <-chan T) iter.Seq[T] {
	return func(yield func(T) bool) {
		for v := range ch {
			if !yield(v) {
				return
			}
		}
	}
}

func TestForEachCtxEndedBefore(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var taken atomic.Int64
	for _, limit := range []int{0, 2} {
		err := async.ForEach(ctx, counted(5, &taken, func() {}), limit, func(context.Context, int) error { return nil })
		require.ErrorIs(t, err, context.Canceled)
	}
	require.Zero(t, taken.Load(), "nothing is taken once ctx has ended")
}

// TestForEachSeqPanics checks that a panic in the input sequence propagates to the caller,
// after the started calls were cancelled and waited for.
func TestForEachSeqPanics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := func(yield func(int) bool) {
			for _, v := range []int{1, 2} {
				if !yield(v) {
					return
				}
			}
			panic("input broke")
		}
		var g gauge
		require.PanicsWithValue(t, "input broke", func() {
			_ = async.ForEach(t.Context(), in, 0, func(ctx context.Context, v int) error {
				g.enter()
				defer g.exit()
				<-ctx.Done()
				time.Sleep(time.Second)
				return nil
			})
		})
		require.Equal(t, int64(2), g.started.Load())
		require.Zero(t, g.now.Load(), "ForEach waited for its calls before re-panicking")
	})
}

func TestForEachValues(t *testing.T) {
	var sum atomic.Int64
	err := async.ForEach(t.Context(), slices.Values([]int{1, 2, 3}), 2, func(_ context.Context, v int) error {
		sum.Add(int64(v))
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, int64(6), sum.Load())
}

// TestForEachSlowSource covers a value produced after a call failed, while the source was
// producing it: it is not handed to fn, and no more values are asked for.
func TestForEachSlowSource(t *testing.T) {
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var asked atomic.Int64
				in := func(yield func(int) bool) {
					for i := 0; ; i++ {
						asked.Add(1)
						if i == 1 {
							time.Sleep(2 * time.Second) // the first call fails meanwhile
						}
						if !yield(i) {
							return
						}
					}
				}
				var calls atomic.Int64
				err := async.ForEach(t.Context(), in, 2, func(context.Context, int) error {
					calls.Add(1)
					time.Sleep(time.Second)
					return tt.fail()
				})
				tt.check(t, err)
				require.Equal(t, int64(1), calls.Load(), "the value produced after the failure is dropped")
				require.Equal(t, int64(2), asked.Load())
			})
		})
	}
}
