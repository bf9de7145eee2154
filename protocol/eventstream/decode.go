package eventstream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Causes of a DecodeError, for errors.Is. A DecodeError may also wrap io.ErrUnexpectedEOF
// (the stream ended inside a message) or the underlying reader's error.
var (
	// ErrChecksum: a prelude or message CRC does not match the bytes.
	ErrChecksum = errors.New("eventstream: checksum mismatch")
	// ErrTooLarge: a length is over one of the format's limits.
	ErrTooLarge = errors.New("eventstream: limit exceeded")
	// ErrMalformed: lengths that contradict each other, a bad header, or a message that does
	// not fit the event stream model.
	ErrMalformed = errors.New("eventstream: malformed message")
)

// DecodeError is a problem with one message of a stream. Match its cause with errors.Is
// against ErrChecksum, ErrTooLarge, ErrMalformed or io.ErrUnexpectedEOF.
type DecodeError struct {
	Message int   // index of the message in the stream, from 0
	Offset  int64 // byte offset in the stream of the offending field (for truncation: where the stream ended)
	Msg     string
	Err     error
}

func (e *DecodeError) Error() string {
	s := fmt.Sprintf("eventstream: message %d, byte %d: %s", e.Message, e.Offset, e.Msg)
	switch e.Err {
	case nil, ErrChecksum, ErrTooLarge, ErrMalformed:
		return s
	}
	return s + ": " + e.Err.Error()
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Decoder reads messages from a stream. It is not safe for concurrent use; the zero value is
// not usable (use NewDecoder). After an error other than io.EOF the stream is out of step, so
// every later Decode returns the same error.
//
// The decoder reuses one buffer for the header block of each message; a returned Message
// never aliases it (header strings and byte arrays are copied, each payload is a fresh slice).
// The payload is read in chunks that grow as bytes arrive, so a stream that declares a large
// message and then ends costs memory in proportion to what it sent, never more than the
// declared (and limited) length.
//
// Headers are returned in wire order. The format allows each name once; a repeated name is
// kept as sent and [Headers.Get] returns the first. String values are not checked for UTF-8.
type Decoder struct {
	r     io.Reader
	hdr   []byte
	index int   // index of the next message
	off   int64 // bytes consumed from r
	start int64 // offset of the message being (or last) decoded
	err   error
}

// NewDecoder returns a Decoder that reads from r. It does not buffer beyond the current
// message: every byte it reads belongs to a message it returns or reports.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: r} }

// Decode reads the next message. It returns io.EOF, and nothing else, when the stream ends
// cleanly between messages; a stream that ends inside a message gives a *DecodeError
// wrapping io.ErrUnexpectedEOF.
func (d *Decoder) Decode() (Message, error) {
	if d.err != nil {
		return Message{}, d.err
	}
	m, err := d.decode()
	if err != nil {
		d.err = err
		return Message{}, err
	}
	d.index++
	return m, nil
}

func (d *Decoder) fail(off int64, err error, format string, args ...any) error {
	return &DecodeError{Message: d.index, Offset: off, Msg: fmt.Sprintf(format, args...), Err: err}
}

// read fills b, counting the bytes; an io.EOF inside a message becomes io.ErrUnexpectedEOF.
func (d *Decoder) read(b []byte) error {
	n, err := io.ReadFull(d.r, b)
	d.off += int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func (d *Decoder) truncated(err error, what string) error {
	if err == io.ErrUnexpectedEOF {
		return d.fail(d.off, err, "stream ends inside the %s", what)
	}
	return d.fail(d.off, err, "reading the %s", what)
}

func (d *Decoder) decode() (Message, error) {
	d.start = d.off
	start := d.start
	var pre [preludeLen]byte
	n, err := io.ReadFull(d.r, pre[:])
	d.off += int64(n)
	switch {
	case err == io.EOF: // nothing at all: a clean end between messages
		return Message{}, io.EOF
	case err != nil:
		return Message{}, d.truncated(err, "prelude")
	}
	total := binary.BigEndian.Uint32(pre[0:4])
	headersLen := binary.BigEndian.Uint32(pre[4:8])
	if got, want := binary.BigEndian.Uint32(pre[8:12]), crc32.ChecksumIEEE(pre[0:8]); got != want {
		return Message{}, d.fail(start+8, ErrChecksum,
			"prelude checksum mismatch: message has %#08x, prelude bytes give %#08x", got, want)
	}
	switch {
	case total < minMessageSize:
		return Message{}, d.fail(start, ErrMalformed, "total length %d is less than the minimum %d", total, minMessageSize)
	case total > MaxMessageSize:
		return Message{}, d.fail(start, ErrTooLarge, "total length %d exceeds the limit of %d", total, MaxMessageSize)
	case headersLen > MaxHeadersSize:
		return Message{}, d.fail(start+4, ErrTooLarge, "headers length %d exceeds the limit of %d", headersLen, MaxHeadersSize)
	case headersLen > total-minMessageSize:
		return Message{}, d.fail(start+4, ErrMalformed,
			"headers length %d exceeds the %d bytes that total length %d leaves", headersLen, total-minMessageSize, total)
	}

	if cap(d.hdr) < int(headersLen) {
		d.hdr = make([]byte, headersLen)
	}
	hdr := d.hdr[:headersLen]
	if err := d.read(hdr); err != nil {
		return Message{}, d.truncated(err, "header block")
	}
	payload, err := d.readPayload(int(total - minMessageSize - headersLen))
	if err != nil {
		return Message{}, d.truncated(err, "payload")
	}
	var tail [4]byte
	if err := d.read(tail[:]); err != nil {
		return Message{}, d.truncated(err, "message checksum")
	}
	crc := crc32.Update(0, crc32.IEEETable, pre[:])
	crc = crc32.Update(crc, crc32.IEEETable, hdr)
	crc = crc32.Update(crc, crc32.IEEETable, payload)
	if got := binary.BigEndian.Uint32(tail[:]); got != crc {
		return Message{}, d.fail(d.off-4, ErrChecksum,
			"message checksum mismatch: message has %#08x, message bytes give %#08x", got, crc)
	}
	hs, err := decodeHeaders(hdr)
	if err != nil {
		var he *headerError
		if errors.As(err, &he) {
			return Message{}, d.fail(start+preludeLen+int64(he.pos), he.err, "%s", he.msg)
		}
		return Message{}, err
	}
	return Message{Headers: hs, Payload: payload}, nil
}

// payloadChunk is the first read size for a large payload; the buffer doubles from there.
const payloadChunk = 64 << 10

// readPayload reads n bytes into a fresh slice that grows as the bytes arrive.
func (d *Decoder) readPayload(n int) ([]byte, error) {
	if n <= payloadChunk {
		b := make([]byte, n)
		return b, d.read(b)
	}
	b := make([]byte, 0, payloadChunk)
	for len(b) < n {
		if len(b) == cap(b) {
			nb := make([]byte, len(b), min(2*cap(b), n))
			copy(nb, b)
			b = nb
		}
		k, err := io.ReadFull(d.r, b[len(b):cap(b)])
		d.off += int64(k)
		b = b[:len(b)+k]
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return b, nil
}

// headerError is a problem in a header block at byte pos of the block.
type headerError struct {
	pos int
	msg string
	err error
}

func (e *headerError) Error() string {
	return fmt.Sprintf("eventstream: header block byte %d: %s", e.pos, e.msg)
}

func (e *headerError) Unwrap() error { return e.err }

// fixedLen is the value length of the fixed-size header types; -1 for length-prefixed ones.
var fixedLen = [...]int{
	TypeBoolTrue: 0, TypeBoolFalse: 0, TypeByte: 1, TypeInt16: 2, TypeInt32: 4, TypeInt64: 8,
	TypeBytes: -1, TypeString: -1, TypeTimestamp: 8, TypeUUID: 16,
}

// decodeHeaders parses a whole header block. Strings and byte arrays are copied out of b.
func decodeHeaders(b []byte) (Headers, error) {
	if len(b) == 0 {
		return nil, nil
	}
	// Every header takes at least 3 bytes (name length, one name byte, type): a cheap bound
	// that sizes the slice for the common few headers without trusting the block.
	hs := make(Headers, 0, min(len(b)/3, 8))
	for pos, i := 0, 0; pos < len(b); i++ {
		at := pos
		bad := func(err error, format string, args ...any) (Headers, error) {
			return nil, &headerError{pos: at, msg: fmt.Sprintf("header %d: ", i) + fmt.Sprintf(format, args...), err: err}
		}
		nameLen := int(b[pos])
		pos++
		if nameLen == 0 {
			return bad(ErrMalformed, "empty name")
		}
		if nameLen > len(b)-pos {
			return bad(ErrMalformed, "name of %d bytes overruns the header block (%d bytes left)", nameLen, len(b)-pos)
		}
		name := intern(b[pos : pos+nameLen])
		pos += nameLen
		if pos == len(b) {
			return bad(ErrMalformed, "%q has no value type", name)
		}
		t := HeaderType(b[pos])
		pos++
		if int(t) >= len(fixedLen) {
			return bad(ErrMalformed, "%q has unknown value type %d", name, t)
		}
		n := fixedLen[t]
		if n < 0 {
			if len(b)-pos < 2 {
				return bad(ErrMalformed, "%q (%s) value length overruns the header block", name, t)
			}
			n = int(binary.BigEndian.Uint16(b[pos:]))
			pos += 2
			if n > MaxHeaderValueLen {
				return bad(ErrTooLarge, "%q (%s) value length %d exceeds the limit of %d", name, t, n, MaxHeaderValueLen)
			}
		}
		if n > len(b)-pos {
			return bad(ErrMalformed, "%q (%s) value of %d bytes overruns the header block (%d bytes left)", name, t, n, len(b)-pos)
		}
		val := b[pos : pos+n]
		pos += n
		v := HeaderValue{typ: uint8(t) + 1}
		switch t {
		case TypeBoolTrue:
			v.num = 1
		case TypeByte:
			v.num = int64(int8(val[0]))
		case TypeInt16:
			v.num = int64(int16(binary.BigEndian.Uint16(val)))
		case TypeInt32:
			v.num = int64(int32(binary.BigEndian.Uint32(val)))
		case TypeInt64, TypeTimestamp:
			v.num = int64(binary.BigEndian.Uint64(val))
		case TypeString:
			v.str = intern(val)
		case TypeBytes, TypeUUID:
			v.str = string(val)
		}
		hs = append(hs, Header{Name: name, Value: v})
	}
	return hs, nil
}

// intern returns the common header names and values without allocating.
func intern(b []byte) string {
	switch string(b) {
	case ":message-type":
		return ":message-type"
	case ":event-type":
		return ":event-type"
	case ":exception-type":
		return ":exception-type"
	case ":error-code":
		return ":error-code"
	case ":error-message":
		return ":error-message"
	case ":content-type":
		return ":content-type"
	case "event":
		return "event"
	case "exception":
		return "exception"
	case "error":
		return "error"
	case "application/octet-stream":
		return "application/octet-stream"
	case "application/json":
		return "application/json"
	case "text/xml":
		return "text/xml"
	}
	return string(b)
}
