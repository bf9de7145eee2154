package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aioaws/aioaws/aws"
)

// ChainOptions configure [DefaultChain]. The zero value reads the process
// environment and the shared files.
type ChainOptions struct {
	// Explicit, if set, is asked first (named "explicit"), e.g. keys given in code.
	Explicit aws.CredentialsProvider
	// Settings are the resolved settings (selected profile, region,
	// endpoint URLs, ...). Nil: LoadSettings(Options{Env: Env}).
	Settings *Settings
	// Env is the environment (nil: the process environment, read once).
	Env map[string]string
	// Clients configures the STS, SSO and SSO OIDC clients; its Settings
	// default to Settings.
	Clients ClientConfig
	// HTTPClient sends the container and IMDS requests (default: short
	// timeouts, no proxy, no keep-alive).
	HTTPClient *http.Client
	// IMDSEndpoint and IMDSEndpointMode override the configured IMDS
	// endpoint and mode (see LoadIMDSConfig).
	IMDSEndpoint, IMDSEndpointMode string
	// ContainerEndpoint replaces DefaultContainerEndpoint as the base of
	// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI.
	ContainerEndpoint string
	// MFAToken supplies MFA codes for profiles with mfa_serial.
	MFAToken MFATokenFunc
	// ProcessTimeout bounds credential_process commands (default DefaultProcessTimeout).
	ProcessTimeout time.Duration
	// SSOCacheDir holds SSO tokens (default ~/.aws/sso/cache, from HOME of Env).
	SSOCacheDir string
	// ReadFile reads token and cache files (default os.ReadFile).
	ReadFile func(name string) ([]byte, error)
	// Sleep waits between IMDS and container attempts (default: a timer).
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Names of the providers of [DefaultChain], in order.
const (
	ProviderExplicit    = "explicit"
	ProviderEnv         = "env"
	ProviderAssumeRole  = "assume-role"
	ProviderWebIdentity = "web-identity"
	ProviderSSO         = "sso"
	ProviderProfile     = "profile"
	ProviderContainer   = "container"
	ProviderIMDS        = "imds"
)

// DefaultChain returns the standard credential chain, in the order of
// botocore:
//
//  1. "explicit": opts.Explicit, if set;
//  2. "env": AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ([EnvProvider]);
//  3. "assume-role": the selected profile has role_arn (without
//     web_identity_token_file): its source_profile chain or credential_source,
//     then the roles ([ResolveProfileCredentials], [AssumeRoleProvider]);
//  4. "web-identity": AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, or the
//     profile's web_identity_token_file with role_arn ([WebIdentityProvider]);
//  5. "sso": the profile's sso_session or sso_start_url ([SSOProvider]);
//  6. "profile": the profile's static keys, or its credential_process
//     ([ProcessProvider]);
//  7. "container": ECS or EKS Pod Identity ([ContainerProvider]);
//  8. "imds": the EC2 instance metadata service ([IMDSProvider]).
//
// The first provider that is configured answers: its credentials, or its
// error, which stops the chain (see [Chain]). Use the chain's InsertAfter,
// InsertBefore and Remove to change it, and put it behind a
// [CredentialCache]. DefaultChain fails only if the settings cannot be
// loaded (e.g. a malformed shared file).
func DefaultChain(opts ChainOptions, optFns ...func(*ChainOptions)) (*Chain, error) {
	for _, fn := range optFns {
		fn(&opts)
	}
	if opts.Env == nil {
		opts.Env = processEnv()
	}
	if opts.Settings == nil {
		s, err := LoadSettings(Options{Env: opts.Env})
		if err != nil {
			return nil, err
		}
		opts.Settings = s
	}
	if opts.Clients.Settings == nil {
		opts.Clients.Settings = opts.Settings
	}
	if opts.SSOCacheDir == "" {
		if home := opts.Env["HOME"]; home != "" {
			opts.SSOCacheDir = DefaultSSOCacheDir(home)
		} else if home := opts.Env["USERPROFILE"]; home != "" {
			opts.SSOCacheDir = DefaultSSOCacheDir(home)
		}
	}
	b := &chainBuilder{opts: opts, getenv: envLookup(opts.Env)}
	b.imds = b.newIMDS()
	b.container = &ContainerProvider{Env: opts.Env, Endpoint: opts.ContainerEndpoint, HTTPClient: opts.HTTPClient,
		ReadFile: opts.ReadFile, Sleep: opts.Sleep}

	profile := opts.Settings.ProfileSection()
	b.profileName = opts.Settings.Profile
	b.owner = profileOwner(profile)
	if b.owner != "" {
		b.plan, b.planErr = ResolveProfileCredentials(opts.Settings.SharedConfig(), b.profileName)
	}

	var ps []NamedProvider
	if opts.Explicit != nil {
		ps = append(ps, Named(ProviderExplicit, opts.Explicit))
	}
	ps = append(ps,
		&EnvProvider{Env: opts.Env},
		&profileChainProvider{b: b, name: ProviderAssumeRole},
		&webIdentityChainProvider{b: b},
		&profileChainProvider{b: b, name: ProviderSSO},
		&profileChainProvider{b: b, name: ProviderProfile},
		b.container,
		b.imds,
	)
	return NewChain(ps...), nil
}

// profileOwner says which provider of the default chain handles the
// profile's credential configuration ("" if it has none).
func profileOwner(p *Section) string {
	has := func(keys ...string) bool {
		for _, k := range keys {
			if _, ok := pget(p, k); ok {
				return true
			}
		}
		return false
	}
	switch {
	case p == nil:
		return ""
	case has("web_identity_token_file"):
		return ProviderWebIdentity
	case has("role_arn"):
		return ProviderAssumeRole
	case has("sso_session", "sso_start_url", "sso_account_id", "sso_role_name"):
		return ProviderSSO
	case has("aws_access_key_id", "aws_secret_access_key", "credential_process", "credential_source"):
		return ProviderProfile
	}
	return ""
}

// chainBuilder holds what the providers of a default chain share.
type chainBuilder struct {
	opts        ChainOptions
	getenv      func(string) string
	profileName string
	owner       string // the provider that handles the profile
	plan        *ProfileCredentials
	planErr     error
	imds        *imdsChainProvider
	container   *ContainerProvider
}

// profilePlan returns the plan of the selected profile if provider owns it.
func (b *chainBuilder) profilePlan(provider string) (*ProfileCredentials, error) {
	if b.owner != provider {
		return nil, notConfigured(provider, "profile %q has no %s configuration", b.profileName, describeOwner(provider))
	}
	if b.planErr != nil {
		if errors.Is(b.planErr, ErrNotConfigured) {
			return nil, notConfigured(provider, "%s", b.planErr.Error())
		}
		return nil, &ProviderError{Provider: provider, Err: b.planErr}
	}
	return b.plan, nil
}

func describeOwner(provider string) string {
	switch provider {
	case ProviderAssumeRole:
		return "role_arn"
	case ProviderWebIdentity:
		return "web_identity_token_file"
	case ProviderSSO:
		return "SSO"
	}
	return "static keys or credential_process"
}

// provider builds the providers of plan: the base, wrapped by the roles.
func (b *chainBuilder) provider(plan *ProfileCredentials) (aws.CredentialsProvider, error) {
	base, err := b.sourceProvider(plan.Base)
	if err != nil {
		return nil, err
	}
	p := base
	for _, r := range plan.Roles {
		p = &AssumeRoleProvider{Source: p, Role: r, Clients: b.opts.Clients, MFAToken: b.opts.MFAToken, Now: b.opts.Now}
	}
	return p, nil
}

func (b *chainBuilder) sourceProvider(src ProfileSource) (aws.CredentialsProvider, error) {
	o := &b.opts
	switch src.Kind {
	case SourceStaticKeys:
		return &StaticProvider{Credentials: aws.Credentials{AccessKeyID: src.AccessKeyID, SecretAccessKey: src.SecretAccessKey,
			SessionToken: src.SessionToken, AccountID: src.AccountID, Source: ProviderProfile}}, nil
	case SourceNamed:
		switch src.CredentialSource {
		case "Environment":
			return &EnvProvider{Env: o.Env}, nil
		case "Ec2InstanceMetadata":
			return b.imds, nil
		case "EcsContainer":
			return b.container, nil
		}
		return nil, profileErr(src.Profile, "unknown credential_source %q", src.CredentialSource)
	case SourceWebIdentity:
		return &WebIdentityProvider{RoleARN: src.RoleARN, TokenFile: src.WebIdentityTokenFile, RoleSessionName: src.RoleSessionName,
			Clients: o.Clients, ReadFile: o.ReadFile, Now: o.Now}, nil
	case SourceSSO:
		return &SSOProvider{Config: src.SSO, CacheDir: o.SSOCacheDir, Clients: o.Clients, ReadFile: o.ReadFile, Now: o.Now}, nil
	case SourceProcess:
		return &ProcessProvider{Command: src.CredentialProcess, Timeout: o.ProcessTimeout, AccountID: src.AccountID}, nil
	}
	return nil, fmt.Errorf("profile %q: unknown credential source kind %v", src.Profile, src.Kind)
}

// profileChainProvider is the "assume-role", "sso" or "profile" provider
// of a default chain: it answers for the selected profile when the
// profile's configuration is of its kind.
type profileChainProvider struct {
	b    *chainBuilder
	name string
}

func (p *profileChainProvider) Name() string { return p.name }

func (p *profileChainProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	plan, err := p.b.profilePlan(p.name)
	if err != nil {
		return aws.Credentials{}, err
	}
	prov, err := p.b.provider(plan)
	if err != nil {
		return aws.Credentials{}, &ProviderError{Provider: p.name, Err: err}
	}
	creds, err := prov.Retrieve(ctx)
	if err != nil {
		if errors.Is(err, ErrNotConfigured) { // a credential_source that has nothing
			err = fmt.Errorf("profile %q: credential_source %s gave no credentials: %s", p.b.profileName, plan.Base.CredentialSource, err.Error())
		}
		return aws.Credentials{}, providerError(p.name, err)
	}
	if creds.Source == "" || creds.Source == ProviderProfile {
		creds.Source = p.name
	}
	return creds, nil
}

// webIdentityChainProvider is the "web-identity" provider of a default
// chain: the environment's configuration, else the selected profile's.
type webIdentityChainProvider struct{ b *chainBuilder }

func (p *webIdentityChainProvider) Name() string { return ProviderWebIdentity }

func (p *webIdentityChainProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	b := p.b
	if file := strings.TrimSpace(b.getenv("AWS_WEB_IDENTITY_TOKEN_FILE")); file != "" {
		role := strings.TrimSpace(b.getenv("AWS_ROLE_ARN"))
		if role == "" {
			return aws.Credentials{}, &ProviderError{Provider: p.Name(), Err: errors.New("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not")}
		}
		wp := &WebIdentityProvider{RoleARN: role, TokenFile: file, RoleSessionName: strings.TrimSpace(b.getenv("AWS_ROLE_SESSION_NAME")),
			Clients: b.opts.Clients, ReadFile: b.opts.ReadFile, Now: b.opts.Now}
		return wp.Retrieve(ctx)
	}
	plan, err := b.profilePlan(ProviderWebIdentity)
	if err != nil {
		return aws.Credentials{}, err
	}
	prov, err := b.provider(plan)
	if err != nil {
		return aws.Credentials{}, &ProviderError{Provider: p.Name(), Err: err}
	}
	creds, err := prov.Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, providerError(p.Name(), err)
	}
	return creds, nil
}

// imdsChainProvider is the IMDS provider of a default chain; a bad IMDS
// configuration is its error, not DefaultChain's.
type imdsChainProvider struct {
	IMDSProvider
	configErr error
}

func (p *imdsChainProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if p.configErr != nil {
		if p.Config.Disabled {
			return aws.Credentials{}, notConfigured(p.Name(), "disabled by AWS_EC2_METADATA_DISABLED")
		}
		return aws.Credentials{}, &ProviderError{Provider: p.Name(), Err: p.configErr}
	}
	return p.IMDSProvider.Retrieve(ctx)
}

func (b *chainBuilder) newIMDS() *imdsChainProvider {
	cfg, err := LoadIMDSConfig(b.getenv, b.opts.Settings.ProfileSection(), b.opts.IMDSEndpoint, b.opts.IMDSEndpointMode)
	p := &imdsChainProvider{configErr: err}
	p.Config = cfg
	p.HTTPClient = b.opts.HTTPClient
	p.Sleep = b.opts.Sleep
	p.Now = b.opts.Now
	return p
}
