package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/events"
)

func noSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// fakeIMDS is an instance metadata service for tests.
type fakeIMDS struct {
	mu          sync.Mutex
	requests    []string
	tokenStatus int  // answer to PUT token when not 0
	noExtended  bool // the extended API answers 404
	noRole      bool
	failFirst   int // answer the first n requests with 500
	expireToken bool
	tokens      int
}

func (f *fakeIMDS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tok := r.Header.Get("X-Aws-Ec2-Metadata-Token")
	f.requests = append(f.requests, r.Method+" "+r.URL.Path+" token="+tok)
	if f.failFirst > 0 {
		f.failFirst--
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if r.Method == http.MethodPut && r.URL.Path == "/latest/api/token" {
		if f.tokenStatus != 0 {
			w.WriteHeader(f.tokenStatus)
			return
		}
		if r.Header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds") != "21600" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		f.tokens++
		fmt.Fprintf(w, "token%d", f.tokens)
		return
	}
	if f.tokenStatus == 0 && tok == "" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if f.expireToken && tok == "token1" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	extended := strings.HasPrefix(r.URL.Path, "/latest/meta-data/iam/security-credentials-extended/")
	if extended && f.noExtended {
		http.NotFound(w, r)
		return
	}
	switch strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/latest/meta-data/iam/security-credentials-extended/"), "/latest/meta-data/iam/security-credentials/") {
	case "":
		if f.noRole {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "my-role\n")
	case "my-role":
		out := map[string]string{"Code": "Success", "AccessKeyId": "AKIMDS", "SecretAccessKey": "secret", "Token": "tok",
			"Expiration": "2030-01-01T00:00:00Z"}
		if extended {
			out["AccountId"] = "123456789012"
		}
		json.NewEncoder(w).Encode(out)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeIMDS) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

func TestIMDSProvider(t *testing.T) {
	tests := []struct {
		name    string
		fake    *fakeIMDS
		config  IMDSConfig
		calls   int
		account string
		wantLog []string
		errLike string
		notConf bool
	}{
		{name: "extended API, token reused", fake: &fakeIMDS{}, calls: 2, account: "123456789012", wantLog: []string{
			"PUT /latest/api/token token=",
			"GET /latest/meta-data/iam/security-credentials-extended/ token=token1",
			"GET /latest/meta-data/iam/security-credentials-extended/my-role token=token1",
			"GET /latest/meta-data/iam/security-credentials-extended/ token=token1",
			"GET /latest/meta-data/iam/security-credentials-extended/my-role token=token1",
		}},
		{name: "classic API remembered", fake: &fakeIMDS{noExtended: true}, calls: 2, wantLog: []string{
			"PUT /latest/api/token token=",
			"GET /latest/meta-data/iam/security-credentials-extended/ token=token1",
			"GET /latest/meta-data/iam/security-credentials/ token=token1",
			"GET /latest/meta-data/iam/security-credentials/my-role token=token1",
			"GET /latest/meta-data/iam/security-credentials/ token=token1",
			"GET /latest/meta-data/iam/security-credentials/my-role token=token1",
		}},
		{name: "configured role name", fake: &fakeIMDS{}, config: IMDSConfig{RoleName: "my-role"}, calls: 1, account: "123456789012", wantLog: []string{
			"PUT /latest/api/token token=",
			"GET /latest/meta-data/iam/security-credentials-extended/my-role token=token1",
		}},
		{name: "IMDSv1 fallback", fake: &fakeIMDS{tokenStatus: http.StatusMethodNotAllowed}, calls: 1, account: "123456789012"},
		{name: "IMDSv1 disabled", fake: &fakeIMDS{tokenStatus: http.StatusNotFound}, config: IMDSConfig{V1Disabled: true}, calls: 1, errLike: "IMDSv1 is disabled"},
		{name: "token forbidden", fake: &fakeIMDS{tokenStatus: http.StatusForbidden}, calls: 1, errLike: "forbidden"},
		{name: "no role", fake: &fakeIMDS{noRole: true, noExtended: true}, calls: 1, notConf: true},
		{name: "server errors retried", fake: &fakeIMDS{failFirst: 2}, calls: 1, account: "123456789012"},
		{name: "expired token renewed", fake: &fakeIMDS{expireToken: true}, calls: 1, account: "123456789012", wantLog: []string{
			"PUT /latest/api/token token=",
			"GET /latest/meta-data/iam/security-credentials-extended/ token=token1",
			"PUT /latest/api/token token=",
			"GET /latest/meta-data/iam/security-credentials-extended/ token=token2",
			"GET /latest/meta-data/iam/security-credentials-extended/my-role token=token2",
		}},
		{name: "disabled", fake: &fakeIMDS{}, config: IMDSConfig{Disabled: true}, calls: 1, notConf: true, wantLog: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.fake)
			defer srv.Close()
			tt.config.Endpoint = srv.URL
			p := &IMDSProvider{Config: tt.config, Sleep: noSleep}
			for i := 0; i < tt.calls; i++ {
				c, err := p.Retrieve(context.Background())
				switch {
				case tt.notConf:
					require.ErrorIs(t, err, ErrNotConfigured)
				case tt.errLike != "":
					require.ErrorContains(t, err, tt.errLike)
					require.NotErrorIs(t, err, ErrNotConfigured)
				default:
					require.NoError(t, err)
					require.Equal(t, "AKIMDS", c.AccessKeyID)
					require.Equal(t, tt.account, c.AccountID)
					require.Equal(t, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), c.Expires)
				}
			}
			if tt.wantLog != nil {
				require.Equal(t, tt.wantLog, append([]string{}, tt.fake.log()...))
			}
		})
	}
}

func TestIMDSUnreachableIsNotConfigured(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	p := &IMDSProvider{Config: IMDSConfig{Endpoint: "http://" + addr}, Sleep: noSleep}
	start := time.Now()
	_, err = p.Retrieve(context.Background())
	require.ErrorIs(t, err, ErrNotConfigured)
	require.ErrorContains(t, err, "no instance metadata service")
	require.Less(t, time.Since(start), 2*time.Second)
}

func TestLoadIMDSConfig(t *testing.T) {
	cfg, err := ParseSharedConfig(SourceFile{Kind: ConfigFile, Data: []byte(`[default]
ec2_metadata_service_endpoint_mode = ipv6
metadata_service_timeout = 2.5
metadata_service_num_attempts = 4
ec2_metadata_v1_disabled = true
ec2_instance_profile_name = prof
`)})
	require.NoError(t, err)
	p, _ := cfg.Profile("default")
	got, err := LoadIMDSConfig(func(string) string { return "" }, p, "", "")
	require.NoError(t, err)
	require.Equal(t, IMDSConfig{Endpoint: IMDSEndpointIPv6, V1Disabled: true, Timeout: 2500 * time.Millisecond, Attempts: 4, RoleName: "prof"}, got)

	_, err = LoadIMDSConfig(func(k string) string {
		return map[string]string{"AWS_EC2_METADATA_DISABLED": "maybe", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "0"}[k]
	}, nil, "", "")
	require.ErrorContains(t, err, `"maybe" is not true or false`)
	require.ErrorContains(t, err, "metadata_service_num_attempts")
}

func TestContainerProvider(t *testing.T) {
	var mu sync.Mutex
	var auths []string
	var fails atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		switch r.URL.Path {
		case "/flaky":
			if fails.Add(1) < 3 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
		case "/denied":
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"Code":"AccessDenied","Message":"bad token"}`)
			return
		}
		io.WriteString(w, `{"AccessKeyId":"AKC","SecretAccessKey":"s","Token":"t","AccountId":"42","Expiration":"2030-01-01T00:00:00Z"}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(tokenFile, []byte("file-token\n"), 0o600))

	tests := []struct {
		name     string
		env      map[string]string
		wantAuth string
		errLike  string
		notConf  bool
	}{
		{name: "relative", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/creds"}},
		{name: "full with token", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": srv.URL + "/creds",
			"AWS_CONTAINER_AUTHORIZATION_TOKEN": "env-token"}, wantAuth: "env-token"},
		{name: "token file wins", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": srv.URL + "/creds",
			"AWS_CONTAINER_AUTHORIZATION_TOKEN": "env-token", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile}, wantAuth: "file-token"},
		{name: "retried", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/flaky"}},
		{name: "denied", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/denied"}, errLike: "HTTP 403: AccessDenied: bad token"},
		{name: "line break in token", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/creds",
			"AWS_CONTAINER_AUTHORIZATION_TOKEN": "a\r\nX-Evil: 1"}, errLike: "line break"},
		{name: "host not allowed", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com/creds"}, errLike: "only allowed to loopback"},
		{name: "not configured", env: map[string]string{}, notConf: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			auths = nil
			mu.Unlock()
			p := &ContainerProvider{Env: tt.env, Endpoint: srv.URL, Sleep: noSleep}
			c, err := p.Retrieve(context.Background())
			switch {
			case tt.notConf:
				require.ErrorIs(t, err, ErrNotConfigured)
				return
			case tt.errLike != "":
				require.ErrorContains(t, err, tt.errLike)
				require.NotErrorIs(t, err, ErrNotConfigured)
				return
			}
			require.NoError(t, err)
			require.Equal(t, aws.Credentials{AccessKeyID: "AKC", SecretAccessKey: "s", SessionToken: "t", AccountID: "42",
				Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Source: "container"}, c)
			mu.Lock()
			require.Equal(t, tt.wantAuth, auths[len(auths)-1])
			mu.Unlock()
		})
	}
}

func TestProcessProvider(t *testing.T) {
	tests := []struct {
		name    string
		cmd     string
		timeout time.Duration
		want    aws.Credentials
		errLike []string
	}{
		{name: "ok", cmd: `echo '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2030-01-01T00:00:00Z","AccountId":"7"}'`,
			want: aws.Credentials{AccessKeyID: "A", SecretAccessKey: "S", SessionToken: "T", AccountID: "7", Source: "process",
				Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{name: "account fallback", cmd: `echo '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"}'`,
			want: aws.Credentials{AccessKeyID: "A", SecretAccessKey: "S", AccountID: "fallback", Source: "process"}},
		{name: "exit code and stderr", cmd: `echo 'token expired, run login' >&2; exit 3`, errLike: []string{"exit status 3", "stderr: token expired, run login"}},
		{name: "bad json", cmd: `echo nope`, errLike: []string{"not valid JSON"}},
		{name: "bad version", cmd: `echo '{"Version":2,"AccessKeyId":"A","SecretAccessKey":"S"}'`, errLike: []string{"Version 2"}},
		{name: "timeout", cmd: `sleep 10`, timeout: 100 * time.Millisecond, errLike: []string{"did not finish within 100ms"}},
		{name: "empty", cmd: ` `, errLike: []string{"empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &ProcessProvider{Command: tt.cmd, Timeout: tt.timeout, AccountID: "fallback"}
			c, err := p.Retrieve(context.Background())
			if tt.errLike != nil {
				for _, s := range tt.errLike {
					require.ErrorContains(t, err, s)
				}
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, c)
		})
	}
}

// stubAWS answers the calls of STS, SSO and SSO OIDC clients from fn.
func stubAWS(fn func(service, op string, req *http.Request, form url.Values) (int, string)) ClientConfig {
	return ClientConfig{OptFns: []func(string, *client.Options){func(service string, o *client.Options) {
		reg := &events.Registry{}
		reg.Register(events.BeforeSend, func(ctx context.Context, e *events.Event) error {
			var body []byte
			if e.Request.Body != nil {
				body, _ = io.ReadAll(e.Request.Body)
			}
			form, _ := url.ParseQuery(string(body))
			if strings.HasPrefix(string(body), "{") {
				var m map[string]any
				_ = json.Unmarshal(body, &m)
				for k, v := range m {
					form.Set(k, fmt.Sprint(v))
				}
			}
			status, out := fn(service, e.Operation, e.Request, form)
			e.Response = &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(out))}
			return nil
		})
		o.Events = reg
		o.Region = cmpOr(o.Region, "us-east-1")
		o.Sleep = noSleep
	}}}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

const assumeRoleXML = `<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/r/s</Arn></AssumedRoleUser>
<Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>rs</SecretAccessKey><SessionToken>rt</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>
</AssumeRoleResult></AssumeRoleResponse>`

func TestAssumeRoleProviderMFA(t *testing.T) {
	var got url.Values
	var auth string
	clients := stubAWS(func(service, op string, req *http.Request, form url.Values) (int, string) {
		got, auth = form, req.Header.Get("Authorization")
		return 200, assumeRoleXML
	})
	p := &AssumeRoleProvider{
		Source: NewStaticProvider("AKSOURCE", "s", ""),
		Role: RoleConfig{Profile: "dev", RoleARN: "arn:aws:iam::111122223333:role/r", MFASerial: "arn:aws:iam::1:mfa/me",
			ExternalID: "ext", DurationSeconds: 900},
		Clients:  clients,
		MFAToken: func(_ context.Context, serial string) (string, error) { return "123456", nil },
		Now:      func() time.Time { return time.UnixMilli(1700000000000) },
	}
	c, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	require.Equal(t, aws.Credentials{AccessKeyID: "ASIAROLE", SecretAccessKey: "rs", SessionToken: "rt", AccountID: "111122223333",
		Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Source: "assume-role"}, c)
	require.Equal(t, "AssumeRole", got.Get("Action"))
	require.Equal(t, "123456", got.Get("TokenCode"))
	require.Equal(t, "arn:aws:iam::1:mfa/me", got.Get("SerialNumber"))
	require.Equal(t, "ext", got.Get("ExternalId"))
	require.Equal(t, "900", got.Get("DurationSeconds"))
	require.Equal(t, "aioaws-session-1700000000000", got.Get("RoleSessionName"))
	require.Contains(t, auth, "Credential=AKSOURCE/")

	p.MFAToken = nil
	_, err = p.Retrieve(context.Background())
	require.ErrorContains(t, err, "needs an MFA code")

	// An STS error names the role and keeps the API error.
	p.Role.MFASerial = ""
	p.Clients = stubAWS(func(string, string, *http.Request, url.Values) (int, string) {
		return 403, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message></Error></ErrorResponse>`
	})
	_, err = p.Retrieve(context.Background())
	var apiErr *aws.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "AccessDenied", apiErr.Code)
	require.ErrorContains(t, err, "assume role arn:aws:iam::111122223333:role/r")
}

func TestWebIdentityProviderUnsigned(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(tokenFile, []byte("jwt-token\n"), 0o600))
	var got url.Values
	var auth string
	p := &WebIdentityProvider{RoleARN: "arn:aws:iam::1:role/w", TokenFile: tokenFile, RoleSessionName: "sess",
		Clients: stubAWS(func(service, op string, req *http.Request, form url.Values) (int, string) {
			got, auth = form, req.Header.Get("Authorization")
			return 200, strings.ReplaceAll(assumeRoleXML, "AssumeRole", "AssumeRoleWithWebIdentity")
		})}
	c, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	require.Equal(t, "ASIAROLE", c.AccessKeyID)
	require.Equal(t, "jwt-token", got.Get("WebIdentityToken"))
	require.Equal(t, "sess", got.Get("RoleSessionName"))
	require.Empty(t, auth, "AssumeRoleWithWebIdentity is unsigned")

	p.TokenFile = filepath.Join(dir, "missing")
	_, err = p.Retrieve(context.Background())
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestSSOProviderRefresh(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	path := SSOTokenCachePath(dir, "dev", "")
	write := func(tok SSOToken) {
		data, err := json.Marshal(tok)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, data, 0o600))
	}
	write(SSOToken{AccessToken: "old", ExpiresAt: now.Add(5 * time.Minute), RefreshToken: "rt", ClientID: "cid", ClientSecret: "cs",
		RegistrationExpiresAt: now.Add(24 * time.Hour), Region: "us-east-1"})
	var calls []string
	var bearer string
	clients := stubAWS(func(service, op string, req *http.Request, form url.Values) (int, string) {
		calls = append(calls, service+"."+op)
		switch op {
		case "CreateToken":
			if form.Get("refreshToken") != "rt" || form.Get("grantType") != "refresh_token" {
				return 400, `{"error":"invalid_grant"}`
			}
			return 200, `{"accessToken":"new","expiresIn":3600,"refreshToken":"rt2","tokenType":"Bearer"}`
		case "GetRoleCredentials":
			bearer = req.Header.Get("X-Amz-Sso_bearer_token")
			return 200, `{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"s","sessionToken":"t","expiration":1900000000000}}`
		}
		return 500, ""
	})
	p := &SSOProvider{Config: SSOConfig{Session: "dev", StartURL: "https://x.awsapps.com/start", Region: "us-east-1", AccountID: "1234", RoleName: "Admin"},
		CacheDir: dir, Clients: clients, Now: func() time.Time { return now }}
	c, err := p.Retrieve(context.Background())
	require.NoError(t, err)
	require.Equal(t, aws.Credentials{AccessKeyID: "ASIASSO", SecretAccessKey: "s", SessionToken: "t", AccountID: "1234",
		Expires: time.UnixMilli(1900000000000).UTC(), Source: "sso"}, c)
	require.Equal(t, []string{"sso-oidc.CreateToken", "sso.GetRoleCredentials"}, calls)
	require.Equal(t, "new", bearer)
	var saved SSOToken
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &saved))
	require.Equal(t, "new", saved.AccessToken)
	require.Equal(t, "rt2", saved.RefreshToken)
	require.Equal(t, now.Add(time.Hour), saved.ExpiresAt)

	// Expired legacy token: log in again.
	legacy := &SSOProvider{Config: SSOConfig{StartURL: "https://y.awsapps.com/start", Region: "us-east-1", AccountID: "1", RoleName: "r"},
		CacheDir: dir, Clients: clients, Now: func() time.Time { return now }}
	lpath := SSOTokenCachePath(dir, "", "https://y.awsapps.com/start")
	require.NoError(t, os.WriteFile(lpath, []byte(`{"accessToken":"x","expiresAt":"2026-03-01T11:00:00Z"}`), 0o600))
	_, err = legacy.Retrieve(context.Background())
	require.ErrorContains(t, err, "run aws sso login")

	// Refresh fails but the token is still valid: use it.
	write(SSOToken{AccessToken: "still", ExpiresAt: now.Add(5 * time.Minute), RefreshToken: "bad", ClientID: "cid", ClientSecret: "cs"})
	_, err = p.Retrieve(context.Background())
	require.NoError(t, err)
	require.Equal(t, "still", bearer)
}

func TestMFAErrorsPropagate(t *testing.T) {
	p := &AssumeRoleProvider{Source: NewStaticProvider("a", "b", ""), Role: RoleConfig{RoleARN: "arn:aws:iam::1:role/r", MFASerial: "m"},
		MFAToken: func(context.Context, string) (string, error) { return "", errors.New("user went away") }}
	_, err := p.Retrieve(context.Background())
	require.ErrorContains(t, err, "user went away")
}

// TestDefaultChainAssumeRoleFromSharedFiles: a profile chain read from real
// files: dev assumes a role with the keys of base.
func TestDefaultChainAssumeRoleFromSharedFiles(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config"), []byte(`[profile dev]
role_arn = arn:aws:iam::111122223333:role/r
source_profile = base
role_session_name = me
region = eu-west-1
`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "credentials"), []byte("[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"), 0o600))
	env := map[string]string{"AWS_PROFILE": "dev", "AWS_CONFIG_FILE": filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"), "AWS_EC2_METADATA_DISABLED": "true"}
	var host, auth string
	chain, err := DefaultChain(ChainOptions{Env: env, Clients: stubAWS(func(service, op string, req *http.Request, form url.Values) (int, string) {
		host, auth = req.URL.Host, req.Header.Get("Authorization")
		return 200, assumeRoleXML
	})})
	require.NoError(t, err)
	c, err := NewCredentialCache(chain).Retrieve(context.Background())
	require.NoError(t, err)
	require.Equal(t, "ASIAROLE", c.AccessKeyID)
	require.Equal(t, "assume-role", c.Source)
	require.Equal(t, "sts.eu-west-1.amazonaws.com", host)
	require.Contains(t, auth, "Credential=AKBASE/")
}
