package eventstream

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// PayloadDecoder decodes a structure from an event payload in the protocol's body format
// (JSON or XML), as an output document: map[string]any with the usual Go types (string,
// int64, float64, bool, time.Time, []byte, []any, map[string]any). The codec of the
// operation's service supplies it.
type PayloadDecoder func(shape *models.Shape, payload []byte) (map[string]any, error)

// Event is one event of a stream: Type is the name of the member of the event stream union
// (the message's `:event-type`), Value the event structure as an output document.
//
// An event type the stream shape does not define (one added to the service after the model,
// or the "initial-response" of RPC protocols) comes back with Value nil, so a caller that
// switches on Type skips it.
type Event struct {
	Type  string
	Value map[string]any
}

// ErrClosed is returned by Recv once the Reader has been closed.
var ErrClosed = errors.New("eventstream: reader closed")

// Reader reads the events of an operation's output event stream from a response body.
//
// A Reader is not safe for concurrent use, with one exception: Close may be called from
// another goroutine to unblock a Recv waiting for the network (Recv then returns ErrClosed;
// this relies on the body's Close unblocking its Read, as net/http response bodies do).
// The zero value is not usable (use NewReader). The caller owns the Reader and must call
// Close, also after Recv has returned io.EOF or an error; Close closes the body. The Reader
// starts no goroutines.
//
// Values in events are fresh: a blob payload is the message's own payload slice, never
// reused by later Recv calls.
type Reader struct {
	body   io.ReadCloser
	dec    *Decoder
	stream *models.Shape
	decode PayloadDecoder
	err    error // sticky: io.EOF, an *aws.APIError, a *DecodeError, ErrClosed, ...

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// NewReader returns a Reader of the events of stream (a shape with the eventstream trait,
// such as S3's SelectObjectContentEventStream) carried by body. decode decodes structure
// payloads; it may be nil for streams whose events carry only blob or string payloads and
// headers (a structure payload then fails with an error). If stream is not an event stream,
// every Recv fails.
func NewReader(body io.ReadCloser, stream *models.Shape, decode PayloadDecoder) *Reader {
	r := &Reader{body: body, dec: NewDecoder(body), stream: stream, decode: decode}
	switch {
	case stream == nil:
		r.err = errors.New("eventstream: NewReader: nil stream shape")
	case !stream.EventStream:
		r.err = fmt.Errorf("eventstream: NewReader: shape %s is not an event stream", stream.Name)
	}
	return r
}

// Recv returns the next event. At the clean end of the stream it returns io.EOF. A modeled
// exception (`:message-type` exception) comes back as an *aws.APIError whose Code is the
// exception type and whose Fields are the exception's members; an error message
// (`:message-type` error) as an *aws.APIError with the `:error-code` and `:error-message`.
// Framing problems, and messages that do not fit the model, are *DecodeError. Every error is
// final: later calls return it again. After Close, Recv returns ErrClosed.
func (r *Reader) Recv() (Event, error) {
	if r.err != nil {
		return Event{}, r.err
	}
	if r.closed.Load() {
		r.err = ErrClosed
		return Event{}, r.err
	}
	ev, err := r.next()
	if err != nil {
		if r.closed.Load() {
			err = ErrClosed
		}
		r.err = err
	}
	return ev, err
}

// Events returns the events as an iterator over (event, nil) pairs that ends quietly at the
// end of the stream; an error is yielded once, as (Event{}, err), and ends it. It does not
// close the Reader.
func (r *Reader) Events() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for {
			ev, err := r.Recv()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(Event{}, err)
				return
			}
			if !yield(ev, nil) {
				return
			}
		}
	}
}

// Close closes the body, unblocking a Recv in progress. It is idempotent and returns the
// body's Close error.
func (r *Reader) Close() error {
	r.closeOnce.Do(func() {
		r.closed.Store(true)
		r.closeErr = r.body.Close()
	})
	return r.closeErr
}

// malformed reports a problem with the message just decoded.
func (r *Reader) malformed(err error, format string, args ...any) error {
	if err == nil {
		err = ErrMalformed
	}
	return &DecodeError{Message: r.dec.index - 1, Offset: r.dec.start, Msg: fmt.Sprintf(format, args...), Err: err}
}

// stringHeader returns a required, non-empty string header.
func (r *Reader) stringHeader(m *Message, name string) (string, error) {
	v, ok := m.Headers.Get(name)
	if !ok {
		return "", r.malformed(nil, "missing %s header", name)
	}
	if v.Type() != TypeString {
		return "", r.malformed(nil, "%s header has type %s, want string", name, v.Type())
	}
	if v.str == "" {
		return "", r.malformed(nil, "empty %s header", name)
	}
	return v.str, nil
}

func (r *Reader) next() (Event, error) {
	m, err := r.dec.Decode()
	if err != nil {
		return Event{}, err
	}
	kind, err := r.stringHeader(&m, ":message-type")
	if err != nil {
		return Event{}, err
	}
	switch kind {
	case "event":
		typ, err := r.stringHeader(&m, ":event-type")
		if err != nil {
			return Event{}, err
		}
		mem, ok := r.stream.MemberNamed(typ)
		if !ok {
			return Event{Type: typ}, nil
		}
		v, err := r.structure(mem.Shape, &m)
		if err != nil {
			return Event{}, err
		}
		return Event{Type: typ, Value: v}, nil
	case "exception":
		typ, err := r.stringHeader(&m, ":exception-type")
		if err != nil {
			return Event{}, err
		}
		return Event{}, r.exception(typ, &m)
	case "error":
		code, err := r.stringHeader(&m, ":error-code")
		if err != nil {
			return Event{}, err
		}
		e := &aws.APIError{Code: code}
		if v, ok := m.Headers.Get(":error-message"); ok {
			e.Message = v.String()
		}
		return Event{}, e
	}
	return Event{}, r.malformed(nil, "unknown :message-type %q", kind)
}

// exception builds the APIError of an exception message: the member of the stream union
// named by the exception type (or, failing that, the member whose shape has that name).
func (r *Reader) exception(typ string, m *Message) error {
	e := &aws.APIError{Code: typ}
	mem, ok := r.stream.MemberNamed(typ)
	if !ok {
		for _, x := range r.stream.Members {
			if x.Shape.Name == typ {
				mem, ok = x, true
				break
			}
		}
	}
	if !ok || mem.Shape.Type != models.Structure {
		// Unmodeled: keep a short, readable payload as the message.
		if p := strings.TrimSpace(string(m.Payload)); len(p) <= 1024 && utf8.ValidString(p) {
			e.Message = p
		}
		return e
	}
	fields, err := r.structure(mem.Shape, m)
	if err != nil {
		return err
	}
	e.Fields = fields
	for _, k := range [...]string{"message", "Message", "errorMessage"} {
		if s, ok := fields[k].(string); ok {
			e.Message = s
			break
		}
	}
	protocol.SetFault(e, mem.Shape)
	return e
}

// structure decodes an event (or exception) structure from a message: the eventpayload
// member from the payload, or the other members from the payload as a body; then the
// eventheader members from the headers.
func (r *Reader) structure(s *models.Shape, m *Message) (map[string]any, error) {
	out := map[string]any{}
	var payload *models.Member
	hasBody := false
	for _, mem := range s.Members {
		switch {
		case mem.EventPayload:
			payload = mem
		case !mem.EventHeader:
			hasBody = true
		}
	}
	switch {
	case payload != nil:
		switch payload.Shape.Type {
		case models.Blob:
			p := m.Payload
			if p == nil {
				p = []byte{}
			}
			out[payload.Name] = p
		case models.String:
			out[payload.Name] = string(m.Payload)
		default:
			if len(m.Payload) == 0 {
				out[payload.Name] = map[string]any{}
				break
			}
			v, err := r.decodePayload(payload.Shape, m.Payload, s.Name+"."+payload.Name)
			if err != nil {
				return nil, err
			}
			out[payload.Name] = v
		}
	case hasBody && len(m.Payload) > 0:
		v, err := r.decodePayload(s, m.Payload, s.Name)
		if err != nil {
			return nil, err
		}
		for k, x := range v {
			if mem, ok := s.MemberNamed(k); ok && !mem.EventHeader {
				out[k] = x
			}
		}
	}
	for _, mem := range s.Members {
		if !mem.EventHeader {
			continue
		}
		h, ok := m.Headers.Get(mem.Name)
		if !ok {
			continue
		}
		v, ok := headerMember(h, mem.Shape.Type)
		if !ok {
			return nil, r.malformed(nil, "header %s of type %s cannot fill member %s.%s (%s)", mem.Name, h.Type(), s.Name, mem.Name, mem.Shape.Type)
		}
		out[mem.Name] = v
	}
	return out, nil
}

func (r *Reader) decodePayload(s *models.Shape, p []byte, what string) (map[string]any, error) {
	if r.decode == nil {
		return nil, fmt.Errorf("eventstream: message %d: no PayloadDecoder to decode the %s payload", r.dec.index-1, what)
	}
	v, err := r.decode(s, p)
	if err != nil {
		return nil, r.malformed(err, "decoding the %s payload", what)
	}
	return v, nil
}

// headerMember converts a header value to the document value of a member of type t.
func headerMember(v HeaderValue, t models.Type) (any, bool) {
	ht := v.Type()
	switch t {
	case models.String:
		if ht == TypeString || ht == TypeUUID {
			return v.String(), true
		}
	case models.Boolean:
		if ht == TypeBoolTrue || ht == TypeBoolFalse {
			return v.num != 0, true
		}
	case models.Byte, models.Short, models.Integer, models.Long:
		if ht >= TypeByte && ht <= TypeInt64 {
			return v.num, true
		}
	case models.Timestamp:
		if ht == TypeTimestamp {
			return v.time(), true
		}
	case models.Blob:
		if ht == TypeBytes || ht == TypeString {
			return []byte(v.str), true
		}
	}
	return nil, false
}
