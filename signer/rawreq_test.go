package signer

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// rawRequest is an HTTP request as the SigV4 test suites write it: a request line, header
// lines (a line starting with a space or tab continues the previous one; a name may repeat),
// then optionally an empty line and a body. The files are not valid HTTP: the request target
// may hold spaces and raw UTF-8, and lines end in LF.
type rawRequest struct {
	method, target string
	headers        [][2]string // name, value, in order
	body           []byte
}

func parseRawRequest(text string) (*rawRequest, error) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	line, rest, _ := strings.Cut(text, "\n")
	method, target, ok := strings.Cut(line, " ")
	if !ok {
		return nil, errors.New("no request target in " + line)
	}
	// The target runs to the last " HTTP/" (it may contain spaces).
	if i := strings.LastIndex(target, " HTTP/"); i >= 0 {
		target = target[:i]
	}
	r := &rawRequest{method: method, target: target}
	for rest != "" {
		line, rest, _ = strings.Cut(rest, "\n")
		if line == "" {
			r.body = []byte(rest)
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(r.headers) == 0 {
				return nil, errors.New("continuation line before any header")
			}
			// Obsolete line folding: the continuation joins the value after one space.
			last := &r.headers[len(r.headers)-1]
			last[1] = strings.TrimRight(last[1], " \t") + " " + strings.TrimLeft(line, " \t")
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, errors.New("header line without a colon: " + line)
		}
		r.headers = append(r.headers, [2]string{name, value})
	}
	return r, nil
}

// header returns the first value of the header name, trimmed, or "".
func (r *rawRequest) header(name string) string {
	for _, h := range r.headers {
		if strings.EqualFold(h[0], name) {
			return strings.TrimSpace(h[1])
		}
	}
	return ""
}

// httpRequest builds the *http.Request the raw request stands for. A target that is not a
// valid escaped path (spaces, raw UTF-8) goes in URL.Opaque, which net/http sends verbatim,
// so that the path the signer sees is the one written; the query is kept as written. Headers
// named in drop are left out.
func (r *rawRequest) httpRequest(drop ...string) (*http.Request, error) {
	path, query, _ := strings.Cut(r.target, "?")
	host := r.header("Host")
	u := &url.URL{Scheme: "https", Host: host, RawQuery: query}
	if p, err := url.PathUnescape(path); err == nil {
		u.Path, u.RawPath = p, path
	}
	if u.Path == "" || u.EscapedPath() != path {
		u.Path, u.RawPath, u.Opaque = "", "", path
	}
	req := &http.Request{Method: r.method, URL: u, Host: host, Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
next:
	for _, h := range r.headers {
		if strings.EqualFold(h[0], "Host") {
			continue
		}
		for _, d := range drop {
			if strings.EqualFold(h[0], d) {
				continue next
			}
		}
		req.Header.Add(h[0], h[1])
	}
	if len(r.body) > 0 {
		body := r.body
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		req.ContentLength = int64(len(body))
	}
	return req, nil
}
