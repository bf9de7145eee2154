package faultproxy

import (
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"time"
)

// hopHeaders are the hop-by-hop headers of RFC 9110 section 7.6.1 (and the
// older Proxy-Connection and Keep-Alive); they are never forwarded.
var hopHeaders = map[string]bool{
	"Connection":          true,
	"Proxy-Connection":    true,
	"Keep-Alive":          true,
	"Proxy-Authenticate":  true,
	"Proxy-Authorization": true,
	"Te":                  true,
	"Trailer":             true,
	"Transfer-Encoding":   true,
	"Upgrade":             true,
}

// copyHeader copies src into dst, leaving out hop-by-hop headers and those
// named in src's Connection header.
func copyHeader(dst, src http.Header) {
	var named map[string]bool
	for _, v := range src["Connection"] {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				if named == nil {
					named = map[string]bool{}
				}
				named[textproto.CanonicalMIMEHeaderKey(f)] = true
			}
		}
	}
	for k, vv := range src {
		if hopHeaders[k] || named[k] {
			continue
		}
		dst[k] = append([]string(nil), vv...)
	}
}

func newTransport() *http.Transport {
	return &http.Transport{
		// Never route through an environment proxy: the backend is local.
		Proxy: nil,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:        128,
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     30 * time.Second,
		// Bodies pass through as the backend sent them (and as the client
		// asked, with its own Accept-Encoding).
		DisableCompression: true,
	}
}

// roundTrip sends the call's request to the target with body (length bytes,
// -1 if unknown) instead of r.Body. The response's body must be closed.
func (c *call) roundTrip(body io.Reader, length int64) (*http.Response, error) {
	r, p := c.r, c.p
	u := *r.URL
	u.Scheme, u.Host, u.User = p.target.Scheme, p.target.Host, nil
	out := &http.Request{
		Method:        r.Method,
		URL:           &u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        make(http.Header, len(r.Header)),
		Host:          r.Host,
		ContentLength: length,
	}
	if c.st.cfg.RewriteHost {
		out.Host = p.target.Host
	}
	copyHeader(out.Header, r.Header)
	if _, ok := out.Header["User-Agent"]; !ok {
		// Keep the Go client from adding its own User-Agent.
		out.Header["User-Agent"] = []string{""}
	}
	if length != 0 {
		if rc, ok := body.(io.ReadCloser); ok {
			out.Body = rc
		} else {
			out.Body = io.NopCloser(body)
		}
	}
	p.stats.forwarded(c.info.key)
	return p.transport.RoundTrip(out.WithContext(r.Context()))
}

// forward forwards the request and streams the response back.
func (c *call) forward() { c.forwardBody(c.r.Body, c.r.ContentLength) }

// forwardBody forwards the request with body instead of r.Body and streams
// the response back.
func (c *call) forwardBody(body io.Reader, length int64) {
	resp, err := c.roundTrip(body, length)
	if err != nil {
		c.badGateway(err)
		return
	}
	defer resp.Body.Close()
	c.writeHeader(resp)
	if _, err := io.Copy(c.w, resp.Body); err != nil {
		// The backend (or the client) failed mid-body: make sure the
		// client sees an incomplete response rather than a short,
		// well-framed one.
		cut(c.w)
	}
}

// writeHeader copies the backend response's header and status to the client.
func (c *call) writeHeader(resp *http.Response) {
	copyHeader(c.w.Header(), resp.Header)
	if _, ok := resp.Header["Content-Type"]; !ok {
		c.w.Header()["Content-Type"] = nil // no sniffing
	}
	c.w.WriteHeader(resp.StatusCode)
}

// badGateway reports a failure to reach the target; if the client is gone or
// the proxy is closing, it drops the connection instead.
func (c *call) badGateway(err error) {
	if c.r.Context().Err() != nil {
		reset(c.w)
		return
	}
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	c.w.WriteHeader(http.StatusBadGateway)
	_, _ = io.WriteString(c.w, "faultproxy: target: "+err.Error()+"\n")
}

// cut flushes what was written and closes the client connection (with a FIN)
// without completing the response.
func cut(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // let the server abort the response
	}
	_ = conn.Close()
}

// reset closes the client connection with a TCP RST, before any response byte.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if l, ok := conn.(interface{ SetLinger(int) error }); ok {
		_ = l.SetLinger(0)
	}
	_ = conn.Close()
}
