package session

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/transport"
)

// ClientConfig says how credential providers make the clients of the AWS
// services they call: STS (AssumeRole, AssumeRoleWithWebIdentity), SSO
// (GetRoleCredentials) and SSO OIDC (CreateToken). The zero value uses
// defaults: no configured endpoints, standard retries, a transport per call.
// It is a plain value; the providers copy it.
type ClientConfig struct {
	// Settings supply endpoint URLs (endpoint_url, AWS_ENDPOINT_URL_STS,
	// ...), FIPS and dual-stack, the STS regional-endpoint mode and retry
	// settings. Nil: none.
	Settings *Settings
	// Transport, if set, carries every call and is not closed by the
	// providers. Nil: each call gets a transport that is closed after it
	// (credential calls are rare, so pooling matters little).
	Transport *transport.Transport
	// OptFns change the options of every client made, last; service is
	// the model name ("sts", "sso", "sso-oidc"). Tests use it to point
	// clients at an emulator or to stub them.
	OptFns []func(service string, o *client.Options)
}

// call makes a client of service in region, runs op, and closes the
// client. creds nil sends the request unsigned.
func (cc ClientConfig) call(ctx context.Context, service, region string, creds aws.CredentialsProvider, op string, in map[string]any) (map[string]any, error) {
	svc, err := models.Load(service)
	if err != nil {
		return nil, err
	}
	o := client.Options{Region: region, Credentials: creds, Transport: cc.Transport}
	if s := cc.Settings; s != nil {
		o.Endpoint = s.ServiceEndpointURL(svc.Metadata.ServiceID)
		o.UseFIPS, o.UseDualStack = s.UseFIPSEndpoint, s.UseDualStackEndpoint
		o.RetryMode, o.MaxAttempts = string(s.RetryMode), s.MaxAttempts
		if service == "sts" && s.STSRegionalEndpoints == RegionalEndpointsLegacy {
			o.EndpointBuiltIns = map[string]any{"AWS::STS::UseGlobalEndpoint": true}
		}
	}
	for _, fn := range cc.OptFns {
		fn(service, &o)
	}
	c, err := client.New(svc, o)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.Call(ctx, op, in)
}

// stsRegion is the region of STS calls: the settings' region, else us-east-1.
func (cc ClientConfig) stsRegion(explicit string) string {
	if explicit != "" {
		return explicit
	}
	if cc.Settings != nil && cc.Settings.Region != "" {
		return cc.Settings.Region
	}
	return "us-east-1"
}

// stsCredentials turns the Credentials and AssumedRoleUser of an STS
// output into aws.Credentials.
func stsCredentials(out map[string]any, source string) (aws.Credentials, error) {
	c, _ := out["Credentials"].(map[string]any)
	if c == nil {
		return aws.Credentials{}, fmt.Errorf("STS response has no Credentials")
	}
	creds := aws.Credentials{Source: source}
	creds.AccessKeyID, _ = c["AccessKeyId"].(string)
	creds.SecretAccessKey, _ = c["SecretAccessKey"].(string)
	creds.SessionToken, _ = c["SessionToken"].(string)
	creds.Expires, _ = c["Expiration"].(time.Time)
	if u, ok := out["AssumedRoleUser"].(map[string]any); ok {
		arn, _ := u["Arn"].(string)
		creds.AccountID = arnAccount(arn)
	}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return aws.Credentials{}, fmt.Errorf("STS response has incomplete credentials")
	}
	return creds, nil
}

// arnAccount returns the account field of an ARN ("" if none).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// defaultSessionName is a role session name unique enough per process.
func defaultSessionName(prefix string, now time.Time) string {
	return fmt.Sprintf("%s-%d", prefix, now.UnixMilli())
}

// readFileFunc is how providers read token and cache files; tests replace it.
type readFileFunc func(name string) ([]byte, error)

func (f readFileFunc) read(name string) ([]byte, error) {
	if f == nil {
		return os.ReadFile(name)
	}
	return f(name)
}

// metadataHTTPClient is the HTTP client of the container and instance
// metadata providers when none is given: short timeouts, no proxy (these
// are link-local or loopback addresses), no keep-alive (calls are rare, and
// no idle connection outlives them).
var metadataHTTPClient = &http.Client{
	Transport: &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: time.Second}).DialContext,
		DisableKeepAlives:     true,
		ResponseHeaderTimeout: 2 * time.Second,
	},
	Timeout: 5 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
