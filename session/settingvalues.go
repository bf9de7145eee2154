package session

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RetryMode is the retry_mode setting.
type RetryMode string

const (
	RetryModeStandard RetryMode = "standard"
	RetryModeAdaptive RetryMode = "adaptive"
	RetryModeLegacy   RetryMode = "legacy"
)

// DefaultsMode is the defaults_mode setting, which picks default timeouts
// and other values for the environment the program runs in.
type DefaultsMode string

const (
	DefaultsModeLegacy      DefaultsMode = "legacy"
	DefaultsModeStandard    DefaultsMode = "standard"
	DefaultsModeInRegion    DefaultsMode = "in-region"
	DefaultsModeCrossRegion DefaultsMode = "cross-region"
	DefaultsModeMobile      DefaultsMode = "mobile"
	DefaultsModeAuto        DefaultsMode = "auto"
)

// RegionalEndpoints is the value of sts_regional_endpoints and of S3's
// us_east_1_regional_endpoint: whether us-east-1 (and, for STS, the other
// legacy global regions) use the global endpoint or the regional one.
type RegionalEndpoints string

const (
	RegionalEndpointsLegacy   RegionalEndpoints = "legacy"
	RegionalEndpointsRegional RegionalEndpoints = "regional"
)

// S3AddressingStyle is S3's addressing_style: bucket in the host or the path.
type S3AddressingStyle string

const (
	S3AddressingAuto    S3AddressingStyle = "auto"
	S3AddressingVirtual S3AddressingStyle = "virtual"
	S3AddressingPath    S3AddressingStyle = "path"
)

// AccountIDEndpointMode is account_id_endpoint_mode: whether endpoints that
// embed the account id are used.
type AccountIDEndpointMode string

const (
	AccountIDEndpointPreferred AccountIDEndpointMode = "preferred"
	AccountIDEndpointDisabled  AccountIDEndpointMode = "disabled"
	AccountIDEndpointRequired  AccountIDEndpointMode = "required"
)

// ChecksumMode is the value of request_checksum_calculation and
// response_checksum_validation.
type ChecksumMode string

const (
	// ChecksumWhenSupported computes (or validates) a checksum whenever the
	// operation supports one.
	ChecksumWhenSupported ChecksumMode = "when_supported"
	// ChecksumWhenRequired does so only when the operation requires it (or,
	// for validation, the caller asked for it).
	ChecksumWhenRequired ChecksumMode = "when_required"
)

// SettingError reports a setting with a bad value, naming where the value
// came from: "file:line", "environment variable NAME" or "option Field".
type SettingError struct {
	Setting string // e.g. "max_attempts"
	Value   string
	Source  string
	Problem string // e.g. "want a positive integer"
}

func (e *SettingError) Error() string {
	return fmt.Sprintf("%s: invalid %s %q: %s", e.Source, e.Setting, e.Value, e.Problem)
}

// A valueParser converts a raw setting value, or says what is wrong with it.
type valueParser[T any] func(raw string) (T, string)

func parseString(raw string) (string, string) { return raw, "" }

func parseBool(raw string) (bool, string) {
	switch strings.ToLower(raw) {
	case "true":
		return true, ""
	case "false":
		return false, ""
	}
	return false, "want true or false"
}

// parseEnum accepts one of allowed, in any case.
func parseEnum[T ~string](allowed ...T) valueParser[T] {
	return func(raw string) (T, string) {
		for _, a := range allowed {
			if strings.EqualFold(raw, string(a)) {
				return a, ""
			}
		}
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = string(a)
		}
		return "", "want one of " + strings.Join(names, ", ")
	}
}

// parseIntRange accepts a decimal integer in [lo, hi].
func parseIntRange(lo, hi int) valueParser[int] {
	return func(raw string) (int, string) {
		n, err := strconv.Atoi(raw)
		if err != nil || n < lo || n > hi {
			if hi == math.MaxInt {
				return 0, fmt.Sprintf("want an integer of at least %d", lo)
			}
			return 0, fmt.Sprintf("want an integer from %d to %d", lo, hi)
		}
		return n, ""
	}
}

// parseSeconds accepts a non-negative number of seconds, such as "5" or "0.5".
func parseSeconds(raw string) (time.Duration, string) {
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f > math.MaxInt64/float64(time.Second) {
		return 0, "want a non-negative number of seconds"
	}
	return time.Duration(f * float64(time.Second)), ""
}

// parseRegion accepts a region name that can be a DNS label: letters,
// digits and '-', 1 to 63 characters, not starting or ending with '-'.
func parseRegion(raw string) (string, string) {
	const problem = "want a region name such as us-east-1 (letters, digits and '-')"
	if raw == "" || len(raw) > 63 || raw[0] == '-' || raw[len(raw)-1] == '-' {
		return "", problem
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return "", problem
		}
	}
	return raw, ""
}

// parseEndpointURL accepts an absolute http or https URL with a host.
func parseEndpointURL(raw string) (string, string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "want an absolute http:// or https:// URL with a host"
	}
	return raw, ""
}
