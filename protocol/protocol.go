// Package protocol translates between Go values and HTTP for every AWS wire protocol, driven
// only by compiled service models. The codecs live in sub-packages (json, xml, cbor);
// package codecs picks one for a service. This package holds what they share: the request and
// response they work on, input value access, timestamps, REST bindings and validation.
package protocol

import (
	"io"
	"net/http"
	"strconv"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/internal/checksum"
	"github.com/aioaws/aioaws/models"
)

// Request is what a Codec builds from an operation's input: everything but the endpoint, which
// the client resolves and joins (URL host, base path) before signing.
type Request struct {
	Method string
	// Path is the escaped request path relative to the endpoint's path, starting with "/".
	Path string
	// RawQuery is the encoded query string, without "?".
	RawQuery string
	Header   http.Header
	// Body is a buffered payload; BodyStream a streaming one (the caller's io.Reader, never
	// read by the codec). At most one is set.
	Body       []byte
	BodyStream io.Reader
	// HostPrefix is the operation's expanded endpoint host prefix (e.g. "123456789012."), to be
	// prepended to the endpoint host.
	HostPrefix string
	// TrailingChecksum, with a BodyStream, is the checksum to compute as the body streams and
	// send in an aws-chunked trailer (set by the client, not the codec).
	TrailingChecksum checksum.Algorithm

	streamStart int64 // offset of a seekable BodyStream at its first Rewind; -1 before
	rewound     bool
}

// Rewindable reports whether the body can be sent more than once: no body, a buffered one, or
// a stream that is an io.Seeker.
func (r *Request) Rewindable() bool {
	if r.BodyStream == nil {
		return true
	}
	_, ok := r.BodyStream.(io.Seeker)
	return ok
}

// Rewind prepares a seekable stream for (re)sending: the first call records where the stream
// starts, later calls seek back there. It does nothing for other bodies.
func (r *Request) Rewind() error {
	s, ok := r.BodyStream.(io.Seeker)
	if !ok {
		return nil
	}
	if !r.rewound {
		off, err := s.Seek(0, io.SeekCurrent)
		if err != nil {
			return err
		}
		r.streamStart, r.rewound = off, true
		return nil
	}
	_, err := s.Seek(r.streamStart, io.SeekStart)
	return err
}

// Response is an HTTP response handed to a Codec.
type Response struct {
	StatusCode int
	Header     http.Header
	// Body is the response body. Parse reads it; for an operation whose output has a streaming
	// payload, Parse puts Body itself in the output and the caller owns it from then on.
	Body io.ReadCloser
}

// ReadBody reads the whole body (at most MaxBody bytes) and closes it. When the response
// declares its Content-Length, the buffer is allocated once, at that size.
func (r *Response) ReadBody() ([]byte, error) {
	defer r.Body.Close()
	n, err := strconv.ParseInt(r.Header.Get("Content-Length"), 10, 64)
	if err != nil || n <= 0 || n > MaxBody {
		return ReadAllLimited(r.Body, MaxBody)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r.Body, buf); err != nil {
		return nil, err
	}
	var extra [1]byte
	if k, _ := r.Body.Read(extra[:]); k > 0 { // longer than declared: read on, still bounded
		rest, err := ReadAllLimited(r.Body, MaxBody-n-1)
		if err != nil {
			return nil, err
		}
		return append(append(buf, extra[0]), rest...), nil
	}
	return buf, nil
}

// Codec serializes inputs and parses outputs and errors for one service. Codecs compile
// per-shape plans on first use and are safe for concurrent use.
type Codec interface {
	// Protocol is the protocol name as models spell it ("json", "rest-xml", ...).
	Protocol() string
	// Build serializes in (a map[string]any document or a struct; nil for no input) as a
	// request for op. It does not validate: call Validate first.
	Build(op *models.Operation, in any) (*Request, error)
	// Parse decodes a successful response into an output document.
	Parse(op *models.Operation, resp *Response) (map[string]any, error)
	// ParseError decodes an error response. It always returns an error: an *aws.APIError when
	// the body could be read, with the modeled fields of op's matching error shape.
	ParseError(op *models.Operation, resp *Response) *aws.APIError
}

// IntoParser is implemented by codecs that can parse a successful response straight into a
// Go value (an aws.Target), without building its output document: the fast path of
// client.CallInto.
type IntoParser interface {
	// ParseInto has the results of Parse followed by aws.Decode(doc, out): out holds the
	// same values, and a value that does not fit gives the same *aws.DecodeError. Other
	// errors are Parse's.
	ParseInto(op *models.Operation, resp *Response, out any) error
}

// ParseInto parses resp into out (a non-nil pointer) with c's fast path when c has one, and
// otherwise with Parse then aws.Decode.
func ParseInto(c Codec, op *models.Operation, resp *Response, out any) error {
	if p, ok := c.(IntoParser); ok {
		return p.ParseInto(op, resp, out)
	}
	return ParseThenDecode(c, op, resp, out)
}

// ParseThenDecode parses resp into its output document and decodes that into out.
func ParseThenDecode(c Codec, op *models.Operation, resp *Response, out any) error {
	doc, err := c.Parse(op, resp)
	if err != nil {
		return err
	}
	return aws.Decode(doc, out)
}
