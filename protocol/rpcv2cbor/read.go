package rpcv2cbor

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// maxDepth bounds nesting (arrays, maps and tags) so hostile bodies cannot exhaust the stack.
const maxDepth = 256

// reader decodes a CBOR body, guided by shapes: values land in their Go types directly
// (timestamps as time.Time, blobs as []byte, integers as int64) without a generic tree.
// Byte and text strings alias data until they are copied into the output.
type reader struct {
	data     []byte
	pos      int
	depth    int
	reserved int // items preallocated so far, see prealloc
}

// head is a data item's initial byte and argument.
type head struct {
	major byte
	info  byte   // additional information: < 24, 24..27, or 31 (indefinite)
	arg   uint64 // the argument (count, length, value, tag, or raw float bits)
	at    int    // offset of the initial byte, for messages
}

func (h head) indefinite() bool { return h.info == infoIndefinte }

func (r *reader) errorf(format string, args ...any) error {
	return fmt.Errorf("malformed CBOR response at offset %d: %s", r.pos, fmt.Sprintf(format, args...))
}

func (r *reader) eof() error { return r.errorf("unexpected end of data") }

func (r *reader) end() error {
	if r.pos != len(r.data) {
		return r.errorf("%d bytes after the top-level value", len(r.data)-r.pos)
	}
	return nil
}

// next reads the head of the next data item. Indefinite lengths are accepted only for
// strings, arrays and maps; the break code (0xff) is returned as major 7, info 31.
func (r *reader) next() (head, error) {
	if r.pos >= len(r.data) {
		return head{}, r.eof()
	}
	ib := r.data[r.pos]
	h := head{major: ib >> 5, info: ib & 0x1f, at: r.pos}
	r.pos++
	switch {
	case h.info < 24:
		h.arg = uint64(h.info)
	case h.info <= 27:
		n := 1 << (h.info - 24)
		if len(r.data)-r.pos < n {
			r.pos--
			return head{}, r.errorf("argument of %d bytes past the end of data", n)
		}
		p := r.data[r.pos : r.pos+n]
		switch n {
		case 1:
			h.arg = uint64(p[0])
		case 2:
			h.arg = uint64(binary.BigEndian.Uint16(p))
		case 4:
			h.arg = uint64(binary.BigEndian.Uint32(p))
		default:
			h.arg = binary.BigEndian.Uint64(p)
		}
		r.pos += n
	case h.info == infoIndefinte:
		switch h.major {
		case majorBytes, majorText, majorArray, majorMap, majorSimple:
		default:
			r.pos--
			return head{}, r.errorf("indefinite length for major type %d", h.major)
		}
	default:
		r.pos--
		return head{}, r.errorf("reserved additional information %d", h.info)
	}
	return h, nil
}

// breakNext consumes a break code if one is next.
func (r *reader) breakNext() bool {
	if r.pos < len(r.data) && r.data[r.pos] == initBreak {
		r.pos++
		return true
	}
	return false
}

// nullNext consumes null or undefined if one is next.
func (r *reader) nullNext() bool {
	if r.pos < len(r.data) && (r.data[r.pos] == simpleNull || r.data[r.pos] == simpleUndef) {
		r.pos++
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

func (r *reader) leave() { r.depth-- }

// items returns how many items (or key/value pairs) a container head announces, -1 for
// indefinite; the count is checked against the bytes left, so it is safe to loop on.
func (r *reader) items(h head, perItem int) (int, error) {
	if h.indefinite() {
		return -1, nil
	}
	if h.arg > uint64(len(r.data)-r.pos)/uint64(perItem) {
		return 0, r.errorf("%d items announced, more than the data holds", h.arg)
	}
	return int(h.arg), nil
}

// prealloc returns the capacity to reserve for a container of n items (-1: indefinite).
// Every item takes at least a byte, and all the containers of a body together reserve at
// most one item per byte of it, so hostile length prefixes (nested containers each claiming
// the rest of the body) cannot make the decoder allocate more than a real body would.
func (r *reader) prealloc(n int) int {
	n = min(max(n, 0), len(r.data)-r.reserved)
	r.reserved += n
	return n
}

// more reports whether a container of n items (-1: indefinite) has another after i.
func (r *reader) more(n, i int) (bool, error) {
	if n >= 0 {
		return i < n, nil
	}
	if r.breakNext() {
		return false, nil
	}
	if r.pos >= len(r.data) {
		return false, r.errorf("want break code, found end of data")
	}
	return true, nil
}

// open starts reading the array or map whose head is h (a map's items are key/value pairs),
// returning its item count (-1: indefinite); each reads the items.
func (r *reader) open(h head) (int, error) {
	per := 1
	if h.major == majorMap {
		per = 2
	}
	n, err := r.items(h, per)
	if err != nil {
		return 0, err
	}
	return n, r.enter()
}

// each calls fn once per item of a container of n items that open started; fn reads the
// item (a map entry's key and value).
func (r *reader) each(n int, fn func() error) error {
	for i := 0; ; i++ {
		ok, err := r.more(n, i)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if err := fn(); err != nil {
			return err
		}
	}
	r.leave()
	return nil
}

// container reads the head of a value that must be an array or a map (major type want,
// after any tags) and opens it; what names the shape in the error.
func (r *reader) container(want byte, what string) (int, error) {
	_, h, err := r.skipTags()
	if err != nil {
		return 0, err
	}
	if h.major != want {
		r.pos = h.at
		kind := "array"
		if want == majorMap {
			kind = "map"
		}
		return 0, r.errorf("%s: want %s, found major type %d", what, kind, h.major)
	}
	return r.open(h)
}

// str reads the byte or text string whose head is h. A definite string aliases data; an
// indefinite one is its definite chunks (of the same major type) joined.
func (r *reader) str(h head) ([]byte, error) {
	if !h.indefinite() {
		if h.arg > uint64(len(r.data)-r.pos) {
			return nil, r.errorf("string of %d bytes past the end of data", h.arg)
		}
		s := r.data[r.pos : r.pos+int(h.arg)]
		r.pos += int(h.arg)
		return s, nil
	}
	var buf []byte
	for !r.breakNext() {
		c, err := r.next()
		if err != nil {
			return nil, err
		}
		if c.major != h.major || c.indefinite() {
			return nil, r.errorf("chunk of major type %d (indefinite %v) in an indefinite string of type %d", c.major, c.indefinite(), h.major)
		}
		chunk, err := r.str(c)
		if err != nil {
			return nil, err
		}
		buf = append(buf, chunk...)
	}
	if buf == nil {
		buf = []byte{}
	}
	return buf, nil
}

// text reads a text string (major 3) as a string; the bytes must be UTF-8.
func (r *reader) text() (string, error) {
	b, err := r.textBytes()
	return string(b), err
}

// textBytes reads a text string, aliasing data when it is definite.
func (r *reader) textBytes() ([]byte, error) {
	h, err := r.next()
	if err != nil {
		return nil, err
	}
	if h.major != majorText {
		r.pos = h.at
		return nil, r.errorf("want text string, found major type %d", h.major)
	}
	b, err := r.str(h)
	if err == nil && !utf8.Valid(b) {
		return nil, r.errorf("text string is not UTF-8")
	}
	return b, err
}

// float returns the value of a major 7 float head (half, single or double precision).
func floatOf(h head) (float64, bool) {
	switch h.info {
	case 25:
		return halfToFloat(uint16(h.arg)), true
	case 26:
		return float64(math.Float32frombits(uint32(h.arg))), true
	case 27:
		return math.Float64frombits(h.arg), true
	}
	return 0, false
}

// halfToFloat converts an IEEE 754 half-precision value.
func halfToFloat(h uint16) float64 {
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	var f float64
	switch exp {
	case 0: // zero or subnormal
		f = math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		f = math.Inf(1)
	default:
		f = math.Ldexp(frac+1024, exp-25)
	}
	if h&0x8000 != 0 {
		f = -f
	}
	return f
}

// skipTags consumes the tags in front of a value, returning the innermost (-1 for none)
// and the value's head.
func (r *reader) skipTags() (int64, head, error) {
	tag := int64(-1)
	for {
		h, err := r.next()
		if err != nil {
			return 0, h, err
		}
		if h.major != majorTag {
			return tag, h, nil
		}
		tag = int64(min(h.arg, math.MaxInt64))
	}
}

// integer reads an integer: major 0 or 1, a bignum that fits, or a whole float.
func (r *reader) integer() (int64, error) {
	tag, h, err := r.skipTags()
	if err != nil {
		return 0, err
	}
	n, err := r.integerValue(tag, h)
	if err != nil {
		return 0, err
	}
	if i, ok := n.(int64); ok {
		return i, nil
	}
	return 0, r.errorf("integer %v out of range", n)
}

// integerValue reads an integer whose head is h: int64, or *big.Int when it does not fit.
func (r *reader) integerValue(tag int64, h head) (any, error) {
	switch h.major {
	case majorUint:
		if h.arg <= math.MaxInt64 {
			return int64(h.arg), nil
		}
		return new(big.Int).SetUint64(h.arg), nil
	case majorNegint:
		if h.arg <= math.MaxInt64 {
			return -1 - int64(h.arg), nil
		}
		n := new(big.Int).SetUint64(h.arg)
		return n.Neg(n.Add(n, big.NewInt(1))), nil
	case majorBytes:
		if tag != tagPosBignum && tag != tagNegBignum {
			break
		}
		b, err := r.str(h)
		if err != nil {
			return nil, err
		}
		if len(b) > 1024 {
			return nil, r.errorf("bignum of %d bytes", len(b))
		}
		n := new(big.Int).SetBytes(b)
		if tag == tagNegBignum {
			n.Neg(n.Add(n, big.NewInt(1)))
		}
		if n.IsInt64() {
			return n.Int64(), nil
		}
		return n, nil
	case majorSimple:
		if f, ok := floatOf(h); ok && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return int64(f), nil
		}
	}
	r.pos = h.at
	return nil, r.errorf("want integer")
}

// number reads any number as a float64: floats of every width, integers, bignums and
// decimal fractions.
func (r *reader) number() (float64, error) {
	tag, h, err := r.skipTags()
	if err != nil {
		return 0, err
	}
	return r.numberValue(tag, h)
}

func (r *reader) numberValue(tag int64, h head) (float64, error) {
	if h.major == majorSimple {
		if f, ok := floatOf(h); ok {
			return f, nil
		}
	}
	if h.major == majorArray && tag == tagDecimal {
		return r.decimal(h)
	}
	n, err := r.integerValue(tag, h)
	if err != nil {
		r.pos = h.at
		return 0, r.errorf("want number")
	}
	switch x := n.(type) {
	case int64:
		return float64(x), nil
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f, nil
	}
	return 0, r.errorf("want number")
}

// decimal reads the [exponent, mantissa] array of a decimal fraction (tag 4).
func (r *reader) decimal(h head) (float64, error) {
	n, err := r.items(h, 1)
	if err != nil {
		return 0, err
	}
	if n != 2 {
		return 0, r.errorf("decimal fraction must be an array of 2")
	}
	exp, err := r.integer()
	if err != nil {
		return 0, err
	}
	if exp < -1000 || exp > 1000 {
		return 0, r.errorf("decimal exponent %d out of range", exp)
	}
	tag, mh, err := r.skipTags()
	if err != nil {
		return 0, err
	}
	m, err := r.integerValue(tag, mh)
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(fmt.Sprintf("%de%d", m, exp), 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, r.errorf("bad decimal fraction")
	}
	return f, nil
}

// skip consumes one data item of any kind (with its tags).
func (r *reader) skip() error {
	_, h, err := r.skipTags()
	if err != nil {
		return err
	}
	return r.skipValue(h)
}

func (r *reader) skipValue(h head) error {
	switch h.major {
	case majorUint, majorNegint:
		return nil
	case majorBytes, majorText:
		_, err := r.str(h)
		return err
	case majorArray, majorMap:
		n, err := r.open(h)
		if err != nil {
			return err
		}
		return r.each(n, func() error {
			if h.major == majorMap {
				if err := r.skip(); err != nil {
					return err
				}
			}
			return r.skip()
		})
	}
	return r.simple(h) // major 7; skipTags consumed any tags
}

// simple checks a major 7 head: false, true, null, undefined, a simple value or a float. A
// break code here is out of place.
func (r *reader) simple(h head) error {
	switch {
	case h.info == infoIndefinte:
		r.pos = h.at
		return r.errorf("unexpected break code")
	case h.info == 24 && h.arg < 32:
		r.pos = h.at
		return r.errorf("invalid simple value %d", h.arg)
	}
	return nil
}

// any decodes any data item into nil, bool, int64 (*big.Int beyond), float64, string,
// []byte, time.Time (tag 1), []any or map[string]any: for documents and error bodies.
func (r *reader) any() (any, error) {
	tag, h, err := r.skipTags()
	if err != nil {
		return nil, err
	}
	switch h.major {
	case majorUint, majorNegint:
		v, err := r.integerValue(tag, h)
		if err == nil && tag == tagEpoch {
			if t, ok := epoch(asFloat(v)); ok {
				return t, nil
			}
		}
		return v, err
	case majorBytes:
		if tag == tagPosBignum || tag == tagNegBignum {
			return r.integerValue(tag, h)
		}
		b, err := r.str(h)
		return append([]byte{}, b...), err
	case majorText:
		b, err := r.str(h)
		if err == nil && !utf8.Valid(b) {
			return nil, r.errorf("text string is not UTF-8")
		}
		return string(b), err
	case majorArray:
		if tag == tagDecimal {
			return r.decimal(h)
		}
		n, err := r.open(h)
		if err != nil {
			return nil, err
		}
		out := make([]any, 0, r.prealloc(n))
		err = r.each(n, func() error {
			v, err := r.any()
			out = append(out, v)
			return err
		})
		return out, err
	case majorMap:
		n, err := r.open(h)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, r.prealloc(n))
		err = r.each(n, func() error {
			k, err := r.anyKey()
			if err != nil {
				return err
			}
			v, err := r.any()
			out[k] = v
			return err
		})
		return out, err
	}
	// major 7
	switch h.info {
	case 20:
		return false, nil
	case 21:
		return true, nil
	case 22, 23:
		return nil, nil
	}
	if f, ok := floatOf(h); ok {
		if t, ok := epoch(f); ok && tag == tagEpoch {
			return t, nil
		}
		return f, nil
	}
	if err := r.simple(h); err != nil {
		return nil, err
	}
	return nil, nil // an unassigned simple value: no Go equivalent
}

func asFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	}
	return math.NaN()
}

// maxEpoch bounds timestamps to what time.Time holds to the millisecond (year ±31 million).
const maxEpoch = 1e15

// epoch converts epoch seconds to a time, keeping milliseconds; false when out of range.
func epoch(f float64) (time.Time, bool) {
	if math.IsNaN(f) || math.Abs(f) > maxEpoch {
		return time.Time{}, false
	}
	return protocol.EpochTime(f), true
}

// anyKey reads a map key of a generic map: a string, or an integer in decimal.
func (r *reader) anyKey() (string, error) {
	if r.pos < len(r.data) && r.data[r.pos]>>5 == majorText {
		return r.text()
	}
	start := r.pos
	k, err := r.any()
	if err != nil {
		return "", err
	}
	switch x := k.(type) {
	case int64:
		return strconv.FormatInt(x, 10), nil
	case []byte:
		if utf8.Valid(x) {
			return string(x), nil
		}
	}
	r.pos = start
	return "", r.errorf("map key of type %T", k)
}

// readStructInto reads a map of shape s into out, skipping unknown keys; null reads as
// nothing.
func (c *Codec) readStructInto(r *reader, s *models.Shape, out map[string]any) error {
	if r.nullNext() {
		return nil
	}
	n, err := r.container(majorMap, s.Name)
	if err != nil {
		return err
	}
	p := c.plan(s)
	return r.each(n, func() error {
		key, err := r.textBytes()
		if err != nil {
			return err
		}
		m := p[string(key)]
		if m == nil {
			return r.skip()
		}
		v, err := c.readValue(r, m.Shape)
		if v != nil {
			out[m.Name] = v
		}
		return err
	})
}

// readValue reads one value of shape s; null and undefined read as nil.
func (c *Codec) readValue(r *reader, s *models.Shape) (any, error) {
	if r.nullNext() {
		return nil, nil
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
		n, err := r.container(majorArray, s.Name)
		if err != nil {
			return nil, err
		}
		out := make([]any, 0, r.prealloc(n))
		err = r.each(n, func() error {
			v, err := c.readValue(r, s.Member.Shape)
			if err == nil && (v != nil || s.Sparse) {
				out = append(out, v)
			}
			return err
		})
		return out, err
	case models.Map:
		n, err := r.container(majorMap, s.Name)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, r.prealloc(n))
		err = r.each(n, func() error {
			k, err := r.text()
			if err != nil {
				return err
			}
			v, err := c.readValue(r, s.Value.Shape)
			if err == nil && (v != nil || s.Sparse) {
				out[k] = v
			}
			return err
		})
		return out, err
	case models.String:
		return r.text()
	case models.Boolean:
		h, err := r.next()
		if err != nil {
			return nil, err
		}
		switch {
		case h.major == majorSimple && h.info == 20:
			return false, nil
		case h.major == majorSimple && h.info == 21:
			return true, nil
		}
		r.pos = h.at
		return nil, r.errorf("want boolean")
	case models.Byte, models.Short, models.Integer, models.Long:
		return r.integer()
	case models.BigInteger:
		tag, h, err := r.skipTags()
		if err != nil {
			return nil, err
		}
		return r.integerValue(tag, h)
	case models.Float, models.Double, models.BigDecimal:
		return r.number()
	case models.Timestamp:
		// Tag 1 (epoch seconds, integer or float); an untagged number is read the same way.
		f, err := r.number()
		if err != nil {
			return nil, err
		}
		t, ok := epoch(f)
		if !ok {
			return nil, r.errorf("timestamp %v out of range", f)
		}
		return t, nil
	case models.Blob:
		h, err := r.next()
		if err != nil {
			return nil, err
		}
		if h.major != majorBytes && h.major != majorText {
			r.pos = h.at
			return nil, r.errorf("want byte string, found major type %d", h.major)
		}
		b, err := r.str(h)
		if err != nil {
			return nil, err
		}
		return append(make([]byte, 0, len(b)), b...), nil
	}
	return nil, r.errorf("unsupported shape type %s", s.Type)
}
