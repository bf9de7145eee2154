package awsjson

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
	"unicode/utf8"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// structPlan is a structure shape compiled for JSON: each member's key, pre-quoted, and the
// member for each wire name.
type structPlan struct {
	keys   [][]byte // `"name":` of each member, in the order of the shape's Members
	byWire map[string]*models.Member
	into   atomic.Pointer[[]*intoPlan] // reading into Go struct types, newest first (readinto.go)
}

func (c *Codec) plan(s *models.Shape) *structPlan {
	if p, ok := c.plans.Load(s); ok {
		return p.(*structPlan)
	}
	p := &structPlan{keys: make([][]byte, len(s.Members)), byWire: make(map[string]*models.Member, len(s.Members))}
	for i, m := range s.Members {
		name := m.Name
		if m.LocationName != "" && m.Location == models.Body {
			name = m.LocationName
		}
		key := appendString(nil, name)
		p.keys[i] = append(key, ':')
		p.byWire[name] = m
	}
	actual, _ := c.plans.LoadOrStore(s, p)
	return actual.(*structPlan)
}

// writer writes one request body. It remembers the structure plans it used last, as the
// reader does: a body's structures mostly come in runs of one shape (a DynamoDB item's
// attribute values), which then need no lookup in the codec's plans.
type writer struct {
	c      *Codec
	shapes [2]*models.Shape // most recent first
	plans  [2]*structPlan
}

// plan is w.c.plan(s), remembering the last two shapes.
func (w *writer) plan(s *models.Shape) *structPlan {
	if w.shapes[0] == s {
		return w.plans[0]
	}
	if w.shapes[1] == s {
		w.shapes[0], w.shapes[1] = w.shapes[1], w.shapes[0]
		w.plans[0], w.plans[1] = w.plans[1], w.plans[0]
		return w.plans[0]
	}
	p := w.c.plan(s)
	w.shapes[1], w.plans[1] = w.shapes[0], w.plans[0]
	w.shapes[0], w.plans[0] = s, p
	return p
}

// memberIndex returns the position of m among s's members, looking from position from on:
// protocol.Fields visits members in the shape's order, so the next one is mostly a step or
// two on.
func memberIndex(s *models.Shape, m *models.Member, from int) int {
	for i := from; i < len(s.Members); i++ {
		if s.Members[i] == m {
			return i
		}
	}
	for i := range from {
		if s.Members[i] == m {
			return i
		}
	}
	return -1 // not a member of s: protocol.Fields passes only s's members
}

// appendStruct writes the members of v (those keep accepts, or all) as a JSON object.
func (w *writer) appendStruct(b []byte, s *models.Shape, v any, keep func(*models.Member) bool) ([]byte, error) {
	p := w.plan(s)
	b = append(b, '{')
	first := true
	next := 0 // where memberIndex starts looking
	var err error
	ok := protocol.Fields(s, v, func(m *models.Member, mv any) {
		if err != nil || (keep != nil && !keep(m)) {
			return
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		i := memberIndex(s, m, next)
		next = i + 1
		b = append(b, p.keys[i]...)
		b, err = w.appendValue(b, m.Shape, m, mv)
	})
	if !ok {
		return b, fmt.Errorf("%s: got %T, want a structure", s.Name, v)
	}
	return append(b, '}'), err
}

func (w *writer) appendValue(b []byte, s *models.Shape, m *models.Member, v any) ([]byte, error) {
	if v == nil {
		return append(b, "null"...), nil
	}
	switch s.Type {
	case models.Structure:
		if s.Document {
			doc, err := json.Marshal(v)
			if err != nil {
				return b, fmt.Errorf("%s: %w", s.Name, err)
			}
			return append(b, doc...), nil
		}
		return w.appendStruct(b, s, v, nil)
	case models.List:
		b = append(b, '[')
		var err error
		ok := protocol.Elements(v, func(i int, e any) {
			if err != nil {
				return
			}
			if i > 0 {
				b = append(b, ',')
			}
			b, err = w.appendValue(b, s.Member.Shape, s.Member, e)
		})
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a list", s.Name, v)
		}
		return append(b, ']'), err
	case models.Map:
		b = append(b, '{')
		var err error
		first := true
		ok := protocol.Entries(v, func(k string, e any) {
			if err != nil || (e == nil && !s.Sparse) {
				return
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(b, k)
			b = append(b, ':')
			b, err = w.appendValue(b, s.Value.Shape, s.Value, e)
		})
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a map", s.Name, v)
		}
		return append(b, '}'), err
	case models.String:
		str, ok := protocol.String(v)
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a string", s.Name, v)
		}
		return appendString(b, str), nil
	case models.Boolean:
		x, ok := protocol.Bool(v)
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a boolean", s.Name, v)
		}
		return strconv.AppendBool(b, x), nil
	case models.Byte, models.Short, models.Integer, models.Long, models.BigInteger:
		n, ok := protocol.Int(v)
		if !ok {
			return b, fmt.Errorf("%s: got %T, want an integer", s.Name, v)
		}
		return strconv.AppendInt(b, n, 10), nil
	case models.Float, models.Double, models.BigDecimal:
		f, ok := protocol.Float(v)
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a number", s.Name, v)
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return appendString(b, protocol.FormatFloat(f)), nil
		}
		return strconv.AppendFloat(b, f, 'g', -1, 64), nil
	case models.Timestamp:
		t, ok := protocol.Time(v)
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a timestamp", s.Name, v)
		}
		format := s.TimestampFormat
		if m != nil && m.TimestampFormat != "" {
			format = m.TimestampFormat
		}
		if format == "" || format == protocol.UnixTimestamp {
			return append(b, protocol.FormatEpoch(t)...), nil
		}
		return appendString(b, protocol.FormatTime(t, format)), nil
	case models.Blob:
		blob, ok := protocol.Blob(v)
		if !ok {
			return b, fmt.Errorf("%s: got %T, want a blob", s.Name, v)
		}
		// protocol.Base64's encoding, appended in place: its alphabet needs no JSON escaping.
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, blob)
		return append(b, '"'), nil
	}
	return b, fmt.Errorf("%s: unsupported shape type %s", s.Name, s.Type)
}

// appendString appends s as a JSON string, escaping what JSON requires (and invalid UTF-8 as
// U+FFFD).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
