package signer

import (
	"bytes"
	"net/url"
	"slices"
	"strings"
	"time"
)

const upperHex = "0123456789ABCDEF"

// unreserved reports whether c is left as is by SigV4's URI encoding (RFC 3986 unreserved).
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// appendEscaped appends s URI-encoded as SigV4 wants it: every byte but the unreserved ones
// (and '/' when keepSlash) as %XX with uppercase hex.
func appendEscaped(dst []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || c == '/' && keepSlash {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// appendQueryComponent appends the canonical form of one raw (as in a URL) query key or
// value: decoded ('+' is a space, %XX a byte; a '%' that starts no escape is itself), then
// encoded with appendEscaped.
func appendQueryComponent(dst []byte, raw string) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '+':
			c = ' '
		case '%':
			if i+2 < len(raw) {
				if hi, ok := unhex(raw[i+1]); ok {
					if lo, ok := unhex(raw[i+2]); ok {
						c = hi<<4 | lo
						i += 2
					}
				}
			}
		}
		if unreserved(c) {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
}

// queryParam is one canonical query parameter: [k0:k1] and [v0:v1] in a scratch buffer.
type queryParam struct{ k0, k1, v0, v1 int }

// presignParams names the query parameters a presigned URL carries; a query being presigned
// drops any it already has (from an earlier presign).
var presignParams = [...]string{
	"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
	"X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature",
}

func isPresignParam(rawKey string) bool {
	if len(rawKey) < 10 || !strings.EqualFold(rawKey[:6], "X-Amz-") {
		return false
	}
	for _, p := range presignParams {
		if rawKey == p {
			return true
		}
	}
	return false
}

// canonicalQuery appends to dst the canonical query string of rawQuery plus extra (decoded
// key, value pairs): each key and value decoded and re-encoded, sorted by key then value,
// joined with '&'. With dropPresign, parameters a presigned URL owns are left out of rawQuery.
func canonicalQuery(dst []byte, rawQuery string, extra []string, dropPresign bool) []byte {
	if rawQuery == "" && len(extra) == 0 {
		return dst
	}
	var scratchArr [512]byte
	var paramArr [16]queryParam
	scratch, params := scratchArr[:0], paramArr[:0]
	for rest := rawQuery; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if dropPresign && isPresignParam(k) {
			continue
		}
		var p queryParam
		p.k0 = len(scratch)
		scratch = appendQueryComponent(scratch, k)
		p.k1, p.v0 = len(scratch), len(scratch)
		scratch = appendQueryComponent(scratch, v)
		p.v1 = len(scratch)
		params = append(params, p)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		var p queryParam
		p.k0 = len(scratch)
		scratch = appendEscaped(scratch, extra[i], false)
		p.k1, p.v0 = len(scratch), len(scratch)
		scratch = appendEscaped(scratch, extra[i+1], false)
		p.v1 = len(scratch)
		params = append(params, p)
	}
	slices.SortFunc(params, func(a, b queryParam) int {
		if c := bytes.Compare(scratch[a.k0:a.k1], scratch[b.k0:b.k1]); c != 0 {
			return c
		}
		return bytes.Compare(scratch[a.v0:a.v1], scratch[b.v0:b.v1])
	})
	for i, p := range params {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, scratch[p.k0:p.k1]...)
		dst = append(dst, '=')
		dst = append(dst, scratch[p.v0:p.v1]...)
	}
	return dst
}

// wirePath returns the path of u as the HTTP client sends it: Opaque when set (without a
// leading //host), else the escaped path; "/" when empty.
func wirePath(u *url.URL) string {
	p := u.Opaque
	if p != "" {
		if strings.HasPrefix(p, "//") {
			if i := strings.IndexByte(p[2:], '/'); i >= 0 {
				p = p[2+i:]
			} else {
				p = "/"
			}
		}
	} else {
		p = u.EscapedPath()
	}
	if p == "" {
		return "/"
	}
	return p
}

// decodedPath returns the decoded path of u: Path, or Opaque decoded.
func decodedPath(u *url.URL) string {
	if u.Opaque == "" {
		if u.Path == "" {
			return "/"
		}
		return u.Path
	}
	p := wirePath(u)
	if d, err := url.PathUnescape(p); err == nil {
		return d
	}
	return p
}

// appendCanonicalPath appends the canonical URI of the wire path p for services other than
// S3: with normalize, dot segments are resolved and empty segments dropped (a trailing slash
// is kept); then the result is URI-encoded again, so that a %XX on the wire becomes %25XX.
func appendCanonicalPath(dst []byte, p string, normalize bool) []byte {
	if !normalize || !needsNormalizing(p) {
		if p == "" || p[0] != '/' {
			dst = append(dst, '/')
		}
		return appendEscaped(dst, p, true)
	}
	start := len(dst)
	dst = append(dst, '/')
	var stackArr [32]int
	stack := stackArr[:0] // for each kept segment, len(dst) before it
	for rest := p; rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		switch seg {
		case "", ".":
		case "..":
			if n := len(stack); n > 0 {
				dst = dst[:stack[n-1]]
				stack = stack[:n-1]
			}
		default:
			stack = append(stack, len(dst))
			if len(dst) > start+1 {
				dst = append(dst, '/')
			}
			dst = appendEscaped(dst, seg, false)
		}
	}
	if len(stack) > 0 && p[len(p)-1] == '/' {
		dst = append(dst, '/')
	}
	return dst
}

// needsNormalizing reports whether p has an empty, "." or ".." segment (past its leading '/').
func needsNormalizing(p string) bool {
	if p == "" || p[0] != '/' {
		return true
	}
	for i := 1; i < len(p); i++ {
		if p[i-1] != '/' {
			continue
		}
		switch {
		case p[i] == '/':
			return true
		case p[i] == '.' && (i+1 == len(p) || p[i+1] == '/'):
			return true
		case p[i] == '.' && i+1 < len(p) && p[i+1] == '.' && (i+2 == len(p) || p[i+2] == '/'):
			return true
		}
	}
	return false
}

// appendAmzDate appends t (in UTC) as YYYYMMDD'T'HHMMSS'Z'.
func appendAmzDate(dst []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = append(dst, byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
	dst = append2(dst, int(mo))
	dst = append2(dst, d)
	dst = append(dst, 'T')
	dst = append2(dst, h)
	dst = append2(dst, mi)
	dst = append2(dst, s)
	return append(dst, 'Z')
}

func append2(dst []byte, v int) []byte { return append(dst, byte('0'+v/10), byte('0'+v%10)) }

// appendHeaderValue appends v with leading and trailing spaces and tabs removed and each run
// of spaces inside made one space.
func appendHeaderValue(dst []byte, v string) []byte {
	i, j := 0, len(v)
	for i < j && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	for j > i && (v[j-1] == ' ' || v[j-1] == '\t') {
		j--
	}
	v = v[i:j]
	if !strings.Contains(v, "  ") {
		return append(dst, v...)
	}
	for k := 0; k < len(v); k++ {
		if v[k] == ' ' && k > 0 && v[k-1] == ' ' {
			continue
		}
		dst = append(dst, v[k])
	}
	return dst
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		dst = append(dst, lower(s[i]))
	}
	return dst
}

// hostForSigning returns the host the request is sent to (Host, else URL.Host) without the
// default port of its scheme, and whether that differs from what the client would send.
func hostForSigning(scheme, host string) (string, bool) {
	var port string
	switch {
	case strings.EqualFold(scheme, "http"):
		port = ":80"
	case strings.EqualFold(scheme, "https"):
		port = ":443"
	default:
		return host, false
	}
	if strings.HasSuffix(host, port) {
		return host[:len(host)-len(port)], true
	}
	return host, false
}
