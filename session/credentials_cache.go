package session

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aioaws/aioaws/aws"
)

// Defaults of [CacheOptions].
const (
	DefaultAdvisoryRefresh  = 15 * time.Minute
	DefaultMandatoryRefresh = 10 * time.Minute
	DefaultRefreshJitter    = 5 * time.Minute
	DefaultRefreshTimeout   = time.Minute
	// DefaultAdvisoryRetry is how long the cache waits before trying
	// again after a refresh in the advisory window failed.
	DefaultAdvisoryRetry = 30 * time.Second
)

// CacheOptions configure a [CredentialCache]. Zero fields take the defaults.
type CacheOptions struct {
	// AdvisoryRefresh: credentials expiring within this time (plus jitter)
	// are refreshed while the current ones are still served; a failed
	// refresh is reported to OnRefreshError and the old ones are kept.
	AdvisoryRefresh time.Duration
	// MandatoryRefresh: credentials expiring within this time are refreshed
	// and callers wait for the result (or for their own ctx).
	MandatoryRefresh time.Duration
	// Jitter: each set of credentials gets a random extra advisory time in
	// [0, Jitter), so that a fleet does not refresh all at once. Negative
	// means none.
	Jitter time.Duration
	// RefreshTimeout bounds one refresh. The refresh runs under a context
	// that no caller's cancellation ends, but that keeps the callers'
	// values, and this timeout.
	RefreshTimeout time.Duration
	// AdvisoryRetry is how long after a failed advisory refresh the next
	// one may start.
	AdvisoryRetry time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Rand returns a number in [0,1) for the jitter (default math/rand/v2).
	Rand func() float64
	// OnRefreshError, if set, receives the errors of advisory refreshes,
	// which callers never see. It is called from the refreshing goroutine.
	OnRefreshError func(error)
}

func (o *CacheOptions) withDefaults() {
	if o.AdvisoryRefresh <= 0 {
		o.AdvisoryRefresh = DefaultAdvisoryRefresh
	}
	if o.MandatoryRefresh <= 0 {
		o.MandatoryRefresh = DefaultMandatoryRefresh
	}
	if o.MandatoryRefresh > o.AdvisoryRefresh {
		o.AdvisoryRefresh = o.MandatoryRefresh
	}
	if o.Jitter == 0 {
		o.Jitter = DefaultRefreshJitter
	}
	if o.RefreshTimeout <= 0 {
		o.RefreshTimeout = DefaultRefreshTimeout
	}
	if o.AdvisoryRetry <= 0 {
		o.AdvisoryRetry = DefaultAdvisoryRetry
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
}

// CredentialCache caches the credentials of a provider and refreshes them
// before they expire.
//
// Reads are lock-free: while the cached credentials are fresh, Retrieve is
// an atomic load and a clock read. In the advisory window (AdvisoryRefresh
// plus jitter before expiry) the first caller starts a refresh and every
// caller keeps getting the current credentials; a failed advisory refresh
// is only reported to OnRefreshError. In the mandatory window
// (MandatoryRefresh before expiry, or when there are no credentials yet)
// callers wait for the refresh.
//
// Refreshes are single-flight: one provider call serves every concurrent
// caller. It runs in a goroutine owned by the cache, under a context
// detached from the callers' cancellation and bounded by RefreshTimeout, so
// a caller whose ctx ends stops waiting (with its ctx's error) while the
// others still get the result.
//
// A CredentialCache is safe for concurrent use. Its zero value is not
// usable: make one with [NewCredentialCache] (or [Cache]). Close is optional: it cancels a refresh in flight and waits for its
// goroutine (tests checking for leaks call it); the cache stays usable.
type CredentialCache struct {
	provider aws.CredentialsProvider
	opts     CacheOptions

	cur atomic.Pointer[cacheEntry]

	mu      sync.Mutex
	flight  *refreshFlight // the refresh in progress, if any
	retryAt time.Time      // no advisory refresh before this, after one failed
	wg      sync.WaitGroup
}

// cacheEntry is one set of credentials with the times its windows open.
type cacheEntry struct {
	creds       aws.Credentials
	advisoryAt  time.Time // zero: never (no expiry)
	mandatoryAt time.Time
}

// refreshFlight is one shared provider call; done closes when creds and err are set.
type refreshFlight struct {
	done   chan struct{}
	creds  aws.Credentials
	err    error
	cancel context.CancelFunc
}

// NewCredentialCache returns a cache in front of provider.
func NewCredentialCache(provider aws.CredentialsProvider, optFns ...func(*CacheOptions)) *CredentialCache {
	c := &CredentialCache{provider: provider}
	for _, fn := range optFns {
		fn(&c.opts)
	}
	c.opts.withDefaults()
	return c
}

// Cache returns provider behind a [CredentialCache], except for providers
// that need none, which it returns as they are: static credentials
// (aws.StaticCredentials, *StaticProvider) and providers already cached.
func Cache(provider aws.CredentialsProvider, optFns ...func(*CacheOptions)) aws.CredentialsProvider {
	switch provider.(type) {
	case aws.StaticCredentials, *aws.StaticCredentials, *StaticProvider, *CredentialCache:
		return provider
	}
	return NewCredentialCache(provider, optFns...)
}

// Provider returns the provider the cache fetches from.
func (c *CredentialCache) Provider() aws.CredentialsProvider { return c.provider }

// Name returns the name of the cached provider if it has one, else "cache".
func (c *CredentialCache) Name() string {
	if n, ok := c.provider.(NamedProvider); ok {
		return n.Name()
	}
	return "cache"
}

// Retrieve returns the cached credentials, refreshing them as the type's
// documentation says. Only the mandatory path blocks, and only until ctx is
// done.
func (c *CredentialCache) Retrieve(ctx context.Context) (aws.Credentials, error) {
	e := c.cur.Load()
	if e != nil && e.advisoryAt.IsZero() {
		return e.creds, nil // never expires
	}
	now := c.opts.Now()
	if e != nil {
		if now.Before(e.advisoryAt) {
			return e.creds, nil
		}
		if now.Before(e.mandatoryAt) {
			c.refresh(ctx, now, true)
			return e.creds, nil
		}
	}
	f := c.refresh(ctx, now, false)
	select {
	case <-f.done:
		return f.creds, f.err
	case <-ctx.Done():
		return aws.Credentials{}, ctx.Err()
	}
}

// Invalidate drops the cached credentials: the next Retrieve fetches new
// ones (e.g. after AWS rejected them as expired).
func (c *CredentialCache) Invalidate() { c.cur.Store(nil) }

// Close cancels a refresh in progress and waits for its goroutine to end.
// The cache remains usable.
func (c *CredentialCache) Close() {
	c.mu.Lock()
	if c.flight != nil {
		c.flight.cancel()
	}
	c.mu.Unlock()
	c.wg.Wait()
}

// refresh returns the refresh in flight, starting one if there is none and
// the credentials still need it. advisory says the caller will not wait.
func (c *CredentialCache) refresh(ctx context.Context, now time.Time, advisory bool) *refreshFlight {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.flight != nil {
		return c.flight
	}
	// Re-check under the lock: a refresh may have finished since the caller
	// looked, and it must not start a second one.
	if e := c.cur.Load(); e != nil && (e.advisoryAt.IsZero() || now.Before(e.advisoryAt) || (advisory && now.Before(c.retryAt))) {
		done := make(chan struct{})
		close(done)
		return &refreshFlight{done: done, creds: e.creds}
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.RefreshTimeout)
	f := &refreshFlight{done: make(chan struct{}), cancel: cancel}
	c.flight = f
	c.wg.Add(1)
	go c.run(fctx, f)
	return f
}

// run fetches credentials for f and publishes them.
func (c *CredentialCache) run(ctx context.Context, f *refreshFlight) {
	defer c.wg.Done()
	defer f.cancel()
	creds, err := c.fetch(ctx)
	c.mu.Lock()
	now := c.opts.Now()
	if err == nil {
		c.cur.Store(c.entry(creds, now))
		c.retryAt = time.Time{}
	} else if e := c.cur.Load(); e != nil && now.Before(e.mandatoryAt) {
		// An advisory refresh failed: keep serving the current credentials.
		c.retryAt = now.Add(c.opts.AdvisoryRetry)
		if c.opts.OnRefreshError != nil {
			defer c.opts.OnRefreshError(err)
		}
	}
	f.creds, f.err = creds, err
	c.flight = nil
	close(f.done)
	c.mu.Unlock()
}

// fetch calls the provider, turning a panic into an error.
func (c *CredentialCache) fetch(ctx context.Context) (creds aws.Credentials, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("credentials provider panicked: %v", r)
		}
	}()
	return c.provider.Retrieve(ctx)
}

// entry computes when the advisory and mandatory windows of creds open.
func (c *CredentialCache) entry(creds aws.Credentials, now time.Time) *cacheEntry {
	e := &cacheEntry{creds: creds}
	if !creds.CanExpire() {
		return e
	}
	exp := creds.Expires
	e.mandatoryAt = exp.Add(-c.opts.MandatoryRefresh)
	adv := c.opts.AdvisoryRefresh
	if c.opts.Jitter > 0 {
		adv += time.Duration(c.opts.Rand() * float64(c.opts.Jitter))
	}
	e.advisoryAt = exp.Add(-adv)
	if !e.mandatoryAt.After(now) {
		// Short-lived credentials: use them for half their remaining life
		// (expired ones are refreshed on the next call).
		half := exp.Sub(now) / 2
		if half < 0 {
			half = 0
		}
		e.mandatoryAt = now.Add(half)
		e.advisoryAt = now.Add(half / 2)
	} else if !e.advisoryAt.After(now) {
		e.advisoryAt = now
	}
	if e.advisoryAt.IsZero() { // the zero time means "never"
		e.advisoryAt = time.Unix(0, 1)
	}
	return e
}
