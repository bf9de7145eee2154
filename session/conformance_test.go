package session

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/internal/testenv"
)

// conformanceTally counts the cases of one suite file and prints the
// CONFORMANCE line when the test ends.
type conformanceTally struct {
	name                    string
	passed, failed, skipped int
}

func newTally(t *testing.T, name string) *conformanceTally {
	c := &conformanceTally{name: name}
	t.Cleanup(func() {
		fmt.Printf("CONFORMANCE suite=%s passed=%d failed=%d skipped=%d\n", c.name, c.passed, c.failed, c.skipped)
	})
	return c
}

// check records one case: ok, or a failure reported with t.Errorf.
func (c *conformanceTally) check(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if ok {
		c.passed++
		return
	}
	c.failed++
	t.Errorf(format, args...)
}

func readSuite(t *testing.T, rel string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.ConformanceDir(t), rel))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v))
}

// isolateFromHome keeps a test from reading the real ~/.aws.
func isolateFromHome(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("USERPROFILE", dir)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
}

func TestConformanceProfileParser(t *testing.T) {
	isolateFromHome(t)
	var suite struct {
		Tests []struct {
			Name  string
			Input struct {
				ConfigFile      *string `json:"configFile"`
				CredentialsFile *string `json:"credentialsFile"`
			}
			Output struct {
				ErrorContaining *string `json:"errorContaining"`
				Config          *struct {
					Profiles    map[string]map[string]string `json:"profiles"`
					SSOSessions map[string]map[string]string `json:"sso_sessions"`
				} `json:"config"`
			}
		}
	}
	readSuite(t, "config-file/smithy-rs/profile-parser-tests.json", &suite)
	require.NotEmpty(t, suite.Tests)
	tally := newTally(t, "smithy-rs/profile-parser-tests")
	for i, tc := range suite.Tests {
		var files []SourceFile
		if tc.Input.ConfigFile != nil {
			files = append(files, SourceFile{Kind: ConfigFile, Path: "config", Data: []byte(*tc.Input.ConfigFile)})
		}
		if tc.Input.CredentialsFile != nil {
			files = append(files, SourceFile{Kind: CredentialsFile, Path: "credentials", Data: []byte(*tc.Input.CredentialsFile)})
		}
		got, err := ParseSharedConfig(files...)
		name := fmt.Sprintf("case %d %q", i, tc.Name)
		switch want := tc.Output; {
		case want.ErrorContaining != nil:
			tally.check(t, err != nil && strings.Contains(err.Error(), *want.ErrorContaining),
				"%s: got error %v, want one containing %q", name, err, *want.ErrorContaining)
		case want.Config == nil:
			tally.skipped++
			t.Logf("%s: no expected output", name)
		case err != nil:
			tally.check(t, false, "%s: unexpected error %v", name, err)
		default:
			ok := reflect.DeepEqual(sectionValues(got, profileSections), nonNil(want.Config.Profiles))
			if ok && want.Config.SSOSessions != nil {
				ok = reflect.DeepEqual(sectionValues(got, ssoSessionSections), want.Config.SSOSessions)
			}
			tally.check(t, ok, "%s:\n got profiles %v sso-sessions %v\nwant profiles %v sso-sessions %v", name,
				sectionValues(got, profileSections), sectionValues(got, ssoSessionSections),
				want.Config.Profiles, want.Config.SSOSessions)
		}
	}
}

// sectionValues flattens the sections of one kind to name → key → raw value.
func sectionValues(c *SharedConfig, kind sectionKind) map[string]map[string]string {
	out := map[string]map[string]string{}
	for name, s := range c.sections(kind) {
		props := map[string]string{}
		for _, k := range s.Keys() {
			props[k], _ = s.Get(k)
		}
		out[name] = props
	}
	return out
}

func nonNil(m map[string]map[string]string) map[string]map[string]string {
	if m == nil {
		return map[string]map[string]string{}
	}
	return m
}

func TestConformanceFileLocation(t *testing.T) {
	isolateFromHome(t)
	var suite struct {
		Tests []struct {
			Name                string
			Environment         map[string]string
			Platform            string
			Profile             *string
			ConfigLocation      string
			CredentialsLocation string
		}
	}
	readSuite(t, "config-file/smithy-rs/file-location-tests.json", &suite)
	require.NotEmpty(t, suite.Tests)
	tally := newTally(t, "smithy-rs/file-location-tests")
	for i, tc := range suite.Tests {
		getenv := func(k string) string { return tc.Environment[k] }
		config, credentials := sharedFilePaths(getenv, tc.Platform == "windows", nil)
		ok := config == tc.ConfigLocation && credentials == tc.CredentialsLocation
		profile, _ := selectProfile("", getenv)
		if tc.Profile != nil {
			ok = ok && profile == *tc.Profile
		}
		tally.check(t, ok, "case %d %q: got config %q credentials %q profile %q; want %q %q %v",
			i, tc.Name, config, credentials, profile, tc.ConfigLocation, tc.CredentialsLocation, tc.Profile)
	}
}

func TestConformanceConfiguredEndpointURLs(t *testing.T) {
	isolateFromHome(t)
	var suite struct {
		TestSuites []struct {
			Profiles      map[string]map[string]string
			Services      map[string]map[string]map[string]string
			ClientConfigs map[string]struct {
				EndpointURL                  string `json:"endpoint_url"`
				IgnoreConfiguredEndpointURLs *bool  `json:"ignore_configured_endpoint_urls"`
			} `json:"client_configs"`
			Environments     map[string]map[string]string
			EndpointURLTests []struct {
				Name         string
				Profile      string
				ClientConfig string `json:"client_config"`
				Environment  string
				Service      string
				Output       struct {
					EndpointURL string `json:"endpointUrl"`
				}
			} `json:"endpointUrlTests"`
		} `json:"testSuites"`
	}
	readSuite(t, "config-file/botocore-configured-endpoint-urls/profile-tests.json", &suite)
	require.NotEmpty(t, suite.TestSuites)
	tally := newTally(t, "botocore-configured-endpoint-urls/profile-tests")
	for si, ts := range suite.TestSuites {
		configPath := filepath.Join(t.TempDir(), "config")
		require.NoError(t, os.WriteFile(configPath, []byte(endpointSuiteConfig(ts.Profiles, ts.Services)), 0o600))
		for i, tc := range ts.EndpointURLTests {
			name := fmt.Sprintf("suite %d case %d %q", si, i, tc.Name)
			cc, okCC := ts.ClientConfigs[tc.ClientConfig]
			envVars, okEnv := ts.Environments[tc.Environment]
			if !okCC || !okEnv {
				tally.check(t, false, "%s: unknown client config %q or environment %q", name, tc.ClientConfig, tc.Environment)
				continue
			}
			env := maps.Clone(envVars)
			if env == nil {
				env = map[string]string{}
			}
			env["AWS_CONFIG_FILE"] = configPath
			env["AWS_SHARED_CREDENTIALS_FILE"] = filepath.Join(filepath.Dir(configPath), "no-credentials")
			s, err := LoadSettings(Options{
				Profile:                      tc.Profile,
				Env:                          env,
				EndpointURL:                  cc.EndpointURL,
				IgnoreConfiguredEndpointURLs: cc.IgnoreConfiguredEndpointURLs,
			})
			if err != nil {
				tally.check(t, false, "%s: %v", name, err)
				continue
			}
			got := s.ServiceEndpointURL(tc.Service)
			if got == "" {
				// Nothing configured: the endpoint rules decide. They are not this
				// package's; the suite expects the plain regional endpoint.
				got = "https://" + tc.Service + "." + s.Region + ".amazonaws.com"
			}
			tally.check(t, got == tc.Output.EndpointURL, "%s: got %q, want %q", name, got, tc.Output.EndpointURL)
		}
	}
}

// endpointSuiteConfig writes the suite's profiles and services sections as
// a shared config file.
func endpointSuiteConfig(profiles map[string]map[string]string, services map[string]map[string]map[string]string) string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(profiles)) {
		fmt.Fprintf(&b, "[profile %s]\n", name)
		for _, k := range slices.Sorted(maps.Keys(profiles[name])) {
			fmt.Fprintf(&b, "%s = %s\n", k, profiles[name][k])
		}
	}
	for _, name := range slices.Sorted(maps.Keys(services)) {
		fmt.Fprintf(&b, "[services %s]\n", name)
		for _, svc := range slices.Sorted(maps.Keys(services[name])) {
			fmt.Fprintf(&b, "%s =\n", svc)
			for _, k := range slices.Sorted(maps.Keys(services[name][svc])) {
				fmt.Fprintf(&b, "  %s = %s\n", k, services[name][svc][k])
			}
		}
	}
	return b.String()
}
