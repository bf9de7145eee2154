package session

import (
	"errors"
	"fmt"
	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/events"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// Options are the explicit settings given to [LoadSettings]; they win over
// the environment and the shared files. A zero field is unset.
type Options struct {
	// Profile selects the profile of the shared files; else $AWS_PROFILE,
	// else "default".
	Profile string
	// ConfigFile and CredentialsFile locate the shared files; else as
	// [SharedFilePaths] says (from Env when it is set).
	ConfigFile, CredentialsFile string
	// SharedConfig, if set, is used instead of reading the shared files.
	SharedConfig *SharedConfig
	// Env is the environment to read; nil means the process environment,
	// read once by LoadSettings.
	Env map[string]string

	Region string
	// EndpointURL is used for every service, configured endpoints or not.
	EndpointURL string
	// ServiceEndpointURLs are endpoint URLs by service id (as in a model's
	// serviceId, e.g. "DynamoDB" or "Elastic Beanstalk"; case and
	// spaces-versus-underscores do not matter); they win over EndpointURL.
	ServiceEndpointURLs          map[string]string
	IgnoreConfiguredEndpointURLs *bool
	RetryMode                    RetryMode
	MaxAttempts                  int
	DefaultsMode                 DefaultsMode
	UseFIPSEndpoint              *bool
	UseDualStackEndpoint         *bool
	S3                           S3Options
	// CABundle is the path of a PEM file of extra trusted certificates.
	CABundle                       string
	ConnectTimeout, ReadTimeout    time.Duration
	STSRegionalEndpoints           RegionalEndpoints
	AccountIDEndpointMode          AccountIDEndpointMode
	RequestChecksumCalculation     ChecksumMode
	ResponseChecksumValidation     ChecksumMode
	AppID                          string
	DisableRequestCompression      *bool
	RequestMinCompressionSizeBytes *int

	// The rest configure a Session (LoadSettings ignores them).

	// Credentials, if set, are asked first, before the default chain.
	Credentials aws.CredentialsProvider
	// Anonymous sends requests unsigned: no credential chain at all.
	Anonymous bool
	// MaxInFlight bounds the requests in flight across the session's clients (default 256).
	MaxInFlight int
	// Events is the registry shared by the session's clients (nil: a new one).
	Events *events.Registry
	// ClientOptions apply to every client the session makes, before the Client call's own.
	ClientOptions []func(*client.Options)
	// Chain adjusts the default credential chain's options (MFA token, IMDS endpoint, ...).
	Chain func(*ChainOptions)
}

// S3Options are the explicit S3 settings; a zero field is unset.
type S3Options struct {
	AddressingStyle                S3AddressingStyle
	USEast1RegionalEndpoint        RegionalEndpoints
	UseARNRegion                   *bool
	UseAccelerateEndpoint          *bool
	DisableMultiRegionAccessPoints *bool
	DisableExpressSessionAuth      *bool
}

// Settings is the resolved configuration of a session: for each setting the
// explicit option if set, else the environment, else the selected profile of
// the shared files, else the default. It is a plain value, safe for
// concurrent reads; LoadSettings returns a new one each time.
type Settings struct {
	Profile         string // the selected profile
	ConfigFile      string // the shared config file read ("" if none)
	CredentialsFile string // the shared credentials file read ("" if none)

	Region string // "" if none is configured
	// EndpointURL is the configured endpoint for every service ("" for the
	// one the endpoint rules give); see also [Settings.ServiceEndpointURL].
	EndpointURL                  string
	IgnoreConfiguredEndpointURLs bool
	RetryMode                    RetryMode // default standard
	MaxAttempts                  int       // 0: the retry mode's default
	DefaultsMode                 DefaultsMode
	UseFIPSEndpoint              bool
	UseDualStackEndpoint         bool
	S3                           S3Settings
	CABundle                     string // path of a PEM bundle; "" for the system roots only
	// ConnectTimeout and ReadTimeout are 0 for the defaults mode's values.
	ConnectTimeout, ReadTimeout    time.Duration
	STSRegionalEndpoints           RegionalEndpoints     // default regional
	AccountIDEndpointMode          AccountIDEndpointMode // default preferred
	RequestChecksumCalculation     ChecksumMode          // default when_supported
	ResponseChecksumValidation     ChecksumMode          // default when_supported
	AppID                          string                // sdk_ua_app_id, for the User-Agent
	DisableRequestCompression      bool
	RequestMinCompressionSizeBytes int // default 10240

	shared    *SharedConfig
	profile   *Section
	endpoints endpointSources
}

// S3Settings are the resolved S3 settings.
type S3Settings struct {
	AddressingStyle                S3AddressingStyle // default auto
	USEast1RegionalEndpoint        RegionalEndpoints // default regional
	UseARNRegion                   bool
	UseAccelerateEndpoint          bool
	DisableMultiRegionAccessPoints bool
	DisableExpressSessionAuth      bool
}

// SharedConfig returns the shared files that were read (or given); never nil.
func (s *Settings) SharedConfig() *SharedConfig {
	if s.shared == nil {
		return &SharedConfig{}
	}
	return s.shared
}

// ProfileSection returns the selected profile, or nil if the shared files
// do not define it.
func (s *Settings) ProfileSection() *Section { return s.profile }

// ProfileValue returns the raw value of a key of the selected profile, such
// as "role_arn" or "credential_process"; key is case-insensitive.
func (s *Settings) ProfileValue(key string) (string, bool) { return s.profile.Get(key) }

// ProfileNotFoundError reports a profile, selected by option or
// $AWS_PROFILE, that the shared files do not define.
type ProfileNotFoundError struct {
	Profile         string
	ConfigFile      string
	CredentialsFile string
}

func (e *ProfileNotFoundError) Error() string {
	return fmt.Sprintf("session: profile %q not found in the shared config file %q or credentials file %q",
		e.Profile, e.ConfigFile, e.CredentialsFile)
}

// LoadSettings resolves the settings: opts with optFns applied to a copy of
// it, then the environment, then the selected profile of the shared files,
// then defaults. Every bad value is reported at once, each as a
// *SettingError naming the file:line, environment variable or option it
// came from (joined with errors.Join). A malformed shared file gives a
// *ParseError; a profile selected explicitly but not defined gives a
// *ProfileNotFoundError (the "default" profile may be missing).
func LoadSettings(opts Options, optFns ...func(*Options)) (*Settings, error) {
	for _, fn := range optFns {
		fn(&opts)
	}
	env := opts.Env
	var fallbackHome func() string
	if env == nil {
		env = processEnv()
		fallbackHome = currentUserHome
	}
	getenv := func(k string) string { return env[k] }

	s := &Settings{}
	var explicitProfile bool
	s.Profile, explicitProfile = selectProfile(opts.Profile, getenv)

	s.shared = opts.SharedConfig
	if s.shared == nil {
		windows := isWindows()
		s.ConfigFile, s.CredentialsFile = sharedFilePaths(getenv, windows, fallbackHome)
		home := resolveHome(getenv, windows, fallbackHome)
		if opts.ConfigFile != "" {
			s.ConfigFile = expandHome(opts.ConfigFile, home, windows)
		}
		if opts.CredentialsFile != "" {
			s.CredentialsFile = expandHome(opts.CredentialsFile, home, windows)
		}
		shared, err := ReadSharedConfig(s.ConfigFile, s.CredentialsFile)
		if err != nil {
			return nil, err
		}
		s.shared = shared
	}
	profile, ok := s.shared.Profile(s.Profile)
	if !ok && explicitProfile && s.Profile != "default" {
		return nil, &ProfileNotFoundError{Profile: s.Profile, ConfigFile: s.ConfigFile, CredentialsFile: s.CredentialsFile}
	}
	s.profile = profile

	r := &resolver{env: env, profile: profile}
	r.resolveInto(s, &opts)
	s.endpoints = r.endpointSources(&opts, s.shared, s.IgnoreConfiguredEndpointURLs)
	s.EndpointURL = s.endpoints.global()
	if err := errors.Join(r.errs...); err != nil {
		return nil, err
	}
	return s, nil
}

// selectProfile returns the profile to use: explicit, else $AWS_PROFILE,
// else "default"; selected reports whether it was chosen (not defaulted).
func selectProfile(explicit string, getenv func(string) string) (name string, selected bool) {
	if explicit != "" {
		return explicit, true
	}
	if v := getenv("AWS_PROFILE"); v != "" {
		return v, true
	}
	return "default", false
}

// resolveInto sets every typed setting of s.
func (r *resolver) resolveInto(s *Settings, o *Options) {
	s.Region = get(r, spec{"region", "Region", env("AWS_REGION", "AWS_DEFAULT_REGION"), keys("region")}, o.Region, parseRegion, "")
	s.IgnoreConfiguredEndpointURLs = getBool(r, spec{"ignore_configured_endpoint_urls", "IgnoreConfiguredEndpointURLs",
		env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), keys("ignore_configured_endpoint_urls")}, o.IgnoreConfiguredEndpointURLs, false)
	s.RetryMode = get(r, simple("retry_mode", "RetryMode", "AWS_RETRY_MODE"), string(o.RetryMode),
		parseEnum(RetryModeStandard, RetryModeAdaptive, RetryModeLegacy), RetryModeStandard)
	s.MaxAttempts = get(r, simple("max_attempts", "MaxAttempts", "AWS_MAX_ATTEMPTS"), optInt(o.MaxAttempts != 0, o.MaxAttempts),
		parseIntRange(1, math.MaxInt), 0)
	s.DefaultsMode = get(r, simple("defaults_mode", "DefaultsMode", "AWS_DEFAULTS_MODE"), string(o.DefaultsMode),
		parseEnum(DefaultsModeLegacy, DefaultsModeStandard, DefaultsModeInRegion, DefaultsModeCrossRegion, DefaultsModeMobile, DefaultsModeAuto),
		DefaultsModeLegacy)
	s.UseFIPSEndpoint = getBool(r, simple("use_fips_endpoint", "UseFIPSEndpoint", "AWS_USE_FIPS_ENDPOINT"), o.UseFIPSEndpoint, false)
	s.UseDualStackEndpoint = getBool(r, simple("use_dualstack_endpoint", "UseDualStackEndpoint", "AWS_USE_DUALSTACK_ENDPOINT"),
		o.UseDualStackEndpoint, false)
	s.CABundle = get(r, simple("ca_bundle", "CABundle", "AWS_CA_BUNDLE"), o.CABundle, parseString, "")
	s.ConnectTimeout = getDuration(r, spec{"connect_timeout", "ConnectTimeout", nil, keys("connect_timeout")}, o.ConnectTimeout)
	s.ReadTimeout = getDuration(r, spec{"read_timeout", "ReadTimeout", nil, keys("read_timeout")}, o.ReadTimeout)
	s.STSRegionalEndpoints = get(r, simple("sts_regional_endpoints", "STSRegionalEndpoints", "AWS_STS_REGIONAL_ENDPOINTS"),
		string(o.STSRegionalEndpoints), parseEnum(RegionalEndpointsRegional, RegionalEndpointsLegacy), RegionalEndpointsRegional)
	s.AccountIDEndpointMode = get(r, simple("account_id_endpoint_mode", "AccountIDEndpointMode", "AWS_ACCOUNT_ID_ENDPOINT_MODE"),
		string(o.AccountIDEndpointMode), parseEnum(AccountIDEndpointPreferred, AccountIDEndpointDisabled, AccountIDEndpointRequired),
		AccountIDEndpointPreferred)
	checksum := parseEnum(ChecksumWhenSupported, ChecksumWhenRequired)
	s.RequestChecksumCalculation = get(r, simple("request_checksum_calculation", "RequestChecksumCalculation", "AWS_REQUEST_CHECKSUM_CALCULATION"),
		string(o.RequestChecksumCalculation), checksum, ChecksumWhenSupported)
	s.ResponseChecksumValidation = get(r, simple("response_checksum_validation", "ResponseChecksumValidation", "AWS_RESPONSE_CHECKSUM_VALIDATION"),
		string(o.ResponseChecksumValidation), checksum, ChecksumWhenSupported)
	s.AppID = get(r, simple("sdk_ua_app_id", "AppID", "AWS_SDK_UA_APP_ID"), o.AppID, parseString, "")
	s.DisableRequestCompression = getBool(r, simple("disable_request_compression", "DisableRequestCompression", "AWS_DISABLE_REQUEST_COMPRESSION"),
		o.DisableRequestCompression, false)
	minSize := o.RequestMinCompressionSizeBytes
	s.RequestMinCompressionSizeBytes = get(r, simple("request_min_compression_size_bytes", "RequestMinCompressionSizeBytes", "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES"),
		optInt(minSize != nil, deref(minSize)), parseIntRange(0, 10485760), 10240)
	r.resolveS3(&s.S3, &o.S3)
}

func (r *resolver) resolveS3(s *S3Settings, o *S3Options) {
	s.AddressingStyle = get(r, spec{"s3.addressing_style", "S3.AddressingStyle", nil, []profileKey{{"s3", "addressing_style"}}},
		string(o.AddressingStyle), parseEnum(S3AddressingAuto, S3AddressingVirtual, S3AddressingPath), S3AddressingAuto)
	s.USEast1RegionalEndpoint = get(r, s3spec("us_east_1_regional_endpoint", "USEast1RegionalEndpoint", "AWS_S3_US_EAST_1_REGIONAL_ENDPOINT"),
		string(o.USEast1RegionalEndpoint), parseEnum(RegionalEndpointsRegional, RegionalEndpointsLegacy), RegionalEndpointsRegional)
	s.UseARNRegion = getBool(r, s3spec("use_arn_region", "UseARNRegion", "AWS_S3_USE_ARN_REGION"), o.UseARNRegion, false)
	s.UseAccelerateEndpoint = getBool(r, spec{"s3.use_accelerate_endpoint", "S3.UseAccelerateEndpoint", nil,
		[]profileKey{{"s3", "use_accelerate_endpoint"}}}, o.UseAccelerateEndpoint, false)
	s.DisableMultiRegionAccessPoints = getBool(r, s3spec("disable_multiregion_access_points", "DisableMultiRegionAccessPoints",
		"AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS"), o.DisableMultiRegionAccessPoints, false)
	s.DisableExpressSessionAuth = getBool(r, s3spec("disable_express_session_auth", "DisableExpressSessionAuth",
		"AWS_S3_DISABLE_EXPRESS_SESSION_AUTH"), o.DisableExpressSessionAuth, false)
}

// s3spec is an S3 setting read from envVar, the profile key "s3_"+name, or
// the sub-property name (or "s3_"+name) of the profile's s3 property.
func s3spec(name, option, envVar string) spec {
	return spec{"s3_" + name, "S3." + option, env(envVar), []profileKey{{"s3_" + name, ""}, {"s3", name}, {"s3", "s3_" + name}}}
}

func processEnv() map[string]string {
	environ := os.Environ()
	env := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			env[k] = v
		}
	}
	return env
}

func optInt(set bool, n int) string {
	if !set {
		return ""
	}
	return strconv.Itoa(n)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
