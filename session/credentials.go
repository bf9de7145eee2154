package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aioaws/aioaws/aws"
)

// NamedProvider is a credentials provider with a name, so that a [Chain] can
// report which provider answered or failed and custom providers can be
// inserted relative to the built-in ones ("env", "assume-role",
// "web-identity", "sso", "profile", "container", "imds", ...).
type NamedProvider interface {
	aws.CredentialsProvider
	// Name is a short, stable, lower-case name such as "env".
	Name() string
}

// Named gives p a name, for use in a [Chain].
func Named(name string, p aws.CredentialsProvider) NamedProvider {
	return namedProvider{name, p}
}

type namedProvider struct {
	name string
	aws.CredentialsProvider
}

func (n namedProvider) Name() string { return n.name }

// ErrNotConfigured is matched (errors.Is) by the errors of providers that
// have nothing to do because they are not configured: no environment
// variables, no such profile key, no instance metadata service. A [Chain]
// skips such providers; any other error of a provider stops the chain.
var ErrNotConfigured = errors.New("credentials provider not configured")

// ErrNoCredentials is matched (errors.Is) by the error of a [Chain] in
// which no provider was configured.
var ErrNoCredentials = errors.New("no credentials: no credentials provider is configured")

// NotConfiguredError says why a provider is not configured; it matches
// [ErrNotConfigured].
type NotConfiguredError struct {
	Provider string // the provider's name
	Reason   string // e.g. "AWS_ACCESS_KEY_ID is not set"
}

func (e *NotConfiguredError) Error() string {
	return fmt.Sprintf("%s: not configured: %s", e.Provider, e.Reason)
}

// Is reports whether target is [ErrNotConfigured].
func (e *NotConfiguredError) Is(target error) bool { return target == ErrNotConfigured }

func notConfigured(provider, format string, args ...any) error {
	return &NotConfiguredError{Provider: provider, Reason: fmt.Sprintf(format, args...)}
}

// ProviderError reports a provider that is configured but failed to give
// credentials. Err is the cause (an *aws.APIError from STS, a parse error,
// a timeout, ...).
type ProviderError struct {
	Provider string
	Err      error
}

func (e *ProviderError) Error() string { return e.Provider + ": " + e.Err.Error() }

func (e *ProviderError) Unwrap() error { return e.Err }

// providerError wraps err as a *ProviderError of provider unless it already
// is one of that provider or is a "not configured" error.
func providerError(provider string, err error) error {
	var pe *ProviderError
	if errors.As(err, &pe) && pe.Provider == provider {
		return err
	}
	if errors.Is(err, ErrNotConfigured) {
		return err
	}
	return &ProviderError{Provider: provider, Err: err}
}

// ChainAttempt is one provider a [Chain] consulted and why it gave no
// credentials.
type ChainAttempt struct {
	Provider string
	Err      error
}

// ChainError is the error of a [Chain] that got no credentials. Tried lists
// every provider consulted, in order. When a configured provider failed it
// is the last one tried, and Failed is its error: the chain stopped there.
// Otherwise no provider was configured and the error matches
// [ErrNoCredentials].
type ChainError struct {
	Tried  []ChainAttempt
	Failed *ProviderError
}

func (e *ChainError) Error() string {
	var b strings.Builder
	if e.Failed != nil {
		fmt.Fprintf(&b, "credentials: provider %q is configured but failed: %v", e.Failed.Provider, e.Failed.Err)
		if len(e.Tried) > 1 {
			b.WriteString(" (tried before it:")
			for i, a := range e.Tried[:len(e.Tried)-1] {
				if i > 0 {
					b.WriteString(";")
				}
				fmt.Fprintf(&b, " %s", reason(a))
			}
			b.WriteString(")")
		}
		return b.String()
	}
	b.WriteString("no credentials: no credentials provider is configured; tried")
	if len(e.Tried) == 0 {
		b.WriteString(" none")
	}
	for i, a := range e.Tried {
		if i > 0 {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " %s", reason(a))
	}
	return b.String()
}

// reason formats an attempt as "name (why)".
func reason(a ChainAttempt) string {
	var nc *NotConfiguredError
	if errors.As(a.Err, &nc) && nc.Provider == a.Provider {
		return a.Provider + " (" + nc.Reason + ")"
	}
	return a.Provider + " (" + a.Err.Error() + ")"
}

// Unwrap returns the failed provider's error, or [ErrNoCredentials].
func (e *ChainError) Unwrap() error {
	if e.Failed != nil {
		return e.Failed
	}
	return ErrNoCredentials
}

// Chain asks its providers in order for credentials: the first that has
// some wins. A provider whose error matches [ErrNotConfigured] is skipped;
// any other error stops the chain (a configured provider that fails is not
// silently passed over). The error of a chain is a *ChainError.
//
// A Chain is safe for concurrent use, including changing it (InsertAfter,
// InsertBefore, Remove) while Retrieve runs: each Retrieve walks the list
// as it was when it started. The zero value is an empty chain. A Chain does
// not cache: wrap it in a [CredentialCache].
type Chain struct {
	mu        sync.Mutex // serializes changes
	providers atomic.Pointer[[]NamedProvider]
}

// NewChain returns a chain of the given providers, in order.
func NewChain(providers ...NamedProvider) *Chain {
	c := &Chain{}
	ps := slices.Clone(providers)
	c.providers.Store(&ps)
	return c
}

// Name returns "chain".
func (c *Chain) Name() string { return "chain" }

// Providers returns the chain's providers, in order.
func (c *Chain) Providers() []NamedProvider {
	if p := c.providers.Load(); p != nil {
		return slices.Clone(*p)
	}
	return nil
}

// Names returns the names of the chain's providers, in order.
func (c *Chain) Names() []string {
	ps := c.Providers()
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name()
	}
	return names
}

// Retrieve asks each provider in turn; see [Chain]. The credentials'
// Source is set to the name of the provider that gave them, if empty.
func (c *Chain) Retrieve(ctx context.Context) (aws.Credentials, error) {
	var ps []NamedProvider
	if p := c.providers.Load(); p != nil {
		ps = *p
	}
	var tried []ChainAttempt
	for _, p := range ps {
		if err := ctx.Err(); err != nil {
			return aws.Credentials{}, err
		}
		creds, err := p.Retrieve(ctx)
		if err == nil {
			if creds.Source == "" {
				creds.Source = p.Name()
			}
			return creds, nil
		}
		tried = append(tried, ChainAttempt{Provider: p.Name(), Err: err})
		if errors.Is(err, ErrNotConfigured) {
			continue
		}
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return aws.Credentials{}, err
		}
		var pe *ProviderError
		if !errors.As(err, &pe) || pe.Provider != p.Name() {
			pe = &ProviderError{Provider: p.Name(), Err: err}
		}
		return aws.Credentials{}, &ChainError{Tried: tried, Failed: pe}
	}
	return aws.Credentials{}, &ChainError{Tried: tried}
}

// InsertAfter inserts p after the provider named name; it returns an error
// if there is none.
func (c *Chain) InsertAfter(name string, p NamedProvider) error { return c.insert(name, p, 1) }

// InsertBefore inserts p before the provider named name; it returns an
// error if there is none.
func (c *Chain) InsertBefore(name string, p NamedProvider) error { return c.insert(name, p, 0) }

// Append adds p at the end of the chain.
func (c *Chain) Append(p NamedProvider) {
	c.update(func(ps []NamedProvider) []NamedProvider { return append(ps, p) })
}

// Prepend adds p at the start of the chain.
func (c *Chain) Prepend(p NamedProvider) {
	c.update(func(ps []NamedProvider) []NamedProvider { return append([]NamedProvider{p}, ps...) })
}

// Remove removes every provider named name and reports whether there was one.
func (c *Chain) Remove(name string) bool {
	removed := false
	c.update(func(ps []NamedProvider) []NamedProvider {
		return slices.DeleteFunc(ps, func(p NamedProvider) bool {
			if p.Name() == name {
				removed = true
				return true
			}
			return false
		})
	})
	return removed
}

func (c *Chain) insert(name string, p NamedProvider, offset int) error {
	found := false
	c.update(func(ps []NamedProvider) []NamedProvider {
		i := slices.IndexFunc(ps, func(q NamedProvider) bool { return q.Name() == name })
		if i < 0 {
			return ps
		}
		found = true
		return slices.Insert(ps, i+offset, p)
	})
	if !found {
		return fmt.Errorf("credentials chain: no provider named %q (have %s)", name, strings.Join(c.Names(), ", "))
	}
	return nil
}

// update applies fn to a copy of the provider list and publishes the result.
func (c *Chain) update(fn func([]NamedProvider) []NamedProvider) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ps []NamedProvider
	if p := c.providers.Load(); p != nil {
		ps = slices.Clone(*p)
	}
	ps = fn(ps)
	c.providers.Store(&ps)
}

// StaticProvider gives fixed credentials. It is a value, safe for concurrent use.
type StaticProvider struct {
	Credentials aws.Credentials
}

// NewStaticProvider returns a provider of the given keys.
func NewStaticProvider(accessKeyID, secretAccessKey, sessionToken string) *StaticProvider {
	return &StaticProvider{Credentials: aws.Credentials{AccessKeyID: accessKeyID, SecretAccessKey: secretAccessKey, SessionToken: sessionToken}}
}

// Name returns "static".
func (p *StaticProvider) Name() string { return "static" }

// Retrieve returns the credentials; empty keys are an error.
func (p *StaticProvider) Retrieve(context.Context) (aws.Credentials, error) {
	c := p.Credentials
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return aws.Credentials{}, &ProviderError{Provider: p.Name(), Err: errors.New("static credentials need both an access key id and a secret access key")}
	}
	if c.Source == "" {
		c.Source = p.Name()
	}
	return c, nil
}

// EnvProvider reads credentials from the environment: AWS_ACCESS_KEY_ID
// (or AWS_ACCESS_KEY), AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY),
// AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION (RFC 3339) and
// AWS_ACCOUNT_ID. Blank values count as unset. It is not configured when
// neither key is set; one key without the other is an error.
//
// The zero value reads the process environment at each Retrieve. Safe for
// concurrent use.
type EnvProvider struct {
	// Env, if not nil, is read instead of the process environment.
	Env map[string]string
}

// Name returns "env".
func (p *EnvProvider) Name() string { return "env" }

// Retrieve reads the environment.
func (p *EnvProvider) Retrieve(context.Context) (aws.Credentials, error) {
	getenv := envLookup(p.Env)
	first := func(names ...string) string {
		for _, n := range names {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				return v
			}
		}
		return ""
	}
	id := first("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY")
	secret := first("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY")
	switch {
	case id == "" && secret == "":
		return aws.Credentials{}, notConfigured(p.Name(), "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
	case id == "":
		return aws.Credentials{}, &ProviderError{Provider: p.Name(), Err: errors.New("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")}
	case secret == "":
		return aws.Credentials{}, &ProviderError{Provider: p.Name(), Err: errors.New("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")}
	}
	c := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: first("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"),
		AccountID: first("AWS_ACCOUNT_ID"), Source: p.Name()}
	if exp := first("AWS_CREDENTIAL_EXPIRATION"); exp != "" {
		t, err := time.Parse(time.RFC3339, exp)
		if err != nil {
			return aws.Credentials{}, &ProviderError{Provider: p.Name(), Err: fmt.Errorf("AWS_CREDENTIAL_EXPIRATION %q is not an RFC 3339 time", exp)}
		}
		c.Expires = t
	}
	return c, nil
}

// envLookup returns a getenv over env, or over the process environment
// when env is nil.
func envLookup(env map[string]string) func(string) string {
	if env == nil {
		env = processEnv()
	}
	return func(k string) string { return env[k] }
}
