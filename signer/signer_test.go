package signer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/signer"
)

// The parameters of the signature examples of the S3 API reference ("Examples: Signature
// Calculations in AWS Signature Version 4").
var (
	docCreds = aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	docTime  = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	docOpts  = signer.Options{
		Service: "s3", Region: "us-east-1", Time: docTime,
		DisableURIPathEscaping: true, ContentSHA256Header: true,
	}
)

const docScope = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "

func newRequest(t testing.TB, method, rawURL string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, body)
	require.NoError(t, err)
	return req
}

func TestSignS3DocExamples(t *testing.T) {
	const putBody = "Welcome to Amazon S3."
	tests := []struct {
		name     string
		method   string
		url      string
		headers  map[string]string
		payload  []byte
		wantAuth string
		wantWire string // the request target sent
	}{
		{
			name: "GET object", method: "GET", url: "https://examplebucket.s3.amazonaws.com/test.txt",
			headers:  map[string]string{"Range": "bytes=0-9"},
			wantAuth: docScope + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
			wantWire: "/test.txt",
		},
		{
			name: "PUT object", method: "PUT", url: "https://examplebucket.s3.amazonaws.com/test$file.text",
			headers:  map[string]string{"Date": "Fri, 24 May 2013 00:00:00 GMT", "X-Amz-Storage-Class": "REDUCED_REDUNDANCY"},
			payload:  []byte(putBody),
			wantAuth: docScope + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
			wantWire: "/test%24file.text", // '$' is sent as signed, encoded
		},
		{
			name: "GET bucket lifecycle", method: "GET", url: "https://examplebucket.s3.amazonaws.com/?lifecycle",
			wantAuth: docScope + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
			wantWire: "/?lifecycle=",
		},
		{
			name: "list objects", method: "GET", url: "https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2",
			wantAuth: docScope + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
			wantWire: "/?max-keys=2&prefix=J",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.payload != nil {
				body = bytes.NewReader(tt.payload)
			}
			req := newRequest(t, tt.method, tt.url, body)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			require.NoError(t, new(signer.Signer).Sign(context.Background(), docCreds, req, docOpts))
			require.Equal(t, tt.wantAuth, req.Header.Get("Authorization"))
			require.Equal(t, "20130524T000000Z", req.Header.Get("X-Amz-Date"))
			require.Equal(t, tt.wantWire, req.URL.RequestURI())
			wantHash := signer.EmptyPayloadHash
			if tt.payload != nil {
				sum := sha256.Sum256(tt.payload)
				wantHash = hex.EncodeToString(sum[:])
			}
			require.Equal(t, wantHash, req.Header.Get("X-Amz-Content-Sha256"))
			require.Empty(t, req.Header.Values("X-Amz-Security-Token"))
		})
	}
}

func TestPresignS3DocExample(t *testing.T) {
	req := newRequest(t, "GET", "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	before := req.URL.String()
	opts := docOpts
	opts.UnsignedPayload = true
	pre, err := new(signer.Signer).Presign(context.Background(), docCreds, req, 86400*time.Second, opts)
	require.NoError(t, err)
	require.Equal(t, "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"+
		"&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z"+
		"&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"+
		"&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", pre.URL)
	require.Equal(t, "GET", pre.Method)
	require.Empty(t, pre.SignedHeader)
	require.Equal(t, docTime.Add(24*time.Hour), pre.Expires)
	require.Equal(t, before, req.URL.String(), "Presign must not change the request")
	require.Empty(t, req.Header)

	// Presigning a presigned URL again replaces its signature parameters.
	again := newRequest(t, "GET", pre.URL, nil)
	pre2, err := new(signer.Signer).Presign(context.Background(), docCreds, again, 86400*time.Second, opts)
	require.NoError(t, err)
	require.Equal(t, pre.URL, pre2.URL)
}

func TestPresignExpires(t *testing.T) {
	tests := []struct {
		d  time.Duration
		ok bool
	}{
		{0, false}, {-time.Second, false}, {500 * time.Millisecond, false}, {1500 * time.Millisecond, false},
		{time.Second, true}, {signer.MaxPresignExpires, true}, {signer.MaxPresignExpires + time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.d.String(), func(t *testing.T) {
			req := newRequest(t, "GET", "https://b.s3.amazonaws.com/k", nil)
			pre, err := new(signer.Signer).Presign(context.Background(), docCreds, req, tt.d, docOpts)
			if !tt.ok {
				require.ErrorContains(t, err, "presign expiry")
				return
			}
			require.NoError(t, err)
			u, err := url.Parse(pre.URL)
			require.NoError(t, err)
			require.Equal(t, fmt.Sprint(int64(tt.d/time.Second)), u.Query().Get("X-Amz-Expires"))
		})
	}
}

func TestPresignSessionTokenAndHeaders(t *testing.T) {
	creds := docCreds
	creds.SessionToken = "tok/en+=="
	for _, omit := range []bool{false, true} {
		t.Run(fmt.Sprint("omit=", omit), func(t *testing.T) {
			req := newRequest(t, "PUT", "https://b.s3.amazonaws.com/a%20b?x-id=PutObject", nil)
			req.Header.Set("Content-Type", "text/plain")
			req.Header.Set("User-Agent", "not signed")
			opts := docOpts
			opts.UnsignedPayload, opts.OmitSessionToken = true, omit
			pre, err := new(signer.Signer).Presign(context.Background(), creds, req, time.Minute, opts)
			require.NoError(t, err)
			u, err := url.Parse(pre.URL)
			require.NoError(t, err)
			q := u.Query()
			require.Equal(t, "tok/en+==", q.Get("X-Amz-Security-Token"))
			require.Equal(t, "content-type;host", q.Get("X-Amz-SignedHeaders"))
			require.Equal(t, "PutObject", q.Get("x-id"))
			require.Equal(t, http.Header{"Content-Type": {"text/plain"}}, pre.SignedHeader)
			sigAt := strings.Index(pre.URL, "X-Amz-Signature=")
			tokAt := strings.Index(pre.URL, "X-Amz-Security-Token=")
			// A signed token is part of the canonical query, before the signature; an
			// omitted one is appended after it.
			require.Equal(t, omit, tokAt > sigAt)
			require.Equal(t, "/a%20b", u.EscapedPath())
		})
	}
}

// ReadSeekCloser without GetBody support, to exercise the seek path.
type seekBody struct {
	*bytes.Reader
	closed bool
}

func (s *seekBody) Close() error { s.closed = true; return nil }

type onceBody struct{ io.Reader }

func (onceBody) Close() error { return nil }

func TestSignPayloadSources(t *testing.T) {
	body := []byte(`{"TableName":"t"}`)
	sum := sha256.Sum256(body)
	bodyHash := hex.EncodeToString(sum[:])
	tests := []struct {
		name    string
		setup   func(req *http.Request, o *signer.Options)
		want    string
		wantErr error
	}{
		{"PayloadHash wins", func(r *http.Request, o *signer.Options) { o.PayloadHash = "abc"; o.UnsignedPayload = true }, "abc", nil},
		{"UnsignedPayload", func(r *http.Request, o *signer.Options) { o.UnsignedPayload = true }, signer.UnsignedPayload, nil},
		{"Payload bytes", func(r *http.Request, o *signer.Options) {
			o.Payload = body
			r.Body = onceBody{bytes.NewReader(nil)}
			r.GetBody = nil
		}, bodyHash, nil},
		{"GetBody", func(r *http.Request, o *signer.Options) {}, bodyHash, nil},
		{"seekable body", func(r *http.Request, o *signer.Options) {
			r.Body, r.GetBody = &seekBody{Reader: bytes.NewReader(body)}, nil
		}, bodyHash, nil},
		{"no body", func(r *http.Request, o *signer.Options) { r.Body, r.GetBody = nil, nil }, signer.EmptyPayloadHash, nil},
		{"NoBody", func(r *http.Request, o *signer.Options) { r.Body, r.GetBody = http.NoBody, nil }, signer.EmptyPayloadHash, nil},
		{"read-once body", func(r *http.Request, o *signer.Options) { r.Body, r.GetBody = onceBody{bytes.NewReader(body)}, nil }, "", signer.ErrBodyNotRewindable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest(t, "POST", "https://dynamodb.us-east-1.amazonaws.com/", bytes.NewReader(body))
			opts := signer.Options{Service: "dynamodb", Region: "us-east-1", Time: docTime, ContentSHA256Header: true}
			tt.setup(req, &opts)
			err := new(signer.Signer).Sign(context.Background(), docCreds, req, opts)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, req.Header.Get("X-Amz-Content-Sha256"))
			if sb, ok := req.Body.(*seekBody); ok {
				require.Equal(t, int64(len(body)), int64(sb.Len()), "the seekable body is rewound")
				require.False(t, sb.closed)
			}
		})
	}

	// Without ContentSHA256Header, a X-Amz-Content-Sha256 header set by the caller is the
	// payload hash, and is signed.
	a := newRequest(t, "PUT", "https://b.s3.amazonaws.com/k", onceBody{bytes.NewReader(body)})
	a.Header.Set("X-Amz-Content-Sha256", signer.UnsignedPayload)
	opts := signer.Options{Service: "s3", Region: "us-east-1", Time: docTime, DisableURIPathEscaping: true}
	require.NoError(t, new(signer.Signer).Sign(context.Background(), docCreds, a, opts))
	b := newRequest(t, "PUT", "https://b.s3.amazonaws.com/k", nil)
	opts.UnsignedPayload, opts.ContentSHA256Header = true, true
	require.NoError(t, new(signer.Signer).Sign(context.Background(), docCreds, b, opts))
	require.Equal(t, b.Header.Get("Authorization"), a.Header.Get("Authorization"))
}

func TestSignCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := newRequest(t, "POST", "https://sqs.us-east-1.amazonaws.com/", strings.NewReader("x"))
	err := new(signer.Signer).Sign(ctx, docCreds, req, signer.Options{Service: "sqs", Region: "us-east-1"})
	require.ErrorIs(t, err, context.Canceled)
}

func TestSignErrors(t *testing.T) {
	tests := []struct {
		name  string
		creds aws.Credentials
		opts  signer.Options
		want  string
	}{
		{"anonymous", aws.Credentials{}, signer.Options{Service: "s3", Region: "us-east-1"}, "no access key"},
		{"no secret", aws.Credentials{AccessKeyID: "AK"}, signer.Options{Service: "s3", Region: "us-east-1"}, "no access key"},
		{"no region", docCreds, signer.Options{Service: "s3"}, "Region"},
		{"no service", docCreds, signer.Options{Region: "us-east-1"}, "Service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest(t, "GET", "https://example.com/", nil)
			err := new(signer.Signer).Sign(context.Background(), tt.creds, req, tt.opts)
			require.ErrorContains(t, err, tt.want)
			require.Empty(t, req.Header, "a failed Sign leaves the request alone")
			_, err = new(signer.Signer).Presign(context.Background(), tt.creds, req, time.Minute, tt.opts)
			require.ErrorContains(t, err, tt.want)
		})
	}
	require.ErrorIs(t, new(signer.Signer).Sign(context.Background(), aws.Credentials{}, newRequest(t, "GET", "https://e/", nil),
		signer.Options{Service: "s3", Region: "r"}), signer.ErrNoCredentials)
}

func TestSignTwice(t *testing.T) {
	s := new(signer.Signer)
	req := newRequest(t, "GET", "https://example.com/", nil)
	req.Header["x-amz-date"] = []string{"stale, lowercase key"}
	req.Header["authorization"] = []string{"stale"}
	withToken := docCreds
	withToken.SessionToken = "token1"
	opts := signer.Options{Service: "svc", Region: "eu-west-1", Time: docTime}
	require.NoError(t, s.Sign(context.Background(), withToken, req, opts))
	first := req.Header.Clone()
	require.Equal(t, "token1", req.Header.Get("X-Amz-Security-Token"))
	require.Len(t, req.Header, 3) // X-Amz-Date, Authorization, X-Amz-Security-Token: the stale keys are gone
	require.Contains(t, req.Header.Get("Authorization"), "SignedHeaders=host;x-amz-date;x-amz-security-token,")

	// Same inputs, same signature; then without the token, the token header goes.
	require.NoError(t, s.Sign(context.Background(), withToken, req, opts))
	require.Equal(t, first, req.Header)
	require.NoError(t, s.Sign(context.Background(), docCreds, req, opts))
	require.Len(t, req.Header, 2)
	require.Contains(t, req.Header.Get("Authorization"), "SignedHeaders=host;x-amz-date,")

	// OmitSessionToken: sent, not signed.
	opts.OmitSessionToken = true
	require.NoError(t, s.Sign(context.Background(), withToken, req, opts))
	require.Equal(t, "token1", req.Header.Get("X-Amz-Security-Token"))
	require.Contains(t, req.Header.Get("Authorization"), "SignedHeaders=host;x-amz-date,")
}

func TestSignCanonicalizesTheWire(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		host     string
		opts     signer.Options
		wantHost string // req.Host afterwards
		wantURI  string // the request target sent
	}{
		{"default https port", "https://example.com:443/p", "", signer.Options{}, "example.com", "/p"},
		{"default http port", "http://example.com:80/p", "", signer.Options{}, "example.com", "/p"},
		{"other port", "https://example.com:8443/p", "", signer.Options{}, "", "/p"},
		{"Host header default port", "https://1.2.3.4/p", "example.com:443", signer.Options{}, "example.com", "/p"},
		{"query sorted and encoded", "https://example.com/?b=2&a=1+1&c=%7e&d", "", signer.Options{}, "", "/?a=1%201&b=2&c=~&d="},
		{"non-S3 path sent as is", "https://example.com/a%2Fb/c+d", "", signer.Options{}, "", "/a%2Fb/c+d"},
		{"S3 path encoded once", "https://example.com/bucket/a b/%C3%BC+=$@,;:!*'()/x", "", signer.Options{DisableURIPathEscaping: true}, "",
			"/bucket/a%20b/%C3%BC%2B%3D%24%40%2C%3B%3A%21%2A%27%28%29/x"},
		{"S3 path unnormalized", "https://example.com/bucket//a/../b/./c", "", signer.Options{DisableURIPathEscaping: true}, "", "/bucket//a/../b/./c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest(t, "GET", tt.url, nil)
			req.Host = tt.host
			path := req.URL.Path
			opts := tt.opts
			opts.Service, opts.Region, opts.Time = "s3", "us-east-1", docTime
			require.NoError(t, new(signer.Signer).Sign(context.Background(), docCreds, req, opts))
			require.Equal(t, tt.wantHost, req.Host)
			require.Equal(t, tt.wantURI, req.URL.RequestURI())
			require.Equal(t, path, req.URL.Path, "the decoded path is unchanged")
		})
	}
}

func TestSignUnsignedHeaders(t *testing.T) {
	req := newRequest(t, "GET", "https://example.com/", nil)
	for _, h := range []string{"User-Agent", "X-Amzn-Trace-Id", "Expect", "Transfer-Encoding", "X-Custom", "X-Other"} {
		req.Header.Set(h, "v")
	}
	opts := signer.Options{Service: "svc", Region: "us-east-1", Time: docTime, UnsignedHeaders: []string{"x-custom"}}
	require.NoError(t, new(signer.Signer).Sign(context.Background(), docCreds, req, opts))
	require.Contains(t, req.Header.Get("Authorization"), "SignedHeaders=host;x-amz-date;x-other,")
}

// TestSignConcurrent signs from many goroutines with one Signer (days, regions and secrets
// vary, to exercise the key cache) and checks every result against a fresh Signer's.
func TestSignConcurrent(t *testing.T) {
	shared := new(signer.Signer)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 16 {
		wg.Go(func() {
			for i := range 50 {
				creds := aws.Credentials{AccessKeyID: "AK", SecretAccessKey: fmt.Sprint("secret", i%3)}
				opts := signer.Options{Service: "svc", Region: fmt.Sprint("region-", (g+i)%5), Time: docTime.Add(time.Duration(i%4) * 24 * time.Hour)}
				a := newRequest(t, "GET", "https://example.com/x", nil)
				b := newRequest(t, "GET", "https://example.com/x", nil)
				if err := shared.Sign(context.Background(), creds, a, opts); err != nil {
					errs <- err
					return
				}
				if err := new(signer.Signer).Sign(context.Background(), creds, b, opts); err != nil {
					errs <- err
					return
				}
				if a.Header.Get("Authorization") != b.Header.Get("Authorization") {
					errs <- errors.New("signatures differ")
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestSignerClock(t *testing.T) {
	s := &signer.Signer{Now: func() time.Time { return docTime }}
	req := newRequest(t, "GET", "https://example.com/", nil)
	require.NoError(t, s.Sign(context.Background(), docCreds, req, signer.Options{Service: "s", Region: "r"}))
	require.Equal(t, "20130524T000000Z", req.Header.Get("X-Amz-Date"))
}
