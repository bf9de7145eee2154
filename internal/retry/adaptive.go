package retry

import (
	"math"
	"sync"
	"time"
)

// The constants of the AWS SDKs' adaptive retry mode (botocore retries/adaptive.py and
// retries/bucket.py, aws-sdk-go-v2 aws/retry/adaptive_ratelimit.go).
const (
	cubicBeta     = 0.7 // the send rate is multiplied by this on a throttle
	cubicScale    = 0.4 // CUBIC's scaling constant C
	rateSmoothing = 0.8 // weight of the newest half-second in the measured send rate
	minFillRate   = 0.5 // tokens a second; the limiter never goes slower
	minCapacity   = 1.0 // the bucket always holds at least one request's token
)

// rateLimiter is the adaptive mode's client-side rate limiter: a token bucket whose fill rate
// follows CUBIC congestion control. It stays off (sends are never delayed) until the first
// throttling response. On a throttle the rate drops to beta × min(measured send rate, current
// rate); on every other response it grows along the cubic curve
//
//	rate(t) = C·(t − K)³ + Wmax,  K = ∛(Wmax·(1−beta)/C)
//
// where t is the time since the last throttle and Wmax the rate at that throttle, so it climbs
// back quickly, flattens near Wmax, then probes above it. A new rate is never more than twice
// the measured send rate. Safe for concurrent use.
type rateLimiter struct {
	now func() time.Time

	mu    sync.Mutex
	start time.Time // origin of the float-seconds clock below

	enabled    bool
	fillRate   float64 // tokens a second
	capacity   float64
	tokens     float64
	lastRefill float64
	refilled   bool

	measuredRate float64 // smoothed responses a second, in half-second buckets
	lastBucket   float64
	count        int

	lastMaxRate  float64 // Wmax
	lastThrottle float64
	timeWindow   float64 // K
}

func newRateLimiter(now func() time.Time) *rateLimiter {
	return &rateLimiter{now: now, start: now()}
}

func (l *rateLimiter) seconds() float64 { return l.now().Sub(l.start).Seconds() }

// acquire takes one token. When none is available it returns how long to wait before trying
// again.
func (l *rateLimiter) acquire() (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.enabled {
		return true, 0
	}
	l.refill(l.seconds())
	if l.tokens >= 1 {
		l.tokens--
		return true, 0
	}
	wait = time.Duration((1 - l.tokens) / l.fillRate * float64(time.Second))
	return false, max(wait, time.Millisecond)
}

// update records one response (or failed attempt), throttled or not, and sets the new rate.
func (l *rateLimiter) update(throttled bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.seconds()
	l.measure(t)

	var rate float64
	if throttled {
		rateToUse := l.measuredRate
		if l.enabled {
			rateToUse = min(l.measuredRate, l.fillRate)
		}
		l.lastMaxRate = rateToUse
		l.calculateTimeWindow()
		l.lastThrottle = t
		rate = rateToUse * cubicBeta
		l.enabled = true
	} else {
		l.calculateTimeWindow()
		dt := t - l.lastThrottle - l.timeWindow
		rate = cubicScale*dt*dt*dt + l.lastMaxRate
	}
	l.setRate(t, min(rate, 2*l.measuredRate))
}

func (l *rateLimiter) calculateTimeWindow() {
	l.timeWindow = math.Cbrt(l.lastMaxRate * (1 - cubicBeta) / cubicScale)
}

// measure counts one response into the smoothed rate, bucketed by half-second.
func (l *rateLimiter) measure(t float64) {
	bucket := math.Floor(t*2) / 2
	l.count++
	if bucket > l.lastBucket {
		current := float64(l.count) / (bucket - l.lastBucket)
		l.measuredRate = current*rateSmoothing + l.measuredRate*(1-rateSmoothing)
		l.count = 0
		l.lastBucket = bucket
	}
}

func (l *rateLimiter) setRate(t, rate float64) {
	l.refill(t)
	l.fillRate = max(rate, minFillRate)
	l.capacity = max(rate, minCapacity)
	l.tokens = min(l.tokens, l.capacity)
}

func (l *rateLimiter) refill(t float64) {
	if !l.refilled {
		l.refilled = true
		l.lastRefill = t
		return
	}
	l.tokens = min(l.capacity, l.tokens+(t-l.lastRefill)*l.fillRate)
	l.lastRefill = t
}

// state returns the fill rate (requests a second) and whether the limiter delays sends.
func (l *rateLimiter) state() (rate float64, enabled bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fillRate, l.enabled
}
