package retry

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// send makes one attempt through a: waits for the limiter, then reports err. It returns how
// long BeforeAttempt waited.
func send(t *testing.T, ctx context.Context, a *Attempts, err error) time.Duration {
	t.Helper()
	start := time.Now()
	require.NoError(t, a.BeforeAttempt(ctx))
	waited := time.Since(start)
	a.After(err, Response{StatusCode: 200})
	return waited
}

func TestAdaptiveSlowsUnderThrottlingAndRecovers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		r := New(Options{Mode: Adaptive, QuotaSize: -1, MaxAttempts: 1000})
		l := r.limiter

		// 1. Healthy: 20 requests a second for 5 s. The limiter stays off and never delays.
		for range 100 {
			require.Zero(t, send(t, ctx, r.Begin(), nil))
			time.Sleep(50 * time.Millisecond)
		}
		_, enabled := l.state()
		require.False(t, enabled)
		require.InDelta(t, 20, l.measuredRate, 1)

		// 2. Throttled: the first throttle turns the limiter on at 0.7 × the measured rate.
		send(t, ctx, r.Begin(), errThrottle)
		rate, enabled := l.state()
		require.True(t, enabled)
		require.InDelta(t, 0.7*20, rate, 1)

		// Each further throttle cuts it again; the requests now wait for tokens.
		prev := rate
		var waited time.Duration
		start := time.Now()
		for range 20 {
			waited += send(t, ctx, r.Begin(), errThrottle)
			rate, _ = l.state()
			require.LessOrEqual(t, rate, prev)
			prev = rate
		}
		throttled, _ := l.state()
		require.Less(t, throttled, 2.0, "rate after 20 throttles")
		require.GreaterOrEqual(t, throttled, minFillRate)
		require.Positive(t, waited)
		require.Greater(t, time.Since(start), time.Second, "20 requests no longer fit in a second")

		// 3. Recovery: successes grow the rate along the cubic curve, back past where it was.
		var rates []float64
		for range 400 {
			send(t, ctx, r.Begin(), nil)
			rate, _ = l.state()
			rates = append(rates, rate)
		}
		recovered, _ := l.state()
		require.Greater(t, recovered, 4*throttled, "rates: %v", rates[len(rates)-10:])
		require.Greater(t, recovered, 14.0, "recovers beyond the rate at the first throttle")

		// A throttle during recovery cuts it again.
		send(t, ctx, r.Begin(), errThrottle)
		again, _ := l.state()
		require.Less(t, again, recovered)
	})
}

func TestAdaptiveSharedByCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := New(Options{Mode: Adaptive})
		// Throttle hard to bring the rate to its floor of 0.5 a second.
		for range 50 {
			r.Begin().After(errThrottle, Response{StatusCode: 400})
		}
		rate, enabled := r.limiter.state()
		require.True(t, enabled)
		require.Equal(t, minFillRate, rate)

		// Ten concurrent calls share it: the ten first attempts take about 20 s.
		start := time.Now()
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				require.NoError(t, r.Begin().BeforeAttempt(t.Context()))
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		require.GreaterOrEqual(t, elapsed, 17*time.Second)
		require.LessOrEqual(t, elapsed, 21*time.Second)
	})
}

func TestAdaptiveBeforeAttemptHonoursCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := New(Options{Mode: Adaptive})
		for range 50 {
			r.Begin().After(errThrottle, Response{StatusCode: 400})
		}
		a := r.Begin()
		require.NoError(t, a.BeforeAttempt(t.Context())) // may wait for the first token

		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		require.ErrorIs(t, a.BeforeAttempt(ctx), context.Canceled)
		require.Equal(t, 100*time.Millisecond, time.Since(start))

		ctx, cancel = context.WithCancel(t.Context())
		cancel()
		require.ErrorIs(t, a.BeforeAttempt(ctx), context.Canceled)
	})
}

func TestAdaptiveKeepsQuota(t *testing.T) {
	r := New(Options{Mode: Adaptive})
	a := r.Begin()
	_, stop := a.After(errThrottle, Response{})
	require.NoError(t, stop)
	require.Equal(t, 495, r.QuotaAvailable())
}
