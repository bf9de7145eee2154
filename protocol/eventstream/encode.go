package eventstream

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
)

// AppendMessage appends the wire form of m to dst. It fails, leaving dst as it was, when m
// breaks a limit of the format: an empty or too long header name, a zero HeaderValue, a too
// long string or byte-array value, a header block over MaxHeadersSize or a message over
// MaxMessageSize.
func AppendMessage(dst []byte, m Message) ([]byte, error) {
	start := len(dst)
	dst = append(dst, make([]byte, preludeLen)...)
	var err error
	if dst, err = appendHeaders(dst, m.Headers); err != nil {
		return dst[:start], err
	}
	headersLen := len(dst) - start - preludeLen
	total := preludeLen + headersLen + len(m.Payload) + 4
	if total > MaxMessageSize {
		return dst[:start], fmt.Errorf("eventstream: message of %d bytes exceeds the limit of %d", total, MaxMessageSize)
	}
	dst = append(dst, m.Payload...)
	p := dst[start:]
	binary.BigEndian.PutUint32(p[0:4], uint32(total))
	binary.BigEndian.PutUint32(p[4:8], uint32(headersLen))
	binary.BigEndian.PutUint32(p[8:12], crc32.ChecksumIEEE(p[0:8]))
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(p)), nil
}

func appendHeaders(dst []byte, hs Headers) ([]byte, error) {
	start := len(dst)
	for i, h := range hs {
		if len(h.Name) == 0 || len(h.Name) > MaxHeaderNameLen {
			return dst, fmt.Errorf("eventstream: header %d: name length %d is not in 1..%d", i, len(h.Name), MaxHeaderNameLen)
		}
		v := h.Value
		t := v.Type()
		if t == TypeInvalid {
			return dst, fmt.Errorf("eventstream: header %q has no value (zero HeaderValue)", h.Name)
		}
		dst = append(dst, byte(len(h.Name)))
		dst = append(dst, h.Name...)
		dst = append(dst, byte(t))
		switch t {
		case TypeBoolTrue, TypeBoolFalse:
		case TypeByte:
			dst = append(dst, byte(v.num))
		case TypeInt16:
			dst = binary.BigEndian.AppendUint16(dst, uint16(v.num))
		case TypeInt32:
			dst = binary.BigEndian.AppendUint32(dst, uint32(v.num))
		case TypeInt64, TypeTimestamp:
			dst = binary.BigEndian.AppendUint64(dst, uint64(v.num))
		case TypeBytes, TypeString:
			if len(v.str) > MaxHeaderValueLen {
				return dst, fmt.Errorf("eventstream: header %q: value of %d bytes exceeds the limit of %d", h.Name, len(v.str), MaxHeaderValueLen)
			}
			dst = binary.BigEndian.AppendUint16(dst, uint16(len(v.str)))
			dst = append(dst, v.str...)
		case TypeUUID:
			dst = append(dst, v.str...)
		}
		if n := len(dst) - start; n > MaxHeadersSize {
			return dst, fmt.Errorf("eventstream: header block exceeds the limit of %d bytes at header %d (%q)", MaxHeadersSize, i, h.Name)
		}
	}
	return dst, nil
}

// Encoder writes messages to an io.Writer, one Write call per message, reusing one buffer.
// It is not safe for concurrent use; the zero value is not usable (use NewEncoder).
type Encoder struct {
	w   io.Writer
	buf []byte
}

// NewEncoder returns an Encoder that writes to w.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: w} }

// Encode writes m. It returns AppendMessage's error for an invalid message (nothing is
// written then) or the writer's error.
func (e *Encoder) Encode(m Message) error {
	buf, err := AppendMessage(e.buf[:0], m)
	if cap(buf) <= 1<<20 { // keep ordinary buffers, let a huge one go
		e.buf = buf[:0]
	}
	if err != nil {
		return err
	}
	_, err = e.w.Write(buf)
	return err
}
