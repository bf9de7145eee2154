package retry

import (
	"time"

	"github.com/cenkalti/backoff/v4"
)

// callBackoff is one call's backoff: the jitter-free ceiling min(base·2^(n−1), MaxBackoff) of
// the n-th retry, for both bases. Each base is a backoff.ExponentialBackOff (multiplier 2, no
// randomization, no elapsed-time limit, capped at MaxBackoff); both advance on every retry, so
// the exponent is the attempt number whichever kind of error came before. Full jitter is
// applied by the caller, since the library's randomization is ±factor around the interval,
// not AWS's rand·ceiling.
type callBackoff struct {
	transient, throttle backoff.ExponentialBackOff
}

func (b *callBackoff) init(o Options) {
	b.transient = exponential(o.BaseDelay, o.MaxBackoff, o.Now)
	b.throttle = exponential(o.ThrottleBaseDelay, o.MaxBackoff, o.Now)
}

func exponential(base, ceiling time.Duration, now func() time.Time) backoff.ExponentialBackOff {
	b := backoff.ExponentialBackOff{
		InitialInterval:     min(base, ceiling),
		RandomizationFactor: 0,
		Multiplier:          2,
		MaxInterval:         ceiling,
		MaxElapsedTime:      0, // never Stop: the attempts budget and the quota decide
		Stop:                backoff.Stop,
		Clock:               clock(now),
	}
	b.Reset()
	return b
}

// next returns the ceiling for the next retry and advances both sequences.
func (b *callBackoff) next(throttled bool) time.Duration {
	t, h := b.transient.NextBackOff(), b.throttle.NextBackOff()
	if throttled {
		return h
	}
	return t
}

type clock func() time.Time

func (c clock) Now() time.Time { return c() }
