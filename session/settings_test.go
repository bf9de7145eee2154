package session

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// writeConfig writes a shared config file in a temp dir and returns an
// environment that points at it (and at no credentials file).
func writeConfig(t *testing.T, config string, extraEnv ...string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(path, []byte(config), 0o600))
	env := map[string]string{
		"HOME":                        dir,
		"AWS_CONFIG_FILE":             path,
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
	}
	for i := 0; i+1 < len(extraEnv); i += 2 {
		env[extraEnv[i]] = extraEnv[i+1]
	}
	return env
}

func ptr[T any](v T) *T { return &v }

func TestRegionPrecedence(t *testing.T) {
	const config = "[default]\nregion = from-file\n"
	tests := []struct {
		name   string
		option string
		env    []string
		want   string
	}{
		{"option wins", "from-option", []string{"AWS_REGION", "from-env", "AWS_DEFAULT_REGION", "from-default-env"}, "from-option"},
		{"AWS_REGION over AWS_DEFAULT_REGION", "", []string{"AWS_REGION", "from-env", "AWS_DEFAULT_REGION", "from-default-env"}, "from-env"},
		{"AWS_DEFAULT_REGION over file", "", []string{"AWS_DEFAULT_REGION", "from-default-env"}, "from-default-env"},
		{"empty env counts as unset", "", []string{"AWS_REGION", ""}, "from-file"},
		{"file", "", nil, "from-file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := LoadSettings(Options{Region: tc.option, Env: writeConfig(t, config, tc.env...)})
			require.NoError(t, err)
			require.Equal(t, tc.want, s.Region)
		})
	}
	s, err := LoadSettings(Options{Env: writeConfig(t, "")})
	require.NoError(t, err)
	require.Empty(t, s.Region, "no default region")
}

func TestLoadSettingsFromProfile(t *testing.T) {
	const config = `[profile dev]
region = eu-central-1
retry_mode = Adaptive
max_attempts = 7
defaults_mode = in-region
use_fips_endpoint = true
use_dualstack_endpoint = TRUE
ca_bundle = /etc/dev-ca.pem
connect_timeout = 2.5
read_timeout = 30
sts_regional_endpoints = legacy
account_id_endpoint_mode = required
request_checksum_calculation = when_required
response_checksum_validation = when_required
sdk_ua_app_id = my-app
disable_request_compression = true
request_min_compression_size_bytes = 0
s3_use_arn_region = true
s3 =
  addressing_style = path
  use_arn_region = false
  us_east_1_regional_endpoint = legacy
  use_accelerate_endpoint = true
  s3_disable_multiregion_access_points = true
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = default
credential_process = /usr/bin/creds --profile dev
`
	s, err := LoadSettings(Options{Env: writeConfig(t, config, "AWS_PROFILE", "dev", "AWS_CA_BUNDLE", "")})
	require.NoError(t, err)
	require.Equal(t, "dev", s.Profile)
	require.Equal(t, "eu-central-1", s.Region)
	require.Equal(t, RetryModeAdaptive, s.RetryMode)
	require.Equal(t, 7, s.MaxAttempts)
	require.Equal(t, DefaultsModeInRegion, s.DefaultsMode)
	require.True(t, s.UseFIPSEndpoint)
	require.True(t, s.UseDualStackEndpoint)
	require.Equal(t, "/etc/dev-ca.pem", s.CABundle)
	require.Equal(t, 2500*time.Millisecond, s.ConnectTimeout)
	require.Equal(t, 30*time.Second, s.ReadTimeout)
	require.Equal(t, RegionalEndpointsLegacy, s.STSRegionalEndpoints)
	require.Equal(t, AccountIDEndpointRequired, s.AccountIDEndpointMode)
	require.Equal(t, ChecksumWhenRequired, s.RequestChecksumCalculation)
	require.Equal(t, ChecksumWhenRequired, s.ResponseChecksumValidation)
	require.Equal(t, "my-app", s.AppID)
	require.True(t, s.DisableRequestCompression)
	require.Equal(t, 0, s.RequestMinCompressionSizeBytes)
	require.Equal(t, S3Settings{
		AddressingStyle:                S3AddressingPath,
		USEast1RegionalEndpoint:        RegionalEndpointsLegacy,
		UseARNRegion:                   true, // s3_use_arn_region wins over the s3 sub-property
		UseAccelerateEndpoint:          true,
		DisableMultiRegionAccessPoints: true,
	}, s.S3)

	// Credential keys stay raw for the credential chain.
	v, ok := s.ProfileValue("credential_process")
	require.True(t, ok)
	require.Equal(t, "/usr/bin/creds --profile dev", v)
	require.Equal(t, "dev", s.ProfileSection().Name())
	_, ok = s.SharedConfig().Profile("dev")
	require.True(t, ok)
}

func TestLoadSettingsDefaults(t *testing.T) {
	s, err := LoadSettings(Options{Env: writeConfig(t, "")})
	require.NoError(t, err)
	require.Equal(t, "default", s.Profile)
	require.Nil(t, s.ProfileSection())
	require.Equal(t, RetryModeStandard, s.RetryMode)
	require.Zero(t, s.MaxAttempts)
	require.Equal(t, DefaultsModeLegacy, s.DefaultsMode)
	require.Equal(t, RegionalEndpointsRegional, s.STSRegionalEndpoints)
	require.Equal(t, AccountIDEndpointPreferred, s.AccountIDEndpointMode)
	require.Equal(t, ChecksumWhenSupported, s.RequestChecksumCalculation)
	require.Equal(t, ChecksumWhenSupported, s.ResponseChecksumValidation)
	require.Equal(t, 10240, s.RequestMinCompressionSizeBytes)
	require.Equal(t, S3AddressingAuto, s.S3.AddressingStyle)
	require.Equal(t, RegionalEndpointsRegional, s.S3.USEast1RegionalEndpoint)
	require.Empty(t, s.EndpointURL)
	require.Empty(t, s.ServiceEndpointURL("S3"))
}

func TestExplicitOptionsWin(t *testing.T) {
	env := writeConfig(t, "[default]\nretry_mode = legacy\nmax_attempts = 2\nuse_fips_endpoint = true\nconnect_timeout = 9\n",
		"AWS_RETRY_MODE", "adaptive", "AWS_MAX_ATTEMPTS", "4")
	s, err := LoadSettings(Options{Env: env, RetryMode: RetryModeStandard},
		func(o *Options) {
			o.MaxAttempts = 10
			o.UseFIPSEndpoint = ptr(false)
			o.ConnectTimeout = time.Second
			o.RequestMinCompressionSizeBytes = ptr(0)
		})
	require.NoError(t, err)
	require.Equal(t, RetryModeStandard, s.RetryMode)
	require.Equal(t, 10, s.MaxAttempts)
	require.False(t, s.UseFIPSEndpoint)
	require.Equal(t, time.Second, s.ConnectTimeout)
	require.Equal(t, 0, s.RequestMinCompressionSizeBytes)
}

func TestBadValuesNameTheirSource(t *testing.T) {
	env := writeConfig(t, "[default]\nregion = us-east-1\nmax_attempts = ten\ns3 =\n  addressing_style = sideways\n",
		"AWS_USE_FIPS_ENDPOINT", "yes", "AWS_ENDPOINT_URL_DYNAMODB", "localhost:8000")
	_, err := LoadSettings(Options{Env: env, RetryMode: "bogus", ReadTimeout: -time.Second})
	require.Error(t, err)
	config := env["AWS_CONFIG_FILE"]
	for _, want := range []string{
		config + `:3: invalid max_attempts "ten": want an integer of at least 1`,
		config + `:5: invalid s3.addressing_style "sideways": want one of auto, virtual, path`,
		`environment variable AWS_USE_FIPS_ENDPOINT: invalid use_fips_endpoint "yes": want true or false`,
		`environment variable AWS_ENDPOINT_URL_DYNAMODB: invalid endpoint_url "localhost:8000"`,
		`option RetryMode: invalid retry_mode "bogus": want one of standard, adaptive, legacy`,
		`option ReadTimeout: invalid read_timeout "-1s"`,
	} {
		require.ErrorContains(t, err, want)
	}
	var se *SettingError
	require.True(t, errors.As(err, &se))
}

func TestBadValueTable(t *testing.T) {
	tests := []struct{ key, value, problem string }{
		{"max_attempts", "0", "want an integer of at least 1"},
		{"region", "us east 1", "want a region name"},
		{"region", "-us-east-1", "want a region name"},
		{"connect_timeout", "-1", "want a non-negative number of seconds"},
		{"read_timeout", "soon", "want a non-negative number of seconds"},
		{"request_min_compression_size_bytes", "10485761", "want an integer from 0 to 10485760"},
		{"endpoint_url", "ftp://example.com", "want an absolute http:// or https:// URL"},
		{"sts_regional_endpoints", "global", "want one of regional, legacy"},
		{"request_checksum_calculation", "always", "want one of when_supported, when_required"},
	}
	for _, tc := range tests {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			env := writeConfig(t, "[default]\n"+tc.key+" = "+tc.value+"\n")
			_, err := LoadSettings(Options{Env: env})
			require.ErrorContains(t, err, env["AWS_CONFIG_FILE"]+":2: invalid "+tc.key)
			require.ErrorContains(t, err, tc.problem)
		})
	}
}

func TestCABundleFromProcessEnvironment(t *testing.T) {
	isolateFromHome(t)
	// The machine's AWS_CA_BUNDLE (if any) is honoured as it is.
	s, err := LoadSettings(Options{})
	require.NoError(t, err)
	require.Equal(t, os.Getenv("AWS_CA_BUNDLE"), s.CABundle)

	// A bundle path is only recorded: a missing file is not this package's error.
	t.Setenv("AWS_CA_BUNDLE", "/no/such/bundle.pem")
	s, err = LoadSettings(Options{})
	require.NoError(t, err)
	require.Equal(t, "/no/such/bundle.pem", s.CABundle)
}

func TestProfileSelection(t *testing.T) {
	env := writeConfig(t, "[profile a]\nregion = a-region\n", "AWS_PROFILE", "a")
	s, err := LoadSettings(Options{Env: env})
	require.NoError(t, err)
	require.Equal(t, "a-region", s.Region)

	_, err = LoadSettings(Options{Env: env, Profile: "missing"})
	var nf *ProfileNotFoundError
	require.True(t, errors.As(err, &nf))
	require.Equal(t, "missing", nf.Profile)
	require.ErrorContains(t, err, env["AWS_CONFIG_FILE"])

	_, err = LoadSettings(Options{Env: env, Profile: "default"})
	require.NoError(t, err, "the default profile may be missing")
}

func TestGivenSharedConfigAndFileOptions(t *testing.T) {
	shared, err := ParseSharedConfig(SourceFile{Kind: CredentialsFile, Path: "mem", Data: []byte("[x]\nregion = r1\n")})
	require.NoError(t, err)
	s, err := LoadSettings(Options{Env: map[string]string{}, SharedConfig: shared, Profile: "x"})
	require.NoError(t, err)
	require.Equal(t, "r1", s.Region)
	require.Empty(t, s.ConfigFile)

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cfg"), []byte("[default]\nregion = r2\n"), 0o600))
	s, err = LoadSettings(Options{Env: map[string]string{"HOME": dir}, ConfigFile: "~/cfg"})
	require.NoError(t, err)
	require.Equal(t, "r2", s.Region)
	require.Equal(t, filepath.Join(dir, "cfg"), s.ConfigFile)
	require.Equal(t, filepath.Join(dir, ".aws", "credentials"), s.CredentialsFile)

	_, err = LoadSettings(Options{Env: map[string]string{}, ConfigFile: dir})
	require.ErrorContains(t, err, "reading shared config file")
	_, err = LoadSettings(Options{Env: map[string]string{}, CredentialsFile: filepath.Join(dir, "cfg")})
	require.NoError(t, err, "a config file read as credentials: [default] is a valid profile")
}

func TestServiceEndpointURLs(t *testing.T) {
	const config = `[default]
endpoint_url = http://file-global
services = local
[services local]
elastic_beanstalk =
  endpoint_url = http://file-eb
dynamodb =
  endpoint_url = http://file-ddb
`
	env := writeConfig(t, config, "AWS_ENDPOINT_URL_ELASTIC_BEANSTALK", "http://env-eb", "AWS_ENDPOINT_URL_sqs", "http://ignored")
	s, err := LoadSettings(Options{Env: env, ServiceEndpointURLs: map[string]string{"Secrets Manager": "http://opt-sm"}})
	require.NoError(t, err)
	require.Equal(t, "http://env-eb", s.ServiceEndpointURL("Elastic Beanstalk"))
	require.Equal(t, "http://file-ddb", s.ServiceEndpointURL("DynamoDB"))
	require.Equal(t, "http://opt-sm", s.ServiceEndpointURL("secrets_manager"))
	require.Equal(t, "http://file-global", s.ServiceEndpointURL("SQS"), "a lower-case env suffix is not a service variable")
	require.Equal(t, "http://file-global", s.EndpointURL)

	s, err = LoadSettings(Options{Env: env, EndpointURL: "http://opt-global"})
	require.NoError(t, err)
	require.Equal(t, "http://opt-global", s.ServiceEndpointURL("Elastic Beanstalk"))

	env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
	env["AWS_ENDPOINT_URL"] = "not a url" // ignored, so not an error
	s, err = LoadSettings(Options{Env: env})
	require.NoError(t, err)
	require.True(t, s.IgnoreConfiguredEndpointURLs)
	require.Empty(t, s.EndpointURL)
	require.Empty(t, s.ServiceEndpointURL("DynamoDB"))
}
