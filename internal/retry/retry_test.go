package retry

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
)

var (
	errTransient = &aws.APIError{Code: "InternalError", StatusCode: 500}
	errThrottle  = &aws.APIError{Code: "ThrottlingException", StatusCode: 400}
	errTimeout   = &AttemptTimeoutError{After: time.Second, Err: context.DeadlineExceeded}
	errBad       = &aws.APIError{Code: "ValidationException", StatusCode: 400}
)

func fixedRand(v float64) func() float64 { return func() float64 { return v } }

func TestParseMode(t *testing.T) {
	for in, want := range map[string]Mode{"": Standard, "standard": Standard, " Adaptive ": Adaptive, "LEGACY": Legacy} {
		got, err := ParseMode(in)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	_, err := ParseMode("fast")
	require.EqualError(t, err, `retry: unknown retry mode "fast" (want standard, adaptive or legacy)`)
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		name                 string
		in                   Options
		mode                 Mode
		attempts             int
		base, throttle, maxB time.Duration
	}{
		{"zero", Options{}, Standard, 3, 50 * time.Millisecond, time.Second, 20 * time.Second},
		{"unknown mode", Options{Mode: "fast"}, Standard, 3, 50 * time.Millisecond, time.Second, 20 * time.Second},
		{"adaptive", Options{Mode: Adaptive}, Adaptive, 3, 50 * time.Millisecond, time.Second, 20 * time.Second},
		{"dynamodb", Options{Service: "dynamodb"}, Standard, 4, 25 * time.Millisecond, time.Second, 20 * time.Second},
		{"dynamodb streams", Options{Service: "dynamodbstreams"}, Standard, 4, 25 * time.Millisecond, time.Second, 20 * time.Second},
		{"dynamodb explicit", Options{Service: "dynamodb", MaxAttempts: 2, BaseDelay: time.Second}, Standard, 2, time.Second, time.Second, 20 * time.Second},
		{"legacy", Options{Mode: Legacy}, Legacy, 5, time.Second, time.Second, 20 * time.Second},
		{"legacy dynamodb", Options{Mode: Legacy, Service: "dynamodb"}, Legacy, 10, 50 * time.Millisecond, 50 * time.Millisecond, 20 * time.Second},
		{"explicit", Options{MaxAttempts: 7, BaseDelay: time.Millisecond, ThrottleBaseDelay: 2 * time.Second, MaxBackoff: time.Minute}, Standard, 7, time.Millisecond, 2 * time.Second, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := New(tt.in).Options()
			require.Equal(t, tt.mode, o.Mode)
			require.Equal(t, tt.attempts, o.MaxAttempts)
			require.Equal(t, tt.base, o.BaseDelay)
			require.Equal(t, tt.throttle, o.ThrottleBaseDelay)
			require.Equal(t, tt.maxB, o.MaxBackoff)
			require.Equal(t, 500, o.QuotaSize)
			require.Equal(t, 14, o.RetryCost)
			require.Equal(t, 14, o.TimeoutRetryCost)
			require.Equal(t, 5, o.ThrottleRetryCost)
			require.Equal(t, 1, o.NoRetryIncrement)
			require.NotNil(t, o.Now)
			require.NotNil(t, o.Sleep)
			require.NotNil(t, o.Rand)
		})
	}
}

func TestAttemptsBudget(t *testing.T) {
	for _, max := range []int{1, 2, 3, 5} {
		r := New(Options{MaxAttempts: max, Rand: fixedRand(0.5)})
		a := r.Begin()
		for n := 1; n < max; n++ {
			d, stop := a.After(errTransient, Response{StatusCode: 500})
			require.NoError(t, stop, "attempt %d of %d", n, max)
			require.Positive(t, d)
		}
		d, stop := a.After(errTransient, Response{StatusCode: 500})
		require.Zero(t, d)
		var ae *AttemptsError
		require.ErrorAs(t, stop, &ae)
		require.Equal(t, max, ae.Attempts)
		require.Equal(t, max, a.Attempt())
		require.ErrorIs(t, stop, errTransient)
	}
}

func TestAfterOutcomes(t *testing.T) {
	tests := []struct {
		name  string
		errs  []error // one per attempt
		stops []bool  // whether After returns (0, nil) for that attempt
	}{
		{"success at once", []error{nil}, []bool{true}},
		{"not retryable", []error{errBad}, []bool{true}},
		{"transient then success", []error{errTransient, nil}, []bool{false, true}},
		{"throttle then not retryable", []error{errThrottle, errBad}, []bool{false, true}},
		{"timeout then transient then success", []error{errTimeout, errTransient, nil}, []bool{false, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(Options{Rand: fixedRand(0.5)}).Begin()
			for i, err := range tt.errs {
				d, stop := a.After(err, Response{})
				require.NoError(t, stop)
				if tt.stops[i] {
					require.Zero(t, d, "attempt %d", i+1)
				} else {
					require.Positive(t, d, "attempt %d", i+1)
				}
			}
		})
	}
}

func TestBackoffGrowthAndCap(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		opts Options
		errs []error
		want []time.Duration
	}{
		{"transient, rand 0.5", Options{}, []error{errTransient},
			[]time.Duration{25 * ms, 50 * ms, 100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms, 6400 * ms, 10 * time.Second, 10 * time.Second}},
		{"throttle, rand 0.5", Options{}, []error{errThrottle},
			[]time.Duration{500 * ms, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}},
		{"transient, small cap", Options{MaxBackoff: time.Second}, []error{errTransient},
			[]time.Duration{25 * ms, 50 * ms, 100 * ms, 200 * ms, 400 * ms, 500 * ms, 500 * ms}},
		{"base above cap", Options{BaseDelay: 3 * time.Second, MaxBackoff: 2 * time.Second}, []error{errTransient},
			[]time.Duration{time.Second, time.Second}},
		// The exponent is the attempt number whatever came before.
		{"mixed classes", Options{}, []error{errTransient, errThrottle, errTimeout, errThrottle},
			[]time.Duration{25 * ms, time.Second, 100 * ms, 4 * time.Second}},
		{"legacy", Options{Mode: Legacy}, []error{errTransient, errThrottle},
			[]time.Duration{500 * ms, time.Second, 2 * time.Second, 4 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Rand = fixedRand(0.5)
			tt.opts.MaxAttempts = len(tt.want) + 1
			tt.opts.QuotaSize = -1
			r := New(tt.opts)
			for call := range 2 { // a second call starts again from the base
				a := r.Begin()
				for i, want := range tt.want {
					d, stop := a.After(tt.errs[i%len(tt.errs)], Response{})
					require.NoError(t, stop)
					require.Equal(t, want, d, "call %d retry %d", call+1, i+1)
				}
			}
		})
	}
}

func TestBackoffJitterBounds(t *testing.T) {
	// Full jitter: rand in [0,1) scales the whole ceiling; a zero delay still means "retry".
	for _, tt := range []struct {
		rand float64
		want time.Duration
	}{{0, time.Nanosecond}, {0.999, 49950 * time.Microsecond}, {-1, time.Nanosecond}, {2, 50 * time.Millisecond}} {
		a := New(Options{Rand: fixedRand(tt.rand)}).Begin()
		d, stop := a.After(errTransient, Response{})
		require.NoError(t, stop)
		require.Equal(t, tt.want, d, "rand %v", tt.rand)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name   string
		err    error
		header string
		want   time.Duration
	}{
		{"none", errTransient, "", 25 * ms},
		{"honoured", errTransient, "1500", 1500 * ms},
		{"not below the computed delay", errTransient, "10", 25 * ms},
		{"zero", errTransient, "0", 25 * ms},
		{"at most 5s above the computed delay", errTransient, "60000", 5025 * ms},
		{"huge", errTransient, "99999999999999999", 5025 * ms},
		{"throttle", errThrottle, "3000", 3000 * ms},
		{"throttle capped", errThrottle, "9000", 5500 * ms},
		{"invalid", errTransient, "soon", 25 * ms},
		{"negative", errTransient, "-5", 25 * ms},
		{"http date is not milliseconds", errTransient, "Wed, 21 Oct 2015 07:28:00 GMT", 25 * ms},
		{"spaces", errTransient, " 700 ", 700 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(Options{Rand: fixedRand(0.5)}).Begin()
			h := http.Header{}
			if tt.header != "" {
				h.Set("x-amz-retry-after", tt.header)
			}
			d, stop := a.After(tt.err, Response{StatusCode: 500, Header: h})
			require.NoError(t, stop)
			require.Equal(t, tt.want, d)
		})
	}
}

func TestQuotaDrainAndRefund(t *testing.T) {
	r := New(Options{QuotaSize: 40, MaxAttempts: 10, Rand: fixedRand(0.5)})
	require.Equal(t, 40, r.QuotaAvailable())

	// Transient retries cost 14, throttle retries 5, timeouts 14.
	a := r.Begin()
	_, stop := a.After(errTransient, Response{})
	require.NoError(t, stop)
	require.Equal(t, 26, r.QuotaAvailable())
	_, stop = a.After(errThrottle, Response{})
	require.NoError(t, stop)
	require.Equal(t, 21, r.QuotaAvailable())
	_, stop = a.After(errTimeout, Response{})
	require.NoError(t, stop)
	require.Equal(t, 7, r.QuotaAvailable())

	// 7 tokens are too few for a transient retry: the client refuses, not AWS.
	d, stop := a.After(errTransient, Response{StatusCode: 500})
	require.Zero(t, d)
	var qe *QuotaError
	require.ErrorAs(t, stop, &qe)
	require.ErrorIs(t, stop, errTransient)
	require.Equal(t, 7, r.QuotaAvailable())

	// ... but enough for a throttle retry on another call; its success gives the 5 back.
	b := r.Begin()
	_, stop = b.After(errThrottle, Response{})
	require.NoError(t, stop)
	require.Equal(t, 2, r.QuotaAvailable())
	d, stop = b.After(nil, Response{StatusCode: 200})
	require.NoError(t, stop)
	require.Zero(t, d)
	require.Equal(t, 7, r.QuotaAvailable())

	// A failed retry's tokens stay spent; a success at once adds 1, up to the size.
	c := r.Begin()
	_, stop = c.After(errThrottle, Response{})
	require.NoError(t, stop)
	_, stop = c.After(errBad, Response{})
	require.NoError(t, stop)
	require.Equal(t, 2, r.QuotaAvailable())
	for range 50 {
		_, stop = r.Begin().After(nil, Response{})
		require.NoError(t, stop)
	}
	require.Equal(t, 40, r.QuotaAvailable())

	// Only the last retry's cost comes back: two retries, one success refunds 14, not 28.
	e := r.Begin()
	_, _ = e.After(errTransient, Response{})
	_, _ = e.After(errTransient, Response{})
	require.Equal(t, 12, r.QuotaAvailable())
	_, _ = e.After(nil, Response{})
	require.Equal(t, 26, r.QuotaAvailable())
}

func TestQuotaCustomCosts(t *testing.T) {
	// The pre-2026 costs: 5 a retry, 10 after a timeout, 5 after a throttle.
	r := New(Options{RetryCost: 5, TimeoutRetryCost: 10, QuotaSize: 100, MaxAttempts: 5})
	a := r.Begin()
	_, _ = a.After(errTransient, Response{})
	_, _ = a.After(errTimeout, Response{})
	_, _ = a.After(errThrottle, Response{})
	require.Equal(t, 80, r.QuotaAvailable())
}

func TestQuotaDisabled(t *testing.T) {
	r := New(Options{QuotaSize: -1, MaxAttempts: 1000, Rand: fixedRand(0.5)})
	require.Equal(t, -1, r.QuotaAvailable())
	a := r.Begin()
	for range 999 {
		_, stop := a.After(errTransient, Response{})
		require.NoError(t, stop)
	}
	_, stop := a.After(errTransient, Response{})
	var ae *AttemptsError
	require.ErrorAs(t, stop, &ae)
}

func TestQuotaConcurrentCalls(t *testing.T) {
	const calls = 200
	r := New(Options{MaxAttempts: 3})

	// Every call fails once and then succeeds: each takes 14 tokens and gives them back, so
	// the quota ends full, whatever the interleaving.
	var wg sync.WaitGroup
	for range calls {
		wg.Go(func() {
			a := r.Begin()
			d, stop := a.After(errTransient, Response{})
			if stop != nil || d == 0 {
				return // refused while others hold tokens: fine, nothing taken
			}
			_, _ = a.After(nil, Response{})
		})
	}
	wg.Wait()
	require.Equal(t, 500, r.QuotaAvailable())

	// Every call keeps failing: exactly 500/14 = 35 retries are allowed in all, the rest refused.
	var retried, refused, exhausted atomic.Int64
	for range calls {
		wg.Go(func() {
			a := r.Begin()
			for {
				d, stop := a.After(errTransient, Response{})
				var qe *QuotaError
				var ae *AttemptsError
				switch {
				case errors.As(stop, &qe):
					refused.Add(1)
					return
				case errors.As(stop, &ae):
					exhausted.Add(1)
					return
				case d > 0:
					retried.Add(1)
				default:
					t.Errorf("unexpected (%v, %v)", d, stop)
					return
				}
			}
		})
	}
	wg.Wait()
	require.EqualValues(t, 35, retried.Load())
	require.EqualValues(t, calls, refused.Load()+exhausted.Load())
	require.Equal(t, 500-35*14, r.QuotaAvailable())
}

func TestLongPollingBacksOffWhenRefused(t *testing.T) {
	r := New(Options{QuotaSize: 10, Rand: fixedRand(0.5)})
	a := r.Begin()
	a.SetLongPolling(true)
	d, stop := a.After(errTransient, Response{})
	var qe *QuotaError
	require.ErrorAs(t, stop, &qe)
	require.Equal(t, 25*time.Millisecond, d)

	// Running out of attempts is not a reason to wait.
	r = New(Options{MaxAttempts: 1})
	a = r.Begin()
	a.SetLongPolling(true)
	d, stop = a.After(errTransient, Response{})
	var ae *AttemptsError
	require.ErrorAs(t, stop, &ae)
	require.Zero(t, d)
}

func TestClockSkewRetriedOnce(t *testing.T) {
	r := New(Options{MaxAttempts: 5, Rand: fixedRand(0.5)})
	a := r.Begin()
	skewed := Response{StatusCode: 403, ClockSkew: 15 * time.Minute}
	errSkew := &aws.APIError{Code: "RequestTimeTooSkewed", StatusCode: 403}

	d, stop := a.After(errSkew, skewed)
	require.NoError(t, stop)
	require.Equal(t, 25*time.Millisecond, d)
	require.Equal(t, ClockSkew, a.LastClass())

	d, stop = a.After(errSkew, skewed)
	require.NoError(t, stop)
	require.Zero(t, d, "a second skew error is returned as is")
	require.Equal(t, 500-14, r.QuotaAvailable())
}

func TestWait(t *testing.T) {
	t.Run("sleeps d", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a := New(Options{}).Begin()
			start := time.Now()
			require.NoError(t, a.Wait(t.Context(), 3*time.Second))
			require.Equal(t, 3*time.Second, time.Since(start))
		})
	})
	t.Run("cancel", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a := New(Options{}).Begin()
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(time.Second, cancel)
			start := time.Now()
			err := a.Wait(ctx, time.Hour)
			require.ErrorIs(t, err, context.Canceled)
			require.Equal(t, time.Second, time.Since(start))
		})
	})
	t.Run("deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a := New(Options{}).Begin()
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			start := time.Now()
			require.ErrorIs(t, a.Wait(ctx, 10*time.Second), context.DeadlineExceeded)
			require.Equal(t, 2*time.Second, time.Since(start))
		})
	})
	t.Run("already cancelled", func(t *testing.T) {
		var slept bool
		a := New(Options{Sleep: func(context.Context, time.Duration) error { slept = true; return nil }}).Begin()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		require.ErrorIs(t, a.Wait(ctx, time.Second), context.Canceled)
		require.False(t, slept)
	})
	t.Run("injected sleep", func(t *testing.T) {
		var got []time.Duration
		a := New(Options{Sleep: func(_ context.Context, d time.Duration) error { got = append(got, d); return nil }}).Begin()
		require.NoError(t, a.Wait(t.Context(), 7*time.Millisecond))
		require.Equal(t, []time.Duration{7 * time.Millisecond}, got)
	})
}

func TestStandardBeforeAttemptIsNoOp(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	a := New(Options{Sleep: func(context.Context, time.Duration) error { panic("no sleep in standard mode") }}).Begin()
	require.NoError(t, a.BeforeAttempt(ctx))
}

func TestErrorMessages(t *testing.T) {
	last := &aws.APIError{Code: "ThrottlingException", Message: "Rate exceeded", StatusCode: 400,
		RequestID: "req-1", Service: "dynamodb", Operation: "PutItem"}
	tests := []struct {
		err  error
		want string
	}{
		{&QuotaError{Err: last}, "retry quota exhausted: the client, not AWS, refused to retry: " +
			"dynamodb PutItem: api error ThrottlingException: Rate exceeded (HTTP 400, request id req-1)"},
		{&AttemptsError{Attempts: 3, Err: last}, "gave up after 3 attempts: " +
			"dynamodb PutItem: api error ThrottlingException: Rate exceeded (HTTP 400, request id req-1)"},
		{&AttemptsError{Attempts: 1, Err: errors.New("reset")}, "gave up after 1 attempt: reset"},
		{&AttemptTimeoutError{After: 2 * time.Second, Err: context.DeadlineExceeded}, "attempt timed out after 2s: context deadline exceeded"},
		{&AttemptTimeoutError{Err: context.DeadlineExceeded}, "attempt timed out: context deadline exceeded"},
		{&QuotaError{}, "retry quota exhausted: the client, not AWS, refused to retry: <nil>"},
	}
	for _, tt := range tests {
		require.EqualError(t, tt.err, tt.want)
		if tt.err.(interface{ Unwrap() error }).Unwrap() != nil {
			var api *aws.APIError
			if errors.As(tt.err, &api) {
				require.Same(t, last, api)
			}
		}
	}
}
