package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aioaws/aioaws/aws"
)

// MFATokenFunc returns the current code of the MFA device serial, e.g. by
// prompting the user. It is called once per AssumeRole call that needs it.
type MFATokenFunc func(ctx context.Context, serial string) (string, error)

// AssumeRoleProvider assumes a role with STS AssumeRole, signed with the
// credentials of Source.
//
// Set the fields before first use; it is then safe for concurrent use. It
// does not cache: put it behind a [CredentialCache].
type AssumeRoleProvider struct {
	// Source gives the credentials AssumeRole is signed with.
	Source aws.CredentialsProvider
	Role   RoleConfig
	// Region of the STS call; "" for the settings' region, else us-east-1.
	Region string
	// Clients configures the STS client (endpoint, retries, transport).
	Clients ClientConfig
	// MFAToken supplies the token code when Role.MFASerial is set.
	MFAToken MFATokenFunc
	// Now is the clock for default session names (default time.Now).
	Now func() time.Time
}

// Name returns "assume-role".
func (p *AssumeRoleProvider) Name() string { return "assume-role" }

// Retrieve gets the source credentials and assumes the role with them.
func (p *AssumeRoleProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := p.retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, &ProviderError{Provider: p.Name(), Err: err}
	}
	return creds, nil
}

func (p *AssumeRoleProvider) retrieve(ctx context.Context) (aws.Credentials, error) {
	if p.Source == nil {
		return aws.Credentials{}, errors.New("no source credentials provider")
	}
	if p.Role.RoleARN == "" {
		return aws.Credentials{}, errors.New("no role ARN")
	}
	src, err := p.Source.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, sourceError(p.Role.Profile, p.Source, err)
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	in := map[string]any{"RoleArn": p.Role.RoleARN}
	if name := p.Role.RoleSessionName; name != "" {
		in["RoleSessionName"] = name
	} else {
		in["RoleSessionName"] = defaultSessionName("aioaws-session", now())
	}
	if p.Role.ExternalID != "" {
		in["ExternalId"] = p.Role.ExternalID
	}
	if p.Role.DurationSeconds > 0 {
		in["DurationSeconds"] = p.Role.DurationSeconds
	}
	if p.Role.SourceIdentity != "" {
		in["SourceIdentity"] = p.Role.SourceIdentity
	}
	if p.Role.MFASerial != "" {
		if p.MFAToken == nil {
			return aws.Credentials{}, fmt.Errorf("role %s needs an MFA code for %s (mfa_serial) but no MFA token function is configured", p.Role.RoleARN, p.Role.MFASerial)
		}
		code, err := p.MFAToken(ctx, p.Role.MFASerial)
		if err != nil {
			return aws.Credentials{}, fmt.Errorf("MFA token for %s: %w", p.Role.MFASerial, err)
		}
		in["SerialNumber"], in["TokenCode"] = p.Role.MFASerial, code
	}
	out, err := p.Clients.call(ctx, "sts", p.Clients.stsRegion(p.Region), aws.StaticCredentials(src), "AssumeRole", in)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("assume role %s: %w", p.Role.RoleARN, err)
	}
	return stsCredentials(out, p.Name())
}

// sourceError describes a source provider's failure. A source that is not
// configured (e.g. credential_source = Environment without the variables)
// is a failure of the profile that names it, so its error no longer
// matches ErrNotConfigured.
func sourceError(profile string, source aws.CredentialsProvider, err error) error {
	name := "source"
	if n, ok := source.(NamedProvider); ok {
		name = n.Name()
	}
	if errors.Is(err, ErrNotConfigured) {
		return fmt.Errorf("profile %q: source credentials (%s) unavailable: %s", profile, name, err.Error())
	}
	return fmt.Errorf("profile %q: source credentials (%s): %w", profile, name, err)
}
