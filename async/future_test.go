package async_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/aioaws/aioaws/async"
)

var errBoom = errors.New("boom")

func TestGoWait(t *testing.T) {
	tests := []struct {
		name  string
		fn    func(context.Context) (int, error)
		want  int
		check func(t *testing.T, err error)
	}{
		{
			name:  "value",
			fn:    func(context.Context) (int, error) { return 42, nil },
			want:  42,
			check: func(t *testing.T, err error) { require.NoError(t, err) },
		},
		{
			name:  "error",
			fn:    func(context.Context) (int, error) { return 0, errBoom },
			check: func(t *testing.T, err error) { require.ErrorIs(t, err, errBoom) },
		},
		{
			name:  "value and error are both kept",
			fn:    func(context.Context) (int, error) { return 7, errBoom },
			want:  7,
			check: func(t *testing.T, err error) { require.ErrorIs(t, err, errBoom) },
		},
		{
			name: "fn sees the ctx given to Go",
			fn: func(ctx context.Context) (int, error) {
				return ctx.Value(ctxKey{}).(int), nil
			},
			want:  5,
			check: func(t *testing.T, err error) { require.NoError(t, err) },
		},
		{
			name: "panic becomes a PanicError with value and stack",
			fn:   func(context.Context) (int, error) { panicky("kaboom"); return 1, nil },
			check: func(t *testing.T, err error) {
				var pe *async.PanicError
				require.ErrorAs(t, err, &pe)
				require.Equal(t, "kaboom", pe.Value)
				require.Contains(t, string(pe.Stack), "async_test.panicky", "the stack shows where it panicked")
				require.Contains(t, err.Error(), "kaboom")
				require.Contains(t, err.Error(), "async_test.panicky")
				require.NoError(t, errors.Unwrap(err))
			},
		},
		{
			name: "panic with an error unwraps to it",
			fn:   func(context.Context) (int, error) { panic(errBoom) },
			check: func(t *testing.T, err error) {
				require.ErrorIs(t, err, errBoom)
				var pe *async.PanicError
				require.ErrorAs(t, err, &pe)
			},
		},
		{
			name: "runtime error",
			fn: func(context.Context) (int, error) {
				var m map[string]int
				m["x"] = 1 // assignment to a nil map
				return 0, nil
			},
			check: func(t *testing.T, err error) {
				var re runtime.Error
				require.ErrorAs(t, err, &re)
			},
		},
		{
			name: "runtime.Goexit does not leave waiters blocked",
			fn:   func(context.Context) (int, error) { runtime.Goexit(); return 1, nil },
			check: func(t *testing.T, err error) {
				require.ErrorContains(t, err, "runtime.Goexit")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.WithValue(t.Context(), ctxKey{}, 5)
			f := async.Go(ctx, tt.fn)
			v, err := f.Wait(ctx)
			require.Equal(t, tt.want, v)
			tt.check(t, err)

			<-f.Done()
			v2, err2, ok := f.Result()
			require.True(t, ok)
			require.Equal(t, v, v2)
			require.Equal(t, err, err2, "Result returns the same result as Wait")
			v3, err3 := f.Wait(ctx)
			require.Equal(t, v, v3)
			require.Equal(t, err, err3, "a second Wait returns the same result")
		})
	}
}

type ctxKey struct{}

//go:noinline
func panicky(v any) { panic(v) }

func TestGoNilFnPanics(t *testing.T) {
	require.PanicsWithValue(t, "async: Go called with a nil fn", func() {
		async.Go[int](t.Context(), nil)
	})
}

func TestResolved(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name string
		v    string
		err  error
	}{
		{"value", "v", nil},
		{"error", "", errBoom},
		{"both", "partial", errBoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := async.Resolved(tt.v, tt.err)
			select {
			case <-f.Done():
			default:
				t.Fatal("Done of a resolved future is not closed")
			}
			v, err, ok := f.Result()
			require.True(t, ok)
			require.Equal(t, tt.v, v)
			require.Equal(t, tt.err, err)
			v, err = f.Wait(cancelled)
			require.Equal(t, tt.v, v, "a ready result wins over an ended ctx")
			require.Equal(t, tt.err, err)
		})
	}
}

func TestResultNotDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		f := async.Go(t.Context(), func(context.Context) (int, error) {
			<-release
			return 3, nil
		})
		v, err, ok := f.Result()
		require.False(t, ok)
		require.Zero(t, v)
		require.NoError(t, err)

		close(release)
		synctest.Wait()
		v, err, ok = f.Result()
		require.True(t, ok)
		require.Equal(t, 3, v)
		require.NoError(t, err)
	})
}

// TestAbandonedFuturesFinish starts 10,000 futures nobody waits for: every goroutine must end
// when its fn returns. In a synctest bubble, synctest.Test itself fails if any goroutine is
// left blocked; the goleak variants check the same outside a bubble.
func TestAbandonedFuturesFinish(t *testing.T) {
	const n = 10_000
	t.Run("synctest", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var returned sync.WaitGroup
			futures := make([]*async.Future[int], n)
			for i := range futures {
				returned.Add(1)
				futures[i] = async.Go(t.Context(), func(context.Context) (int, error) {
					defer returned.Done()
					time.Sleep(time.Duration(i%100) * time.Millisecond)
					return i, nil
				})
			}
			returned.Wait()
			synctest.Wait() // every goroutine of the bubble has exited or is blocked: none is
			for i, f := range futures {
				v, err, ok := f.Result()
				require.True(t, ok)
				require.NoError(t, err)
				require.Equal(t, i, v)
			}
		})
	})
	t.Run("return at once", func(t *testing.T) {
		for i := range n {
			async.Go(t.Context(), func(context.Context) (int, error) { return i, nil })
		}
		goleak.VerifyNone(t)
	})
	t.Run("stopped by cancelling their ctx", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		for range n {
			async.Go(ctx, func(ctx context.Context) (int, error) {
				<-ctx.Done()
				return 0, ctx.Err()
			})
		}
		cancel()
		goleak.VerifyNone(t)
	})
}

func TestWaitCtxEndsFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		f := async.Go(t.Context(), func(context.Context) (string, error) {
			time.Sleep(time.Hour)
			return "done", nil
		})

		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		v, err := f.Wait(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Empty(t, v)
		require.Equal(t, time.Second, time.Since(start), "Wait returns when its ctx ends")

		cancelled, cancel2 := context.WithCancel(t.Context())
		cancel2()
		_, err = f.Wait(cancelled)
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, time.Second, time.Since(start), "an ended ctx returns at once")

		_, _, ok := f.Result()
		require.False(t, ok, "the work goes on")

		// Later waits, from many goroutines, all get the result.
		const waiters = 100
		got := make([]string, waiters)
		errs := make([]error, waiters)
		var wg sync.WaitGroup
		for i := range waiters {
			wg.Go(func() { got[i], errs[i] = f.Wait(context.Background()) })
		}
		wg.Wait()
		for i := range waiters {
			require.NoError(t, errs[i])
			require.Equal(t, "done", got[i])
		}
		require.Equal(t, time.Hour, time.Since(start))
	})
}
