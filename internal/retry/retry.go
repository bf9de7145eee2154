package retry

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Mode is a retry mode, as named by the shared config file's retry_mode and AWS_RETRY_MODE.
type Mode string

const (
	// Standard: exponential backoff with full jitter, separate bases for throttling and
	// transient errors, a client-wide retry quota. The default.
	Standard Mode = "standard"
	// Adaptive: Standard plus a client-side rate limiter that slows every call of the client
	// down after throttling responses (so it may delay a first attempt).
	Adaptive Mode = "adaptive"
	// Legacy: Standard with botocore's legacy defaults: 5 attempts, a 1 s base for every
	// retryable error (10 attempts and 50 ms for DynamoDB).
	Legacy Mode = "legacy"
)

// ParseMode parses a retry_mode value ("standard", "adaptive", "legacy", any case). The empty
// string is Standard.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return Standard, nil
	case Standard, Adaptive, Legacy:
		return m, nil
	}
	return "", fmt.Errorf("retry: unknown retry mode %q (want standard, adaptive or legacy)", s)
}

// Defaults of standard and adaptive modes (AWS SDKs' 2026 retry behaviour, see the package doc).
const (
	DefaultMaxAttempts       = 3
	DefaultBaseDelay         = 50 * time.Millisecond // transient errors
	DefaultThrottleBaseDelay = time.Second           // throttling errors
	DefaultMaxBackoff        = 20 * time.Second
	DefaultQuotaSize         = 500
	DefaultRetryCost         = 14 // tokens a retry after a transient error or timeout takes
	DefaultThrottleRetryCost = 5  // tokens a retry after a throttling error takes
	DefaultNoRetryIncrement  = 1  // tokens a call that succeeds at its first attempt gives back

	// RetryAfterMaxExtra bounds the x-amz-retry-after header: the delay is the header's value
	// kept within [computed backoff, computed backoff + RetryAfterMaxExtra].
	RetryAfterMaxExtra = 5 * time.Second

	dynamoDBBaseDelay   = 25 * time.Millisecond
	dynamoDBMaxAttempts = 4
)

// Options configures a [Retryer]. The zero value is standard mode with the defaults; a zero
// field takes its default.
type Options struct {
	Mode Mode // Standard, Adaptive or Legacy; "" is Standard, an unknown mode is Standard too (use ParseMode)

	// MaxAttempts is the number of attempts a call may make, the first included. 1 disables
	// retries. Default 3 (Legacy: 5); DynamoDB 4 (Legacy: 10).
	MaxAttempts int

	// BaseDelay is the backoff base for transient errors, timeouts and clock skew.
	// Default 50 ms (Legacy: 1 s); DynamoDB 25 ms (Legacy: 50 ms).
	BaseDelay time.Duration
	// ThrottleBaseDelay is the backoff base for throttling errors. Default 1 s (Legacy: BaseDelay).
	ThrottleBaseDelay time.Duration
	// MaxBackoff caps base·2^(attempt−1) before jitter. Default 20 s.
	MaxBackoff time.Duration

	// QuotaSize is the retry quota's size in tokens, default 500. A negative size disables the
	// quota: the client then never refuses a retry on its own.
	QuotaSize int
	// RetryCost is the tokens a retry after a transient error costs, default 14.
	RetryCost int
	// TimeoutRetryCost is the tokens a retry after a timeout costs, default RetryCost
	// (the 2026 behaviour no longer charges timeouts more; set 10 for the older SDKs' costs).
	TimeoutRetryCost int
	// ThrottleRetryCost is the tokens a retry after a throttling error costs, default 5.
	ThrottleRetryCost int
	// NoRetryIncrement is the tokens a call that succeeds at its first attempt adds, default 1.
	// (A call that succeeds after retrying gives back what its last retry took.)
	NoRetryIncrement int

	// Service is the botocore service name. "dynamodb" and "dynamodbstreams" get DynamoDB's
	// defaults for MaxAttempts and BaseDelay when those are left zero.
	Service string

	// Now is the clock, default time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx is done, returning ctx.Err() then. Default: a timer and ctx.
	// In adaptive mode BeforeAttempt sleeps until Now has moved on enough for a token, so a
	// replacement must let Now advance (testing/synctest does; a no-op Sleep with time.Now spins).
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns the jitter factor in [0,1); it must be safe for concurrent use.
	// Default math/rand/v2.Float64.
	Rand func() float64
}

// resolve returns o with every default filled in.
func (o Options) resolve() Options {
	dynamo := o.Service == "dynamodb" || o.Service == "dynamodbstreams"
	if o.Mode == Legacy {
		// botocore's _retry.json: max_attempts 5, delay rand·2^(attempts−1) s; DynamoDB 10 and 0.05 s.
		if o.MaxAttempts < 1 {
			o.MaxAttempts = 5
			if dynamo {
				o.MaxAttempts = 10
			}
		}
		if o.BaseDelay <= 0 {
			o.BaseDelay = time.Second
			if dynamo {
				o.BaseDelay = 50 * time.Millisecond
			}
		}
		if o.ThrottleBaseDelay <= 0 {
			o.ThrottleBaseDelay = o.BaseDelay
		}
	} else {
		if o.Mode != Adaptive {
			o.Mode = Standard
		}
		if o.MaxAttempts < 1 {
			o.MaxAttempts = DefaultMaxAttempts
			if dynamo {
				o.MaxAttempts = dynamoDBMaxAttempts
			}
		}
		if o.BaseDelay <= 0 {
			o.BaseDelay = DefaultBaseDelay
			if dynamo {
				o.BaseDelay = dynamoDBBaseDelay
			}
		}
		if o.ThrottleBaseDelay <= 0 {
			o.ThrottleBaseDelay = DefaultThrottleBaseDelay
		}
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.QuotaSize == 0 {
		o.QuotaSize = DefaultQuotaSize
	}
	if o.RetryCost <= 0 {
		o.RetryCost = DefaultRetryCost
	}
	if o.TimeoutRetryCost <= 0 {
		o.TimeoutRetryCost = o.RetryCost
	}
	if o.ThrottleRetryCost <= 0 {
		o.ThrottleRetryCost = DefaultThrottleRetryCost
	}
	if o.NoRetryIncrement <= 0 {
		o.NoRetryIncrement = DefaultNoRetryIncrement
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	return o
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Retryer holds the retry state a client shares across its calls: the retry quota and, in
// adaptive mode, the rate limiter. Make one with [New] per client (its zero value is not
// usable) and call [Retryer.Begin] once per call. It is safe for concurrent use and needs no
// Close: it starts no goroutine.
type Retryer struct {
	opts    Options
	quota   *quota       // nil when disabled
	limiter *rateLimiter // nil unless adaptive
}

// New returns a Retryer for opts, defaults filled in.
func New(opts Options) *Retryer {
	opts = opts.resolve()
	r := &Retryer{opts: opts}
	if opts.QuotaSize > 0 {
		r.quota = newQuota(opts.QuotaSize)
	}
	if opts.Mode == Adaptive {
		r.limiter = newRateLimiter(opts.Now)
	}
	return r
}

// Options returns the options in force, defaults filled in.
func (r *Retryer) Options() Options { return r.opts }

// QuotaAvailable returns the tokens left in the retry quota, or -1 when the quota is disabled.
func (r *Retryer) QuotaAvailable() int {
	if r.quota == nil {
		return -1
	}
	return r.quota.available()
}

// Begin starts one call: the returned Attempts holds that call's attempt count and a fresh
// backoff, built here for this call alone.
func (r *Retryer) Begin() *Attempts {
	a := &Attempts{r: r}
	a.backoff.init(r.opts)
	return a
}

// Response is what the client knows of an attempt's HTTP response; zero if none came.
type Response struct {
	StatusCode int
	Header     http.Header // read for x-amz-retry-after
	// ClockSkew is how far the server's clock (its Date header) is ahead of the time the
	// request was signed with, i.e. the correction the signer still lacks (negative if the
	// client is ahead); zero if unknown. Clock-skew error codes are retried only when it is
	// beyond ClockSkewThreshold.
	ClockSkew time.Duration
}

// Attempts is the retry state of one call: how many attempts were made, its backoff, and the
// quota tokens its retry holds. Get one from [Retryer.Begin]; it is not safe for concurrent use.
//
// The client's loop:
//
//	a := r.Begin()
//	for {
//		if err := a.BeforeAttempt(ctx); err != nil {
//			return err
//		}
//		out, info, err := send(ctx)
//		d, stop := a.After(err, info)
//		if stop != nil {
//			if d > 0 { // long-polling operations back off even when refused
//				_ = a.Wait(ctx, d)
//			}
//			return stop
//		}
//		if d == 0 {
//			return out, err // success, or an error not worth retrying
//		}
//		if a.LastClass() == retry.ClockSkew {
//			signer.AddSkew(info.ClockSkew)
//		}
//		if err := a.Wait(ctx, d); err != nil {
//			return err
//		}
//	}
type Attempts struct {
	r           *Retryer
	n           int  // attempts reported to After
	held        int  // quota tokens taken for the retry in flight, given back if it succeeds
	skewRetried bool // a clock-skew retry was made
	last        Class
	longPolling bool
	backoff     callBackoff
}

// SetLongPolling marks the call as a long-polling operation (SQS ReceiveMessage, Step
// Functions GetActivityTask, ...). When the quota refuses such a call's retry, After still
// returns the backoff delay with the *QuotaError, so that a polling loop waits instead of
// spinning against a failing service.
func (a *Attempts) SetLongPolling(on bool) { a.longPolling = on }

// Attempt returns the number of attempts reported to After so far.
func (a *Attempts) Attempt() int { return a.n }

// LastClass returns the class of the error last reported to After (NotRetryable after a
// success). When it is ClockSkew and After asked for a retry, the client corrects its signing
// clock by Response.ClockSkew before the next attempt.
func (a *Attempts) LastClass() Class { return a.last }

// BeforeAttempt waits, in adaptive mode, until the client's rate limiter lets one more request
// go; it returns ctx.Err() if ctx is done first. In standard and legacy modes it returns nil at
// once.
func (a *Attempts) BeforeAttempt(ctx context.Context) error {
	l := a.r.limiter
	if l == nil {
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		ok, wait := l.acquire()
		if ok {
			return nil
		}
		if err := a.r.opts.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// After reports the outcome of the call's next attempt (the first call reports attempt 1):
// err is its error, nil on success, and info what came of its HTTP response.
//
//   - (0, nil): the call is done: err is nil, or not worth retrying (see [Classify]; a second
//     clock-skew error too). The caller returns err as it is.
//   - (d, nil) with d > 0: retry after waiting d (use [Attempts.Wait]).
//   - (0, *AttemptsError): retryable, but the call used all its attempts.
//   - (0, *QuotaError): retryable, but the client's retry quota is empty.
//   - (d, *QuotaError) with d > 0: the same, for a long-polling call: wait d, then return it.
//
// The delay is rand·min(base·2^(n−1), MaxBackoff) with base ThrottleBaseDelay after a throttle
// and BaseDelay otherwise, n the attempt just reported; if the response carries
// x-amz-retry-after (milliseconds), that value is used instead, kept within
// [delay, delay+5s]. A computed delay of zero is raised to 1 ns so that d > 0 always means retry.
func (a *Attempts) After(err error, info Response) (retryIn time.Duration, stop error) {
	a.n++
	r := a.r
	class := Classify(err, info)
	a.last = class
	if r.limiter != nil {
		r.limiter.update(class == Throttle)
	}

	held := a.held
	a.held = 0 // a failed retry's tokens stay spent
	if err == nil {
		if r.quota != nil {
			if held > 0 {
				r.quota.put(held)
			} else if a.n == 1 {
				r.quota.put(r.opts.NoRetryIncrement)
			}
		}
		return 0, nil
	}

	switch class {
	case NotRetryable:
		return 0, nil
	case ClockSkew:
		if a.skewRetried {
			return 0, nil
		}
	}
	if a.n >= r.opts.MaxAttempts {
		return 0, &AttemptsError{Attempts: a.n, Err: err}
	}

	d := a.delay(class, info)
	if r.quota != nil {
		cost := r.cost(class)
		if !r.quota.take(cost) {
			if !a.longPolling {
				d = 0
			}
			return d, &QuotaError{Err: err}
		}
		a.held = cost
	}
	if class == ClockSkew {
		a.skewRetried = true
	}
	return d, nil
}

func (r *Retryer) cost(c Class) int {
	switch c {
	case Throttle:
		return r.opts.ThrottleRetryCost
	case Timeout:
		return r.opts.TimeoutRetryCost
	}
	return r.opts.RetryCost
}

// delay computes the wait before the next attempt and advances the call's backoff.
func (a *Attempts) delay(c Class, info Response) time.Duration {
	o := &a.r.opts
	ceiling := a.backoff.next(c == Throttle)
	j := o.Rand()
	if j < 0 || j != j {
		j = 0
	} else if j > 1 {
		j = 1
	}
	d := time.Duration(j * float64(ceiling))
	d = applyRetryAfter(d, info.Header)
	return max(d, time.Nanosecond)
}

// applyRetryAfter returns the x-amz-retry-after header's value (milliseconds) kept within
// [d, d+RetryAfterMaxExtra], or d if the header is absent or invalid.
func applyRetryAfter(d time.Duration, h http.Header) time.Duration {
	v := h.Get("X-Amz-Retry-After")
	if v == "" {
		return d
	}
	ms, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || ms < 0 {
		return d
	}
	hi := d + RetryAfterMaxExtra
	if ms > int64(hi/time.Millisecond) {
		return hi
	}
	return max(time.Duration(ms)*time.Millisecond, d)
}

// Wait waits d before the next attempt with Options.Sleep, returning ctx.Err() early if ctx is
// done (at once if it already is).
func (a *Attempts) Wait(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return a.r.opts.Sleep(ctx, d)
}
