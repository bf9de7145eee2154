package models

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Error reports a model file that cannot be used: malformed JSON, a value of the wrong type or
// a reference to a shape that does not exist. Path is the JSON path of the offending value
// (e.g. `shapes.AttributeValue.members.S.shape`), empty when the whole file is at fault.
type Error struct {
	File string
	Path string
	Msg  string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return "models: " + e.File + ": " + e.Msg
	}
	return "models: " + e.File + ": " + e.Path + ": " + e.Msg
}

// decoder is a pull parser over one JSON document. Unlike encoding/json it keeps object keys in
// document order (member order matters to the wire protocols), never builds an intermediate
// tree, and knows the JSON path of the value it is on, so every error names it.
type decoder struct {
	file string
	data []byte
	pos  int
	path []string
	// intern holds one copy of each short string seen: model keys, shape and member names
	// repeat thousands of times in a model, so most strings cost a map lookup, not an allocation.
	intern map[string]string
}

func (d *decoder) errorf(format string, args ...any) error {
	return &Error{File: d.file, Path: strings.Join(d.path, "."), Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek returns the first byte of the next value, or 0 at the end of input.
func (d *decoder) peek() byte {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

func kindOf(c byte) string {
	switch {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == 't' || c == 'f':
		return "boolean"
	case c == 'n':
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "number"
	case c == 0:
		return "end of input"
	}
	return fmt.Sprintf("invalid character %q", c)
}

func (d *decoder) expect(c byte, what string) error {
	if got := d.peek(); got != c {
		return d.errorf("want %s, got %s", what, kindOf(got))
	}
	d.pos++
	return nil
}

// object calls fn for each key of the object at the cursor, with the path extended by the key.
// fn must consume the key's value.
func (d *decoder) object(fn func(key string) error) error {
	if err := d.expect('{', "object"); err != nil {
		return err
	}
	if d.peek() == '}' {
		d.pos++
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.errorf("want object key, got %s", kindOf(d.peek()))
		}
		key, err := d.str()
		if err != nil {
			return err
		}
		if err := d.expect(':', "':' after object key"); err != nil {
			return err
		}
		d.path = append(d.path, key)
		if err := fn(key); err != nil {
			return err
		}
		d.path = d.path[:len(d.path)-1]
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return nil
		default:
			return d.errorf("want ',' or '}' after object member, got %s", kindOf(d.peek()))
		}
	}
}

// array calls fn for each element of the array at the cursor; fn must consume the element.
func (d *decoder) array(fn func(i int) error) error {
	if err := d.expect('[', "array"); err != nil {
		return err
	}
	if d.peek() == ']' {
		d.pos++
		return nil
	}
	for i := 0; ; i++ {
		d.path = append(d.path, strconv.Itoa(i))
		if err := fn(i); err != nil {
			return err
		}
		d.path = d.path[:len(d.path)-1]
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return nil
		default:
			return d.errorf("want ',' or ']' after array element, got %s", kindOf(d.peek()))
		}
	}
}

// str decodes a string value.
func (d *decoder) str() (string, error) {
	if err := d.expect('"', "string"); err != nil {
		return "", err
	}
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			raw := d.data[start:d.pos]
			d.pos++
			if len(raw) > 64 {
				return string(raw), nil
			}
			if s, ok := d.intern[string(raw)]; ok { // no allocation for the lookup
				return s, nil
			}
			if d.intern == nil {
				d.intern = make(map[string]string, 1024)
			}
			s := string(raw)
			d.intern[s] = s
			return s, nil
		case c == '\\':
			return d.escapedString(start)
		case c < 0x20:
			return "", d.errorf("control character %#x in string", c)
		}
		d.pos++
	}
	return "", d.errorf("unterminated string")
}

func (d *decoder) escapedString(start int) (string, error) {
	buf := append([]byte(nil), d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			if !utf8.Valid(buf) {
				return "", d.errorf("invalid UTF-8 in string")
			}
			return string(buf), nil
		case c < 0x20:
			return "", d.errorf("control character %#x in string", c)
		case c != '\\':
			buf = append(buf, c)
			d.pos++
			continue
		}
		if d.pos+1 >= len(d.data) {
			return "", d.errorf("unterminated string")
		}
		esc := d.data[d.pos+1]
		d.pos += 2
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
			r, err := d.hex4()
			if err != nil {
				return "", err
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if d.pos+1 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
					d.pos += 2
					if r2, err = d.hex4(); err != nil {
						return "", err
					}
				}
				r = utf16.DecodeRune(r, r2)
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", d.errorf("invalid escape '\\%c' in string", esc)
		}
	}
	return "", d.errorf("unterminated string")
}

func (d *decoder) hex4() (rune, error) {
	if d.pos+4 > len(d.data) {
		return 0, d.errorf("truncated \\u escape")
	}
	v, err := strconv.ParseUint(string(d.data[d.pos:d.pos+4]), 16, 32)
	if err != nil {
		return 0, d.errorf("invalid \\u escape %q", d.data[d.pos:d.pos+4])
	}
	d.pos += 4
	return rune(v), nil
}

func (d *decoder) boolean() (bool, error) {
	d.skipSpace()
	switch {
	case d.literal("true"):
		return true, nil
	case d.literal("false"):
		return false, nil
	}
	return false, d.errorf("want boolean, got %s", kindOf(d.peek()))
}

func (d *decoder) literal(lit string) bool {
	if bytes.HasPrefix(d.data[d.pos:], []byte(lit)) {
		d.pos += len(lit)
		return true
	}
	return false
}

// number returns the text of the number at the cursor, validated against the JSON grammar.
func (d *decoder) number() (string, error) {
	c := d.peek()
	if c != '-' && (c < '0' || c > '9') {
		return "", d.errorf("want number, got %s", kindOf(c))
	}
	start := d.pos
	if c == '-' {
		d.pos++
	}
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if digits() == 0 {
		return "", d.errorf("malformed number")
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			return "", d.errorf("malformed number")
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return "", d.errorf("malformed number")
		}
	}
	return string(d.data[start:d.pos]), nil
}

func (d *decoder) float() (float64, error) {
	s, err := d.number()
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, d.errorf("number %s out of range", s)
	}
	return f, nil
}

func (d *decoder) integer() (int, error) {
	s, err := d.number()
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, d.errorf("want integer, got %s", s)
	}
	return n, nil
}

func (d *decoder) strings() ([]string, error) {
	var out []string
	err := d.array(func(int) error {
		s, err := d.str()
		out = append(out, s)
		return err
	})
	return out, err
}

// stringOrStrings accepts "a" or ["a", "b"], as paginator token fields do.
func (d *decoder) stringOrStrings() ([]string, error) {
	if d.peek() == '"' {
		s, err := d.str()
		return []string{s}, err
	}
	return d.strings()
}

// value decodes any JSON value into nil, bool, float64, string, []any or map[string]any.
// It is for the few free-form values in models (waiter expectations, static context params).
func (d *decoder) value() (any, error) {
	switch c := d.peek(); {
	case c == '{':
		m := map[string]any{}
		err := d.object(func(key string) error {
			v, err := d.value()
			m[key] = v
			return err
		})
		return m, err
	case c == '[':
		l := []any{}
		err := d.array(func(int) error {
			v, err := d.value()
			l = append(l, v)
			return err
		})
		return l, err
	case c == '"':
		return d.str()
	case c == 't' || c == 'f':
		return d.boolean()
	case c == 'n':
		if d.literal("null") {
			return nil, nil
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return d.float()
	}
	return nil, d.errorf("want a JSON value, got %s", kindOf(d.peek()))
}

// skip consumes one value of any kind, validating it.
func (d *decoder) skip() error {
	switch c := d.peek(); {
	case c == '{':
		return d.object(func(string) error { return d.skip() })
	case c == '[':
		return d.array(func(int) error { return d.skip() })
	case c == '"':
		_, err := d.str()
		return err
	case c == 't' || c == 'f':
		_, err := d.boolean()
		return err
	case c == 'n':
		if d.literal("null") {
			return nil
		}
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := d.number()
		return err
	}
	return d.errorf("want a JSON value, got %s", kindOf(d.peek()))
}

// end checks that nothing but white space follows the document.
func (d *decoder) end() error {
	if c := d.peek(); c != 0 {
		return d.errorf("unexpected %s after the document", kindOf(c))
	}
	return nil
}
