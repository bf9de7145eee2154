package awsjson

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// maxDepth bounds nesting so hostile bodies cannot exhaust the stack.
const maxDepth = 256

// reader parses a JSON response body, guided by shapes: values land in their Go types
// directly (timestamps as time.Time, blobs as []byte, integers as int64) without a generic
// intermediate tree.
type reader struct {
	data  []byte // never modified or reused: strings may alias it
	pos   int
	depth int

	shapes [2]*models.Shape // the structure plans used last, most recent first
	plans  [2]*structPlan

	dec Decoder // handed to Unmarshalers (see readCustom)
}

// plan is c.plan(s), remembering the last two shapes: a response's structures mostly come in
// runs of one shape (the elements of a list), which then skip the codec's shared map.
func (r *reader) plan(c *Codec, s *models.Shape) *structPlan {
	switch s {
	case r.shapes[0]:
		return r.plans[0]
	case r.shapes[1]:
		return r.plans[1]
	}
	p := c.plan(s)
	r.shapes[1], r.plans[1] = r.shapes[0], r.plans[0]
	r.shapes[0], r.plans[0] = s, p
	return p
}

func (r *reader) errorf(format string, args ...any) error {
	return fmt.Errorf("malformed JSON response at offset %d: %s", r.pos, fmt.Sprintf(format, args...))
}

func (r *reader) peek() byte {
	for r.pos < len(r.data) {
		switch c := r.data[r.pos]; c {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return c
		}
	}
	return 0
}

func (r *reader) end() error {
	if r.peek() != 0 {
		return r.errorf("data after the JSON value")
	}
	return nil
}

func (r *reader) literal(lit string) bool {
	if bytes.HasPrefix(r.data[r.pos:], []byte(lit)) {
		r.pos += len(lit)
		return true
	}
	return false
}

func (r *reader) enter() error {
	r.depth++
	if r.depth > maxDepth {
		return r.errorf("nested deeper than %d", maxDepth)
	}
	return nil
}

// object calls fn for each key; fn consumes the value.
func (r *reader) object(fn func(key []byte) error) error {
	if r.peek() != '{' {
		return r.errorf("want object")
	}
	if err := r.enter(); err != nil {
		return err
	}
	r.pos++
	if r.peek() == '}' {
		r.pos++
		r.depth--
		return nil
	}
	for {
		if r.peek() != '"' {
			return r.errorf("want object key")
		}
		key, err := r.strBytes()
		if err != nil {
			return err
		}
		if r.peek() != ':' {
			return r.errorf("want ':'")
		}
		r.pos++
		if err := fn(key); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.pos++
		case '}':
			r.pos++
			r.depth--
			return nil
		default:
			return r.errorf("want ',' or '}'")
		}
	}
}

func (r *reader) array(fn func() error) error {
	if r.peek() != '[' {
		return r.errorf("want array")
	}
	if err := r.enter(); err != nil {
		return err
	}
	r.pos++
	if r.peek() == ']' {
		r.pos++
		r.depth--
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			r.depth--
			return nil
		default:
			return r.errorf("want ',' or ']'")
		}
	}
}

// strBytes returns a string's contents; the slice aliases the input when it has no escapes.
func (r *reader) strBytes() ([]byte, error) {
	if r.peek() != '"' {
		return nil, r.errorf("want string")
	}
	r.pos++
	start := r.pos
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		switch {
		case c == '"':
			s := r.data[start:r.pos]
			r.pos++
			return s, nil
		case c == '\\':
			return r.unescape(start)
		case c < 0x20:
			return nil, r.errorf("control character in string")
		}
		r.pos++
	}
	return nil, r.errorf("unterminated string")
}

func (r *reader) unescape(start int) ([]byte, error) {
	buf := append([]byte(nil), r.data[start:r.pos]...)
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		if c == '"' {
			r.pos++
			return buf, nil
		}
		if c != '\\' {
			buf = append(buf, c)
			r.pos++
			continue
		}
		if r.pos+1 >= len(r.data) {
			break
		}
		esc := r.data[r.pos+1]
		r.pos += 2
		switch esc {
		case '"', '\\', '/':
			buf = append(buf, esc)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			ru, ok := r.hex4()
			if !ok {
				return nil, r.errorf("bad \\u escape")
			}
			if utf16.IsSurrogate(ru) {
				lo := utf8.RuneError
				if r.pos+1 < len(r.data) && r.data[r.pos] == '\\' && r.data[r.pos+1] == 'u' {
					r.pos += 2
					if lo, ok = r.hex4(); !ok {
						return nil, r.errorf("bad \\u escape")
					}
				}
				ru = utf16.DecodeRune(ru, lo)
			}
			buf = utf8.AppendRune(buf, ru)
		default:
			return nil, r.errorf("bad escape")
		}
	}
	return nil, r.errorf("unterminated string")
}

func (r *reader) hex4() (rune, bool) {
	if r.pos+4 > len(r.data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(r.data[r.pos:r.pos+4]), 16, 32)
	r.pos += 4
	return rune(v), err == nil
}

// str returns a string value. A string without escapes aliases the body buffer instead of
// being copied: the buffer is read once per response and never reused, so the output keeps it
// alive and nothing can change it.
func (r *reader) str() (string, error) {
	b, err := r.strBytes()
	if err != nil || len(b) == 0 {
		return "", err
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), nil
}

// key returns a map key. Like str's strings, it aliases the body buffer (or the fresh copy
// of a key with escapes).
func (r *reader) key(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func (r *reader) number() ([]byte, error) {
	start := r.pos
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		if c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || ('0' <= c && c <= '9') {
			r.pos++
			continue
		}
		break
	}
	if start == r.pos {
		return nil, r.errorf("want number")
	}
	return r.data[start:r.pos], nil
}

// integer reads an integer (written with an exponent or a ".0" by some servers).
func (r *reader) integer() (int64, error) {
	num, err := r.number()
	if err != nil {
		return 0, err
	}
	if n, err := strconv.ParseInt(string(num), 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil || f != math.Trunc(f) {
		return 0, r.errorf("want integer, got %s", num)
	}
	return int64(f), nil
}

// blob reads a base64 string.
func (r *reader) blob() ([]byte, error) {
	str, err := r.str()
	if err != nil {
		return nil, err
	}
	b, err := protocol.DecodeBase64(str)
	if err != nil {
		return nil, r.errorf("bad base64 blob")
	}
	return b, nil
}

// null consumes a null, reporting whether there was one.
func (r *reader) null() bool {
	return r.peek() == 'n' && r.literal("null")
}

func (r *reader) float() (float64, error) {
	if r.peek() == '"' { // NaN, Infinity, -Infinity
		s, err := r.str()
		if err != nil {
			return 0, err
		}
		f, ok := protocol.Float(s)
		if !ok {
			return 0, r.errorf("want number, got %q", s)
		}
		return f, nil
	}
	num, err := r.number()
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil {
		return 0, r.errorf("bad number %s", num)
	}
	return f, nil
}

// skip consumes any value.
func (r *reader) skip() error {
	_, err := r.any()
	return err
}

// any decodes any JSON value into nil, bool, float64, string, []any or map[string]any (for
// documents and unmodeled error bodies).
func (r *reader) any() (any, error) {
	switch c := r.peek(); {
	case c == '{':
		m := map[string]any{}
		err := r.object(func(key []byte) error {
			v, err := r.any()
			m[string(key)] = v
			return err
		})
		return m, err
	case c == '[':
		l := []any{}
		err := r.array(func() error {
			v, err := r.any()
			l = append(l, v)
			return err
		})
		return l, err
	case c == '"':
		return r.str()
	case c == 't':
		if r.literal("true") {
			return true, nil
		}
	case c == 'f':
		if r.literal("false") {
			return false, nil
		}
	case c == 'n':
		if r.literal("null") {
			return nil, nil
		}
	case c == '-' || ('0' <= c && c <= '9'):
		return r.float()
	}
	return nil, r.errorf("want a JSON value")
}

// readStructInto reads an object of shape s into out, skipping unknown keys.
func (c *Codec) readStructInto(r *reader, s *models.Shape, out map[string]any) error {
	if r.peek() == 'n' && r.literal("null") {
		return nil
	}
	p := r.plan(c, s)
	return r.object(func(key []byte) error {
		m := p.byWire[string(key)]
		if m == nil || m.Location != models.Body {
			return r.skip()
		}
		v, err := c.readValue(r, m.Shape)
		if err != nil {
			return err
		}
		if v != nil {
			out[m.Name] = v
		}
		return nil
	})
}

// readValue reads one value of shape s; null reads as nil.
func (c *Codec) readValue(r *reader, s *models.Shape) (any, error) {
	if r.peek() == 'n' {
		if r.literal("null") {
			return nil, nil
		}
		return nil, r.errorf("want a value")
	}
	switch s.Type {
	case models.Structure:
		if s.Document {
			return r.any()
		}
		out := map[string]any{}
		err := c.readStructInto(r, s, out)
		return out, err
	case models.List:
		out := []any{}
		err := r.array(func() error {
			v, err := c.readValue(r, s.Member.Shape)
			if err == nil && (v != nil || s.Sparse) {
				out = append(out, v)
			}
			return err
		})
		return out, err
	case models.Map:
		out := map[string]any{}
		err := r.object(func(key []byte) error {
			v, err := c.readValue(r, s.Value.Shape)
			if err == nil && (v != nil || s.Sparse) {
				out[r.key(key)] = v
			}
			return err
		})
		return out, err
	case models.String:
		return r.str()
	case models.Boolean:
		switch {
		case r.literal("true"):
			return true, nil
		case r.literal("false"):
			return false, nil
		}
		return nil, r.errorf("want boolean")
	case models.Byte, models.Short, models.Integer, models.Long, models.BigInteger:
		return r.integer()
	case models.Float, models.Double, models.BigDecimal:
		return r.float()
	case models.Timestamp:
		if r.peek() == '"' {
			str, err := r.str()
			if err != nil {
				return nil, err
			}
			t, err := protocol.ParseTime(str, s.TimestampFormat)
			if err != nil {
				return nil, r.errorf("bad timestamp %q", str)
			}
			return t, nil
		}
		f, err := r.float()
		if err != nil {
			return nil, err
		}
		return protocol.EpochTime(f), nil
	case models.Blob:
		return r.blob()
	}
	return nil, r.errorf("unsupported shape type %s", s.Type)
}
