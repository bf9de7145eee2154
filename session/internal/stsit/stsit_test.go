package stsit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/session"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// callerARN asks moto's STS who creds belong to.
func callerARN(t *testing.T, endpoint string, creds aws.Credentials) string {
	t.Helper()
	svc, err := models.Load("sts")
	require.NoError(t, err)
	c, err := client.New(svc, client.Options{Region: "us-east-1", Endpoint: endpoint, Credentials: aws.StaticCredentials(creds)})
	require.NoError(t, err)
	defer c.Close()
	out, err := c.Call(t.Context(), "GetCallerIdentity", nil)
	require.NoError(t, err)
	arn, _ := out["Arn"].(string)
	return arn
}

// writeFiles writes name → content under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
	}
}

// TestAssumeRoleSourceProfileChain: top assumes its role with the
// credentials of mid, which assumes its role with the keys of base.
func TestAssumeRoleSourceProfileChain(t *testing.T) {
	moto := testenv.Moto(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"config": `[profile top]
role_arn = arn:aws:iam::123456789012:role/stsit-top
source_profile = mid
role_session_name = stsit-top-session
duration_seconds = 1800
external_id = stsit-ext
region = us-east-1

[profile mid]
role_arn = arn:aws:iam::123456789012:role/stsit-mid
source_profile = base
`,
		"credentials": "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
	})
	env := map[string]string{
		"AWS_PROFILE":                 "top",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_ENDPOINT_URL_STS":        moto.URL,
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
	chain, err := session.DefaultChain(session.ChainOptions{Env: env})
	require.NoError(t, err)
	cache := session.NewCredentialCache(chain)
	defer cache.Close()

	creds, err := cache.Retrieve(t.Context())
	require.NoError(t, err)
	require.Equal(t, session.ProviderAssumeRole, creds.Source)
	require.NotEmpty(t, creds.SessionToken)
	require.Equal(t, "123456789012", creds.AccountID)
	require.True(t, creds.Expires.After(time.Now()), "expires %v", creds.Expires)
	arn := callerARN(t, moto.URL, creds)
	require.Contains(t, arn, "assumed-role/stsit-top/stsit-top-session")

	// Many callers, one set of credentials.
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := cache.Retrieve(context.Background())
			if err != nil || c.AccessKeyID != creds.AccessKeyID {
				t.Errorf("got %v, %v", c.AccessKeyID, err)
			}
		}()
	}
	wg.Wait()
}

// TestAssumeRoleCycle: a cycle is reported before anything is sent.
func TestAssumeRoleCycle(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"config": `[profile a]
role_arn = arn:aws:iam::123456789012:role/a
source_profile = b
[profile b]
role_arn = arn:aws:iam::123456789012:role/b
source_profile = a
`})
	env := map[string]string{"AWS_PROFILE": "a", "AWS_CONFIG_FILE": filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none"), "AWS_EC2_METADATA_DISABLED": "true"}
	chain, err := session.DefaultChain(session.ChainOptions{Env: env})
	require.NoError(t, err)
	_, err = chain.Retrieve(t.Context())
	require.ErrorContains(t, err, `provider "assume-role" is configured but failed`)
	require.ErrorContains(t, err, "a -> b -> a")
}

// TestAssumeRoleWithWebIdentity: the environment's token file and role,
// exchanged by an unsigned call to moto's STS.
func TestAssumeRoleWithWebIdentity(t *testing.T) {
	moto := testenv.Moto(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"token.jwt": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzdHNpdCJ9.c2lnbmF0dXJl\n"})
	env := map[string]string{
		"AWS_WEB_IDENTITY_TOKEN_FILE": filepath.Join(dir, "token.jwt"),
		"AWS_ROLE_ARN":                "arn:aws:iam::123456789012:role/stsit-web",
		"AWS_ROLE_SESSION_NAME":       "stsit-web-session",
		"AWS_REGION":                  "us-east-1",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "none"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
	s, err := session.LoadSettings(session.Options{Env: env})
	require.NoError(t, err)
	chain, err := session.DefaultChain(session.ChainOptions{Env: env, Settings: s,
		Clients: session.ClientConfig{OptFns: []func(string, *client.Options){func(service string, o *client.Options) {
			if service == "sts" {
				o.Endpoint = moto.URL
			}
		}}}})
	require.NoError(t, err)
	creds, err := chain.Retrieve(t.Context())
	require.NoError(t, err)
	require.Equal(t, session.ProviderWebIdentity, creds.Source)
	require.True(t, strings.HasPrefix(creds.AccessKeyID, "ASIA"), creds.AccessKeyID)
	require.NotEmpty(t, creds.SecretAccessKey)
	require.Contains(t, callerARN(t, moto.URL, creds), "stsit-web")

	// A web-identity source profile chained into AssumeRole.
	writeFiles(t, dir, map[string]string{"config": `[profile app]
role_arn = arn:aws:iam::123456789012:role/stsit-app
source_profile = web
[profile web]
role_arn = arn:aws:iam::123456789012:role/stsit-web
web_identity_token_file = ` + filepath.Join(dir, "token.jwt") + "\n"})
	env2 := map[string]string{"AWS_PROFILE": "app", "AWS_CONFIG_FILE": filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none"), "AWS_ENDPOINT_URL_STS": moto.URL, "AWS_EC2_METADATA_DISABLED": "true"}
	chain, err = session.DefaultChain(session.ChainOptions{Env: env2})
	require.NoError(t, err)
	creds, err = chain.Retrieve(t.Context())
	require.NoError(t, err)
	require.Equal(t, session.ProviderAssumeRole, creds.Source)
	require.Contains(t, callerARN(t, moto.URL, creds), "assumed-role/stsit-app/")
}
