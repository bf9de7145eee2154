package client

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/endpoints"
	"github.com/aioaws/aioaws/events"
	"github.com/aioaws/aioaws/internal/checksum"
	"github.com/aioaws/aioaws/internal/retry"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
	"github.com/aioaws/aioaws/signer"
)

// minCompressBytes is the smallest body compressed for operations that accept gzip (the SDKs'
// request_min_compression_size_bytes default).
const minCompressBytes = 10240

// typedOut is where CallInto's fast path parses an output: v, a non-nil pointer, and t, the
// aws.Target of v, not yet used.
type typedOut struct {
	v any
	t aws.Target
}

// call is the whole pipeline of one operation call, flat, in order. With a non-nil into, the
// output is parsed straight into into.v and the document returned is nil.
func (c *Client) call(ctx context.Context, o *Options, retryer *retry.Retryer, opName string, in any, into *typedOut) (map[string]any, error) {
	var start time.Time // read only when tracing
	if o.OnTrace != nil {
		start = time.Now()
	}
	op, err := c.operation(opName)
	if err != nil {
		return nil, err
	}
	var trace *Trace
	if o.OnTrace != nil {
		trace = &Trace{Service: c.svc.Name, Operation: opName}
		defer func() { trace.Total = time.Since(start); o.OnTrace(trace) }()
	}
	reg, svc := o.Events, c.svc.Name
	for _, name := range [...]string{events.ProvideClientParams, events.BeforeParameterBuild} {
		if reg.Has(name, svc, opName) {
			e := &events.Event{Name: name, Service: svc, Operation: opName, Params: in}
			if err := reg.Emit(ctx, e); err != nil {
				return nil, err
			}
			in = e.Params
		}
	}
	if err := protocol.Validate(op, in); err != nil {
		return nil, err
	}
	preq, err := c.codec.Build(op, in)
	if err != nil {
		return nil, err
	}
	ep, base, err := c.endpoint(o, op, in)
	if err != nil {
		return nil, &EndpointError{Err: err}
	}
	if c.svc.Name == "s3" && strings.HasPrefix(op.HTTP.RequestURI, "/{Bucket}") {
		// S3's endpoint rules put the bucket in the URL (host or path) already.
		preq.Path = trimFirstSegment(preq.Path)
	}
	if err := prepareBody(c.svc, op, in, preq); err != nil {
		return nil, err
	}
	signing := c.signingOptions(o, ep)
	if reg.Has(events.BeforeCall, svc, opName) {
		if err := reg.Emit(ctx, &events.Event{Name: events.BeforeCall, Service: svc, Operation: opName, Params: in}); err != nil {
			return nil, err
		}
	}

	attempts := retryer.Begin()
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := attempts.BeforeAttempt(ctx); err != nil {
			return nil, err
		}
		out, info, err := c.attempt(ctx, o, op, in, into, preq, ep, base, signing, n, trace)
		if err != nil && o.AttemptTimeout > 0 && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			err = &retry.AttemptTimeoutError{After: o.AttemptTimeout, Err: err} // ours, not the caller's: retryable
		}
		if trace != nil {
			trace.Attempts = n
		}
		if misfit, ok := err.(outputMisfit); ok { // answered, but the output does not fit into
			attempts.After(nil, info)
			return nil, misfit.err
		}
		if err == nil {
			attempts.After(nil, info)
			if into != nil {
				return nil, setMetadata(into.t, info, n)
			}
			addMetadata(out, info, n)
			if reg.Has(events.AfterCall, svc, opName) {
				e := &events.Event{Name: events.AfterCall, Service: svc, Operation: opName, Params: in, Parsed: out, Attempt: n}
				if err := reg.Emit(ctx, e); err != nil {
					return nil, err
				}
				out = e.Parsed
			}
			return out, nil
		}
		if info.ClockSkew != 0 {
			c.skew.Store(int64(info.ClockSkew))
		}
		delay, stop := attempts.After(err, info)
		retrying := stop == nil && delay > 0
		if reg.Has(events.NeedsRetry, svc, opName) {
			e := &events.Event{Name: events.NeedsRetry, Service: svc, Operation: opName, Params: in, Err: err, Attempt: n, Retry: &retrying}
			if herr := reg.Emit(ctx, e); herr != nil {
				return nil, herr
			}
		}
		if retrying && !preq.Rewindable() {
			retrying, stop = false, fmt.Errorf("not retried: the request body cannot be rewound: %w", err)
		}
		if !retrying {
			if stop == nil {
				stop = err
			}
			if reg.Has(events.AfterCallError, svc, opName) {
				_ = reg.Emit(ctx, &events.Event{Name: events.AfterCallError, Service: svc, Operation: opName, Params: in, Err: stop, Attempt: n})
			}
			return nil, stop
		}
		if err := attempts.Wait(ctx, delay); err != nil {
			return nil, err
		}
	}
}

// attempt sends the request once and parses the answer.
func (c *Client) attempt(ctx context.Context, o *Options, op *models.Operation, in any, into *typedOut, preq *protocol.Request,
	ep endpoints.Endpoint, base *url.URL, signing signer.Options, n int, trace *Trace) (map[string]any, retry.Response, error) {
	var info retry.Response
	reg, svc := o.Events, c.svc.Name
	actx, cancel := ctx, context.CancelFunc(func() {})
	if o.AttemptTimeout > 0 {
		actx, cancel = context.WithTimeout(ctx, o.AttemptTimeout)
	}
	keepCtx := false // true when a streaming output body outlives this function
	defer func() {
		if !keepCtx {
			cancel()
		}
	}()

	parts := new(attemptParts)
	req, err := newHTTPRequest(actx, parts, preq, base, ep, o.Headers)
	if err != nil {
		return nil, info, err
	}
	if reg.Has(events.RequestCreated, svc, op.Name) || reg.Has(events.BeforeSign, svc, op.Name) {
		for _, name := range [...]string{events.RequestCreated, events.BeforeSign} {
			if err := reg.Emit(actx, &events.Event{Name: name, Service: svc, Operation: op.Name, Params: in, Request: req, Attempt: n}); err != nil {
				return nil, info, err
			}
		}
	}
	if o.Credentials != nil && !anonymous(op) {
		creds, err := o.Credentials.Retrieve(actx)
		if err != nil {
			return nil, info, &CredentialsError{Err: err}
		}
		if !creds.Anonymous() {
			var err error
			switch {
			case preq.Body != nil:
				signing.Payload = preq.Body
				err = c.signer.Sign(actx, creds, req, signing)
			case preq.BodyStream != nil && preq.TrailingChecksum != "":
				// aws-chunked: chunks signed over plain HTTP; over HTTPS, TLS and the
				// checksum cover them.
				so := signer.StreamOptions{Checksum: preq.TrailingChecksum, UnsignedChunks: req.URL.Scheme == "https"}
				err = c.signer.SignStreaming(actx, creds, req, signing, so)
			default:
				signing.UnsignedPayload = preq.BodyStream != nil
				err = c.signer.Sign(actx, creds, req, signing)
			}
			if err != nil {
				return nil, info, &CredentialsError{Err: err}
			}
		}
	}
	var resp *http.Response
	if reg.Has(events.BeforeSend, svc, op.Name) {
		e := &events.Event{Name: events.BeforeSend, Service: svc, Operation: op.Name, Params: in, Request: req, Attempt: n}
		if err := reg.Emit(actx, e); err != nil {
			return nil, info, err
		}
		if resp = e.Response; resp != nil && req.Body != nil {
			req.Body.Close() // answered without sending: nobody else will close it
		}
	}
	if resp == nil {
		r, timing, err := o.Transport.Do(req)
		if timing != nil && trace != nil {
			trace.QueueWait += timing.Queued
			trace.Send += timing.ToHeaders
		}
		if err != nil {
			return nil, info, err
		}
		resp = r
	}
	info = retry.Response{StatusCode: resp.StatusCode, Header: resp.Header, ClockSkew: clockSkew(resp, c.opts.Now())}
	if reg.Has(events.ResponseReceived, svc, op.Name) {
		if err := reg.Emit(actx, &events.Event{Name: events.ResponseReceived, Service: svc, Operation: op.Name, Params: in, Request: req, Response: resp, Attempt: n}); err != nil {
			protocol.Drain(resp.Body)
			return nil, info, err
		}
	}
	if o.RawResponse {
		keepCtx = true
		return map[string]any{"StatusCode": int64(resp.StatusCode), "Header": resp.Header, "Body": &ctxBody{resp.Body, cancel}}, info, nil
	}
	var parseStart time.Time // read only when tracing
	if trace != nil {
		parseStart = time.Now()
	}
	presp := &parts.resp
	*presp = protocol.Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: resp.Body}
	if resp.StatusCode >= 300 {
		apiErr := c.codec.ParseError(op, presp)
		apiErr.Service, apiErr.Operation = svc, op.Name
		return nil, info, apiErr
	}
	streaming := streamingOutput(op)
	if streaming != nil {
		presp.Body = &ctxBody{resp.Body, cancel}
		if body, err := validatingBody(op, in, resp.Header, presp.Body); err != nil {
			presp.Body.Close()
			return nil, info, err
		} else if body != nil {
			presp.Body = body
		}
	}
	var out map[string]any
	if into != nil {
		reflect.ValueOf(into.v).Elem().SetZero() // nothing left from an earlier attempt
		err = protocol.ParseInto(c.codec, op, presp, into.v)
		if err != nil { // (de escapes to the heap: only declared when needed)
			var de *aws.DecodeError
			if errors.As(err, &de) {
				err = outputMisfit{err}
			}
		}
	} else {
		out, err = c.codec.Parse(op, presp)
	}
	if trace != nil {
		trace.Parse += time.Since(parseStart)
	}
	if _, ok := err.(outputMisfit); ok {
		return nil, info, err
	}
	if err != nil {
		var apiErr *aws.APIError // S3 answers some errors with 200
		if errors.As(err, &apiErr) {
			apiErr.Service, apiErr.Operation = svc, op.Name
			return nil, info, apiErr
		}
		return nil, info, fmt.Errorf("parse response: %w", err)
	}
	if streaming != nil {
		if _, ok := out[streaming.Name]; ok {
			keepCtx = true // the body's Close cancels the attempt's context
		}
	}
	return out, info, nil
}

// trimFirstSegment turns "/bucket/key" into "/key" and "/bucket" into "".
func trimFirstSegment(path string) string {
	if i := strings.IndexByte(path[1:], '/'); i >= 0 {
		return path[i+1:]
	}
	return ""
}

// endpoint resolves op's endpoint for this call and parses its URL (cached per URL).
func (c *Client) endpoint(o *Options, op *models.Operation, in any) (endpoints.Endpoint, *url.URL, error) {
	cfg := endpoints.Config{Region: o.Region, UseFIPS: o.UseFIPS, UseDualStack: o.UseDualStack, Endpoint: o.Endpoint, S3: o.S3, BuiltIns: o.EndpointBuiltIns}
	doc, _ := in.(map[string]any)
	if doc == nil && in != nil && op.Input != nil {
		doc = map[string]any{}
		protocol.Fields(op.Input, in, func(m *models.Member, v any) { doc[m.Name] = v })
	}
	ep, err := c.resolver.ResolveOperation(&cfg, op.Name, doc)
	if err != nil {
		return ep, nil, err
	}
	u, err := parseEndpointURL(ep.URL)
	return ep, u, err
}

var endpointURLs sync.Map // string → *url.URL (never modified)

func parseEndpointURL(s string) (*url.URL, error) {
	if u, ok := endpointURLs.Load(s); ok {
		return u.(*url.URL), nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("malformed endpoint URL %q", s)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	endpointURLs.Store(s, u)
	return u, nil
}

// emptyRequest is never modified: its WithContext is a new request with a context in one
// allocation (the context of an http.Request can only be set through WithContext or
// NewRequestWithContext, which would parse a URL).
var emptyRequest http.Request

// attemptParts are values an attempt needs at their own addresses, allocated together: the
// request's URL and buffered-body reader (see newHTTPRequest), and the response passed to
// the codec.
type attemptParts struct {
	url  url.URL
	body bytes.Reader
	resp protocol.Response
}

// newHTTPRequest joins the codec's request and the endpoint into an *http.Request, whose URL
// and body reader are parts' (parts, fresh, is the attempt's own).
func newHTTPRequest(ctx context.Context, parts *attemptParts, preq *protocol.Request, base *url.URL, ep endpoints.Endpoint, extra http.Header) (*http.Request, error) {
	parts.url = url.URL{Scheme: base.Scheme, Host: preq.HostPrefix + base.Host, RawQuery: preq.RawQuery}
	u := &parts.url
	rawPath := escapedBasePath(base) + preq.Path
	path, err := url.PathUnescape(rawPath)
	if err != nil {
		return nil, fmt.Errorf("malformed request path %q: %w", rawPath, err)
	}
	u.Path, u.RawPath = path, rawPath
	header := preq.Header
	for k, vs := range ep.Headers {
		for _, v := range vs {
			header.Add(k, v)
		}
	}
	for k, vs := range extra {
		for _, v := range vs {
			header.Add(k, v)
		}
	}
	req := emptyRequest.WithContext(ctx)
	req.Method, req.URL, req.Host, req.Header = preq.Method, u, u.Host, header
	req.Proto, req.ProtoMajor, req.ProtoMinor = "HTTP/1.1", 1, 1
	switch {
	case preq.Body != nil:
		body := preq.Body
		req.ContentLength = int64(len(body))
		parts.body.Reset(body)
		req.Body = io.NopCloser(&parts.body)
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	case preq.BodyStream != nil:
		if err := preq.Rewind(); err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(preq.BodyStream)
		req.ContentLength = -1
		if l, ok := bodyLength(preq.BodyStream); ok {
			req.ContentLength = l
		}
		if l := header.Get("Content-Length"); l != "" {
			fmt.Sscan(l, &req.ContentLength)
		}
		if req.ContentLength == 0 {
			req.Body = http.NoBody
		}
	}
	return req, nil
}

func escapedBasePath(u *url.URL) string {
	if u.Path == "" {
		return ""
	}
	return u.EscapedPath()
}

func bodyLength(r io.Reader) (int64, bool) {
	switch b := r.(type) {
	case *bytes.Reader:
		return int64(b.Len()), true
	case *strings.Reader:
		return int64(b.Len()), true
	}
	if s, ok := r.(io.Seeker); ok {
		cur, err1 := s.Seek(0, io.SeekCurrent)
		end, err2 := s.Seek(0, io.SeekEnd)
		if _, err3 := s.Seek(cur, io.SeekStart); err1 == nil && err2 == nil && err3 == nil {
			return end - cur, true
		}
	}
	return 0, false
}

// signingOptions derives the signing name, region and S3 rules from the model and the
// endpoint's auth schemes.
func (c *Client) signingOptions(o *Options, ep endpoints.Endpoint) signer.Options {
	so := signer.Options{Service: c.svc.Metadata.SigningName, Region: o.Region}
	for _, as := range ep.AuthSchemes() {
		if as.Name != "sigv4" && as.Name != "sigv4-s3express" {
			continue
		}
		if as.SigningName != "" {
			so.Service = as.SigningName
		}
		if as.SigningRegion != "" {
			so.Region = as.SigningRegion
		}
		so.DisableURIPathEscaping = as.DisableDoubleEncoding
		so.DisableURIPathNormalization = as.DisableNormalizePath
		break
	}
	if so.Service == "s3" || c.svc.Metadata.SignatureVersion == "s3" || c.svc.Metadata.SignatureVersion == "s3v4" {
		so.DisableURIPathEscaping = true
		so.ContentSHA256Header = true
	}
	return so
}

func anonymous(op *models.Operation) bool {
	if op.AuthType == "none" {
		return true
	}
	for _, a := range op.Auth {
		if a == "smithy.api#noAuth" {
			return len(op.Auth) == 1
		}
	}
	return false
}

// prepareBody compresses the body where the operation accepts it and adds the checksum the
// operation requires, or the one the caller asked for by setting the algorithm member: in a
// header for a buffered body, in a trailer for a streaming one. S3 (signature s3, s3v4) needs the
// length of a streaming body: one of unknown length fails here, before anything is sent.
func prepareBody(svc *models.Service, op *models.Operation, in any, preq *protocol.Request) error {
	if preq.BodyStream != nil && strings.HasPrefix(svc.Metadata.SignatureVersion, "s3") && preq.Header.Get("Content-Length") == "" {
		if _, known := bodyLength(preq.BodyStream); !known {
			return fmt.Errorf("the length of the %s body is unknown, and %s needs it: set the ContentLength member, pass a body that is an io.Seeker (a *bytes.Reader, an *os.File), or upload in parts", op.Name, svc.Name)
		}
	}
	if preq.Body != nil && len(preq.Body) >= minCompressBytes && preq.Header.Get("Content-Encoding") == "" {
		for _, enc := range op.RequestCompression {
			if enc == "gzip" {
				var buf bytes.Buffer
				zw := gzip.NewWriter(&buf)
				if _, err := zw.Write(preq.Body); err != nil {
					return err
				}
				if err := zw.Close(); err != nil {
					return err
				}
				preq.Body = buf.Bytes()
				preq.Header.Set("Content-Encoding", "gzip")
				break
			}
		}
	}
	required := op.HTTPChecksumRequired || (op.HTTPChecksum != nil && op.HTTPChecksum.RequestChecksumRequired)
	var alg string
	if op.HTTPChecksum != nil && op.HTTPChecksum.RequestAlgorithmMember != "" && op.Input != nil {
		protocol.Fields(op.Input, in, func(m *models.Member, v any) {
			if m.Name == op.HTTPChecksum.RequestAlgorithmMember {
				alg, _ = protocol.String(v)
			}
		})
	}
	if (!required && alg == "") || hasChecksumHeader(preq.Header) || preq.Body == nil && preq.BodyStream == nil {
		return nil
	}
	if alg == "" && preq.Body != nil {
		preq.Header.Set("Content-MD5", checksum.ContentMD5(preq.Body))
		return nil
	}
	a := checksum.CRC32 // what a required checksum of a stream defaults to, as in the SDKs
	if alg != "" {
		var err error
		if a, err = checksum.ParseAlgorithm(alg); err != nil {
			return err
		}
	}
	if preq.BodyStream != nil {
		preq.TrailingChecksum = a // computed as the body streams, sent in an aws-chunked trailer
		return nil
	}
	sum, err := checksum.Sum(a, preq.Body)
	if err != nil {
		return err
	}
	preq.Header.Set(a.HeaderName(), sum)
	return nil
}

func hasChecksumHeader(h http.Header) bool {
	if h.Get("Content-MD5") != "" {
		return true
	}
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
			return true
		}
	}
	return false
}

// validatingBody wraps a streaming response body so that reading it to the end checks the
// response checksum, when the caller asked for validation (the operation's validation-mode
// member set to "ENABLED", as S3's ChecksumMode) and the response carries a full-object checksum
// of an algorithm the operation lists; composite (multipart) checksums cannot be checked. It
// returns nil when there is nothing to validate.
func validatingBody(op *models.Operation, in any, h http.Header, body io.ReadCloser) (io.ReadCloser, error) {
	hc := op.HTTPChecksum
	if hc == nil || hc.RequestValidationModeMember == "" || op.Input == nil {
		return nil, nil
	}
	enabled := false
	protocol.Fields(op.Input, in, func(m *models.Member, v any) {
		if m.Name == hc.RequestValidationModeMember {
			mode, _ := protocol.String(v)
			enabled = strings.EqualFold(mode, "ENABLED")
		}
	})
	if !enabled {
		return nil, nil
	}
	var candidates []checksum.Algorithm
	for _, a := range checksum.ResponsePriority {
		for _, listed := range hc.ResponseAlgorithms {
			if strings.EqualFold(string(a), listed) {
				candidates = append(candidates, a)
			}
		}
	}
	alg, expected, ok := checksum.ResponseChecksum(h, candidates)
	if !ok {
		return nil, nil
	}
	return checksum.NewValidatingReader(body, alg, expected)
}

func streamingOutput(op *models.Operation) *models.Member {
	if op.Output == nil || op.Output.Payload == nil {
		return nil
	}
	p := op.Output.Payload
	if p.Streaming || p.Shape.Streaming || p.Shape.EventStream {
		return p
	}
	return nil
}

// ctxBody is a streaming response body whose Close also ends its attempt's context.
type ctxBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

// WriteTo passes io.Copy on to the inner body's WriteTo, when it has one, so that a large
// copy is not cut into io.Copy's small reads.
func (b *ctxBody) WriteTo(w io.Writer) (int64, error) {
	if wt, ok := b.ReadCloser.(io.WriterTo); ok {
		return wt.WriteTo(w)
	}
	return io.Copy(w, struct{ io.Reader }{b.ReadCloser})
}

func (b *ctxBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// clockSkew returns how far the server's Date is from now, when it is more than a few
// seconds off (zero otherwise).
func clockSkew(resp *http.Response, now time.Time) time.Duration {
	date := resp.Header.Get("Date")
	if date == "" {
		return 0
	}
	t, err := parseDate(date)
	if err != nil {
		return 0
	}
	if d := t.Sub(now); d > 4*time.Minute || d < -4*time.Minute {
		return d
	}
	return 0
}

// lastDate is the Date header parsed last: responses within the same second carry the same
// one, so most responses need no parsing.
var lastDate atomic.Pointer[parsedDate]

type parsedDate struct {
	text string
	t    time.Time
}

// parseDate is http.ParseTime, remembering the last valid date.
func parseDate(text string) (time.Time, error) {
	if d := lastDate.Load(); d != nil && d.text == text {
		return d.t, nil
	}
	t, err := http.ParseTime(text)
	if err == nil {
		// A clone, so as not to keep alive whatever buffer text may point into.
		lastDate.Store(&parsedDate{text: strings.Clone(text), t: t})
	}
	return t, err
}

// outputMisfit is an attempt's answer that does not fit the caller's output value: final,
// not retried.
type outputMisfit struct{ err error }

func (e outputMisfit) Error() string { return e.err.Error() }

// addMetadata adds botocore's ResponseMetadata to an output document.
func addMetadata(out map[string]any, info retry.Response, attempts int) {
	if out == nil {
		return
	}
	out["ResponseMetadata"] = metadata(info, attempts)
}

// setMetadata stores botocore's ResponseMetadata in a typed output that has a place for it.
// t is a fresh Target of the output (a copy of one not used yet).
func setMetadata(t aws.Target, info retry.Response, attempts int) error {
	if err := t.Object(); err != nil {
		return err
	}
	defer t.End()
	if e, ok := t.Entry("ResponseMetadata"); ok {
		if err := e.Set(metadata(info, attempts)); err != nil {
			return err
		}
		t.Commit("ResponseMetadata")
	}
	return nil
}

func metadata(info retry.Response, attempts int) map[string]any {
	md := map[string]any{"HTTPStatusCode": int64(info.StatusCode), "RetryAttempts": int64(attempts - 1)}
	if info.Header != nil {
		for _, h := range [...]string{"X-Amzn-Requestid", "X-Amz-Request-Id", "X-Amz-Id-2"} {
			if v := info.Header.Get(h); v != "" {
				if h == "X-Amz-Id-2" {
					md["HostId"] = v
				} else if _, set := md["RequestId"]; !set {
					md["RequestId"] = v
				}
			}
		}
		md["HTTPHeaders"] = info.Header
	}
	return md
}
