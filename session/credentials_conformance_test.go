package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/events"
	"github.com/aioaws/aioaws/internal/testenv"
)

// The credentials suite of smithy-rs: default-chain and profile-provider
// cases with recorded HTTP traffic, the profile-chain plans of
// assume-role-tests.json, the container URI rules of ecs-tests.json, the
// IMDS endpoint rules of imds-endpoint-tests.json and the SSO token cases
// of default-token-provider-chain. Recorded traffic is served by an
// httptest server on 127.0.0.1: the IMDS and container HTTP client sends
// every request there, and the STS and SSO clients hand theirs to it from
// a before-send handler, after their endpoint was resolved, so the
// resolved host (FIPS, dual-stack, endpoint_url overrides) is checked
// against the recording.

// credDivergences are cases where aioaws deliberately answers differently
// from smithy-rs, with what it answers instead (a substring of its error).
// smithy-rs reports a credential_source that has nothing ("not enabled"),
// so the chain moves on; here a profile that names a credential_source is
// configured, and its failure stops the chain with an error naming the
// profile, as botocore does.
var credDivergences = map[string]string{
	"default-credential-provider-chain/imds_no_iam_role":               "source credentials (imds) unavailable: imds: not configured: the instance has no IAM role",
	"default-credential-provider-chain/profile_overrides_web_identity": "source credentials (env) unavailable",
}

// credUnsignedCheck lists cases whose recording was signed with other keys
// than the ones the same recording hands out; there only the presence of
// a signature is checked.
var credUnsignedCheck = map[string]string{
	"default-credential-provider-chain/ecs_assume_role": "the STS request was recorded signed with IMDS's keys (ASIARSTSBASE), not the ECS keys of the recording",
}

// credErrorSubstrings are what aioaws's error must contain for cases that
// expect an error (smithy-rs's wording differs).
var credErrorSubstrings = map[string][]string{
	"default-credential-provider-chain/eks_pod_identity_no_token_file":     {"container", "no such file or directory"},
	"default-credential-provider-chain/imds_token_fail":                    {"forbidden"},
	"default-credential-provider-chain/sso_no_token_file":                  {"dace00cba5f8355ec9d274ceb2bcebdfbeed0e12.json", "no such file or directory"},
	"default-credential-provider-chain/sso_server_error":                   {"an error occurred while loading credentials", "HTTP 503"},
	"default-credential-provider-chain/web_identity_source_profile_no_env": {"web_identity_token_file is set but role_arn is missing"},
	"default-credential-provider-chain/web_identity_token_invalid_jwt":     {"InvalidIdentityToken", "No OpenIDConnect provider found"},
	"profile-provider/credential_process_failure":                          {"exit status 1"},
	"profile-provider/credential_process_invalid":                          {"not valid JSON"},
	"profile-provider/invalid_sso_credentials_config":                      {"access token instead of credentials"},
	"profile-provider/sso_token":                                           {"access token instead of credentials"},
}

type credExpected struct {
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
	SessionToken    string `json:"session_token"`
	AccountID       string `json:"account_id"`
	Expiry          *int64 `json:"expiry"`
}

type credTestCase struct {
	Name   string
	Docs   string
	Result struct {
		Ok            *credExpected
		ErrorContains *string
	}
}

func TestConformanceCredentials(t *testing.T) {
	root := filepath.Join(testenv.ConformanceDir(t), "credentials", "smithy-rs")
	tally := newTally(t, "credentials-smithy-rs")
	skip := func(t *testing.T, name, why string) {
		tally.skipped++
		fmt.Printf("conformance skip: credentials-smithy-rs %s: %s\n", name, why)
		t.Logf("skip %s: %s", name, why)
	}
	for _, suite := range []string{"default-credential-provider-chain", "profile-provider"} {
		entries, err := os.ReadDir(filepath.Join(root, suite))
		require.NoError(t, err)
		for _, e := range entries {
			name := suite + "/" + e.Name()
			t.Run(name, func(t *testing.T) {
				ok, msg := runCredentialCase(t, filepath.Join(root, suite, e.Name()), name, suite == "profile-provider")
				tally.check(t, ok, "%s: %s", name, msg)
			})
		}
	}
	t.Run("default-token-provider-chain", func(t *testing.T) { runTokenCases(t, root, tally) })
	t.Run("assume-role-tests", func(t *testing.T) { runProfilePlanCases(t, root, tally) })
	t.Run("ecs-tests", func(t *testing.T) { runContainerURICases(t, root, tally) })
	t.Run("imds-endpoint-tests", func(t *testing.T) { runIMDSEndpointCases(t, root, tally) })
	t.Run("login-provider", func(t *testing.T) {
		var cases []json.RawMessage
		data, err := os.ReadFile(filepath.Join(root, "login-provider-test-cases.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &cases))
		for i := range cases {
			skip(t, fmt.Sprintf("login-provider-test-cases.json[%d]", i), "the login_session (aws login) credentials provider is not built")
		}
	})
}

// credFixture is a case's fake file system: a temporary root holding the
// case's fs/ tree, and a ReadFile that maps absolute paths into it.
type credFixture struct {
	root string
}

func newCredFixture(t *testing.T, caseDir string) *credFixture {
	t.Helper()
	f := &credFixture{root: t.TempDir()}
	if fsDir := filepath.Join(caseDir, "fs"); dirExists(fsDir) {
		require.NoError(t, os.CopyFS(f.root, os.DirFS(fsDir)))
	}
	return f
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func (f *credFixture) path(name string) string {
	if filepath.IsAbs(name) && !strings.HasPrefix(name, f.root) {
		return filepath.Join(f.root, name)
	}
	return name
}

func (f *credFixture) readFile(name string) ([]byte, error) { return os.ReadFile(f.path(name)) }

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v))
}

// runCredentialCase runs one case directory and reports whether it passed.
func runCredentialCase(t *testing.T, dir, name string, profileOnly bool) (bool, string) {
	var tc credTestCase
	readJSON(t, filepath.Join(dir, "test-case.json"), &tc)
	env := map[string]string{}
	readJSON(t, filepath.Join(dir, "env.json"), &env)
	fx := newCredFixture(t, dir)
	replay := newReplay(t, filepath.Join(dir, "http-traffic.json"))
	_, replay.anyKey = credUnsignedCheck[name]

	settings, err := LoadSettings(Options{Env: env,
		ConfigFile:      fx.path("/home/.aws/config"),
		CredentialsFile: fx.path("/home/.aws/credentials")})
	var creds aws.Credentials
	if err == nil {
		var chain *Chain
		chain, err = DefaultChain(ChainOptions{
			Settings:   settings,
			Env:        env,
			Clients:    ClientConfig{OptFns: []func(string, *client.Options){replay.clientOptions}},
			HTTPClient: replay.httpClient(),
			ReadFile:   fx.readFile,
			Sleep:      func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		})
		if err == nil {
			if profileOnly { // the profile provider alone
				for _, n := range []string{ProviderEnv, ProviderContainer, ProviderIMDS} {
					chain.Remove(n)
				}
			}
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			creds, err = chain.Retrieve(ctx)
			cancel()
		}
	}
	t.Logf("%s: creds=%+v err=%v", name, creds, err)
	if problems := replay.problems(); len(problems) > 0 {
		return false, "traffic: " + strings.Join(problems, "; ")
	}
	switch {
	case tc.Result.Ok != nil:
		if err != nil {
			return false, fmt.Sprintf("want credentials, got error: %v", err)
		}
		want := tc.Result.Ok
		got := credExpected{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken, AccountID: creds.AccountID}
		if !creds.Expires.IsZero() {
			exp := creds.Expires.Unix()
			got.Expiry = &exp
		}
		if !reflect.DeepEqual(&got, want) {
			return false, fmt.Sprintf("got %s, want %s", fmtCred(&got), fmtCred(want))
		}
		return true, ""
	case tc.Result.ErrorContains != nil:
		if err == nil {
			return false, fmt.Sprintf("want an error like %q, got credentials %+v", *tc.Result.ErrorContains, creds)
		}
		if div, ok := credDivergences[name]; ok {
			var ce *ChainError
			if !errors.As(err, &ce) || ce.Failed == nil || !strings.Contains(err.Error(), div) {
				return false, fmt.Sprintf("divergent case: want a failed provider with %q, got %v", div, err)
			}
			return true, ""
		}
		if strings.Contains(*tc.Result.ErrorContains, "not enabled") {
			if !errors.Is(err, ErrNoCredentials) {
				return false, fmt.Sprintf("want no provider configured (ErrNoCredentials), got %v", err)
			}
			return true, ""
		}
		if strings.Contains(*tc.Result.ErrorContains, "could not parse profile file") {
			var pe *ParseError
			return errors.As(err, &pe), fmt.Sprintf("want a *ParseError, got %v", err)
		}
		for _, s := range credErrorSubstrings[name] {
			if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(s)) {
				return false, fmt.Sprintf("error %q does not contain %q", err, s)
			}
		}
		return true, ""
	}
	return false, "test case has neither Ok nor ErrorContains"
}

func fmtCred(c *credExpected) string {
	exp := "none"
	if c.Expiry != nil {
		exp = fmt.Sprint(*c.Expiry)
	}
	return fmt.Sprintf("{%s %s %s account=%s expiry=%s}", c.AccessKeyID, c.SecretAccessKey, c.SessionToken, c.AccountID, exp)
}

// exchange is one recorded request and its response.
type exchange struct {
	method  string
	url     *url.URL
	header  http.Header
	body    []byte
	status  int
	rheader http.Header
	rbody   []byte
	used    bool
}

// replay serves recorded exchanges from an httptest server.
type replay struct {
	srv       *httptest.Server
	transport *http.Transport
	mu        sync.Mutex
	exchanges []*exchange
	unmatched []string
	anyKey    bool // accept any SigV4 key (see credUnsignedCheck)
}

func newReplay(t *testing.T, trafficFile string) *replay {
	r := &replay{}
	var traffic struct {
		Events []struct {
			ConnectionID int `json:"connection_id"`
			Action       struct {
				Request *struct {
					Request struct {
						URI     string              `json:"uri"`
						Headers map[string][]string `json:"headers"`
						Method  string              `json:"method"`
					} `json:"request"`
				} `json:"Request"`
				Response *struct {
					Response struct {
						Ok *struct {
							Status  int                 `json:"status"`
							Headers map[string][]string `json:"headers"`
						} `json:"Ok"`
					} `json:"response"`
				} `json:"Response"`
				Data *struct {
					Data struct {
						Utf8 *string `json:"Utf8"`
					} `json:"data"`
					Direction string `json:"direction"`
				} `json:"Data"`
			} `json:"action"`
		} `json:"events"`
	}
	if data, err := os.ReadFile(trafficFile); err == nil {
		require.NoError(t, json.Unmarshal(data, &traffic))
	}
	byConn := map[int]*exchange{}
	for _, ev := range traffic.Events {
		x := byConn[ev.ConnectionID]
		if x == nil {
			x = &exchange{header: http.Header{}, rheader: http.Header{}}
			byConn[ev.ConnectionID] = x
			r.exchanges = append(r.exchanges, x)
		}
		a := ev.Action
		switch {
		case a.Request != nil:
			u, err := url.Parse(a.Request.Request.URI)
			require.NoError(t, err)
			if u.Path == "" {
				u.Path = "/"
			}
			x.method, x.url = a.Request.Request.Method, u
			for k, vs := range a.Request.Request.Headers {
				x.header[http.CanonicalHeaderKey(k)] = vs
			}
		case a.Response != nil && a.Response.Response.Ok != nil:
			x.status = a.Response.Response.Ok.Status
			for k, vs := range a.Response.Response.Ok.Headers {
				x.rheader[http.CanonicalHeaderKey(k)] = vs
			}
		case a.Data != nil && a.Data.Data.Utf8 != nil:
			if a.Data.Direction == "Request" {
				x.body = append(x.body, *a.Data.Data.Utf8...)
			} else {
				x.rbody = append(x.rbody, *a.Data.Data.Utf8...)
			}
		}
	}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	r.transport = &http.Transport{}
	t.Cleanup(func() {
		r.transport.CloseIdleConnections()
		r.srv.Close()
	})
	return r
}

// httpClient sends every request to the replay server, telling it the
// host and scheme the request was meant for.
func (r *replay) httpClient() *http.Client {
	return &http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
		req = req.Clone(req.Context())
		req.Header.Set("X-Replay-Host", req.URL.Host)
		req.Header.Set("X-Replay-Scheme", req.URL.Scheme)
		srv, _ := url.Parse(r.srv.URL)
		req.URL.Scheme, req.URL.Host, req.Host = "http", srv.Host, ""
		return r.transport.RoundTrip(req)
	}), Timeout: 10 * time.Second}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// clientOptions makes an STS or SSO client send its requests, once
// resolved and signed, to the replay server; retries do not sleep.
func (r *replay) clientOptions(service string, o *client.Options) {
	reg := &events.Registry{}
	hc := r.httpClient()
	reg.Register(events.BeforeSend, func(ctx context.Context, e *events.Event) error {
		var body []byte
		if e.Request.Body != nil {
			var err error
			if body, err = io.ReadAll(e.Request.Body); err != nil {
				return err
			}
		}
		req := e.Request.Clone(ctx)
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		e.Response = resp
		return nil
	})
	o.Events = reg
	o.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
}

func (r *replay) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	host, scheme := req.Header.Get("X-Replay-Host"), req.Header.Get("X-Replay-Scheme")
	r.mu.Lock()
	var match *exchange
	var why []string
	for _, x := range r.exchanges {
		if x.used || x.url == nil {
			continue
		}
		if msg := x.mismatch(req, host, scheme, body, r.anyKey); msg != "" {
			why = append(why, msg)
			continue
		}
		match = x
		x.used = true
		break
	}
	if match == nil {
		// A retry of a request that got a server error gets it again: the
		// recording stops at the first failure.
		for _, x := range slices.Backward(r.exchanges) {
			if x.used && x.status >= 500 && x.mismatch(req, host, scheme, body, r.anyKey) == "" {
				match = x
				break
			}
			if x.used {
				break
			}
		}
	}
	if match == nil {
		r.unmatched = append(r.unmatched, fmt.Sprintf("%s %s://%s%s (%s)", req.Method, scheme, host, req.URL.RequestURI(), strings.Join(why, ", ")))
	}
	r.mu.Unlock()
	if match == nil {
		http.Error(w, "no recorded exchange", http.StatusNotFound)
		return
	}
	for k, vs := range match.rheader {
		switch k {
		case "Content-Length", "Connection", "Transfer-Encoding":
			continue
		}
		w.Header()[k] = vs
	}
	w.WriteHeader(match.status)
	w.Write(match.rbody)
}

// mismatch says why req is not x ("" if it is).
func (x *exchange) mismatch(req *http.Request, host, scheme string, body []byte, anyKey bool) string {
	if req.Method != x.method {
		return "method"
	}
	if host != x.url.Host || scheme != x.url.Scheme {
		return fmt.Sprintf("host %s://%s, recorded %s://%s", scheme, host, x.url.Scheme, x.url.Host)
	}
	path := req.URL.Path
	if path == "" {
		path = "/"
	}
	if path != x.url.Path {
		return "path"
	}
	if !reflect.DeepEqual(req.URL.Query(), x.url.Query()) && !(len(req.URL.Query()) == 0 && len(x.url.Query()) == 0) {
		return "query"
	}
	for _, h := range []string{"X-Aws-Ec2-Metadata-Token", "X-Amz-Sso_bearer_token"} {
		if want := x.header.Get(h); want != "" && req.Header.Get(h) != want {
			return fmt.Sprintf("header %s %q, recorded %q", h, req.Header.Get(h), want)
		}
	}
	if x.header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds") != "" && req.Header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds") == "" {
		return "no token TTL header"
	}
	wantAuth, gotAuth := x.header.Get("Authorization"), req.Header.Get("Authorization")
	if strings.HasPrefix(wantAuth, "AWS4-HMAC-SHA256") {
		if got := credentialOf(gotAuth); got == "" || (!anyKey && got != credentialOf(wantAuth)) {
			return fmt.Sprintf("signed by %q, recorded %q", credentialOf(gotAuth), credentialOf(wantAuth))
		}
	} else if x.url.Host != "" && strings.Contains(x.url.Host, "sts") && gotAuth != "" {
		return "signed, recorded unsigned"
	}
	if len(x.body) > 0 && strings.HasPrefix(string(x.body), "Action=") {
		want, _ := url.ParseQuery(string(x.body))
		got, _ := url.ParseQuery(string(body))
		if got.Get("Action") != want.Get("Action") {
			return fmt.Sprintf("Action %s, recorded %s", got.Get("Action"), want.Get("Action"))
		}
	}
	return ""
}

// credentialOf returns the access key id of a SigV4 Authorization header.
func credentialOf(auth string) string {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// problems lists requests that matched no recording and recordings never requested.
func (r *replay) problems() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, u := range r.unmatched {
		// Unrecorded requests are answered 404; the extended IMDS API is
		// meant to get that answer where it is not recorded.
		if strings.Contains(u, imdsCredsExtPath) {
			continue
		}
		out = append(out, "unrecorded request "+u)
	}
	for _, x := range r.exchanges {
		if !x.used && x.url != nil {
			out = append(out, "recorded request not made: "+x.method+" "+x.url.String())
		}
	}
	return out
}

func runTokenCases(t *testing.T, root string, tally *conformanceTally) {
	dir := filepath.Join(root, "default-token-provider-chain")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			caseDir := filepath.Join(dir, e.Name())
			var tc struct {
				Result struct {
					Ok *struct {
						Token      string
						Expiration time.Time
					}
				}
			}
			readJSON(t, filepath.Join(caseDir, "test-case.json"), &tc)
			env := map[string]string{}
			readJSON(t, filepath.Join(caseDir, "env.json"), &env)
			fx := newCredFixture(t, caseDir)
			settings, err := LoadSettings(Options{Env: env, ConfigFile: fx.path("/home/.aws/config"), CredentialsFile: fx.path("/home/.aws/credentials")})
			require.NoError(t, err)
			plan, err := ResolveProfileCredentials(settings.SharedConfig(), settings.Profile)
			var tok SSOToken
			if err == nil {
				p := &SSOProvider{Config: plan.Base.SSO, CacheDir: DefaultSSOCacheDir(env["HOME"]), ReadFile: fx.readFile}
				tok, err = p.Token(t.Context())
			}
			want := tc.Result.Ok
			ok := err == nil && want != nil && tok.AccessToken == want.Token && tok.ExpiresAt.Equal(want.Expiration)
			tally.check(t, ok, "%s: token %+v err %v, want %+v", e.Name(), tok, err, want)
		})
	}
}

func runProfilePlanCases(t *testing.T, root string, tally *conformanceTally) {
	var cases []struct {
		Docs  string
		Input struct {
			Profiles        map[string]map[string]string `json:"profiles"`
			SSOSessions     map[string]map[string]string `json:"sso_sessions"`
			SelectedProfile string                       `json:"selected_profile"`
		}
		Output struct {
			ProfileChain []map[string]any
			Error        *string
		}
	}
	readJSON(t, filepath.Join(root, "assume-role-tests.json"), &cases)
	for i, c := range cases {
		var b strings.Builder
		for _, name := range sortedKeys(c.Input.Profiles) {
			fmt.Fprintf(&b, "[profile %s]\n", name)
			writeProps(&b, c.Input.Profiles[name])
		}
		for _, name := range sortedKeys(c.Input.SSOSessions) {
			fmt.Fprintf(&b, "[sso-session %s]\n", name)
			writeProps(&b, c.Input.SSOSessions[name])
		}
		cfg, err := ParseSharedConfig(SourceFile{Kind: ConfigFile, Path: "config", Data: []byte(b.String())})
		require.NoError(t, err)
		plan, err := ResolveProfileCredentials(cfg, c.Input.SelectedProfile)
		label := fmt.Sprintf("assume-role-tests[%d] %s", i, c.Docs)
		if c.Output.Error != nil {
			tally.check(t, err != nil, "%s: want an error like %q, got plan %+v", label, *c.Output.Error, plan)
			if err != nil {
				t.Logf("%s: %v (smithy-rs: %s)", label, err, *c.Output.Error)
			}
			continue
		}
		if err != nil {
			tally.check(t, false, "%s: %v", label, err)
			continue
		}
		got := planSteps(plan)
		want := make([]string, len(c.Output.ProfileChain))
		for j, step := range c.Output.ProfileChain {
			want[j] = stepString(step)
		}
		tally.check(t, slices.Equal(got, want), "%s:\n got %q\nwant %q", label, got, want)
	}
}

func writeProps(b *strings.Builder, props map[string]string) {
	for _, k := range sortedKeys(props) {
		fmt.Fprintf(b, "%s = %s\n", k, props[k])
	}
}

// stepString renders a smithy-rs ProfileChain step as "Kind{k=v ...}".
func stepString(step map[string]any) string {
	for kind, v := range step {
		switch v := v.(type) {
		case string:
			return kind + "{" + v + "}"
		case map[string]any:
			var kv []string
			for k, x := range v {
				kv = append(kv, fmt.Sprintf("%s=%v", k, x))
			}
			sort.Strings(kv)
			return kind + "{" + strings.Join(kv, " ") + "}"
		}
	}
	return fmt.Sprint(step)
}

// planSteps renders a plan in the same form as stepString.
func planSteps(p *ProfileCredentials) []string {
	render := func(kind string, fields ...string) string {
		var kv []string
		for i := 0; i+1 < len(fields); i += 2 {
			if fields[i+1] != "" {
				kv = append(kv, fields[i]+"="+fields[i+1])
			}
		}
		sort.Strings(kv)
		return kind + "{" + strings.Join(kv, " ") + "}"
	}
	var out []string
	b := p.Base
	switch b.Kind {
	case SourceStaticKeys:
		out = append(out, render("AccessKey", "access_key_id", b.AccessKeyID, "secret_access_key", b.SecretAccessKey, "account_id", b.AccountID))
	case SourceNamed:
		out = append(out, "NamedSource{"+b.CredentialSource+"}")
	case SourceWebIdentity:
		out = append(out, render("WebIdentityToken", "role_arn", b.RoleARN, "web_identity_token_file", b.WebIdentityTokenFile, "role_session_name", b.RoleSessionName))
	case SourceSSO:
		s := b.SSO
		out = append(out, render("Sso", "sso_session", s.Session, "sso_region", s.Region, "sso_start_url", s.StartURL, "sso_account_id", s.AccountID, "sso_role_name", s.RoleName))
	case SourceProcess:
		out = append(out, render("CredentialProcess", "command", b.CredentialProcess))
	}
	for _, r := range p.Roles {
		dur := ""
		if r.DurationSeconds > 0 {
			dur = fmt.Sprint(r.DurationSeconds)
		}
		out = append(out, render("AssumeRole", "role_arn", r.RoleARN, "external_id", r.ExternalID, "role_session_name", r.RoleSessionName, "duration_seconds", dur))
	}
	return out
}

func runContainerURICases(t *testing.T, root string, tally *conformanceTally) {
	var suite struct {
		Tests []struct {
			Docs   string
			Env    map[string]string
			Result struct {
				Ok            *string
				ErrorContains *string
			}
		}
	}
	readJSON(t, filepath.Join(root, "ecs-tests.json"), &suite)
	for _, c := range suite.Tests {
		u, err := ContainerCredentialsURL(func(k string) string { return c.Env[k] }, "")
		switch {
		case c.Result.Ok != nil:
			tally.check(t, err == nil && u == *c.Result.Ok, "ecs-tests %s: got %q, %v; want %q", c.Docs, u, err, *c.Result.Ok)
		case strings.Contains(*c.Result.ErrorContains, "No environment variables"):
			tally.check(t, errors.Is(err, ErrNotConfigured), "ecs-tests %s: want not configured, got %q, %v", c.Docs, u, err)
		default:
			tally.check(t, err != nil && strings.Contains(err.Error(), "did not specify a host"), "ecs-tests %s: got %q, %v; want error %q", c.Docs, u, err, *c.Result.ErrorContains)
		}
	}
}

func runIMDSEndpointCases(t *testing.T, root string, tally *conformanceTally) {
	var suite struct {
		Tests []struct {
			Docs             string
			Env              map[string]string
			FS               map[string]string
			EndpointOverride string `json:"endpoint_override"`
			ModeOverride     string `json:"mode_override"`
			Result           struct {
				Ok  *string
				Err *string
			}
		}
	}
	readJSON(t, filepath.Join(root, "imds-config", "imds-endpoint-tests.json"), &suite)
	for _, c := range suite.Tests {
		dir := t.TempDir()
		for name, content := range c.FS {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
		}
		opts := Options{Env: c.Env, ConfigFile: filepath.Join(dir, "no-config"), CredentialsFile: filepath.Join(dir, "no-credentials")}
		if f := c.Env["AWS_CONFIG_FILE"]; f != "" {
			opts.ConfigFile = filepath.Join(dir, f)
		}
		s, err := LoadSettings(opts)
		require.NoError(t, err)
		cfg, err := LoadIMDSConfig(func(k string) string { return c.Env[k] }, s.ProfileSection(), c.EndpointOverride, c.ModeOverride)
		got := cfg.Endpoint + imdsTokenPath
		if c.Result.Ok != nil {
			tally.check(t, err == nil && got == *c.Result.Ok, "imds-endpoint-tests %s: got %q, %v; want %q", c.Docs, got, err, *c.Result.Ok)
		} else {
			tally.check(t, err != nil, "imds-endpoint-tests %s: got %q, want error %q", c.Docs, got, *c.Result.Err)
			if err != nil {
				t.Logf("imds-endpoint-tests %s: %v (smithy-rs: %s)", c.Docs, err, *c.Result.Err)
			}
		}
	}
}
