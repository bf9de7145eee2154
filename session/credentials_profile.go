package session

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxRoleChain is the most roles a profile may chain through
// role_arn/source_profile before [ResolveProfileCredentials] gives up.
const MaxRoleChain = 16

// ProfileSourceKind is the kind of the base credentials of a profile.
type ProfileSourceKind uint8

const (
	// SourceStaticKeys: aws_access_key_id and aws_secret_access_key.
	SourceStaticKeys ProfileSourceKind = iota + 1
	// SourceNamed: credential_source (Environment, Ec2InstanceMetadata, EcsContainer).
	SourceNamed
	// SourceWebIdentity: web_identity_token_file with role_arn.
	SourceWebIdentity
	// SourceSSO: sso_session or sso_start_url, with sso_account_id and sso_role_name.
	SourceSSO
	// SourceProcess: credential_process.
	SourceProcess
)

func (k ProfileSourceKind) String() string {
	switch k {
	case SourceStaticKeys:
		return "static keys"
	case SourceNamed:
		return "credential_source"
	case SourceWebIdentity:
		return "web identity"
	case SourceSSO:
		return "sso"
	case SourceProcess:
		return "credential_process"
	}
	return "ProfileSourceKind(" + strconv.Itoa(int(k)) + ")"
}

// ProfileCredentials is the plan for the credentials of a profile: a base
// source and the roles assumed from it, in order (the first role with the
// base credentials, each next one with the credentials of the previous).
type ProfileCredentials struct {
	Base  ProfileSource
	Roles []RoleConfig
}

// ProfileSource is where the base credentials of a profile chain come from;
// which fields are set depends on Kind.
type ProfileSource struct {
	Kind    ProfileSourceKind
	Profile string // the profile that defines it

	// SourceStaticKeys.
	AccessKeyID, SecretAccessKey, SessionToken, AccountID string
	// SourceNamed: "Environment", "Ec2InstanceMetadata" or "EcsContainer".
	CredentialSource string
	// SourceWebIdentity (RoleSessionName may be empty).
	RoleARN, WebIdentityTokenFile, RoleSessionName string
	// SourceSSO.
	SSO SSOConfig
	// SourceProcess; AccountID (aws_account_id) is the fallback account.
	CredentialProcess string
}

// RoleConfig is one role to assume, from a profile's role_arn,
// external_id, role_session_name, duration_seconds and mfa_serial.
type RoleConfig struct {
	Profile         string
	RoleARN         string
	ExternalID      string
	RoleSessionName string
	DurationSeconds int // 0: STS's default (one hour)
	MFASerial       string
	SourceIdentity  string
}

// SSOConfig is the SSO configuration of a profile: the legacy keys of the
// profile, or an [sso-session] section it names. AccountID and RoleName are
// empty for a profile that only configures an SSO token.
type SSOConfig struct {
	Session   string // sso_session; "" for a legacy profile
	StartURL  string
	Region    string
	AccountID string
	RoleName  string
	// RegistrationScopes is the sso-session's sso_registration_scopes.
	RegistrationScopes string
}

// ProfileCredentialError is a profile whose credential configuration is
// wrong: a source_profile cycle, a missing source profile, partial keys, ...
type ProfileCredentialError struct {
	Profile string
	Msg     string
}

func (e *ProfileCredentialError) Error() string {
	return fmt.Sprintf("profile %q: %s", e.Profile, e.Msg)
}

func profileErr(profile, format string, args ...any) error {
	return &ProfileCredentialError{Profile: profile, Msg: fmt.Sprintf(format, args...)}
}

// ResolveProfileCredentials works out how to get the credentials of the
// named profile of cfg by the rules of the AWS SDKs:
//
//   - a profile with role_arn and web_identity_token_file assumes that role
//     with the web identity token;
//   - a profile with role_arn assumes it with the credentials of its
//     source_profile (the same profile is allowed: then its own static
//     keys) or of its credential_source; a source profile that has static
//     keys uses them even if it has a role_arn too;
//   - a profile without role_arn uses, in order, credential_source, SSO
//     (sso_session or sso_start_url), static keys, credential_process.
//
// Cycles (named in the error), chains longer than [MaxRoleChain] and
// incomplete configurations are errors (*ProfileCredentialError). A
// selected profile that holds no credential configuration at all gives an
// error that matches [ErrNotConfigured].
func ResolveProfileCredentials(cfg *SharedConfig, profile string) (*ProfileCredentials, error) {
	p, ok := cfg.Profile(profile)
	if !ok {
		if len(cfg.ProfileNames()) == 0 {
			return nil, notConfigured("profile", "no profiles are defined in the shared files")
		}
		return nil, notConfigured("profile", "profile %q is not defined in the shared files", profile)
	}
	plan := &ProfileCredentials{}
	visited := []string{}
	for {
		role, hasRole := pget(p, "role_arn")
		if !hasRole {
			base, err := baseSource(cfg, p, len(visited) == 0)
			if err != nil {
				return nil, err
			}
			plan.Base = base
			break
		}
		if _, ok := pget(p, "web_identity_token_file"); ok {
			base, err := webIdentitySource(p)
			if err != nil {
				return nil, err
			}
			plan.Base = base
			break
		}
		for _, v := range visited {
			if v == p.Name() {
				return nil, profileErr(visited[0], "source_profile chain forms a cycle: %s -> %s", strings.Join(visited, " -> "), p.Name())
			}
		}
		visited = append(visited, p.Name())
		if len(visited) > MaxRoleChain {
			return nil, profileErr(visited[0], "source_profile chain is longer than %d roles: %s", MaxRoleChain, strings.Join(visited, " -> "))
		}
		rc, err := roleConfig(p, role)
		if err != nil {
			return nil, err
		}
		plan.Roles = append(plan.Roles, rc)
		source, hasSource := pget(p, "source_profile")
		credSource, hasCredSource := pget(p, "credential_source")
		switch {
		case hasSource && hasCredSource:
			return nil, profileErr(p.Name(), "has both source_profile and credential_source; set only one")
		case hasCredSource:
			base, err := namedSource(p, credSource)
			if err != nil {
				return nil, err
			}
			plan.Base = base
		case !hasSource:
			return nil, profileErr(p.Name(), "has role_arn but neither source_profile nor credential_source")
		case source == p.Name():
			keys, found, err := staticKeys(p)
			if err != nil {
				return nil, err
			}
			if !found {
				return nil, profileErr(p.Name(), "is its own source_profile but has no aws_access_key_id and aws_secret_access_key")
			}
			plan.Base = keys
		default:
			if slices.Contains(visited, source) {
				return nil, profileErr(visited[0], "source_profile chain forms a cycle: %s -> %s", strings.Join(visited, " -> "), source)
			}
			next, ok := cfg.Profile(source)
			if !ok {
				return nil, profileErr(p.Name(), "source_profile %q is not defined", source)
			}
			keys, found, err := staticKeys(next)
			if err != nil {
				return nil, err
			}
			if found {
				plan.Base = keys
				break
			}
			p = next
			continue
		}
		break
	}
	// The roles were collected from the selected profile down; they are
	// assumed from the base up.
	for i, j := 0, len(plan.Roles)-1; i < j; i, j = i+1, j-1 {
		plan.Roles[i], plan.Roles[j] = plan.Roles[j], plan.Roles[i]
	}
	return plan, nil
}

// pget returns a non-empty value of key.
func pget(p *Section, key string) (string, bool) {
	v, ok := p.Get(key)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

func roleConfig(p *Section, role string) (RoleConfig, error) {
	rc := RoleConfig{Profile: p.Name(), RoleARN: role}
	rc.ExternalID, _ = pget(p, "external_id")
	rc.RoleSessionName, _ = pget(p, "role_session_name")
	rc.MFASerial, _ = pget(p, "mfa_serial")
	rc.SourceIdentity, _ = pget(p, "source_identity")
	if d, ok := pget(p, "duration_seconds"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 43200 {
			return rc, profileErr(p.Name(), "duration_seconds %q: want a number of seconds from 900 to 43200", d)
		}
		rc.DurationSeconds = n
	}
	return rc, nil
}

// baseSource is the source of a profile without role_arn. top says it is
// the selected profile: then a profile with no credential configuration
// is "not configured" rather than an error.
func baseSource(cfg *SharedConfig, p *Section, top bool) (ProfileSource, error) {
	if cs, ok := pget(p, "credential_source"); ok {
		return namedSource(p, cs)
	}
	if _, ok := pget(p, "web_identity_token_file"); ok {
		return webIdentitySource(p)
	}
	if src, ok, err := ssoSource(cfg, p); ok || err != nil {
		return src, err
	}
	keys, found, err := staticKeys(p)
	if err != nil || found {
		return keys, err
	}
	if cmd, ok := pget(p, "credential_process"); ok {
		src := ProfileSource{Kind: SourceProcess, Profile: p.Name(), CredentialProcess: cmd}
		src.AccountID, _ = pget(p, "aws_account_id")
		return src, nil
	}
	if top {
		return ProfileSource{}, notConfigured("profile", "profile %q has no credential configuration", p.Name())
	}
	return ProfileSource{}, profileErr(p.Name(), "has no credential configuration (used as a source_profile)")
}

func namedSource(p *Section, name string) (ProfileSource, error) {
	switch name {
	case "Environment", "Ec2InstanceMetadata", "EcsContainer":
		return ProfileSource{Kind: SourceNamed, Profile: p.Name(), CredentialSource: name}, nil
	}
	return ProfileSource{}, profileErr(p.Name(), "credential_source %q is not one of Environment, Ec2InstanceMetadata, EcsContainer", name)
}

func webIdentitySource(p *Section) (ProfileSource, error) {
	src := ProfileSource{Kind: SourceWebIdentity, Profile: p.Name()}
	src.WebIdentityTokenFile, _ = pget(p, "web_identity_token_file")
	src.RoleSessionName, _ = pget(p, "role_session_name")
	var ok bool
	if src.RoleARN, ok = pget(p, "role_arn"); !ok {
		return src, profileErr(p.Name(), "web_identity_token_file is set but role_arn is missing")
	}
	return src, nil
}

// staticKeys returns the profile's static keys; found is false when it has
// neither key, and one key without the other is an error.
func staticKeys(p *Section) (ProfileSource, bool, error) {
	id, hasID := pget(p, "aws_access_key_id")
	secret, hasSecret := pget(p, "aws_secret_access_key")
	switch {
	case !hasID && !hasSecret:
		return ProfileSource{}, false, nil
	case !hasSecret:
		return ProfileSource{}, false, profileErr(p.Name(), "has aws_access_key_id but is missing aws_secret_access_key")
	case !hasID:
		return ProfileSource{}, false, profileErr(p.Name(), "has aws_secret_access_key but is missing aws_access_key_id")
	}
	src := ProfileSource{Kind: SourceStaticKeys, Profile: p.Name(), AccessKeyID: id, SecretAccessKey: secret}
	src.SessionToken, _ = pget(p, "aws_session_token")
	src.AccountID, _ = pget(p, "aws_account_id")
	return src, true, nil
}

// ssoSource returns the SSO configuration of p; ok is false if it has none.
func ssoSource(cfg *SharedConfig, p *Section) (ProfileSource, bool, error) {
	session, hasSession := pget(p, "sso_session")
	startURL, hasURL := pget(p, "sso_start_url")
	region, hasRegion := pget(p, "sso_region")
	account, hasAccount := pget(p, "sso_account_id")
	role, hasRole := pget(p, "sso_role_name")
	if !hasSession && !hasURL && !hasAccount && !hasRole {
		return ProfileSource{}, false, nil
	}
	src := ProfileSource{Kind: SourceSSO, Profile: p.Name(), SSO: SSOConfig{Session: session, AccountID: account, RoleName: role}}
	switch {
	case hasRole && !hasAccount:
		return src, true, profileErr(p.Name(), "sso_role_name is set, so sso_account_id must be set too")
	case hasAccount && !hasRole:
		return src, true, profileErr(p.Name(), "sso_account_id is set, so sso_role_name must be set too")
	}
	if hasSession {
		s, ok := cfg.SSOSession(session)
		if !ok {
			return src, true, profileErr(p.Name(), "sso-session %q (named by sso_session) is not defined", session)
		}
		src.SSO.StartURL, _ = pget(s, "sso_start_url")
		src.SSO.Region, _ = pget(s, "sso_region")
		src.SSO.RegistrationScopes, _ = pget(s, "sso_registration_scopes")
		var errs []error
		if hasURL && startURL != src.SSO.StartURL {
			errs = append(errs, profileErr(p.Name(), "sso_start_url %q differs from sso_start_url %q of sso-session %q", startURL, src.SSO.StartURL, session))
		}
		if hasRegion && region != src.SSO.Region {
			errs = append(errs, profileErr(p.Name(), "sso_region %q differs from sso_region %q of sso-session %q; sso_region belongs in the sso-session section", region, src.SSO.Region, session))
		}
		if src.SSO.StartURL == "" {
			errs = append(errs, fmt.Errorf("sso-session %q: sso_start_url is missing", session))
		}
		if src.SSO.Region == "" {
			errs = append(errs, fmt.Errorf("sso-session %q: sso_region is missing", session))
		}
		return src, true, errors.Join(errs...)
	}
	src.SSO.StartURL, src.SSO.Region = startURL, region
	var missing []string
	for _, k := range []struct {
		name string
		ok   bool
	}{{"sso_start_url", hasURL}, {"sso_region", hasRegion}, {"sso_account_id", hasAccount}, {"sso_role_name", hasRole}} {
		if !k.ok {
			missing = append(missing, k.name)
		}
	}
	if len(missing) > 0 {
		return src, true, profileErr(p.Name(), "SSO configuration is incomplete: missing %s", strings.Join(missing, ", "))
	}
	return src, true, nil
}
