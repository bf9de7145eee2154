package signer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aioaws/aioaws/aws"
)

// Algorithm is the SigV4 signing algorithm named in Authorization and X-Amz-Algorithm.
const Algorithm = "AWS4-HMAC-SHA256"

// Special payload hashes: the value signed in place of the hex SHA-256 of the body (and sent in
// X-Amz-Content-Sha256).
const (
	// EmptyPayloadHash is the hex SHA-256 of an empty body.
	EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	// UnsignedPayload leaves the body out of the signature (S3 over TLS, presigned URLs).
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// StreamingSignedPayload is an aws-chunked body whose chunks are signed.
	StreamingSignedPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	// StreamingSignedPayloadTrailer is StreamingSignedPayload followed by a signed trailer.
	StreamingSignedPayloadTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	// StreamingUnsignedPayloadTrailer is an aws-chunked body of unsigned chunks with a trailer.
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// Errors returned (wrapped) by the signing methods.
var (
	// ErrNoCredentials: the credentials have no access key ID or no secret. Anonymous requests
	// are not signed at all; it is the caller's job not to call the signer for them.
	ErrNoCredentials = errors.New("signer: credentials have no access key ID or secret")
	// ErrBodyNotRewindable: the payload hash was to be computed from a body that can be read
	// only once. Give Options.PayloadHash, Options.Payload or Options.UnsignedPayload, or a body
	// with GetBody (http.NewRequest sets it for bytes, strings and buffers) or io.Seeker.
	ErrBodyNotRewindable = errors.New("signer: cannot hash a body that can be read only once")
)

// Options are the parameters of one signature. The zero value is not enough: Service and
// Region are required. Options are values; the signer never keeps them or their slices.
type Options struct {
	// Service is the signing name of the service ("s3", "dynamodb", "execute-api", ...), the
	// third element of the credential scope.
	Service string
	// Region is the signing region ("us-east-1", ...).
	Region string
	// Time is the signing time; the zero value means the Signer's clock.
	Time time.Time

	// DisableURIPathEscaping signs the path as S3 wants it: each segment URI-encoded once (from
	// the decoded URL.Path) and never normalized, so "a//b/../c" keeps its empty and dot
	// segments. Sign also makes the request send that very encoding (it sets URL.RawPath when
	// the URL would encode the path differently, e.g. '+', '=', '$' or '@'). It implies
	// DisableURIPathNormalization. Other services sign the path as sent, encoded once more.
	DisableURIPathEscaping bool
	// DisableURIPathNormalization keeps dot segments and repeated slashes of the path when it
	// is encoded twice (services other than S3 normalize by default).
	DisableURIPathNormalization bool

	// UnsignedPayload signs "UNSIGNED-PAYLOAD" in place of the body's hash.
	UnsignedPayload bool
	// PayloadHash, if set, is signed as the payload hash: the hex SHA-256 of the body, computed
	// by the caller (e.g. while it buffered the body), or one of the special values of this
	// package.
	//
	// The payload hash is the first of: PayloadHash; UNSIGNED-PAYLOAD with UnsignedPayload;
	// the request's X-Amz-Content-Sha256 header, unless ContentSHA256Header (then the signer
	// owns that header); the SHA-256 of Payload; that of the body (none: the empty hash).
	PayloadHash string
	// Payload, if not nil, is the body, hashed without allocation. The caller keeps it
	// unchanged until Sign returns.
	Payload []byte
	// ContentSHA256Header sends the payload hash in X-Amz-Content-Sha256, and signs it (S3
	// requires it).
	ContentSHA256Header bool

	// OmitSessionToken sends X-Amz-Security-Token without signing it (the header or query
	// parameter is added after the signature), for the few services that want that.
	OmitSessionToken bool
	// UnsignedHeaders names more headers to leave out of the signature (case-insensitive),
	// besides the ones never signed: Authorization, User-Agent, X-Amzn-Trace-Id, Expect and
	// Transfer-Encoding (which proxies and the transport may change).
	UnsignedHeaders []string

	debug *debugInfo // tests: receives the canonical request and string to sign
}

type debugInfo struct{ canonicalRequest, stringToSign string }

// Signer signs HTTP requests with AWS Signature Version 4, in headers (Sign), in the query
// (Presign) and chunk by chunk (SignStreaming). It caches derived signing keys (bounded, per
// day, region, service and secret).
//
// The zero value is ready to use. A Signer is safe for concurrent use by any number of
// goroutines; share one (per process or per client) so that the key cache is shared. It holds
// no goroutines and needs no Close.
type Signer struct {
	// Now is the clock used when Options.Time is zero; nil means time.Now. Set it before the
	// Signer is first used, and do not change it afterwards.
	Now func() time.Time

	keys keyCache
}

func (s *Signer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// mode selects where the signature goes.
type mode uint8

const (
	headerMode mode = iota
	queryMode
)

// result carries what signing produced to SignStreaming and Presign.
type result struct {
	key       [sha256.Size]byte
	amzDate   [16]byte
	signature [sha256.Size]byte
	scope     string // set only when wantScope
	wantScope bool
	// Query mode: the canonical query (without the signature) and the wire path.
	query, path string
	signed      []hdrEntry // query mode: the request headers signed
}

// Sign signs req in place for header authentication: it sets X-Amz-Date, Authorization,
// X-Amz-Security-Token (when the credentials have a session token; a stale one is removed
// otherwise) and, with Options.ContentSHA256Header, X-Amz-Content-Sha256. It also rewrites
// the query (URL.RawQuery) into its canonical form, sets req.Host when the URL carries the
// default port of its scheme, and sets URL.RawPath as DisableURIPathEscaping describes, so
// that what is sent is what was signed. Any other change to the request afterwards (but to
// the unsigned headers) breaks the signature.
//
// The body is read only to compute the payload hash when no option gives it (see Options):
// through req.GetBody when set, else by seeking req.Body back where it was. ctx bounds that
// read. Sign never closes or keeps req.Body.
//
// Sign may be called again on the same request (a retry): it replaces its own headers.
func (s *Signer) Sign(ctx context.Context, creds aws.Credentials, req *http.Request, opts Options) error {
	return s.sign(ctx, creds, req, &opts, headerMode, 0, nil)
}

// hdrKind tells where a header entry takes its value from.
type hdrKind uint8

const (
	hMap     hdrKind = iota // vals, from req.Header
	hValue                  // val
	hDate                   // the X-Amz-Date value
	hPayload                // the payload hash
)

type hdrEntry struct {
	name   string // any case
	lo, hi int    // the lowercase name in the scratch buffer of sign
	vals   []string
	val    string
	kind   hdrKind
}

// payloadHash is either a string or a computed hex digest.
type payloadHash struct {
	s      string
	hex    [2 * sha256.Size]byte
	useHex bool
}

func (p *payloadHash) appendTo(dst []byte) []byte {
	if p.useHex {
		return append(dst, p.hex[:]...)
	}
	return append(dst, p.s...)
}

func (p *payloadHash) setSum(sum []byte) {
	appendHex(p.hex[:0], sum)
	p.useHex = true
}

// The headers the signer sets; request headers of those names are not
// signed as they are (they are replaced).
const (
	hdrDate   = "X-Amz-Date"
	hdrAuth   = "Authorization"
	hdrToken  = "X-Amz-Security-Token"
	hdrSHA256 = "X-Amz-Content-Sha256"
)

// neverSigned are the headers no signature covers.
var neverSigned = [...]string{"Authorization", "User-Agent", "X-Amzn-Trace-Id", "Expect", "Transfer-Encoding", "Host"}

func (o *Options) check(creds aws.Credentials) error {
	switch {
	case creds.AccessKeyID == "" || creds.SecretAccessKey == "":
		return ErrNoCredentials
	case o.Region == "":
		return errors.New("signer: Options.Region is empty")
	case o.Service == "":
		return errors.New("signer: Options.Service is empty")
	}
	return nil
}

// skipHeader reports whether the request header k is not signed as it is.
func (o *Options) skipHeader(k string, m mode) bool {
	switch len(k) {
	case len("Host"), len("Expect"), len("User-Agent"), len("Authorization"), len("X-Amzn-Trace-Id"), len("Transfer-Encoding"):
		for _, n := range neverSigned {
			if len(n) == len(k) && strings.EqualFold(k, n) {
				return true
			}
		}
		if len(k) == len(hdrDate) && strings.EqualFold(k, hdrDate) {
			return true
		}
	case len(hdrToken): // == len(hdrSHA256)
		if strings.EqualFold(k, hdrToken) || m == headerMode && o.ContentSHA256Header && strings.EqualFold(k, hdrSHA256) {
			return true
		}
	}
	for _, n := range o.UnsignedHeaders {
		if strings.EqualFold(k, n) {
			return true
		}
	}
	return false
}

// sign is the common core of Sign, Presign and SignStreaming. In query mode, expires (seconds)
// is signed when positive and res receives the query and path; req is not changed.
func (s *Signer) sign(ctx context.Context, creds aws.Credentials, req *http.Request, o *Options, m mode, expires int64, res *result) error {
	if err := o.check(creds); err != nil {
		return err
	}
	t := o.Time
	if t.IsZero() {
		t = s.now()
	}
	var amzDate [16]byte
	appendAmzDate(amzDate[:0], t)

	var ph payloadHash
	if err := computePayloadHash(ctx, req, o, &ph); err != nil {
		return err
	}

	u := req.URL
	host := req.Host
	if host == "" {
		host = u.Host
	}
	host, stripped := hostForSigning(u.Scheme, host)
	if stripped && m == headerMode {
		req.Host = host
	}

	// Header entries: synthesized ones first, then the request's.
	token := creds.SessionToken
	signToken := token != "" && !o.OmitSessionToken
	var entryArr [24]hdrEntry
	entries := entryArr[:0]
	var lnArr [512]byte
	ln := lnArr[:0] // the lowercase names
	add := func(e hdrEntry) {
		e.lo = len(ln)
		ln = appendLower(ln, e.name)
		e.hi = len(ln)
		entries = append(entries, e)
	}
	add(hdrEntry{name: "host", val: host, kind: hValue})
	if m == headerMode {
		add(hdrEntry{name: "x-amz-date", kind: hDate})
		if signToken {
			add(hdrEntry{name: "x-amz-security-token", val: token, kind: hValue})
		}
		if o.ContentSHA256Header {
			add(hdrEntry{name: "x-amz-content-sha256", kind: hPayload})
		}
	}
	stale := false // a request header of an owned name in another case than ours
	for k, v := range req.Header {
		if o.skipHeader(k, m) {
			if m == headerMode && k != hdrDate && k != hdrAuth && k != hdrToken && k != hdrSHA256 &&
				(strings.EqualFold(k, hdrDate) || strings.EqualFold(k, hdrAuth) || strings.EqualFold(k, hdrToken) ||
					(o.ContentSHA256Header && strings.EqualFold(k, hdrSHA256))) {
				stale = true
			}
			continue
		}
		if len(v) == 0 {
			continue
		}
		add(hdrEntry{name: k, vals: v})
	}
	slices.SortFunc(entries, func(a, b hdrEntry) int { return bytes.Compare(ln[a.lo:a.hi], ln[b.lo:b.hi]) })
	same := func(i int) bool { // entry i has the name of entry i-1 (in another case)
		return i > 0 && bytes.Equal(ln[entries[i].lo:entries[i].hi], ln[entries[i-1].lo:entries[i-1].hi])
	}

	// Signed headers, needed first in query mode (they are a query parameter).
	var shArr [256]byte
	sh := shArr[:0]
	for i, e := range entries {
		if same(i) {
			continue
		}
		if i > 0 {
			sh = append(sh, ';')
		}
		sh = append(sh, ln[e.lo:e.hi]...)
	}

	// The canonical request.
	var crArr [1024]byte
	cr := crArr[:0]
	if req.Method == "" {
		cr = append(cr, "GET"...)
	} else {
		cr = append(cr, req.Method...)
	}
	cr = append(cr, '\n')

	pathStart := len(cr)
	if o.DisableURIPathEscaping {
		cr = appendEscaped(cr, decodedPath(u), true)
		if m == headerMode {
			if p := cr[pathStart:]; u.Opaque != "" {
				if string(p) != u.Opaque {
					u.Opaque = string(p)
				}
			} else if u.Path != "" && string(p) != u.EscapedPath() {
				u.RawPath = string(p)
			}
		}
	} else {
		cr = appendCanonicalPath(cr, wirePath(u), !o.DisableURIPathNormalization)
	}
	pathEnd := len(cr)
	cr = append(cr, '\n')

	queryStart := len(cr)
	var scope string
	if m == headerMode {
		cr = canonicalQuery(cr, u.RawQuery, nil, false)
		if q := cr[queryStart:]; string(q) != u.RawQuery {
			u.RawQuery = string(q)
		}
	} else {
		scope = buildScope(amzDate[:8], o.Region, o.Service)
		extra := make([]string, 0, 12)
		extra = append(extra,
			"X-Amz-Algorithm", Algorithm,
			"X-Amz-Credential", creds.AccessKeyID+"/"+scope,
			"X-Amz-Date", string(amzDate[:]),
			"X-Amz-SignedHeaders", string(sh))
		if expires > 0 {
			extra = append(extra, "X-Amz-Expires", itoa(expires))
		}
		if signToken {
			extra = append(extra, "X-Amz-Security-Token", token)
		}
		cr = canonicalQuery(cr, u.RawQuery, extra, true)
	}
	queryEnd := len(cr)
	cr = append(cr, '\n')

	for i, e := range entries {
		if same(i) {
			cr[len(cr)-1] = ',' // same name in another case: one line, values joined
		} else {
			cr = append(cr, ln[e.lo:e.hi]...)
			cr = append(cr, ':')
		}
		switch e.kind {
		case hMap:
			for j, v := range e.vals {
				if j > 0 {
					cr = append(cr, ',')
				}
				cr = appendHeaderValue(cr, v)
			}
		case hValue:
			cr = appendHeaderValue(cr, e.val)
		case hDate:
			cr = append(cr, amzDate[:]...)
		case hPayload:
			cr = ph.appendTo(cr)
		}
		cr = append(cr, '\n')
	}
	cr = append(cr, '\n')
	cr = append(cr, sh...)
	cr = append(cr, '\n')
	cr = ph.appendTo(cr)

	// The string to sign and the signature.
	var stsArr [256]byte
	sts := append(stsArr[:0], Algorithm...)
	sts = append(sts, '\n')
	sts = append(sts, amzDate[:]...)
	sts = append(sts, '\n')
	scopeStart := len(sts)
	sts = appendScope(sts, amzDate[:8], o.Region, o.Service)
	scopeEnd := len(sts)
	sts = append(sts, '\n')
	sum := sha256.Sum256(cr)
	sts = appendHex(sts, sum[:])
	key := s.keys.get(creds.SecretAccessKey, amzDate[:8], o.Region, o.Service)
	sig := hmacSHA256(key[:], sts)

	if o.debug != nil {
		o.debug.canonicalRequest, o.debug.stringToSign = string(cr), string(sts)
	}
	if res != nil {
		res.key, res.amzDate, res.signature = key, amzDate, sig
		if res.wantScope || m == queryMode {
			if scope == "" {
				scope = string(sts[scopeStart:scopeEnd])
			}
			res.scope = scope
		}
	}
	if m == queryMode {
		res.query = string(cr[queryStart:queryEnd])
		if o.DisableURIPathEscaping {
			res.path = string(cr[pathStart:pathEnd])
		} else {
			res.path = wirePath(u)
		}
		for _, e := range entries {
			if e.kind == hMap {
				res.signed = append(res.signed, e)
			}
		}
		return nil
	}

	// Header mode: one string holds every value the signer sets.
	var outArr [512]byte
	out := append(outArr[:0], amzDate[:]...)
	phEnd := len(out)
	if o.ContentSHA256Header {
		out = ph.appendTo(out)
		phEnd = len(out)
	}
	out = append(out, Algorithm+" Credential="...)
	out = append(out, creds.AccessKeyID...)
	out = append(out, '/')
	out = append(out, sts[scopeStart:scopeEnd]...)
	out = append(out, ", SignedHeaders="...)
	out = append(out, sh...)
	out = append(out, ", Signature="...)
	out = appendHex(out, sig[:])
	str := string(out)

	h := req.Header
	if h == nil {
		h = make(http.Header, 4)
		req.Header = h
	}
	if stale {
		for k := range h {
			if k != hdrDate && k != hdrAuth && k != hdrToken && k != hdrSHA256 &&
				(strings.EqualFold(k, hdrDate) || strings.EqualFold(k, hdrAuth) || strings.EqualFold(k, hdrToken) ||
					(o.ContentSHA256Header && strings.EqualFold(k, hdrSHA256))) {
				delete(h, k)
			}
		}
	}
	n := 2
	if o.ContentSHA256Header {
		n++
	}
	if token != "" {
		n++
	}
	vals := make([]string, n)
	vals[0] = str[:len(amzDate)]
	vals[1] = str[phEnd:]
	h[hdrDate] = vals[0:1:1]
	h[hdrAuth] = vals[1:2:2]
	i := 2
	if o.ContentSHA256Header {
		vals[i] = str[len(amzDate):phEnd]
		h[hdrSHA256] = vals[i : i+1 : i+1]
		i++
	}
	if token != "" {
		vals[i] = token
		h[hdrToken] = vals[i : i+1 : i+1]
	} else {
		delete(h, hdrToken)
	}
	return nil
}

// appendScope appends the credential scope: date/region/service/aws4_request.
func appendScope(dst, date []byte, region, service string) []byte {
	dst = append(dst, date...)
	dst = append(dst, '/')
	dst = append(dst, region...)
	dst = append(dst, '/')
	dst = append(dst, service...)
	return append(dst, "/aws4_request"...)
}

func buildScope(date []byte, region, service string) string {
	var buf [128]byte
	return string(appendScope(buf[:0], date, region, service))
}

func itoa(v int64) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return string(buf[i:])
}

// computePayloadHash finds the payload hash of req, in the order Options documents.
func computePayloadHash(ctx context.Context, req *http.Request, o *Options, ph *payloadHash) error {
	switch {
	case o.PayloadHash != "":
		ph.s = o.PayloadHash
		return nil
	case o.UnsignedPayload:
		ph.s = UnsignedPayload
		return nil
	}
	if v := req.Header[hdrSHA256]; len(v) > 0 && v[0] != "" && !o.ContentSHA256Header {
		ph.s = v[0]
		return nil
	}
	switch {
	case o.Payload != nil:
		sum := sha256.Sum256(o.Payload)
		ph.setSum(sum[:])
		return nil
	case req.Body == nil || req.Body == http.NoBody:
		ph.s = EmptyPayloadHash
		return nil
	case req.GetBody != nil:
		body, err := req.GetBody()
		if err != nil {
			return errors.Join(errors.New("signer: reopen the body to hash it"), err)
		}
		defer body.Close()
		return hashBody(ctx, body, ph)
	}
	seeker, ok := req.Body.(io.Seeker)
	if !ok {
		return ErrBodyNotRewindable
	}
	pos, err := seeker.Seek(0, io.SeekCurrent)
	if err != nil {
		return errors.Join(ErrBodyNotRewindable, err)
	}
	if err := hashBody(ctx, req.Body, ph); err != nil {
		return err
	}
	if _, err := seeker.Seek(pos, io.SeekStart); err != nil {
		return errors.Join(errors.New("signer: rewind the body after hashing it"), err)
	}
	return nil
}

func hashBody(ctx context.Context, r io.Reader, ph *payloadHash) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	h := sha256.New()
	var err error
	if wt, ok := r.(io.WriterTo); ok {
		// An in-memory body (bytes.Reader, strings.Reader, through io.NopCloser) writes
		// itself, with no copy buffer.
		_, err = wt.WriteTo(h)
	} else {
		buf := copyBufs.Get().(*[32 << 10]byte)
		_, err = io.CopyBuffer(h, ctxReader{ctx, r}, buf[:])
		copyBufs.Put(buf)
	}
	if err != nil {
		return errors.Join(errors.New("signer: hash the body"), err)
	}
	var sum [sha256.Size]byte
	ph.setSum(h.Sum(sum[:0]))
	return nil
}

var copyBufs = sync.Pool{New: func() any { return new([32 << 10]byte) }}

// ctxReader stops a long read when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
