package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/aioaws/aioaws/aws"
)

// DefaultContainerEndpoint is the ECS credentials endpoint that
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is relative to.
const DefaultContainerEndpoint = "http://169.254.170.2"

// containerHosts are the link-local addresses of the ECS and EKS Pod
// Identity agents, allowed over plain HTTP.
var containerHosts = []netip.Addr{
	netip.MustParseAddr("169.254.170.2"),
	netip.MustParseAddr("169.254.170.23"),
	netip.MustParseAddr("fd00:ec2::23"),
}

// ContainerCredentialsURL returns the URL the container provider calls, as
// configured by getenv: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (relative to
// base, default [DefaultContainerEndpoint]) wins over
// AWS_CONTAINER_CREDENTIALS_FULL_URI. A full URI must be https, or http to
// a loopback address ("localhost" included) or to the ECS or EKS agent
// addresses. Neither variable set gives an error matching
// [ErrNotConfigured].
func ContainerCredentialsURL(getenv func(string) string, base string) (string, error) {
	if rel := getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel != "" {
		if base == "" {
			base = DefaultContainerEndpoint
		}
		if !strings.HasPrefix(rel, "/") {
			rel = "/" + rel
		}
		u := strings.TrimSuffix(base, "/") + rel
		if _, err := url.Parse(u); err != nil {
			return "", fmt.Errorf("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI %q: %w", rel, err)
		}
		return u, nil
	}
	full := getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")
	if full == "" {
		return "", notConfigured("container", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set")
	}
	u, err := url.Parse(full)
	if err != nil {
		return "", fmt.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI %q: %w", full, err)
	}
	if u.Host == "" {
		return "", fmt.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI %q: the URI did not specify a host", full)
	}
	switch u.Scheme {
	case "https":
		return full, nil
	case "http":
		if allowedContainerHost(u.Hostname()) {
			return full, nil
		}
		return "", fmt.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI %q: plain http is only allowed to loopback addresses and the ECS/EKS agent addresses, not %q", full, u.Hostname())
	}
	return "", fmt.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI %q: scheme must be http or https", full)
}

func allowedContainerHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	if a.IsLoopback() {
		return true
	}
	for _, h := range containerHosts {
		if a == h {
			return true
		}
	}
	return false
}

// ContainerProvider gets credentials from the ECS task credentials endpoint
// or the EKS Pod Identity agent, as configured by the environment (see
// [ContainerCredentialsURL]). The authorization header comes from the file
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read at each call) or else
// AWS_CONTAINER_AUTHORIZATION_TOKEN.
//
// Set the fields before first use; it is then safe for concurrent use. It
// does not cache.
type ContainerProvider struct {
	// Env is the environment to read (nil: the process environment at each call).
	Env map[string]string
	// Endpoint replaces DefaultContainerEndpoint as the base of relative URIs.
	Endpoint string
	// HTTPClient sends the requests (default: short timeouts, no proxy).
	HTTPClient *http.Client
	// Attempts is how many times a failed request is tried (default 3).
	Attempts int
	// ReadFile reads the token file (default os.ReadFile).
	ReadFile func(name string) ([]byte, error)
	// Sleep waits between attempts (default: a timer honouring ctx).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Name returns "container".
func (p *ContainerProvider) Name() string { return "container" }

// containerOutput is the JSON of the ECS and EKS credential endpoints.
type containerOutput struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Token           string
	Expiration      string
	AccountID       string `json:"AccountId"`
	Code, Message   string
}

// Retrieve calls the endpoint.
func (p *ContainerProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	getenv := envLookup(p.Env)
	u, err := ContainerCredentialsURL(getenv, p.Endpoint)
	if err != nil {
		return aws.Credentials{}, providerError(p.Name(), err)
	}
	creds, err := p.fetch(ctx, getenv, u)
	if err != nil {
		return aws.Credentials{}, &ProviderError{Provider: p.Name(), Err: err}
	}
	return creds, nil
}

func (p *ContainerProvider) fetch(ctx context.Context, getenv func(string) string, u string) (aws.Credentials, error) {
	var auth string
	if file := getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); file != "" {
		data, err := readFileFunc(p.ReadFile).read(file)
		if err != nil {
			return aws.Credentials{}, fmt.Errorf("read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: %w", err)
		}
		auth = strings.TrimSpace(string(data))
	} else {
		auth = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
	}
	if strings.ContainsAny(auth, "\r\n") {
		return aws.Credentials{}, errors.New("the container authorization token contains a line break")
	}
	hc := p.HTTPClient
	if hc == nil {
		hc = metadataHTTPClient
	}
	attempts := p.Attempts
	if attempts <= 0 {
		attempts = 3
	}
	sleep := p.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	var lastErr error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			if err := sleep(ctx, time.Duration(i)*100*time.Millisecond); err != nil {
				return aws.Credentials{}, err
			}
		}
		creds, retry, err := p.once(ctx, hc, u, auth)
		if err == nil {
			return creds, nil
		}
		lastErr = err
		if !retry || ctx.Err() != nil {
			break
		}
	}
	return aws.Credentials{}, lastErr
}

// once makes one request; retry says whether the failure may be transient.
func (p *ContainerProvider) once(ctx context.Context, hc *http.Client, u, auth string) (aws.Credentials, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return aws.Credentials{}, false, err
	}
	req.Header.Set("Accept", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := hc.Do(req)
	if err != nil {
		var nerr net.Error
		return aws.Credentials{}, errors.As(err, &nerr) || errors.Is(err, io.ErrUnexpectedEOF), fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return aws.Credentials{}, true, fmt.Errorf("GET %s: read response: %w", u, err)
	}
	var out containerOutput
	jsonErr := json.Unmarshal(body, &out)
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(body))
		if jsonErr == nil && (out.Code != "" || out.Message != "") {
			msg = strings.TrimSpace(out.Code + ": " + out.Message)
		}
		retry := resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
		return aws.Credentials{}, retry, fmt.Errorf("GET %s: HTTP %d: %s", u, resp.StatusCode, truncate(msg, 512))
	}
	if jsonErr != nil {
		return aws.Credentials{}, false, fmt.Errorf("GET %s: response is not valid JSON: %w", u, jsonErr)
	}
	if out.AccessKeyID == "" || out.SecretAccessKey == "" {
		return aws.Credentials{}, false, fmt.Errorf("GET %s: response has no AccessKeyId or SecretAccessKey", u)
	}
	c := aws.Credentials{AccessKeyID: out.AccessKeyID, SecretAccessKey: out.SecretAccessKey, SessionToken: out.Token,
		AccountID: out.AccountID, Source: p.Name()}
	if out.Expiration != "" {
		t, err := time.Parse(time.RFC3339, out.Expiration)
		if err != nil {
			return aws.Credentials{}, false, fmt.Errorf("GET %s: Expiration %q is not RFC 3339", u, out.Expiration)
		}
		c.Expires = t
	}
	return c, false, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
