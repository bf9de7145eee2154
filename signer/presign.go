package signer

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aioaws/aioaws/aws"
)

// MaxPresignExpires is the longest validity of a presigned URL (7 days).
const MaxPresignExpires = 7 * 24 * time.Hour

// PresignedRequest is a request signed in its query string: anyone with it can send it until
// Expires, with no credentials.
type PresignedRequest struct {
	Method string
	// URL carries the signature in its query (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
	// X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Security-Token, X-Amz-Signature).
	URL string
	// SignedHeader holds the headers of the request that were signed besides Host: whoever
	// sends the request must send them, with these values. Often empty.
	SignedHeader http.Header
	// Expires is when the URL stops working (if the credentials do not expire first: a URL
	// signed with temporary credentials stops working when they expire).
	Expires time.Time
}

// Presign signs req in its query string, valid for expires (a whole number of seconds from
// one second to MaxPresignExpires). It does not change req. Every header of req is signed
// (except the ones Options.UnsignedHeaders and Sign leave out) and returned in SignedHeader;
// Content-Length is not signed. For S3, set DisableURIPathEscaping and UnsignedPayload;
// other services sign the hash of the body (the empty hash when there is none).
// ctx bounds the read of a body to hash, as for Sign.
func (s *Signer) Presign(ctx context.Context, creds aws.Credentials, req *http.Request, expires time.Duration, opts Options) (*PresignedRequest, error) {
	if expires < time.Second || expires > MaxPresignExpires || expires%time.Second != 0 {
		return nil, fmt.Errorf("signer: presign expiry %v: want whole seconds from 1s to %v", expires, MaxPresignExpires)
	}
	secs := int64(expires / time.Second)
	if opts.Time.IsZero() {
		opts.Time = s.now()
	}
	var res result
	if err := s.sign(ctx, creds, req, &opts, queryMode, secs, &res); err != nil {
		return nil, err
	}
	return presigned(req, creds, &opts, &res, opts.Time.Add(expires)), nil
}

// presigned assembles the URL from the pieces sign computed.
func presigned(req *http.Request, creds aws.Credentials, o *Options, res *result, expires time.Time) *PresignedRequest {
	u := req.URL
	scheme := u.Scheme
	if scheme == "" {
		scheme = "https"
	}
	host := req.Host
	if host == "" {
		host = u.Host
	}
	host, _ = hostForSigning(scheme, host)
	buf := make([]byte, 0, len(scheme)+3+len(host)+len(res.path)+len(res.query)+100+len(creds.SessionToken)*2)
	buf = append(buf, scheme...)
	buf = append(buf, "://"...)
	buf = append(buf, host...)
	buf = append(buf, res.path...)
	buf = append(buf, '?')
	buf = append(buf, res.query...)
	buf = append(buf, "&X-Amz-Signature="...)
	buf = appendHex(buf, res.signature[:])
	if creds.SessionToken != "" && o.OmitSessionToken {
		buf = append(buf, "&X-Amz-Security-Token="...)
		buf = appendEscaped(buf, creds.SessionToken, false)
	}
	header := make(http.Header, len(res.signed))
	for _, e := range res.signed {
		header[http.CanonicalHeaderKey(e.name)] = append(header[http.CanonicalHeaderKey(e.name)], e.vals...)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	return &PresignedRequest{Method: method, URL: string(buf), SignedHeader: header, Expires: expires}
}
