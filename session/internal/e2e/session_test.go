// Package e2e runs sessions against the local emulators: configuration from the environment
// and shared files reaching real servers, with credentials that versitygw verifies.
package e2e

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/session"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// isolate gives the test an empty environment for AWS settings and a private HOME.
func isolate(t *testing.T) string {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, k := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return home
}

func TestSessionFromEnvironment(t *testing.T) {
	isolate(t)
	ddb := testenv.Dynalite(t)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", ddb.URL)
	sess, err := session.New(t.Context())
	require.NoError(t, err)
	defer sess.Close()
	c, err := sess.Client("dynamodb")
	require.NoError(t, err)
	out, err := c.Call(t.Context(), "ListTables", nil)
	require.NoError(t, err)
	require.Contains(t, out, "TableNames")

	creds, err := sess.Credentials()
	require.NoError(t, err)
	got, err := creds.Retrieve(t.Context())
	require.NoError(t, err)
	require.Equal(t, "AKIDENV", got.AccessKeyID)
	require.Equal(t, "env", got.Source)
}

func TestSessionFromSharedFilesAgainstVerifyingS3(t *testing.T) {
	home := isolate(t)
	vgw := testenv.Versity(t)
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".aws"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(
		"[profile dev]\nregion = us-east-1\nservices = local\ns3 =\n  addressing_style = path\n\n[services local]\ns3 =\n  endpoint_url = "+vgw.URL+"\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte(
		"[dev]\naws_access_key_id = "+vgw.AccessKey+"\naws_secret_access_key = "+vgw.SecretKey+"\n"), 0o600))
	sess, err := session.New(t.Context(), func(o *session.Options) { o.Profile = "dev" })
	require.NoError(t, err)
	defer sess.Close()
	s3, err := sess.Client("s3")
	require.NoError(t, err)
	_, err = s3.Call(t.Context(), "CreateBucket", map[string]any{"Bucket": "from-profile"})
	require.NoError(t, err, "versitygw accepted a request signed with the profile's keys")
	out, err := s3.Call(t.Context(), "ListBuckets", nil)
	require.NoError(t, err)
	require.NotEmpty(t, out["Buckets"])
	_, err = s3.Call(t.Context(), "DeleteBucket", map[string]any{"Bucket": "from-profile"})
	require.NoError(t, err)

	// Per-call overrides: a wrong secret for one call is refused by the verifying server.
	_, err = s3.Call(t.Context(), "ListBuckets", nil, func(o *client.Options) {
		o.Credentials = staticCreds(vgw.AccessKey, "wrong")
	})
	require.ErrorContains(t, err, "SignatureDoesNotMatch")
}

func TestSessionErrors(t *testing.T) {
	home := isolate(t)
	sess, err := session.New(t.Context(), func(o *session.Options) { o.Region = "us-east-1"; o.Anonymous = true })
	require.NoError(t, err)
	_, err = sess.Client("dynamodbb")
	require.ErrorContains(t, err, `unknown service "dynamodbb" (did you mean "dynamodb"?)`)
	sess.Close()
	_, err = sess.Client("dynamodb")
	require.ErrorIs(t, err, session.ErrClosed)

	sess, err = session.New(t.Context(), func(o *session.Options) { o.Profile = "nope" })
	require.NoError(t, err, "New reads nothing")
	_, err = sess.Client("dynamodb")
	var pnf *session.ProfileNotFoundError
	require.True(t, errors.As(err, &pnf), "%v", err)

	cfg := filepath.Join(home, "broken")
	require.NoError(t, os.WriteFile(cfg, []byte("[default]\nregion = us-east-1\nmax_attempts = ten\n"), 0o600))
	sess, err = session.New(t.Context(), func(o *session.Options) { o.ConfigFile = cfg })
	require.NoError(t, err)
	_, err = sess.Client("dynamodb")
	require.ErrorContains(t, err, cfg+":3")

	sess, err = session.New(t.Context(), func(o *session.Options) { o.Anonymous = true })
	require.NoError(t, err)
	_, err = sess.Client("dynamodb")
	require.ErrorContains(t, err, "no region for dynamodb")
}

func TestAvailableRegions(t *testing.T) {
	isolate(t)
	sess, err := session.New(t.Context(), func(o *session.Options) { o.Region = "cn-north-1"; o.Anonymous = true })
	require.NoError(t, err)
	defer sess.Close()
	regions, err := sess.AvailableRegions("dynamodb")
	require.NoError(t, err)
	require.Equal(t, []string{"cn-north-1", "cn-northwest-1"}, regions, "the partition of the session's region")
}

func BenchmarkSecondClient(b *testing.B) {
	b.Setenv("AWS_REGION", "us-east-1")
	sess, err := session.New(b.Context(), func(o *session.Options) { o.Anonymous = true })
	require.NoError(b, err)
	defer sess.Close()
	_, err = sess.Client("dynamodb") // loads the model, codec and rules once
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sess.Client("dynamodb"); err != nil {
			b.Fatal(err)
		}
	}
}
