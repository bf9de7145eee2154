package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
)

// fakeClock is a settable clock, safe for concurrent use.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) Set(t time.Time)         { c.ns.Store(t.UnixNano()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// countingProvider hands out generation n credentials on its n-th call,
// valid for ttl from the clock's now.
type countingProvider struct {
	clock *fakeClock
	ttl   time.Duration
	calls atomic.Int64
	delay time.Duration
	gate  chan struct{} // if set, each call waits for a value
	fail  atomic.Bool
}

func (p *countingProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	n := p.calls.Add(1)
	if p.gate != nil {
		select {
		case <-p.gate:
		case <-ctx.Done():
			return aws.Credentials{}, ctx.Err()
		}
	}
	if p.delay > 0 {
		time.Sleep(p.delay)
	}
	if p.fail.Load() {
		return aws.Credentials{}, fmt.Errorf("refresh %d failed", n)
	}
	c := aws.Credentials{AccessKeyID: fmt.Sprintf("AKID%d", n), SecretAccessKey: "secret"}
	if p.ttl > 0 {
		c.Expires = p.clock.Now().Add(p.ttl)
	}
	return c, nil
}

func noJitter(clock *fakeClock) func(*CacheOptions) {
	return func(o *CacheOptions) {
		o.Now = clock.Now
		o.Jitter = -1
	}
}

// TestCredentialCacheOneRefreshPerExpiry: 1,000 goroutines share a cache
// whose credentials expire mid-run (the clock jumps past their expiry
// while callers are running); each expiry costs exactly one provider call.
func TestCredentialCacheOneRefreshPerExpiry(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	p := &countingProvider{clock: clock, ttl: time.Hour, delay: 5 * time.Millisecond}
	cache := NewCredentialCache(p, noJitter(clock))
	defer cache.Close()

	const goroutines, rounds = 1000, 5
	for round := 1; round <= rounds; round++ {
		want := fmt.Sprintf("AKID%d", round)
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, goroutines)
		for i := 0; i < goroutines; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for j := 0; j < 3; j++ {
					c, err := cache.Retrieve(context.Background())
					if err != nil {
						errs <- err
						return
					}
					if c.AccessKeyID != want {
						errs <- fmt.Errorf("round %d: got %s, want %s", round, c.AccessKeyID, want)
						return
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.EqualValues(t, round, p.calls.Load(), "one provider call per expiry")
		clock.Advance(time.Hour + time.Second) // the credentials expire
	}
}

// TestCredentialCacheCancelledWaiter: a caller that gives up does not end
// the shared refresh; the other waiters get its result.
func TestCredentialCacheCancelledWaiter(t *testing.T) {
	clock := newFakeClock(time.Now())
	p := &countingProvider{clock: clock, ttl: time.Hour, gate: make(chan struct{})}
	cache := NewCredentialCache(p, noJitter(clock))
	defer cache.Close()

	ctx, cancel := context.WithCancel(context.Background())
	cancelled := make(chan error, 1)
	go func() {
		_, err := cache.Retrieve(ctx)
		cancelled <- err
	}()
	require.Eventually(t, func() bool { return p.calls.Load() == 1 }, 5*time.Second, time.Millisecond)

	const waiters = 100
	results := make(chan error, waiters)
	for i := 0; i < waiters; i++ {
		go func() {
			c, err := cache.Retrieve(context.Background())
			if err == nil && c.AccessKeyID != "AKID1" {
				err = fmt.Errorf("got %s", c.AccessKeyID)
			}
			results <- err
		}()
	}
	cancel()
	require.ErrorIs(t, <-cancelled, context.Canceled)
	p.gate <- struct{}{} // the one refresh completes
	for i := 0; i < waiters; i++ {
		require.NoError(t, <-results)
	}
	require.EqualValues(t, 1, p.calls.Load())
}

func TestCredentialCacheWindows(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	p := &countingProvider{clock: clock, ttl: time.Hour}
	var hookErrs []error
	var mu sync.Mutex
	cache := NewCredentialCache(p, noJitter(clock), func(o *CacheOptions) {
		o.OnRefreshError = func(err error) { mu.Lock(); hookErrs = append(hookErrs, err); mu.Unlock() }
	})
	defer cache.Close()
	ctx := context.Background()

	c, err := cache.Retrieve(ctx)
	require.NoError(t, err)
	require.Equal(t, "AKID1", c.AccessKeyID)

	// Fresh: no call.
	clock.Advance(30 * time.Minute)
	c, _ = cache.Retrieve(ctx)
	require.Equal(t, "AKID1", c.AccessKeyID)
	require.EqualValues(t, 1, p.calls.Load())

	// Advisory window (12 min left) with a failing provider: old
	// credentials, no error, the hook hears of it.
	p.fail.Store(true)
	clock.Set(c.Expires.Add(-12 * time.Minute))
	c, err = cache.Retrieve(ctx)
	require.NoError(t, err)
	require.Equal(t, "AKID1", c.AccessKeyID)
	cache.Close() // wait for the background refresh
	require.EqualValues(t, 2, p.calls.Load())
	mu.Lock()
	require.Len(t, hookErrs, 1)
	mu.Unlock()

	// Within AdvisoryRetry of the failure: no new attempt.
	_, _ = cache.Retrieve(ctx)
	cache.Close()
	require.EqualValues(t, 2, p.calls.Load())

	// Mandatory window (5 min left): callers wait and see the error.
	clock.Set(c.Expires.Add(-5 * time.Minute))
	_, err = cache.Retrieve(ctx)
	require.ErrorContains(t, err, "refresh 3 failed")

	// The provider recovers: the waiting caller gets new credentials.
	p.fail.Store(false)
	c2, err := cache.Retrieve(ctx)
	require.NoError(t, err)
	require.Equal(t, "AKID4", c2.AccessKeyID)

	// Advisory refresh that succeeds replaces them in the background.
	clock.Set(c2.Expires.Add(-14 * time.Minute))
	c3, err := cache.Retrieve(ctx)
	require.NoError(t, err)
	require.Equal(t, "AKID4", c3.AccessKeyID)
	cache.Close()
	c3, _ = cache.Retrieve(ctx)
	require.Equal(t, "AKID5", c3.AccessKeyID)

	// Invalidate forces a fetch.
	cache.Invalidate()
	c3, _ = cache.Retrieve(ctx)
	require.Equal(t, "AKID6", c3.AccessKeyID)
}

func TestCredentialCacheJitterAndShortLived(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	cache := NewCredentialCache(aws.StaticCredentials{}, func(o *CacheOptions) {
		o.Now = clock.Now
		o.Jitter = 4 * time.Minute
		o.Rand = func() float64 { return 0.5 }
	})
	now := clock.Now()
	e := cache.entry(aws.Credentials{Expires: now.Add(time.Hour)}, now)
	require.Equal(t, now.Add(time.Hour-17*time.Minute), e.advisoryAt) // 15 min + half of 4 min
	require.Equal(t, now.Add(50*time.Minute), e.mandatoryAt)

	// Credentials living less than the mandatory window are used for half of it.
	e = cache.entry(aws.Credentials{Expires: now.Add(4 * time.Minute)}, now)
	require.Equal(t, now.Add(2*time.Minute), e.mandatoryAt)
	require.Equal(t, now.Add(time.Minute), e.advisoryAt)

	// No expiry: never refreshed.
	e = cache.entry(aws.Credentials{AccessKeyID: "a"}, now)
	require.True(t, e.advisoryAt.IsZero())
}

func TestCredentialCacheStaticPassThrough(t *testing.T) {
	static := aws.StaticCredentials{AccessKeyID: "a", SecretAccessKey: "b"}
	require.Equal(t, aws.CredentialsProvider(static), Cache(static))
	sp := NewStaticProvider("a", "b", "")
	require.Same(t, sp, Cache(sp).(*StaticProvider))
	cache := NewCredentialCache(static)
	require.Same(t, cache, Cache(cache).(*CredentialCache))

	// Non-expiring credentials through a cache: one call, then atomic loads.
	clock := newFakeClock(time.Now())
	p := &countingProvider{clock: clock}
	c := NewCredentialCache(p)
	for i := 0; i < 100; i++ {
		_, err := c.Retrieve(context.Background())
		require.NoError(t, err)
	}
	require.EqualValues(t, 1, p.calls.Load())
	allocs := testing.AllocsPerRun(100, func() { _, _ = c.Retrieve(context.Background()) })
	require.Zero(t, allocs)
}

func TestCredentialCacheErrorsAndPanics(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	c := NewCredentialCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, boom
	}))
	_, err := c.Retrieve(ctx)
	require.ErrorIs(t, err, boom)

	c = NewCredentialCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { panic("oops") }))
	_, err = c.Retrieve(ctx)
	require.ErrorContains(t, err, "panicked: oops")

	// The refresh runs under RefreshTimeout, not under the caller's ctx.
	c = NewCredentialCache(aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		<-ctx.Done()
		return aws.Credentials{}, ctx.Err()
	}), func(o *CacheOptions) { o.RefreshTimeout = 20 * time.Millisecond })
	_, err = c.Retrieve(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	c.Close()
}

func BenchmarkCredentialCacheRetrieve(b *testing.B) {
	clock := newFakeClock(time.Now())
	c := NewCredentialCache(&countingProvider{clock: clock, ttl: time.Hour}, noJitter(clock))
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, _ = c.Retrieve(ctx)
		}
	})
}
