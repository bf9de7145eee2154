package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aioaws/aioaws/aws"
)

// WebIdentityProvider assumes a role with STS AssumeRoleWithWebIdentity
// (an unsigned call), using a token read from a file at each Retrieve (the
// file is rotated by its writer, e.g. EKS's IRSA).
//
// Configured from AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN and
// AWS_ROLE_SESSION_NAME, or from a profile's web_identity_token_file,
// role_arn and role_session_name (see [DefaultChain]). Set the fields
// before first use; it is then safe for concurrent use. It does not cache.
type WebIdentityProvider struct {
	RoleARN         string
	TokenFile       string
	RoleSessionName string // "" for a generated one
	// Region of the STS call; "" for the settings' region, else us-east-1.
	Region  string
	Clients ClientConfig
	// ReadFile reads the token file (default os.ReadFile).
	ReadFile func(name string) ([]byte, error)
	Now      func() time.Time
}

// Name returns "web-identity".
func (p *WebIdentityProvider) Name() string { return "web-identity" }

// Retrieve reads the token and exchanges it for credentials.
func (p *WebIdentityProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := p.retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, &ProviderError{Provider: p.Name(), Err: err}
	}
	return creds, nil
}

func (p *WebIdentityProvider) retrieve(ctx context.Context) (aws.Credentials, error) {
	if p.RoleARN == "" || p.TokenFile == "" {
		return aws.Credentials{}, errors.New("both a role ARN and a web identity token file are needed")
	}
	data, err := readFileFunc(p.ReadFile).read(p.TokenFile)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("read web identity token: %w", err)
	}
	token := strings.TrimSpace(string(data))
	if token == "" {
		return aws.Credentials{}, fmt.Errorf("web identity token file %s is empty", p.TokenFile)
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	name := p.RoleSessionName
	if name == "" {
		name = defaultSessionName("aioaws-web-identity", now())
	}
	in := map[string]any{"RoleArn": p.RoleARN, "RoleSessionName": name, "WebIdentityToken": token}
	out, err := p.Clients.call(ctx, "sts", p.Clients.stsRegion(p.Region), nil, "AssumeRoleWithWebIdentity", in)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("assume role %s with web identity: %w", p.RoleARN, err)
	}
	return stsCredentials(out, p.Name())
}
