package session

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
)

func fixed(name, key string) NamedProvider {
	return Named(name, aws.StaticCredentials{AccessKeyID: key, SecretAccessKey: "s"})
}

func unconfigured(name string) NamedProvider {
	return Named(name, aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, notConfigured(name, "nothing set")
	}))
}

func failing(name string, err error) NamedProvider {
	return Named(name, aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, err
	}))
}

func TestChain(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		providers []NamedProvider
		wantKey   string
		wantErr   []string // substrings
		noCreds   bool     // errors.Is ErrNoCredentials
		failed    string   // ChainError.Failed.Provider
	}{
		{name: "first wins", providers: []NamedProvider{fixed("a", "A"), fixed("b", "B")}, wantKey: "A"},
		{name: "unconfigured skipped", providers: []NamedProvider{unconfigured("a"), fixed("b", "B")}, wantKey: "B"},
		{name: "configured failure stops", providers: []NamedProvider{unconfigured("a"), failing("b", boom), fixed("c", "C")},
			wantErr: []string{`provider "b" is configured but failed: boom`, "tried before it: a (nothing set)"}, failed: "b"},
		{name: "none configured lists all", providers: []NamedProvider{unconfigured("a"), unconfigured("b")},
			wantErr: []string{"no credentials provider is configured", "a (nothing set); b (nothing set)"}, noCreds: true},
		{name: "empty", wantErr: []string{"tried none"}, noCreds: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewChain(tt.providers...).Retrieve(context.Background())
			if tt.wantErr == nil {
				require.NoError(t, err)
				require.Equal(t, tt.wantKey, c.AccessKeyID)
				return
			}
			for _, s := range tt.wantErr {
				require.ErrorContains(t, err, s)
			}
			require.Equal(t, tt.noCreds, errors.Is(err, ErrNoCredentials))
			var ce *ChainError
			require.ErrorAs(t, err, &ce)
			if tt.failed != "" {
				require.Equal(t, tt.failed, ce.Failed.Provider)
				require.ErrorIs(t, err, boom)
			}
			require.Len(t, ce.Tried, min(len(tt.providers), len(ce.Tried)))
		})
	}
}

func TestChainEdit(t *testing.T) {
	c := NewChain(unconfigured("env"), unconfigured("profile"), unconfigured("imds"))
	require.NoError(t, c.InsertAfter("env", fixed("vault", "V")))
	require.NoError(t, c.InsertBefore("env", unconfigured("first")))
	require.Equal(t, []string{"first", "env", "vault", "profile", "imds"}, c.Names())
	require.ErrorContains(t, c.InsertAfter("nope", fixed("x", "X")), `no provider named "nope"`)
	creds, err := c.Retrieve(context.Background())
	require.NoError(t, err)
	require.Equal(t, "V", creds.AccessKeyID)
	require.Equal(t, "static", creds.Source) // the provider named it; the chain names only unnamed ones
	require.True(t, c.Remove("vault"))
	require.False(t, c.Remove("vault"))
	c.Append(fixed("last", "L"))
	c.Prepend(unconfigured("zero"))
	require.Equal(t, []string{"zero", "first", "env", "profile", "imds", "last"}, c.Names())
	creds, err = c.Retrieve(context.Background())
	require.NoError(t, err)
	require.Equal(t, "L", creds.AccessKeyID)

	var zero Chain
	_, err = zero.Retrieve(context.Background())
	require.ErrorIs(t, err, ErrNoCredentials)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Retrieve(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

func TestEnvProvider(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    aws.Credentials
		errLike string
		notConf bool
	}{
		{name: "unset", env: map[string]string{}, notConf: true},
		{name: "blank", env: map[string]string{"AWS_ACCESS_KEY_ID": " ", "AWS_SECRET_ACCESS_KEY": " "}, notConf: true},
		{name: "full", env: map[string]string{"AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S", "AWS_SESSION_TOKEN": "T",
			"AWS_ACCOUNT_ID": "123", "AWS_CREDENTIAL_EXPIRATION": "2030-01-02T03:04:05Z"},
			want: aws.Credentials{AccessKeyID: "A", SecretAccessKey: "S", SessionToken: "T", AccountID: "123", Source: "env",
				Expires: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}},
		{name: "legacy names", env: map[string]string{"AWS_ACCESS_KEY": "A", "AWS_SECRET_KEY": "S"},
			want: aws.Credentials{AccessKeyID: "A", SecretAccessKey: "S", Source: "env"}},
		{name: "missing secret", env: map[string]string{"AWS_ACCESS_KEY_ID": "A"}, errLike: "AWS_SECRET_ACCESS_KEY is not"},
		{name: "missing id", env: map[string]string{"AWS_SECRET_ACCESS_KEY": "S"}, errLike: "AWS_ACCESS_KEY_ID is not"},
		{name: "bad expiry", env: map[string]string{"AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S", "AWS_CREDENTIAL_EXPIRATION": "soon"},
			errLike: "not an RFC 3339 time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := (&EnvProvider{Env: tt.env}).Retrieve(context.Background())
			switch {
			case tt.notConf:
				require.ErrorIs(t, err, ErrNotConfigured)
			case tt.errLike != "":
				require.ErrorContains(t, err, tt.errLike)
				require.NotErrorIs(t, err, ErrNotConfigured)
			default:
				require.NoError(t, err)
				require.Equal(t, tt.want, c)
			}
		})
	}
}

func TestStaticProvider(t *testing.T) {
	c, err := NewStaticProvider("A", "S", "T").Retrieve(context.Background())
	require.NoError(t, err)
	require.Equal(t, aws.Credentials{AccessKeyID: "A", SecretAccessKey: "S", SessionToken: "T", Source: "static"}, c)
	_, err = NewStaticProvider("", "S", "").Retrieve(context.Background())
	require.ErrorContains(t, err, "static credentials need both")
}

func TestResolveProfileCredentials(t *testing.T) {
	parse := func(t *testing.T, config string) *SharedConfig {
		cfg, err := ParseSharedConfig(SourceFile{Kind: ConfigFile, Path: "config", Data: []byte(config)})
		require.NoError(t, err)
		return cfg
	}
	t.Run("cycle names the profiles", func(t *testing.T) {
		cfg := parse(t, `[profile a]
role_arn = arn:aws:iam::1:role/a
source_profile = b
[profile b]
role_arn = arn:aws:iam::1:role/b
source_profile = c
[profile c]
role_arn = arn:aws:iam::1:role/c
source_profile = a
`)
		_, err := ResolveProfileCredentials(cfg, "a")
		require.EqualError(t, err, `profile "a": source_profile chain forms a cycle: a -> b -> c -> a`)
	})
	t.Run("max depth", func(t *testing.T) {
		var b strings.Builder
		for i := 0; i <= MaxRoleChain; i++ {
			b.WriteString("[profile p" + itoa(i) + "]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = p" + itoa(i+1) + "\n")
		}
		b.WriteString("[profile p" + itoa(MaxRoleChain+1) + "]\naws_access_key_id = a\naws_secret_access_key = s\n")
		_, err := ResolveProfileCredentials(parse(t, b.String()), "p0")
		require.ErrorContains(t, err, "longer than 16 roles")
	})
	t.Run("role options", func(t *testing.T) {
		cfg := parse(t, `[profile a]
role_arn = arn:aws:iam::1:role/a
source_profile = base
external_id = ext
role_session_name = sess
duration_seconds = 3600
mfa_serial = arn:aws:iam::1:mfa/me
[profile base]
aws_access_key_id = AK
aws_secret_access_key = SK
aws_session_token = ST
`)
		plan, err := ResolveProfileCredentials(cfg, "a")
		require.NoError(t, err)
		require.Equal(t, ProfileSource{Kind: SourceStaticKeys, Profile: "base", AccessKeyID: "AK", SecretAccessKey: "SK", SessionToken: "ST"}, plan.Base)
		require.Equal(t, []RoleConfig{{Profile: "a", RoleARN: "arn:aws:iam::1:role/a", ExternalID: "ext", RoleSessionName: "sess",
			DurationSeconds: 3600, MFASerial: "arn:aws:iam::1:mfa/me"}}, plan.Roles)
	})
	t.Run("bad duration", func(t *testing.T) {
		_, err := ResolveProfileCredentials(parse(t, "[profile a]\nrole_arn = r\ncredential_source = Environment\nduration_seconds = 60\n"), "a")
		require.ErrorContains(t, err, "duration_seconds")
	})
	t.Run("unknown credential_source", func(t *testing.T) {
		_, err := ResolveProfileCredentials(parse(t, "[profile a]\nrole_arn = r\ncredential_source = Vault\n"), "a")
		require.ErrorContains(t, err, `credential_source "Vault"`)
	})
	t.Run("process", func(t *testing.T) {
		plan, err := ResolveProfileCredentials(parse(t, "[profile a]\ncredential_process = /bin/creds --x\naws_account_id = 42\n"), "a")
		require.NoError(t, err)
		require.Equal(t, ProfileSource{Kind: SourceProcess, Profile: "a", CredentialProcess: "/bin/creds --x", AccountID: "42"}, plan.Base)
	})
	t.Run("not configured", func(t *testing.T) {
		_, err := ResolveProfileCredentials(parse(t, "[profile a]\nregion = us-east-1\n"), "a")
		require.ErrorIs(t, err, ErrNotConfigured)
		_, err = ResolveProfileCredentials(parse(t, "[profile a]\nregion = us-east-1\n"), "missing")
		require.ErrorIs(t, err, ErrNotConfigured)
	})
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

func TestDefaultChainOrder(t *testing.T) {
	s, err := LoadSettings(Options{Env: map[string]string{}, SharedConfig: &SharedConfig{}})
	require.NoError(t, err)
	c, err := DefaultChain(ChainOptions{Settings: s, Env: map[string]string{}, Explicit: aws.StaticCredentials{AccessKeyID: "x", SecretAccessKey: "y"}})
	require.NoError(t, err)
	require.Equal(t, []string{"explicit", "env", "assume-role", "web-identity", "sso", "profile", "container", "imds"}, c.Names())
	creds, err := c.Retrieve(context.Background())
	require.NoError(t, err)
	require.Equal(t, "x", creds.AccessKeyID)
}

// TestDefaultChainNothingConfigured: with IMDS disabled and nothing else set,
// the error names every provider and why it was skipped.
func TestDefaultChainNothingConfigured(t *testing.T) {
	env := map[string]string{"AWS_EC2_METADATA_DISABLED": "true"}
	s, err := LoadSettings(Options{Env: env, SharedConfig: &SharedConfig{}})
	require.NoError(t, err)
	c, err := DefaultChain(ChainOptions{Settings: s, Env: env})
	require.NoError(t, err)
	_, err = c.Retrieve(context.Background())
	require.ErrorIs(t, err, ErrNoCredentials)
	var ce *ChainError
	require.ErrorAs(t, err, &ce)
	require.Len(t, ce.Tried, 7)
	for _, n := range []string{"env", "assume-role", "web-identity", "sso", "profile", "container", "imds (disabled by AWS_EC2_METADATA_DISABLED)"} {
		require.ErrorContains(t, err, n)
	}
}
