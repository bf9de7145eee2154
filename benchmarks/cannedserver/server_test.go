package cannedserver

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestRoutes(t *testing.T) {
	s, err := Start("")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}()
	const auth = "AWS4-HMAC-SHA256 Credential=AKID/20261101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"
	do := func(method, path, target string, body []byte, signed bool) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if target != "" {
			req.Header.Set("X-Amz-Target", target)
		}
		if signed {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	tests := []struct {
		name, method, path, target string
		body                       []byte
		signed                     bool
		status                     int
		want                       []byte
		etag                       string
	}{
		{"GetItem", "POST", "/", TargetGet, []byte(`{}`), true, 200, GetItemBody(), ""},
		{"PutItem", "POST", "/", TargetPut, []byte(`{}`), true, 200, []byte(`{}`), ""},
		{"unknown target", "POST", "/", TargetPrefix + "Scan", []byte(`{}`), true, 400, errDDBUnknown, ""},
		{"unsigned ddb", "POST", "/", TargetGet, []byte(`{}`), false, 400, errDDBAuth, ""},
		{"PutObject", "PUT", "/b/k", "", PutPayload(), true, 200, []byte{}, PutETag()},
		{"GetObject", "GET", "/b/k", "", nil, true, 200, Object(), ObjectETag()},
		{"unsigned s3", "GET", "/b/k", "", nil, false, 403, errS3Auth, ""},
		{"DELETE", "DELETE", "/b/k", "", nil, true, 405, errS3Method, ""},
	}
	for _, tt := range tests {
		resp, b := do(tt.method, tt.path, tt.target, tt.body, tt.signed)
		if resp.StatusCode != tt.status || !bytes.Equal(b, tt.want) {
			t.Errorf("%s: %d %.80q, want %d %.80q", tt.name, resp.StatusCode, b, tt.status, tt.want)
		}
		if tt.etag != "" && resp.Header.Get("ETag") != tt.etag {
			t.Errorf("%s: ETag %q, want %q", tt.name, resp.Header.Get("ETag"), tt.etag)
		}
	}
	if resp, _ := do("GET", "/b/k", "", nil, true); resp.ContentLength != ObjectSize {
		t.Errorf("GetObject Content-Length %d", resp.ContentLength)
	}
	st := s.Handler.Stats()
	if st.Requests != int64(len(tests)+1) || st.Errors != 4 || st.ConnsOpened < 1 || st.CPUNanos <= 0 {
		t.Errorf("stats %+v", st)
	}
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("URL %s", s.URL)
	}
}
