package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aioaws/aioaws/aws"
)

// Instance metadata service endpoints, by endpoint mode.
const (
	IMDSEndpointIPv4 = "http://169.254.169.254"
	IMDSEndpointIPv6 = "http://[fd00:ec2::254]"
)

// IMDS paths and headers.
const (
	imdsTokenPath       = "/latest/api/token"
	imdsCredsPath       = "/latest/meta-data/iam/security-credentials/"
	imdsCredsExtPath    = "/latest/meta-data/iam/security-credentials-extended/"
	imdsTokenHeader     = "X-Aws-Ec2-Metadata-Token"
	imdsTokenTTLHeader  = "X-Aws-Ec2-Metadata-Token-Ttl-Seconds"
	defaultIMDSTokenTTL = 6 * time.Hour
)

// IMDSConfig is the instance metadata configuration of the environment and
// the selected profile.
type IMDSConfig struct {
	Disabled   bool          // AWS_EC2_METADATA_DISABLED
	Endpoint   string        // resolved base URL, e.g. http://169.254.169.254
	V1Disabled bool          // AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled
	Timeout    time.Duration // AWS_METADATA_SERVICE_TIMEOUT / metadata_service_timeout (seconds)
	Attempts   int           // AWS_METADATA_SERVICE_NUM_ATTEMPTS / metadata_service_num_attempts
	// RoleName is AWS_EC2_INSTANCE_PROFILE_NAME / ec2_instance_profile_name:
	// the role to use, instead of asking IMDS for it.
	RoleName string
}

// LoadIMDSConfig reads the IMDS configuration from getenv and then profile
// (which may be nil). endpoint and mode are explicit overrides ("" for
// none). Precedence: the explicit endpoint, AWS_EC2_METADATA_SERVICE_ENDPOINT,
// ec2_metadata_service_endpoint, then the endpoint of the explicit mode,
// AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE or ec2_metadata_service_endpoint_mode
// (IPv4 or IPv6, any case; default IPv4).
func LoadIMDSConfig(getenv func(string) string, profile *Section, endpoint, mode string) (IMDSConfig, error) {
	lookup := func(envName, key string) (string, string) {
		if v := strings.TrimSpace(getenv(envName)); v != "" {
			return v, "environment variable " + envName
		}
		if p, ok := profile.Property(key); ok && strings.TrimSpace(p.Value) != "" {
			return strings.TrimSpace(p.Value), p.Location()
		}
		return "", ""
	}
	var cfg IMDSConfig
	var errs []error
	parseBool := func(envName, key string) bool {
		v, src := lookup(envName, key)
		if v == "" {
			return false
		}
		b, err := strconv.ParseBool(strings.ToLower(v))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s from %s: %q is not true or false", key, src, v))
		}
		return b
	}
	cfg.Disabled = parseBool("AWS_EC2_METADATA_DISABLED", "ec2_metadata_disabled")
	cfg.V1Disabled = parseBool("AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled")
	if v, src := lookup("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout"); v != "" {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || secs <= 0 {
			errs = append(errs, fmt.Errorf("metadata_service_timeout from %s: %q is not a positive number of seconds", src, v))
		} else {
			cfg.Timeout = time.Duration(secs * float64(time.Second))
		}
	}
	if v, src := lookup("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("metadata_service_num_attempts from %s: %q is not a positive integer", src, v))
		} else {
			cfg.Attempts = n
		}
	}
	cfg.RoleName, _ = lookup("AWS_EC2_INSTANCE_PROFILE_NAME", "ec2_instance_profile_name")

	ep, src := endpoint, "option"
	if ep == "" {
		ep, src = lookup("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint")
	}
	if ep != "" {
		u, err := url.Parse(ep)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("ec2_metadata_service_endpoint from %s: %q is not an http(s) URL with a host (invalid uri)", src, ep))
		}
		cfg.Endpoint = strings.TrimSuffix(ep, "/")
	} else {
		m, msrc := mode, "option"
		if m == "" {
			m, msrc = lookup("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode")
		}
		switch strings.ToLower(m) {
		case "", "ipv4":
			cfg.Endpoint = IMDSEndpointIPv4
		case "ipv6":
			cfg.Endpoint = IMDSEndpointIPv6
		default:
			errs = append(errs, fmt.Errorf("ec2_metadata_service_endpoint_mode from %s: `%s` is not a valid endpoint mode (want IPv4 or IPv6)", msrc, m))
		}
	}
	return cfg, errors.Join(errs...)
}

// IMDSProvider gets the credentials of the EC2 instance's role from the
// instance metadata service, IMDSv2: a session token (PUT
// /latest/api/token), then the role name and its credentials, from the
// extended API (security-credentials-extended, which gives the account id)
// or, where the instance does not have it, the classic one. If the token
// request is refused with 404 or 405 it falls back to IMDSv1 unless
// V1Disabled.
//
// It is not configured when disabled, when the service cannot be reached
// (not on EC2) or when the instance has no role. Requests have short
// timeouts and server errors are retried. The zero value is usable (IPv4
// endpoint, defaults). Set the fields before first use; it is then safe for
// concurrent use. It does not cache the credentials
// (only the session token).
type IMDSProvider struct {
	Config IMDSConfig
	// HTTPClient sends the requests (default: short timeouts, no proxy).
	HTTPClient *http.Client
	// Sleep waits between attempts (default: a timer honouring ctx).
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for the token's expiry (default time.Now).
	Now func() time.Time

	mu          sync.Mutex
	token       string // "" with tokenExpiry set: IMDSv1
	tokenExpiry time.Time
	legacyAPI   atomic.Bool // the extended API answered 404 once
}

// Name returns "imds".
func (p *IMDSProvider) Name() string { return "imds" }

// imdsOutput is the JSON of a role's credentials.
type imdsOutput struct {
	Code            string
	Message         string
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Token           string
	Expiration      string
	AccountID       string `json:"AccountId"`
}

// imdsStatusError is a non-200 answer.
type imdsStatusError struct {
	method, path string
	status       int
	body         string
}

func (e *imdsStatusError) Error() string {
	msg := fmt.Sprintf("IMDS %s %s: HTTP %d", e.method, e.path, e.status)
	if e.body != "" && !strings.Contains(e.body, "<html") {
		msg += ": " + truncate(e.body, 256)
	}
	return msg
}

// imdsUnreachableError is a request that got no HTTP answer.
type imdsUnreachableError struct{ err error }

func (e *imdsUnreachableError) Error() string { return e.err.Error() }
func (e *imdsUnreachableError) Unwrap() error { return e.err }

// Retrieve asks the instance metadata service.
func (p *IMDSProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if p.Config.Disabled {
		return aws.Credentials{}, notConfigured(p.Name(), "disabled by AWS_EC2_METADATA_DISABLED")
	}
	creds, err := p.retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, providerError(p.Name(), err)
	}
	return creds, nil
}

func (p *IMDSProvider) retrieve(ctx context.Context) (aws.Credentials, error) {
	if _, err := p.sessionToken(ctx); err != nil {
		var ue *imdsUnreachableError
		if errors.As(err, &ue) && ctx.Err() == nil {
			return aws.Credentials{}, notConfigured(p.Name(), "no instance metadata service at %s: %v", p.endpoint(), ue.err)
		}
		return aws.Credentials{}, err
	}
	extended := !p.legacyAPI.Load()
	role := p.Config.RoleName
	if role == "" {
		var err error
		role, extended, err = p.roleName(ctx, extended)
		if err != nil {
			return aws.Credentials{}, err
		}
	}
	base := imdsCredsPath
	if extended {
		base = imdsCredsExtPath
	}
	body, err := p.get(ctx, base+url.PathEscape(role))
	var se *imdsStatusError
	if extended && errors.As(err, &se) && se.status == http.StatusNotFound {
		p.legacyAPI.Store(true)
		body, err = p.get(ctx, imdsCredsPath+url.PathEscape(role))
	}
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("credentials of role %q: %w", role, err)
	}
	var out imdsOutput
	if err := json.Unmarshal(body, &out); err != nil {
		return aws.Credentials{}, fmt.Errorf("credentials of role %q: response is not valid JSON: %w", role, err)
	}
	if out.Code != "" && out.Code != "Success" {
		return aws.Credentials{}, fmt.Errorf("credentials of role %q: IMDS answered %s: %s", role, out.Code, out.Message)
	}
	if out.AccessKeyID == "" || out.SecretAccessKey == "" {
		return aws.Credentials{}, fmt.Errorf("credentials of role %q: response has no AccessKeyId or SecretAccessKey", role)
	}
	c := aws.Credentials{AccessKeyID: out.AccessKeyID, SecretAccessKey: out.SecretAccessKey, SessionToken: out.Token,
		AccountID: out.AccountID, Source: p.Name()}
	if out.Expiration != "" {
		t, err := time.Parse(time.RFC3339, out.Expiration)
		if err != nil {
			return aws.Credentials{}, fmt.Errorf("credentials of role %q: Expiration %q is not RFC 3339", role, out.Expiration)
		}
		c.Expires = t
	}
	return c, nil
}

// roleName asks for the instance's role, from the extended API if
// extended (falling back to the classic one on 404). It returns the API
// that answered.
func (p *IMDSProvider) roleName(ctx context.Context, extended bool) (string, bool, error) {
	var se *imdsStatusError
	if extended {
		body, err := p.get(ctx, imdsCredsExtPath)
		if err == nil {
			if role := firstLine(body); role != "" {
				return role, true, nil
			}
		} else if !errors.As(err, &se) || se.status != http.StatusNotFound {
			return "", false, fmt.Errorf("instance role: %w", err)
		}
		p.legacyAPI.Store(true)
	}
	body, err := p.get(ctx, imdsCredsPath)
	if errors.As(err, &se) && se.status == http.StatusNotFound {
		return "", false, notConfigured(p.Name(), "the instance has no IAM role (IMDS answered 404)")
	}
	if err != nil {
		return "", false, fmt.Errorf("instance role: %w", err)
	}
	role := firstLine(body)
	if role == "" {
		return "", false, notConfigured(p.Name(), "the instance has no IAM role")
	}
	return role, false, nil
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

func (p *IMDSProvider) endpoint() string {
	if p.Config.Endpoint != "" {
		return p.Config.Endpoint
	}
	return IMDSEndpointIPv4
}

func (p *IMDSProvider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// sessionToken returns a cached IMDSv2 token or gets a new one; "" means
// IMDSv1 (the token API is not there and v1 is allowed).
func (p *IMDSProvider) sessionToken(ctx context.Context) (string, error) {
	p.mu.Lock()
	if p.now().Before(p.tokenExpiry) {
		t := p.token
		p.mu.Unlock()
		return t, nil
	}
	p.mu.Unlock()
	ttl := defaultIMDSTokenTTL
	header := http.Header{imdsTokenTTLHeader: {strconv.Itoa(int(ttl / time.Second))}}
	body, err := p.do(ctx, http.MethodPut, imdsTokenPath, header)
	var se *imdsStatusError
	if errors.As(err, &se) {
		switch se.status {
		case http.StatusNotFound, http.StatusMethodNotAllowed:
			if !p.Config.V1Disabled {
				p.mu.Lock()
				p.token, p.tokenExpiry = "", p.now().Add(5*time.Minute) // ask again later
				p.mu.Unlock()
				return "", nil
			}
			return "", fmt.Errorf("IMDSv2 token: %w (and IMDSv1 is disabled)", err)
		case http.StatusForbidden:
			return "", fmt.Errorf("IMDS token request forbidden (HTTP 403): IMDS is disabled or the token TTL was refused: %w", err)
		}
	}
	if err != nil {
		return "", err
	}
	token := strings.TrimSpace(string(body))
	p.mu.Lock()
	p.token = token
	// Renew well before the token's end.
	p.tokenExpiry = p.now().Add(ttl - time.Minute)
	p.mu.Unlock()
	return token, nil
}

// get is a GET with the session token; a 401 drops the token, once.
func (p *IMDSProvider) get(ctx context.Context, path string) ([]byte, error) {
	token, err := p.sessionToken(ctx)
	if err != nil {
		return nil, err
	}
	header := http.Header{}
	if token != "" {
		header.Set(imdsTokenHeader, token)
	}
	body, err := p.do(ctx, http.MethodGet, path, header)
	var se *imdsStatusError
	if errors.As(err, &se) && se.status == http.StatusUnauthorized && token != "" {
		p.mu.Lock()
		if p.token == token {
			p.token, p.tokenExpiry = "", time.Time{}
		}
		p.mu.Unlock()
		fresh, terr := p.sessionToken(ctx)
		if terr != nil {
			return nil, terr
		}
		header.Set(imdsTokenHeader, fresh)
		return p.do(ctx, http.MethodGet, path, header)
	}
	return body, err
}

// do sends one request with retries for server errors. A request that
// cannot connect is not retried: off EC2 that answer must come fast.
func (p *IMDSProvider) do(ctx context.Context, method, path string, header http.Header) ([]byte, error) {
	attempts := p.Config.Attempts
	if attempts <= 0 {
		attempts = 3
	}
	timeout := p.Config.Timeout
	if timeout <= 0 {
		timeout = time.Second
	}
	sleep := p.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	hc := p.HTTPClient
	if hc == nil {
		hc = metadataHTTPClient
	}
	var lastErr error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			if err := sleep(ctx, time.Duration(i)*100*time.Millisecond); err != nil {
				return nil, err
			}
		}
		body, err := p.once(ctx, hc, timeout, method, path, header)
		if err == nil {
			return body, nil
		}
		lastErr = err
		var se *imdsStatusError
		if ctx.Err() != nil || !errors.As(err, &se) || (se.status < 500 && se.status != http.StatusTooManyRequests) {
			break
		}
	}
	return nil, lastErr
}

func (p *IMDSProvider) once(ctx context.Context, hc *http.Client, timeout time.Duration, method, path string, header http.Header) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, p.endpoint()+path, nil)
	if err != nil {
		return nil, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, &imdsUnreachableError{fmt.Errorf("IMDS %s %s: %w", method, path, err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("IMDS %s %s: read response: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &imdsStatusError{method: method, path: path, status: resp.StatusCode, body: strings.TrimSpace(string(body))}
	}
	return body, nil
}
