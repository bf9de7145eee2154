package endpoints

import (
	"net/netip"
	"strings"
)

// This file holds the standard library of the rules language as plain Go functions.

// substring returns input[start:stop] (counted from the end when reverse is set), or false if
// the input is not ASCII or the bounds do not fit.
func substring(input string, start, stop int, reverse bool) (string, bool) {
	if start < 0 || start >= stop || len(input) < stop {
		return "", false
	}
	for i := 0; i < len(input); i++ {
		if input[i] >= 0x80 {
			return "", false
		}
	}
	if reverse {
		start, stop = len(input)-stop, len(input)-start
	}
	return input[start:stop], true
}

// isValidHostLabel reports whether s is an RFC 1123 host label: 1 to 63 letters, digits and
// hyphens, neither starting nor ending with a hyphen. With allowSubDomains, s may be several
// such labels joined by dots.
func isValidHostLabel(s string, allowSubDomains bool) bool {
	if !allowSubDomains {
		return isHostLabel(s)
	}
	for {
		label, rest, more := strings.Cut(s, ".")
		if !isHostLabel(label) {
			return false
		}
		if !more {
			return true
		}
		s = rest
	}
}

func isHostLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// isVirtualHostableS3Bucket reports whether a bucket name can be used as a host name label
// (or labels, with allowSubDomains): at least 3 characters, lower case, not an IPv4 address,
// and valid host labels.
func isVirtualHostableS3Bucket(s string, allowSubDomains bool) bool {
	if len(s) < 3 || len(s) > 63 || looksLikeIPv4(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return false
		}
	}
	return isValidHostLabel(s, allowSubDomains)
}

// looksLikeIPv4 reports whether s is four dot-separated groups of digits.
func looksLikeIPv4(s string) bool {
	groups := 0
	for part := range strings.SplitSeq(s, ".") {
		if part == "" {
			return false
		}
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
		groups++
	}
	return groups == 4
}

// uriEncode percent-encodes every byte of s except the RFC 3986 unreserved characters
// (letters, digits, '-', '.', '_', '~'), with upper-case hex digits.
func uriEncode(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// urlParts is what parseURL returns.
type urlParts struct {
	Scheme, Authority, Path, NormalizedPath string
	IsIP                                    bool
}

// parseURL splits an http or https URL into its parts. URLs with a query or a fragment, other
// schemes, an empty host or a non-numeric port do not parse.
func parseURL(s string) (urlParts, bool) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return urlParts{}, false
	}
	switch strings.ToLower(scheme) {
	case "http", "https":
	default:
		return urlParts{}, false
	}
	if strings.ContainsAny(rest, "?#") {
		return urlParts{}, false
	}
	authority, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	if strings.LastIndexByte(authority, '@') >= 0 {
		authority = authority[strings.LastIndexByte(authority, '@')+1:]
		if authority == "" {
			return urlParts{}, false
		}
	}
	host, port := authority, ""
	if strings.HasPrefix(host, "[") {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return urlParts{}, false
		}
		host, port = authority[:end+1], authority[end+1:]
		if port != "" && port[0] != ':' {
			return urlParts{}, false
		}
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host, port = authority[:i], authority[i:]
	}
	if host == "" || strings.ContainsAny(host, " \t\r\n") {
		return urlParts{}, false
	}
	if port != "" {
		digits := port[1:]
		if digits == "" || len(digits) > 5 {
			return urlParts{}, false
		}
		for i := 0; i < len(digits); i++ {
			if digits[i] < '0' || digits[i] > '9' {
				return urlParts{}, false
			}
		}
	}
	u := urlParts{Scheme: strings.ToLower(scheme), Authority: rest[:len(rest)-len(path)], Path: path}
	switch {
	case strings.HasPrefix(host, "["):
		a, err := netip.ParseAddr(strings.TrimSuffix(host[1:], "]"))
		if err != nil || !a.Is6() {
			return urlParts{}, false
		}
		u.IsIP = true
	default:
		a, err := netip.ParseAddr(host)
		u.IsIP = err == nil && a.Is4()
	}
	np := path
	if !strings.HasPrefix(np, "/") {
		np = "/" + np
	}
	if !strings.HasSuffix(np, "/") {
		np += "/"
	}
	u.NormalizedPath = np
	return u, true
}

// arnParts is what aws.parseArn returns.
type arnParts struct {
	Partition, Service, Region, AccountID string
	ResourceID                            []string
}

// parseArn splits an ARN `arn:partition:service:region:account-id:resource`. The partition,
// service and resource must not be empty; the resource is split at ':' and '/'.
func parseArn(s string) (arnParts, bool) {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return arnParts{}, false
	}
	var f [4]string
	for i := range f {
		var more bool
		f[i], rest, more = strings.Cut(rest, ":")
		if !more {
			return arnParts{}, false
		}
	}
	if f[0] == "" || f[1] == "" || rest == "" {
		return arnParts{}, false
	}
	return arnParts{Partition: f[0], Service: f[1], Region: f[2], AccountID: f[3],
		ResourceID: splitResource(rest)}, true
}

// splitResource splits an ARN resource at every ':' and '/', keeping empty parts.
func splitResource(resource string) []string {
	n := 1 + strings.Count(resource, ":") + strings.Count(resource, "/")
	ids := make([]string, 0, n)
	start := 0
	for i := 0; i < len(resource); i++ {
		if resource[i] == ':' || resource[i] == '/' {
			ids = append(ids, resource[start:i])
			start = i + 1
		}
	}
	return append(ids, resource[start:])
}
