package signer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHMACAgainstCryptoHMAC(t *testing.T) {
	for _, keyLen := range []int{0, 1, 32, 63, 64, 65, 200} {
		for _, msgLen := range []int{0, 1, 55, 56, 64, 300, 511, 512, 513, 5000} {
			key := []byte(strings.Repeat("k", keyLen))
			msg := []byte(strings.Repeat("m", msgLen))
			h := hmac.New(sha256.New, key)
			h.Write(msg)
			got := hmacSHA256(key, msg)
			require.Equal(t, h.Sum(nil), got[:], "key %d, message %d", keyLen, msgLen)
		}
	}
}

// TestDeriveKey checks the signing-key derivation example of the AWS SigV4 documentation.
func TestDeriveKey(t *testing.T) {
	k := deriveKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", []byte("20120215"), "us-east-1", "iam")
	require.Equal(t, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d", hex.EncodeToString(k[:]))
}

func TestKeyCacheBounded(t *testing.T) {
	var c keyCache
	day1, day2 := []byte("20240101"), []byte("20240102")
	for i := range 3 * maxCachedKeys {
		date := day1
		if i >= maxCachedKeys {
			date = day2
		}
		region := "region-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		k := c.get("secret", date, region, "svc")
		require.Equal(t, deriveKey("secret", date, region, "svc"), k)
		require.LessOrEqual(t, c.len(), maxCachedKeys)
	}
	// A hit returns the cached key; different secrets are different keys.
	a := c.get("secret", day2, "r", "s")
	require.Equal(t, a, c.get("secret", day2, "r", "s"))
	require.NotEqual(t, a, c.get("other", day2, "r", "s"))
}

func TestCanonicalPieces(t *testing.T) {
	require.Equal(t, "20150830T123600Z", string(appendAmzDate(nil, time.Date(2015, 8, 30, 14, 36, 0, 0, time.FixedZone("x", 7200)))))

	for _, tt := range []struct{ in, want string }{
		{"", "/"}, {"/", "/"}, {"//", "/"}, {"/a/b", "/a/b"}, {"/a/b/", "/a/b/"}, {"/a//b", "/a/b"},
		{"/a/./b", "/a/b"}, {"/a/../b", "/b"}, {"/../a", "/a"}, {"/a/..", "/"}, {"/a/b/..", "/a"},
		{"/a%2Fb", "/a%252Fb"}, {"/ä b", "/%C3%A4%20b"}, {"a/b", "/a/b"},
	} {
		require.Equal(t, tt.want, string(appendCanonicalPath(nil, tt.in, true)), "normalize %q", tt.in)
	}
	require.Equal(t, "/a//b/../c/", string(appendCanonicalPath(nil, "/a//b/../c/", false)))

	for _, tt := range []struct{ raw, want string }{
		{"", ""}, {"a=1", "a=1"}, {"b=2&a=1", "a=1&b=2"}, {"a=2&a=1&a=10", "a=1&a=10&a=2"},
		{"a", "a="}, {"&&a=1&", "a=1"}, {"a=b+c", "a=b%20c"}, {"a=%7e%2B%2b", "a=~%2B%2B"},
		{"a=%zz%", "a=%25zz%25"}, {"k=a=b", "k=a%3Db"}, {"%E1%88%B4=1", "%E1%88%B4=1"}, {"x=ሴ", "x=%E1%88%B4"},
		{"a=1;b=2", "a=1%3Bb%3D2"},
	} {
		require.Equal(t, tt.want, string(canonicalQuery(nil, tt.raw, nil, false)), "query %q", tt.raw)
	}
	require.Equal(t, "a=1&b=2", string(canonicalQuery(nil, "X-Amz-Signature=x&a=1&X-Amz-Date=y&b=2", nil, true)))

	require.Equal(t, `a b "c d"`, string(appendHeaderValue(nil, "  \ta   b  \"c  d\" \t")))
}
