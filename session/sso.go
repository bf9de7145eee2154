package session

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aioaws/aioaws/aws"
)

// SSO token refresh windows: a cached token expiring within
// ssoRefreshWindow is refreshed if it can be; a failed refresh is only an
// error once the token has expired.
const ssoRefreshWindow = 15 * time.Minute

// SSOTokenCachePath returns the file of the cached SSO token of an
// sso-session (when session is set) or of a legacy profile's start URL:
// <cacheDir>/<hex sha1 of the session name or start URL>.json, as the AWS
// CLI's "aws sso login" writes it.
func SSOTokenCachePath(cacheDir, session, startURL string) string {
	key := startURL
	if session != "" {
		key = session
	}
	sum := sha1.Sum([]byte(key))
	return filepath.Join(cacheDir, hex.EncodeToString(sum[:])+".json")
}

// DefaultSSOCacheDir is ~/.aws/sso/cache under home.
func DefaultSSOCacheDir(home string) string {
	return filepath.Join(home, ".aws", "sso", "cache")
}

// SSOToken is a cached SSO token file (the fields the SDKs share).
type SSOToken struct {
	AccessToken           string    `json:"accessToken"`
	ExpiresAt             time.Time `json:"expiresAt"`
	RefreshToken          string    `json:"refreshToken,omitempty"`
	ClientID              string    `json:"clientId,omitempty"`
	ClientSecret          string    `json:"clientSecret,omitempty"`
	RegistrationExpiresAt time.Time `json:"registrationExpiresAt,omitzero"`
	Region                string    `json:"region,omitempty"`
	StartURL              string    `json:"startUrl,omitempty"`
}

// SSOProvider gets role credentials from AWS IAM Identity Center (SSO):
// it reads the cached token that "aws sso login" wrote and calls SSO
// GetRoleCredentials (an unsigned call with the token as bearer).
//
// For an sso-session, a token close to expiry (15 minutes) that has a
// refresh token and client registration is refreshed with SSO OIDC
// CreateToken and the cache file rewritten; for a legacy profile
// (sso_start_url in the profile) an expired token is an error asking to
// log in again.
//
// Set the fields before first use; it is then safe for concurrent use. It
// does not cache the credentials.
type SSOProvider struct {
	Config SSOConfig
	// CacheDir holds the token files (default ~/.aws/sso/cache).
	CacheDir string
	Clients  ClientConfig
	// ReadFile reads the token file (default os.ReadFile); WriteFile
	// writes a refreshed token (default: write a temporary file, rename).
	ReadFile  func(name string) ([]byte, error)
	WriteFile func(name string, data []byte) error
	Now       func() time.Time

	refreshMu sync.Mutex // one token refresh at a time
}

// Name returns "sso".
func (p *SSOProvider) Name() string { return "sso" }

// Retrieve gets role credentials with the cached token.
func (p *SSOProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := p.retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, &ProviderError{Provider: p.Name(), Err: err}
	}
	return creds, nil
}

func (p *SSOProvider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *SSOProvider) tokenPath() (string, error) {
	dir := p.CacheDir
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("SSO token cache: %w", err)
		}
		dir = DefaultSSOCacheDir(home)
	}
	return SSOTokenCachePath(dir, p.Config.Session, p.Config.StartURL), nil
}

func (p *SSOProvider) retrieve(ctx context.Context) (aws.Credentials, error) {
	c := p.Config
	if c.AccountID == "" || c.RoleName == "" {
		return aws.Credentials{}, fmt.Errorf("the profile configures an SSO token (sso-session %q), not credentials: "+
			"the selected profile will resolve an access token instead of credentials; set sso_account_id and sso_role_name", c.Session)
	}
	token, err := p.Token(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	in := map[string]any{"accessToken": token.AccessToken, "accountId": c.AccountID, "roleName": c.RoleName}
	out, err := p.Clients.call(ctx, "sso", c.Region, nil, "GetRoleCredentials", in)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("an error occurred while loading credentials: %w", err)
	}
	rc, _ := out["roleCredentials"].(map[string]any)
	creds := aws.Credentials{Source: p.Name(), AccountID: c.AccountID}
	creds.AccessKeyID, _ = rc["accessKeyId"].(string)
	creds.SecretAccessKey, _ = rc["secretAccessKey"].(string)
	creds.SessionToken, _ = rc["sessionToken"].(string)
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return aws.Credentials{}, errors.New("GetRoleCredentials returned no credentials")
	}
	if ms, ok := toInt64(rc["expiration"]); ok && ms > 0 {
		creds.Expires = time.UnixMilli(ms).UTC()
	}
	return creds, nil
}

func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// Token returns the cached SSO access token, refreshed first if it is
// close to expiry and can be.
func (p *SSOProvider) Token(ctx context.Context) (SSOToken, error) {
	path, err := p.tokenPath()
	if err != nil {
		return SSOToken{}, err
	}
	tok, err := p.readToken(path)
	if err != nil {
		return SSOToken{}, err
	}
	now := p.now()
	if now.Add(ssoRefreshWindow).Before(tok.ExpiresAt) {
		return tok, nil
	}
	canRefresh := p.Config.Session != "" && tok.RefreshToken != "" && tok.ClientID != "" && tok.ClientSecret != "" &&
		(tok.RegistrationExpiresAt.IsZero() || now.Before(tok.RegistrationExpiresAt))
	if canRefresh {
		fresh, rerr := p.refresh(ctx, path)
		if rerr == nil {
			return fresh, nil
		}
		if now.Before(tok.ExpiresAt) {
			return tok, nil // still valid: use it, try again next time
		}
		return SSOToken{}, fmt.Errorf("the SSO token of %s expired at %s and refreshing it failed: %w; run aws sso login", p.describe(), tok.ExpiresAt.Format(time.RFC3339), rerr)
	}
	if now.Before(tok.ExpiresAt) {
		return tok, nil
	}
	return SSOToken{}, fmt.Errorf("the SSO token of %s (%s) expired at %s; run aws sso login", p.describe(), path, tok.ExpiresAt.Format(time.RFC3339))
}

func (p *SSOProvider) describe() string {
	if p.Config.Session != "" {
		return fmt.Sprintf("sso-session %q", p.Config.Session)
	}
	return fmt.Sprintf("start URL %s", p.Config.StartURL)
}

func (p *SSOProvider) readToken(path string) (SSOToken, error) {
	data, err := readFileFunc(p.ReadFile).read(path)
	if err != nil {
		return SSOToken{}, fmt.Errorf("failed to read the cached SSO token %s (run aws sso login): %w", path, err)
	}
	var tok SSOToken
	if err := json.Unmarshal(data, &tok); err != nil {
		return SSOToken{}, fmt.Errorf("cached SSO token %s is not valid: %w", path, err)
	}
	if tok.AccessToken == "" || tok.ExpiresAt.IsZero() {
		return SSOToken{}, fmt.Errorf("cached SSO token %s has no accessToken or expiresAt", path)
	}
	return tok, nil
}

// refresh exchanges the refresh token for a new access token (SSO OIDC
// CreateToken) and rewrites the cache file. One refresh runs at a time; a
// caller that waited re-reads the file first.
func (p *SSOProvider) refresh(ctx context.Context, path string) (SSOToken, error) {
	p.refreshMu.Lock()
	defer p.refreshMu.Unlock()
	tok, err := p.readToken(path)
	if err != nil {
		return SSOToken{}, err
	}
	if p.now().Add(ssoRefreshWindow).Before(tok.ExpiresAt) {
		return tok, nil // refreshed meanwhile
	}
	region := tok.Region
	if region == "" {
		region = p.Config.Region
	}
	in := map[string]any{"grantType": "refresh_token", "clientId": tok.ClientID, "clientSecret": tok.ClientSecret, "refreshToken": tok.RefreshToken}
	out, err := p.Clients.call(ctx, "sso-oidc", region, nil, "CreateToken", in)
	if err != nil {
		return SSOToken{}, fmt.Errorf("refresh SSO token: %w", err)
	}
	access, _ := out["accessToken"].(string)
	secs, _ := toInt64(out["expiresIn"])
	if access == "" || secs <= 0 {
		return SSOToken{}, errors.New("refresh SSO token: CreateToken returned no accessToken or expiresIn")
	}
	tok.AccessToken = access
	tok.ExpiresAt = p.now().Add(time.Duration(secs) * time.Second).UTC().Truncate(time.Second)
	if rt, _ := out["refreshToken"].(string); rt != "" {
		tok.RefreshToken = rt
	}
	data, err := json.MarshalIndent(tok, "", "  ")
	if err != nil {
		return SSOToken{}, err
	}
	write := p.WriteFile
	if write == nil {
		write = writeFileAtomic
	}
	if err := write(path, data); err != nil {
		return SSOToken{}, fmt.Errorf("write refreshed SSO token: %w", err)
	}
	return tok, nil
}

// writeFileAtomic writes data to a temporary file beside name and renames
// it over name, so readers never see a partial file.
func writeFileAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-"+filepath.Base(name))
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
