package emulator_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/internal/emulator"
	"github.com/aioaws/aioaws/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// client talks to the emulators; no keep-alive, so no goroutines outlive a
// request. Test certificates are self-signed.
var client = &http.Client{
	Timeout: 10 * time.Second,
	Transport: &http.Transport{
		DisableKeepAlives: true,
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true},
	},
}

type response struct {
	status int
	header http.Header
	body   string
}

// send sends one request to base+path and returns the whole response.
func send(t *testing.T, base, method, path string, header map[string]string, body string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{resp.StatusCode, resp.Header, string(got)}
}

// dummyAuth is a well-formed SigV4 header with a wrong signature: enough for
// moto and dynalite, which read the credential scope but do not verify.
func dummyAuth(service string) map[string]string {
	return map[string]string{
		"X-Amz-Date":    "20260101T000000Z",
		"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/" + service + "/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
	}
}

func query(service, body string) (map[string]string, string) {
	h := dummyAuth(service)
	h["Content-Type"] = "application/x-www-form-urlencoded"
	return h, body
}

func dynamo(t *testing.T, s *emulator.Server, op string, in any) (int, map[string]any) {
	t.Helper()
	h := dummyAuth("dynamodb")
	h["X-Amz-Target"] = "DynamoDB_20120810." + op
	h["Content-Type"] = "application/x-amz-json-1.0"
	body, err := json.Marshal(in)
	require.NoError(t, err)
	resp := send(t, s.URL, http.MethodPost, "/", h, string(body))
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(resp.body), &out), resp.body)
	return resp.status, out
}

// signV4 signs a body-less S3 request the way SigV4 does, so that the test
// can prove versitygw accepts exactly the credentials the Server advertises.
func signV4(s *emulator.Server, method, path string, now time.Time) map[string]string {
	date, stamp := now.UTC().Format("20060102T150405Z"), now.UTC().Format("20060102")
	host := strings.TrimPrefix(strings.TrimPrefix(s.URL, "http://"), "https://")
	const payload = "UNSIGNED-PAYLOAD"
	canonical := strings.Join([]string{method, path, "",
		"host:" + host, "x-amz-content-sha256:" + payload, "x-amz-date:" + date, "",
		"host;x-amz-content-sha256;x-amz-date", payload}, "\n")
	scope := stamp + "/" + s.Region + "/s3/aws4_request"
	sum := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	mac := func(key []byte, data string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(data))
		return h.Sum(nil)
	}
	key := []byte("AWS4" + s.SecretKey)
	for _, part := range []string{stamp, s.Region, "s3", "aws4_request"} {
		key = mac(key, part)
	}
	return map[string]string{
		"X-Amz-Date":           date,
		"X-Amz-Content-Sha256": payload,
		"Authorization": "AWS4-HMAC-SHA256 Credential=" + s.AccessKey + "/" + scope +
			", SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + hex.EncodeToString(mac(key, toSign)),
	}
}

func TestSharedServersServeAWS(t *testing.T) {
	stsHeader, stsBody := query("sts", "Action=GetCallerIdentity&Version=2011-06-15")
	sqsHeader, sqsBody := query("sqs", "Action=ListQueues&Version=2012-11-05")
	tests := []struct {
		name       string
		server     func(testing.TB) *emulator.Server
		method     string
		path       string
		header     func(*emulator.Server) map[string]string
		body       string
		wantStatus int
		wantBody   string
	}{
		{"moto/sts GetCallerIdentity", testenv.Moto, http.MethodPost, "/",
			func(*emulator.Server) map[string]string { return stsHeader }, stsBody, 200, "<Account>123456789012</Account>"},
		{"moto/sqs ListQueues", testenv.Moto, http.MethodPost, "/",
			func(*emulator.Server) map[string]string { return sqsHeader }, sqsBody, 200, "<ListQueuesResponse"},
		{"moto/lambda runs without docker", testenv.Moto, http.MethodGet, "/moto-api/config",
			func(*emulator.Server) map[string]string { return nil }, "", 201 /* sic */, `"lambda": {"use_docker": false}`},
		{"dynalite/no auth is refused", testenv.Dynalite, http.MethodPost, "/",
			func(*emulator.Server) map[string]string {
				return map[string]string{"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"}
			}, "{}", 400, "MissingAuthenticationTokenException"},
		{"versitygw/unsigned is refused", testenv.Versity, http.MethodGet, "/",
			func(*emulator.Server) map[string]string { return nil }, "", 403, "<Code>AccessDenied</Code>"},
		{"versitygw/bad signature is refused", testenv.Versity, http.MethodGet, "/",
			func(s *emulator.Server) map[string]string {
				h := signV4(s, http.MethodGet, "/", time.Now())
				h["Authorization"] = h["Authorization"][:len(h["Authorization"])-8] + "00000000"
				return h
			}, "", 403, "<Code>SignatureDoesNotMatch</Code>"},
		{"versitygw/signed ListBuckets", testenv.Versity, http.MethodGet, "/",
			func(s *emulator.Server) map[string]string { return signV4(s, http.MethodGet, "/", time.Now()) },
			"", 200, "<ListAllMyBucketsResult"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := tt.server(t)
			resp := send(t, s.URL, tt.method, tt.path, tt.header(s), tt.body)
			require.Equal(t, tt.wantStatus, resp.status, resp.body)
			require.Contains(t, resp.body, tt.wantBody)
		})
	}
}

func TestDynaliteListTables(t *testing.T) {
	status, out := dynamo(t, testenv.Dynalite(t), "ListTables", map[string]any{})
	require.Equal(t, 200, status, out)
	require.Contains(t, out, "TableNames")
}

func TestDynaliteTableBecomesActive(t *testing.T) {
	const delay = 400 * time.Millisecond
	s := testenv.Start(t, emulator.Dynalite, emulator.Options{CreateTableDelay: delay})
	status, out := dynamo(t, s, "CreateTable", map[string]any{
		"TableName":            "lifecycle",
		"AttributeDefinitions": []any{map[string]any{"AttributeName": "pk", "AttributeType": "S"}},
		"KeySchema":            []any{map[string]any{"AttributeName": "pk", "KeyType": "HASH"}},
		"BillingMode":          "PAY_PER_REQUEST",
	})
	require.Equal(t, 200, status, out)
	created := time.Now()

	tableStatus := func() string {
		status, out := dynamo(t, s, "DescribeTable", map[string]any{"TableName": "lifecycle"})
		require.Equal(t, 200, status, out)
		return out["Table"].(map[string]any)["TableStatus"].(string)
	}
	require.Equal(t, "CREATING", tableStatus())
	require.Eventually(t, func() bool { return tableStatus() == "ACTIVE" }, 10*time.Second, 20*time.Millisecond)
	require.GreaterOrEqual(t, time.Since(created), delay-50*time.Millisecond, "ACTIVE before CreateTableDelay")
}

func TestStop(t *testing.T) {
	for _, kind := range emulator.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			s := testenv.Start(t, kind, emulator.Options{})
			conn, err := net.Dial("tcp", s.Host)
			require.NoError(t, err, "serves before Stop")
			conn.Close()
			require.DirExists(t, s.Dir)

			require.NoError(t, s.Stop())
			require.ErrorIs(t, syscall.Kill(s.PID, 0), syscall.ESRCH, "process %d still exists", s.PID)
			_, err = net.DialTimeout("tcp", s.Host, time.Second)
			require.Error(t, err, "still answering after Stop")
			require.NoDirExists(t, s.Dir)
			require.NoError(t, s.Stop(), "second Stop")
		})
	}
}

func TestStopConcurrent(t *testing.T) {
	s := testenv.Start(t, emulator.Dynalite, emulator.Options{})
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = s.Stop() })
	}
	wg.Wait()
	require.Equal(t, make([]error, 4), errs)
}

func TestStopReportsCrash(t *testing.T) {
	testenv.Require(t, emulator.Dynalite)
	s, err := emulator.Start(t.Context(), emulator.Dynalite, emulator.Options{})
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(s.PID, syscall.SIGKILL))
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed 5s after the emulator was killed")
	}
	err = s.Stop()
	require.ErrorContains(t, err, "exited before Stop")
	require.Equal(t, err, s.Stop(), "second Stop returns the first result")
	require.NoDirExists(t, s.Dir)
}

func TestPrivateInstancesAreSeparate(t *testing.T) {
	a := testenv.Start(t, emulator.Dynalite, emulator.Options{})
	b := testenv.Start(t, emulator.Dynalite, emulator.Options{})
	require.NotEqual(t, a.Host, b.Host)
	require.NotEqual(t, a.PID, b.PID)
	require.NotEqual(t, a.Dir, b.Dir)

	table := map[string]any{
		"TableName":            "only-in-a",
		"AttributeDefinitions": []any{map[string]any{"AttributeName": "pk", "AttributeType": "S"}},
		"KeySchema":            []any{map[string]any{"AttributeName": "pk", "KeyType": "HASH"}},
		"BillingMode":          "PAY_PER_REQUEST",
	}
	status, out := dynamo(t, a, "CreateTable", table)
	require.Equal(t, 200, status, out)
	_, out = dynamo(t, b, "ListTables", map[string]any{})
	require.Empty(t, out["TableNames"])
}

func TestTLSAndVirtualDomain(t *testing.T) {
	cert, key := selfSignedCert(t)
	tests := []struct {
		kind      emulator.Kind
		opts      emulator.Options
		wantURL   string
		path      string
		wantInRes string
	}{
		{emulator.Moto, emulator.Options{CertFile: cert, KeyFile: key}, "https://127.0.0.1:", "/moto-api/config", "use_docker"},
		{emulator.Versitygw, emulator.Options{CertFile: cert, KeyFile: key, VirtualDomain: "localhost"}, "https://localhost:", "/", "AccessDenied"},
		{emulator.Versitygw, emulator.Options{VirtualDomain: "localhost"}, "http://localhost:", "/", "AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+tt.wantURL, func(t *testing.T) {
			t.Parallel()
			s := testenv.Start(t, tt.kind, tt.opts)
			require.True(t, strings.HasPrefix(s.URL, tt.wantURL), s.URL)
			require.True(t, strings.HasSuffix(s.URL, s.Host[strings.LastIndex(s.Host, ":"):]), "URL %s, Host %s", s.URL, s.Host)
			// Reach the listening address directly: the test does not rely on
			// how this machine resolves localhost.
			scheme, _, _ := strings.Cut(s.URL, "://")
			resp := send(t, scheme+"://"+s.Host, http.MethodGet, tt.path, nil, "")
			require.Contains(t, resp.body, tt.wantInRes)
		})
	}
}

func TestStartFailureShowsOutput(t *testing.T) {
	testenv.Require(t, emulator.Versitygw)
	missing := filepath.Join(t.TempDir(), "missing.pem")
	_, err := emulator.Start(t.Context(), emulator.Versitygw, emulator.Options{CertFile: missing, KeyFile: missing})
	require.ErrorContains(t, err, "exited before it was ready")
	require.ErrorContains(t, err, "missing.pem", "the error quotes the emulator's output")
}

func TestStartTimeout(t *testing.T) {
	testenv.Require(t, emulator.Moto)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err := emulator.Start(ctx, emulator.Moto, emulator.Options{})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "not ready")
	require.Less(t, time.Since(began), 15*time.Second)
}

func TestInvalidOptions(t *testing.T) {
	tests := []struct {
		kind emulator.Kind
		opts emulator.Options
		want string
	}{
		{emulator.Dynalite, emulator.Options{CertFile: "c", KeyFile: "k"}, "CertFile and KeyFile are for moto and versitygw only"},
		{emulator.Moto, emulator.Options{VirtualDomain: "localhost"}, "VirtualDomain is for versitygw only"},
		{emulator.Versitygw, emulator.Options{CreateTableDelay: time.Second}, "for dynalite only"},
		{emulator.Versitygw, emulator.Options{CertFile: "c"}, "must be set together"},
		{emulator.Dynalite, emulator.Options{StartTimeout: -1}, "must not be negative"},
		{"localstack", emulator.Options{}, `unknown kind "localstack"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			s, err := emulator.Start(t.Context(), tt.kind, tt.opts)
			require.Nil(t, s)
			require.ErrorContains(t, err, tt.want)
			require.False(t, errors.Is(err, emulator.ErrNotInstalled))
		})
	}
}

func TestLookupNotInstalled(t *testing.T) {
	t.Setenv("AIOAWS_TOOLS_DIR", t.TempDir())
	require.NoError(t, os.WriteFile(filepath.Join(os.Getenv("AIOAWS_TOOLS_DIR"), "package.json"),
		[]byte(`{"dependencies":{"dynalite":"4.0.0"}}`), 0o644))
	for _, kind := range []emulator.Kind{emulator.Dynalite, emulator.Versitygw} {
		t.Run(string(kind), func(t *testing.T) {
			_, err := emulator.Lookup(kind)
			require.ErrorIs(t, err, emulator.ErrNotInstalled)
			require.ErrorContains(t, err, emulator.InstallCommand)
			_, err = emulator.Start(t.Context(), kind, emulator.Options{})
			require.ErrorIs(t, err, emulator.ErrNotInstalled)
		})
	}
	t.Run("dynalite not the pinned version", func(t *testing.T) {
		dir := filepath.Join(os.Getenv("AIOAWS_TOOLS_DIR"), "node_modules", "dynalite")
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"version":"3.2.2"}`), 0o644))
		_, err := emulator.Lookup(emulator.Dynalite)
		require.ErrorIs(t, err, emulator.ErrNotInstalled)
		require.ErrorContains(t, err, "dynalite 3.2.2 is in")
		require.ErrorContains(t, err, "4.0.0 is pinned")
	})
	t.Run("moto", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		_, err := emulator.Lookup(emulator.Moto)
		require.ErrorIs(t, err, emulator.ErrNotInstalled)
		require.ErrorContains(t, err, "moto_server is not on PATH")
	})
}

func TestToolsDir(t *testing.T) {
	dir, err := emulator.ToolsDir()
	require.NoError(t, err)
	require.Equal(t, "tools", filepath.Base(dir))
	require.FileExists(t, filepath.Join(dir, "package.json"))
	require.FileExists(t, filepath.Join(dir, "package-lock.json"))

	t.Chdir(t.TempDir())
	_, err = emulator.ToolsDir()
	require.ErrorContains(t, err, "AIOAWS_TOOLS_DIR")
}

// selfSignedCert writes a certificate for localhost and 127.0.0.1 and its key.
func selfSignedCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost", "*.localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(priv)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
	return certFile, keyFile
}
