package aws

import (
	"context"
	"time"
)

// Credentials are AWS security credentials. The zero value is anonymous (no signing).
// Credentials are values: copy them freely.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string // set for temporary credentials
	// Expires is when the credentials stop working; the zero time means never.
	Expires time.Time
	// Source names the provider that produced them ("env", "assume-role", ...), for errors and logs.
	Source string
	// AccountID is the account the credentials belong to, when the provider knows it.
	AccountID string
}

// CanExpire reports whether the credentials have an expiry time.
func (c Credentials) CanExpire() bool { return !c.Expires.IsZero() }

// Expired reports whether the credentials have expired at now.
func (c Credentials) Expired(now time.Time) bool { return c.CanExpire() && !now.Before(c.Expires) }

// Anonymous reports whether there is nothing to sign with.
func (c Credentials) Anonymous() bool { return c.AccessKeyID == "" && c.SecretAccessKey == "" }

// CredentialsProvider supplies credentials. Implementations must be safe for concurrent use;
// callers cache the result (see session), so Retrieve may be slow (it may call STS or IMDS).
type CredentialsProvider interface {
	Retrieve(ctx context.Context) (Credentials, error)
}

// CredentialsProviderFunc adapts a function to CredentialsProvider.
type CredentialsProviderFunc func(ctx context.Context) (Credentials, error)

// Retrieve calls f.
func (f CredentialsProviderFunc) Retrieve(ctx context.Context) (Credentials, error) { return f(ctx) }

// StaticCredentials is a provider of fixed credentials.
type StaticCredentials Credentials

// Retrieve returns the credentials.
func (s StaticCredentials) Retrieve(context.Context) (Credentials, error) {
	c := Credentials(s)
	if c.Source == "" {
		c.Source = "static"
	}
	return c, nil
}
