package session

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzProcessOutput: any output of a credential process gives credentials
// or an error, never a panic; accepted output has both keys.
func FuzzProcessOutput(f *testing.F) {
	f.Add([]byte(`{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2030-01-01T00:00:00Z","AccountId":"1"}`))
	f.Add([]byte(`{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"soon"}`))
	f.Add([]byte(`{"Version":2}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseProcessOutput(data, "fallback", func(s string) string { return s })
		if err == nil && (c.AccessKeyID == "" || c.SecretAccessKey == "" || c.AccountID == "") {
			t.Fatalf("accepted incomplete credentials %+v from %q", c, data)
		}
	})
}

// FuzzContainerCredentialsURL: the container URI rules never panic, and
// an accepted full URI over plain http goes to an allowed host.
func FuzzContainerCredentialsURL(f *testing.F) {
	for _, s := range []string{"http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1", "http://localhost:8080/x",
		"https://example.com/c", "http://example.com/c", "/credentials", "http://127.0.0.1.nip.io/", "http://[::ffff:127.0.0.1]/"} {
		f.Add(s, "")
	}
	f.Add("", "/creds?a=1")
	f.Fuzz(func(t *testing.T, full, rel string) {
		env := map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": full, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": rel}
		u, err := ContainerCredentialsURL(func(k string) string { return env[k] }, "")
		if err != nil || rel != "" {
			return
		}
		if strings.HasPrefix(u, "http://") {
			host := strings.TrimPrefix(u, "http://")
			if i := strings.IndexAny(host, "/?#"); i >= 0 {
				host = host[:i]
			}
			if strings.Contains(host, "example.com") || strings.Contains(host, "nip.io") {
				t.Fatalf("plain http to %q accepted", u)
			}
		}
	})
}

// FuzzSSOToken: a cached token file parses or is rejected, never panics.
func FuzzSSOToken(f *testing.F) {
	f.Add([]byte(`{"accessToken":"a","expiresAt":"2080-10-16T03:56:45Z","startUrl":"https://x"}`))
	f.Add([]byte(`{"accessToken":"a","expiresAt":"yesterday"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var tok SSOToken
		if json.Unmarshal(data, &tok) == nil {
			_, _ = json.Marshal(tok)
		}
	})
}
