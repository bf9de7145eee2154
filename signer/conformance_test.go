package signer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/internal/testenv"
)

// The parameters of the classic AWS SigV4 test suite (botocore's aws4_testsuite), which its
// files do not state: its documentation does.
const (
	suiteAccessKey = "AKIDEXAMPLE"
	suiteSecret    = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	suiteRegion    = "us-east-1"
	suiteService   = "service"
	suiteTime      = "20150830T123600Z"
	amzDateLayout  = "20060102T150405Z"
)

// knownSecrets are the secrets of the access keys the suites use, for cases without a
// context.json: the suite's example key, and the test key of smithy-rs's aws-sigv4
// (Credentials::for_tests) that its migrated double-encode-path case is signed with.
var knownSecrets = map[string]string{
	suiteAccessKey: suiteSecret,
	"ANOTREAL":     "notrealrnrELgWzOk3IfjzDKtFBhDby",
}

// errSkip marks a case that is not run, with the reason.
type errSkip struct{ reason string }

func (e errSkip) Error() string { return "skipped: " + e.reason }

// TestConformanceSigV4 runs the SigV4 suites of the conformance data, and any aws-c-auth
// format suite listed in AIOAWS_SIGV4_SUITES (colon-separated directories), printing one
// CONFORMANCE line per suite.
func TestConformanceSigV4(t *testing.T) {
	dir := filepath.Join(testenv.ConformanceDir(t), "sigv4")
	suites := [][2]string{
		{"sigv4-botocore-aws4_testsuite", filepath.Join(dir, "botocore-aws4_testsuite")},
		{"sigv4-smithy-rs-extras", filepath.Join(dir, "smithy-rs-extras")},
	}
	for _, d := range filepath.SplitList(os.Getenv("AIOAWS_SIGV4_SUITES")) {
		if d != "" {
			suites = append(suites, [2]string{"sigv4-" + filepath.Base(filepath.Clean(d)), d})
		}
	}
	for _, s := range suites {
		t.Run(s[0], func(t *testing.T) {
			passed, failed, skipped := runSuite(t, s[1])
			fmt.Printf("CONFORMANCE suite=%s passed=%d failed=%d skipped=%d\n", s[0], passed, failed, skipped)
			require.Positive(t, passed+failed+skipped, "no cases in %s", s[1])
		})
	}
}

// runSuite runs every case under root: a directory holding <name>.req (classic format, one
// case) or request.txt (aws-c-auth format, one case per signature location with expected
// files). Failures are reported on t.
func runSuite(t *testing.T, root string) (passed, failed, skipped int) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name, _ := filepath.Rel(root, path)
		var results map[string]error
		if _, err := os.Stat(filepath.Join(path, d.Name()+".req")); err == nil {
			results = map[string]error{name: runClassicCase(path)}
		} else if _, err := os.Stat(filepath.Join(path, "request.txt")); err == nil {
			results = runCAuthCase(path)
		}
		for sub, err := range results {
			var skip errSkip
			switch {
			case err == nil:
				passed++
			case errors.As(err, &skip):
				skipped++
				t.Logf("%s: %v", sub, err)
			default:
				failed++
				t.Errorf("%s: %v", sub, err)
			}
		}
		return nil
	})
	require.NoError(t, err)
	return passed, failed, skipped
}

func readTrimmed(path string) (string, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	return strings.TrimRight(string(b), "\r\n"), err == nil, err
}

// compare collects the differences between got and want values.
type compare []string

func (c *compare) check(what, got, want string) {
	if got != want {
		*c = append(*c, fmt.Sprintf("%s:\n--- got\n%s\n--- want\n%s", what, got, want))
	}
}

func (c compare) err() error {
	if len(c) == 0 {
		return nil
	}
	return errors.New(strings.Join(c, "\n"))
}

// signedHeaderNames returns the signed-headers line of a canonical request.
func signedHeaderNames(creq string) []string {
	lines := strings.Split(creq, "\n")
	if len(lines) < 2 {
		return nil
	}
	return strings.Split(lines[len(lines)-2], ";")
}

// runClassicCase runs one case of the classic suite: <name>.req is signed with the suite's
// parameters, and the canonical request, string to sign and Authorization must match .creq,
// .sts and .authz. A session token is the X-Amz-Security-Token of .req or .sreq; it is
// signed when .creq signs it and added after signing otherwise (the suite's
// post-sts-header-before and -after cases).
func runClassicCase(dir string) error {
	base := filepath.Join(dir, filepath.Base(dir))
	text, err := os.ReadFile(base + ".req")
	if err != nil {
		return err
	}
	raw, err := parseRawRequest(string(text))
	if err != nil {
		return err
	}
	var want [4]string
	for i, ext := range []string{".creq", ".sts", ".authz", ".sreq"} {
		if want[i], _, err = readTrimmed(base + ext); err != nil {
			return err
		}
	}
	token := raw.header("X-Amz-Security-Token")
	if token == "" {
		if sreq, err := parseRawRequest(want[3]); err == nil {
			token = sreq.header("X-Amz-Security-Token")
		}
	}
	req, err := raw.httpRequest()
	if err != nil {
		return err
	}
	when, _ := time.Parse(amzDateLayout, suiteTime)
	var dbg debugInfo
	opts := Options{
		Service: suiteService, Region: suiteRegion, Time: when, debug: &dbg,
		OmitSessionToken: token != "" && !slices.Contains(signedHeaderNames(want[0]), "x-amz-security-token"),
	}
	creds := aws.Credentials{AccessKeyID: suiteAccessKey, SecretAccessKey: suiteSecret, SessionToken: token}
	if err := new(Signer).Sign(context.Background(), creds, req, opts); err != nil {
		return err
	}
	var c compare
	c.check("canonical request", dbg.canonicalRequest, want[0])
	c.check("string to sign", dbg.stringToSign, want[1])
	c.check("Authorization", req.Header.Get("Authorization"), want[2])
	c.check("X-Amz-Security-Token", req.Header.Get("X-Amz-Security-Token"), token)
	return c.err()
}

// cauthContext is the context.json of an aws-c-auth format case.
type cauthContext struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
		Token           string `json:"token"`
	} `json:"credentials"`
	ExpirationInSeconds int64  `json:"expiration_in_seconds"`
	Normalize           *bool  `json:"normalize"`
	Region              string `json:"region"`
	Service             string `json:"service"`
	SignBody            bool   `json:"sign_body"`
	Timestamp           string `json:"timestamp"`
	OmitSessionToken    bool   `json:"omit_session_token"`
}

// cauthParams are the signing parameters of one signature of a case.
type cauthParams struct {
	creds    aws.Credentials
	opts     Options
	expires  int64
	normTime time.Time // for the canonical request and string to sign
	sigTime  time.Time // for the signature (the same but in the legacy cases below)
}

// runCAuthCase runs the aws-c-auth format case in dir: request.txt is signed in headers (when
// header-canonical-request.txt exists) and in the query (when query-canonical-request.txt
// exists), each compared with the files present among <loc>-canonical-request.txt,
// <loc>-string-to-sign.txt, <loc>-signature.txt and <loc>-signed-request.txt.
//
// The parameters come from context.json. Without one (the two cases smithy-rs migrated from
// the old format), they are read from the files: access key, date, region and service from
// the signed request's Authorization, the secret from knownSecrets, the time from the signed
// request's X-Amz-Date, and for the canonical request from its own x-amz-date line: in
// double-encode-path the canonical request was generated at another time than the signature
// (smithy-rs checks them in separate tests, at those two times).
func runCAuthCase(dir string) map[string]error {
	name := filepath.Base(dir)
	text, err := os.ReadFile(filepath.Join(dir, "request.txt"))
	if err != nil {
		return map[string]error{name: err}
	}
	raw, err := parseRawRequest(string(text))
	if err != nil {
		return map[string]error{name: err}
	}
	p, err := cauthParamsFor(dir, raw)
	if err != nil {
		return map[string]error{name: err}
	}
	results := map[string]error{}
	for _, loc := range []string{"header", "query"} {
		var want [4]string
		var have [4]bool
		for i, f := range []string{"-canonical-request.txt", "-string-to-sign.txt", "-signature.txt", "-signed-request.txt"} {
			if want[i], have[i], err = readTrimmed(filepath.Join(dir, loc+f)); err != nil {
				return map[string]error{name: err}
			}
		}
		if !have[0] && !have[3] {
			continue
		}
		results[name+"/"+loc] = runCAuthSignature(raw, p, loc == "query", want, have)
	}
	if len(results) == 0 {
		results[name] = errSkip{"no expected files"}
	}
	return results
}

func cauthParamsFor(dir string, raw *rawRequest) (cauthParams, error) {
	var p cauthParams
	data, err := os.ReadFile(filepath.Join(dir, "context.json"))
	if err == nil {
		var ctx cauthContext
		if err := json.Unmarshal(data, &ctx); err != nil {
			return p, fmt.Errorf("context.json: %w", err)
		}
		when, err := time.Parse(time.RFC3339, ctx.Timestamp)
		if err != nil {
			return p, fmt.Errorf("context.json timestamp: %w", err)
		}
		p.creds = aws.Credentials{AccessKeyID: ctx.Credentials.AccessKeyID, SecretAccessKey: ctx.Credentials.SecretAccessKey, SessionToken: ctx.Credentials.Token}
		p.opts = Options{
			Service: ctx.Service, Region: ctx.Region,
			DisableURIPathNormalization: ctx.Normalize != nil && !*ctx.Normalize,
			ContentSHA256Header:         ctx.SignBody,
			OmitSessionToken:            ctx.OmitSessionToken,
		}
		p.expires, p.normTime, p.sigTime = ctx.ExpirationInSeconds, when, when
		return p, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return p, err
	}
	// Legacy case: read the parameters from the files.
	signedText, _, err := readTrimmed(filepath.Join(dir, "header-signed-request.txt"))
	if err != nil {
		return p, err
	}
	signed, err := parseRawRequest(signedText)
	if err != nil {
		return p, err
	}
	_, cred, ok := strings.Cut(signed.header("Authorization"), "Credential=")
	if !ok {
		return p, errSkip{"no context.json and no Credential in header-signed-request.txt"}
	}
	cred, _, _ = strings.Cut(cred, ",")
	scope := strings.Split(cred, "/") // akid/date/region/service/aws4_request
	if len(scope) != 5 {
		return p, fmt.Errorf("bad credential %q", cred)
	}
	secret, ok := knownSecrets[scope[0]]
	if !ok {
		return p, errSkip{"no context.json and no known secret for " + scope[0]}
	}
	p.creds = aws.Credentials{AccessKeyID: scope[0], SecretAccessKey: secret}
	p.opts = Options{Region: scope[2], Service: scope[3]}
	if p.sigTime, err = time.Parse(amzDateLayout, signed.header("X-Amz-Date")); err != nil {
		return p, fmt.Errorf("signed request X-Amz-Date: %w", err)
	}
	p.normTime = p.sigTime
	creq, _, _ := readTrimmed(filepath.Join(dir, "header-canonical-request.txt"))
	for _, line := range strings.Split(creq, "\n") {
		if v, ok := strings.CutPrefix(line, "x-amz-date:"); ok {
			if p.normTime, err = time.Parse(amzDateLayout, v); err != nil {
				return p, fmt.Errorf("canonical request x-amz-date: %w", err)
			}
		}
	}
	return p, nil
}

// runCAuthSignature signs raw once per distinct time of p and compares what the files give.
func runCAuthSignature(raw *rawRequest, p cauthParams, query bool, want [4]string, have [4]bool) error {
	var c compare
	for _, pass := range []struct {
		when      time.Time
		canonical bool // compare the canonical request and string to sign
		signature bool // compare the signature
	}{
		{p.normTime, true, p.normTime.Equal(p.sigTime)},
		{p.sigTime, false, true},
	} {
		if !pass.canonical && p.normTime.Equal(p.sigTime) {
			continue // done in the first pass
		}
		// The signer sets X-Amz-Date itself; aws-c-auth drops it from the request too.
		req, err := raw.httpRequest("X-Amz-Date")
		if err != nil {
			return err
		}
		var dbg debugInfo
		opts := p.opts
		opts.Time, opts.debug = pass.when, &dbg
		var sig, signedSig string
		if query {
			var res result
			if err := new(Signer).sign(context.Background(), p.creds, req, &opts, queryMode, p.expires, &res); err != nil {
				return err
			}
			pre := presigned(req, p.creds, &opts, &res, pass.when)
			u, err := url.Parse(pre.URL)
			if err != nil {
				return err
			}
			sig = u.Query().Get("X-Amz-Signature")
			if have[3] {
				signed, err := parseRawRequest(want[3])
				if err != nil {
					return err
				}
				_, q, _ := strings.Cut(signed.target, "?")
				if v, err := url.ParseQuery(q); err == nil {
					signedSig = v.Get("X-Amz-Signature")
				}
			}
		} else {
			if err := new(Signer).Sign(context.Background(), p.creds, req, opts); err != nil {
				return err
			}
			auth := req.Header.Get("Authorization")
			_, sig, _ = strings.Cut(auth, "Signature=")
			if have[3] {
				signed, err := parseRawRequest(want[3])
				if err != nil {
					return err
				}
				if pass.signature {
					c.check("Authorization", auth, signed.header("Authorization"))
				}
			}
		}
		if pass.canonical {
			if have[0] {
				c.check("canonical request", dbg.canonicalRequest, want[0])
			}
			if have[1] {
				c.check("string to sign", dbg.stringToSign, want[1])
			}
		}
		if pass.signature {
			if have[2] {
				c.check("signature", sig, want[2])
			}
			if signedSig != "" {
				c.check("X-Amz-Signature", sig, signedSig)
			}
		}
	}
	return c.err()
}

// TestCAuthFormat proves that the aws-c-auth format runner reads that format (no such suite is
// on this machine): it writes cases in that format into a temporary directory, built from the
// classic suite's files and from published values, and runs them.
func TestCAuthFormat(t *testing.T) {
	classic := filepath.Join(testenv.ConformanceDir(t), "sigv4", "botocore-aws4_testsuite")
	read := func(name, ext string) string {
		b, err := os.ReadFile(filepath.Join(classic, name, filepath.Base(name)+ext))
		require.NoError(t, err)
		return strings.TrimRight(string(b), "\n")
	}
	signature := func(authz string) string {
		_, sig, _ := strings.Cut(authz, "Signature=")
		return sig
	}
	dropDate := func(req string) string {
		var lines []string
		for _, l := range strings.Split(req, "\n") {
			if !strings.HasPrefix(strings.ToLower(l), "x-amz-date:") {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n")
	}
	context := func(extra string) string {
		return `{
    "credentials": {
        "access_key_id": "AKIDEXAMPLE",
        "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"` + extra + `
    },
    "normalize": true,
    "region": "us-east-1",
    "service": "service",
    "sign_body": false,
    "timestamp": "2015-08-30T12:36:00Z"
}`
	}
	const token = `,
        "token": "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"`
	const stsToken = `,
        "token": "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="`
	header := func(name string) map[string]string {
		return map[string]string{
			"request.txt":                  dropDate(read(name, ".req")),
			"header-canonical-request.txt": read(name, ".creq"),
			"header-string-to-sign.txt":    read(name, ".sts"),
			"header-signature.txt":         signature(read(name, ".authz")),
			"header-signed-request.txt":    read(name, ".sreq"),
		}
	}
	cases := map[string]map[string]string{
		"get-vanilla":                    header("get-vanilla"),
		"get-vanilla-with-session-token": header("get-vanilla-with-session-token"),
		"post-sts-header-after":          header(filepath.Join("post-sts-token", "post-sts-header-after")),
		"get-utf8":                       header("get-utf8"),
	}
	cases["get-vanilla"]["context.json"] = context("")
	// aws-c-auth's query-signing files for get-vanilla, from a version without
	// expiration_in_seconds (so no X-Amz-Expires); the string to sign is the published one and
	// the canonical request hashes to its last line.
	cases["get-vanilla"]["query-canonical-request.txt"] = "GET\n/\n" +
		"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host\n" +
		"host:example.amazonaws.com\n\nhost\n" + EmptyPayloadHash
	cases["get-vanilla"]["query-string-to-sign.txt"] = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" +
		"50e4af3247eb1fc9666ecb6ddd6837244e375e11e3ac919f08e01ee0a03c1d56"
	cases["get-vanilla-with-session-token"]["context.json"] = context(token)
	// The classic .sreq of this case carries get-vanilla's signature (its .authz is right).
	delete(cases["get-vanilla-with-session-token"], "header-signed-request.txt")
	cases["post-sts-header-after"]["context.json"] = strings.Replace(context(stsToken), `"normalize"`, `"omit_session_token": true,
    "normalize"`, 1)
	cases["get-utf8"]["context.json"] = context("")
	// A context.json that differs from the suite's defaults in every field it has: the
	// smithy-rs double-url-encode case (lambda, us-east-2, 2021).
	extras := filepath.Join(testenv.ConformanceDir(t), "sigv4", "smithy-rs-extras", "v4", "double-url-encode")
	cases["double-url-encode"] = map[string]string{
		"context.json": `{"credentials": {"access_key_id": "AKIDEXAMPLE", "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
			"region": "us-east-2", "service": "lambda", "timestamp": "2021-05-11T15:40:45Z", "normalize": true, "sign_body": false,
			"expiration_in_seconds": 3600}`,
	}
	for _, f := range []string{"request.txt", "header-canonical-request.txt", "header-string-to-sign.txt", "header-signed-request.txt"} {
		b, err := os.ReadFile(filepath.Join(extras, f))
		require.NoError(t, err)
		cases["double-url-encode"][f] = string(b)
	}

	root := t.TempDir()
	for name, files := range cases {
		require.NoError(t, os.MkdirAll(filepath.Join(root, name), 0o755))
		for f, content := range files {
			require.NoError(t, os.WriteFile(filepath.Join(root, name, f), []byte(content), 0o644))
		}
	}
	passed, failed, skipped := runSuite(t, root)
	require.Equal(t, [3]int{6, 0, 0}, [3]int{passed, failed, skipped}) // get-vanilla twice (header, query)

	// A wrong expectation must fail.
	bad := filepath.Join(root, "get-vanilla", "header-signature.txt")
	require.NoError(t, os.WriteFile(bad, []byte("0000"), 0o644))
	results := runCAuthCase(filepath.Join(root, "get-vanilla"))
	require.Error(t, results["get-vanilla/header"])
	require.NoError(t, results["get-vanilla/query"])
}
