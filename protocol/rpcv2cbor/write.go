package rpcv2cbor

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// CBOR major types (RFC 8949 §3.1).
const (
	majorUint   = 0
	majorNegint = 1
	majorBytes  = 2
	majorText   = 3
	majorArray  = 4
	majorMap    = 5
	majorTag    = 6
	majorSimple = 7
)

// Tags and simple values the protocol uses.
const (
	tagEpoch      = 1 // epoch-based date/time
	tagPosBignum  = 2
	tagNegBignum  = 3
	tagDecimal    = 4 // decimal fraction [exponent, mantissa]
	simpleFalse   = 0xf4
	simpleTrue    = 0xf5
	simpleNull    = 0xf6
	simpleUndef   = 0xf7
	initHalf      = 0xf9
	initFloat     = 0xfa
	initDouble    = 0xfb
	initBreak     = 0xff
	infoIndefinte = 31
)

// appendHead appends the initial byte of a data item of the given major type with argument
// n, in its shortest form.
func appendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= math.MaxUint8:
		return append(b, m|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), n)
}

func appendInt(b []byte, n int64) []byte {
	if n >= 0 {
		return appendHead(b, majorUint, uint64(n))
	}
	return appendHead(b, majorNegint, uint64(-1-n))
}

func appendText(b []byte, s string) []byte {
	return append(appendHead(b, majorText, uint64(len(s))), s...)
}

func appendBytes(b []byte, p []byte) []byte {
	return append(appendHead(b, majorBytes, uint64(len(p))), p...)
}

// appendDouble writes f as a 64-bit float; NaN in its canonical quiet form.
func appendDouble(b []byte, f float64) []byte {
	bits := math.Float64bits(f)
	if f != f {
		bits = 0x7ff8000000000000
	}
	return binary.BigEndian.AppendUint64(append(b, initDouble), bits)
}

// appendSingle writes f as a 32-bit float (the wire form of a float shape).
func appendSingle(b []byte, f float64) []byte {
	bits := math.Float32bits(float32(f))
	if f != f {
		bits = 0x7fc00000
	}
	return binary.BigEndian.AppendUint32(append(b, initFloat), bits)
}

func appendTime(b []byte, t time.Time) []byte {
	// Milliseconds, as AWS keeps them; a whole second is still a float, as Smithy clients send.
	return appendDouble(append(b, 0xc0|tagEpoch), float64(t.UnixMilli())/1000)
}

func appendBigInt(b []byte, n *big.Int) []byte {
	if n.IsInt64() {
		return appendInt(b, n.Int64())
	}
	if n.Sign() >= 0 {
		if n.IsUint64() {
			return appendHead(b, majorUint, n.Uint64())
		}
		return appendBytes(append(b, 0xc0|tagPosBignum), n.Bytes())
	}
	m := new(big.Int).Neg(n) // -1-n = |n|-1
	m.Sub(m, big.NewInt(1))
	if m.IsUint64() {
		return appendHead(b, majorNegint, m.Uint64())
	}
	return appendBytes(append(b, 0xc0|tagNegBignum), m.Bytes())
}

// beginContainer reserves the initial byte of an array or map whose length is not known yet;
// endContainer fills it in (moving the content when the length needs extra bytes).
func beginContainer(b []byte, major byte) ([]byte, int) {
	return append(b, major<<5), len(b)
}

func endContainer(b []byte, start int, major byte, n int) []byte {
	if n < 24 {
		b[start] = major<<5 | byte(n)
		return b
	}
	var tmp [9]byte
	head := appendHead(tmp[:0], major, uint64(n))
	extra := len(head) - 1
	end := len(b)
	b = append(b, tmp[:extra]...) // grow
	copy(b[start+len(head):], b[start+1:end])
	copy(b[start:], head)
	return b
}

// wireName is a member's key in a CBOR map.
func wireName(m *models.Member) string {
	if m.LocationName != "" && m.Location == models.Body {
		return m.LocationName
	}
	return m.Name
}

// appendStruct writes the set members of v as a definite-length map.
func (c *Codec) appendStruct(b []byte, s *models.Shape, v any, depth int) ([]byte, error) {
	if depth > maxDepth {
		return b, fmt.Errorf("%s: nested deeper than %d", s.Name, maxDepth)
	}
	b, start := beginContainer(b, majorMap)
	n := 0
	var err error
	ok := protocol.Fields(s, v, func(m *models.Member, mv any) {
		if err != nil {
			return
		}
		b = appendText(b, wireName(m))
		b, err = c.appendValue(b, m.Shape, mv, depth+1)
		n++
	})
	if !ok {
		return b, fmt.Errorf("%s: got %T, want a structure", s.Name, v)
	}
	return endContainer(b, start, majorMap, n), err
}

func (c *Codec) appendValue(b []byte, s *models.Shape, v any, depth int) ([]byte, error) {
	if v == nil {
		return append(b, simpleNull), nil
	}
	switch s.Type {
	case models.Structure:
		if s.Document {
			return appendDocument(b, v, depth)
		}
		return c.appendStruct(b, s, v, depth)
	case models.List:
		if depth > maxDepth {
			return b, fmt.Errorf("%s: nested deeper than %d", s.Name, maxDepth)
		}
		b, start := beginContainer(b, majorArray)
		n := 0
		var err error
		ok := protocol.Elements(v, func(_ int, e any) {
			if err != nil || (e == nil && !s.Sparse) {
				return
			}
			b, err = c.appendValue(b, s.Member.Shape, e, depth+1)
			n++
		})
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a list", s.Name, v)
		}
		return endContainer(b, start, majorArray, n), err
	case models.Map:
		if depth > maxDepth {
			return b, fmt.Errorf("%s: nested deeper than %d", s.Name, maxDepth)
		}
		b, start := beginContainer(b, majorMap)
		n := 0
		var err error
		ok := protocol.Entries(v, func(k string, e any) {
			if err != nil || (e == nil && !s.Sparse) {
				return
			}
			b = appendText(b, k)
			b, err = c.appendValue(b, s.Value.Shape, e, depth+1)
			n++
		})
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a map", s.Name, v)
		}
		return endContainer(b, start, majorMap, n), err
	case models.String:
		str, ok := protocol.String(v)
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a string", s.Name, v)
		}
		return appendText(b, str), nil
	case models.Boolean:
		x, ok := protocol.Bool(v)
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a boolean", s.Name, v)
		}
		if x {
			return append(b, simpleTrue), nil
		}
		return append(b, simpleFalse), nil
	case models.Byte, models.Short, models.Integer, models.Long:
		n, ok := protocol.Int(v)
		if !ok {
			return b, fmt.Errorf("%s: got %T, want an integer", s.Name, v)
		}
		return appendInt(b, n), nil
	case models.BigInteger:
		switch x := v.(type) {
		case *big.Int:
			return appendBigInt(b, x), nil
		case big.Int:
			return appendBigInt(b, &x), nil
		case json.Number:
			if n, ok := new(big.Int).SetString(string(x), 10); ok {
				return appendBigInt(b, n), nil
			}
		case string:
			if n, ok := new(big.Int).SetString(x, 10); ok {
				return appendBigInt(b, n), nil
			}
		}
		n, ok := protocol.Int(v)
		if !ok {
			return b, fmt.Errorf("%s: got %T, want an integer", s.Name, v)
		}
		return appendInt(b, n), nil
	case models.Float:
		f, ok := protocol.Float(v)
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a number", s.Name, v)
		}
		return appendSingle(b, f), nil
	case models.Double:
		f, ok := protocol.Float(v)
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a number", s.Name, v)
		}
		return appendDouble(b, f), nil
	case models.BigDecimal:
		return appendDecimal(b, s, v)
	case models.Timestamp:
		t, ok := protocol.Time(v)
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a timestamp", s.Name, v)
		}
		return appendTime(b, t), nil
	case models.Blob:
		blob, ok := protocol.Blob(v)
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a blob", s.Name, v)
		}
		return appendBytes(b, blob), nil
	}
	return b, fmt.Errorf("%s: unsupported shape type %s", s.Name, s.Type)
}

// appendDecimal writes a bigDecimal as a decimal fraction (tag 4: [exponent, mantissa]).
// Decimal text (a string, json.Number or *big.Float) keeps every digit; a float64 is written
// with the shortest digits that round-trip.
func appendDecimal(b []byte, s *models.Shape, v any) ([]byte, error) {
	var text string
	switch x := v.(type) {
	case string:
		text = x
	case json.Number:
		text = string(x)
	case *big.Float:
		text = x.Text('e', -1)
	default:
		f, ok := protocol.Float(v)
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a number", s.Name, v)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return b, fmt.Errorf("%s: %v cannot be a bigDecimal", s.Name, f)
		}
		text = strconv.FormatFloat(f, 'e', -1, 64)
	}
	mant, exp, ok := parseDecimal(text)
	if !ok {
		return b, fmt.Errorf("%s: %q is not a decimal number", s.Name, text)
	}
	b = append(b, 0xc0|tagDecimal, majorArray<<5|2)
	b = appendInt(b, exp)
	return appendBigInt(b, mant), nil
}

// parseDecimal splits decimal text ("-12.5e3") into an integer mantissa and a base-10
// exponent.
func parseDecimal(text string) (*big.Int, int64, bool) {
	text = strings.TrimSpace(text)
	digits, expPart, hasExp := strings.Cut(strings.ToLower(text), "e")
	var exp int64
	if hasExp {
		e, err := strconv.ParseInt(expPart, 10, 32)
		if err != nil {
			return nil, 0, false
		}
		exp = e
	}
	intPart, frac, _ := strings.Cut(digits, ".")
	exp -= int64(len(frac))
	n, ok := new(big.Int).SetString(intPart+frac, 10)
	if !ok || strings.ContainsAny(frac, "+-") {
		return nil, 0, false
	}
	return n, exp, true
}

// appendDocument writes an untyped document value: maps with string keys, lists, strings,
// numbers, booleans, nil, and (beyond JSON) blobs and timestamps.
func appendDocument(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxDepth {
		return b, fmt.Errorf("document nested deeper than %d", maxDepth)
	}
	switch x := v.(type) {
	case nil:
		return append(b, simpleNull), nil
	case string:
		return appendText(b, x), nil
	case bool:
		if x {
			return append(b, simpleTrue), nil
		}
		return append(b, simpleFalse), nil
	case int:
		return appendInt(b, int64(x)), nil
	case int64:
		return appendInt(b, x), nil
	case float64:
		return appendDouble(b, x), nil
	case float32:
		return appendSingle(b, float64(x)), nil
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return appendInt(b, n), nil
		}
		f, err := x.Float64()
		if err != nil {
			return b, fmt.Errorf("document: bad number %q", x)
		}
		return appendDouble(b, f), nil
	case *big.Int:
		return appendBigInt(b, x), nil
	case []byte:
		return appendBytes(b, x), nil
	case time.Time:
		return appendTime(b, x), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return appendInt(b, rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return appendHead(b, majorUint, rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return appendDouble(b, rv.Float()), nil
	case reflect.String:
		return appendText(b, rv.String()), nil
	case reflect.Bool:
		return appendDocument(b, rv.Bool(), depth)
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return append(b, simpleNull), nil
		}
		return appendDocument(b, rv.Elem().Interface(), depth)
	case reflect.Slice, reflect.Array:
		b, start := beginContainer(b, majorArray)
		var err error
		n := 0
		protocol.Elements(v, func(_ int, e any) {
			if err == nil {
				b, err = appendDocument(b, e, depth+1)
				n++
			}
		})
		return endContainer(b, start, majorArray, n), err
	case reflect.Map:
		b, start := beginContainer(b, majorMap)
		var err error
		n := 0
		if !protocol.Entries(v, func(k string, e any) {
			if err == nil {
				b = appendText(b, k)
				b, err = appendDocument(b, e, depth+1)
				n++
			}
		}) {
			return b, fmt.Errorf("document: map keys must be strings, got %T", v)
		}
		return endContainer(b, start, majorMap, n), err
	}
	return b, fmt.Errorf("document: unsupported value %T", v)
}
