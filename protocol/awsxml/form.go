package awsxml

import (
	"fmt"
	"strconv"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// formWriter appends the parameters of a query or ec2 request as an
// application/x-www-form-urlencoded body: "&Key.Path=value" pairs, keys built from plans.
type formWriter struct {
	c     *Codec
	ec2   bool
	b     []byte
	key   []byte // the current key; grows and shrinks as the walk descends
	depth int
}

func (f *formWriter) pair(value string) {
	f.b = append(f.b, '&')
	f.b = appendFormEscaped(f.b, f.key)
	f.b = append(f.b, '=')
	f.b = appendFormEscaped(f.b, value)
}

// push appends ".name" (or "name" at the top) to the key and returns the length to restore.
func (f *formWriter) push(name string) int {
	n := len(f.key)
	if n > 0 {
		f.key = append(f.key, '.')
	}
	f.key = append(f.key, name...)
	return n
}

func (f *formWriter) pushIndex(i int) int {
	n := len(f.key)
	f.key = append(f.key, '.')
	f.key = strconv.AppendInt(f.key, int64(i), 10)
	return n
}

// structure writes the set members of a structure value.
func (f *formWriter) structure(s *models.Shape, v any) error {
	f.depth++
	defer func() { f.depth-- }()
	if f.depth > maxDepth {
		return fmt.Errorf("%s: input nested deeper than %d", s.Name, maxDepth)
	}
	p := f.c.plan(s)
	var err error
	i := 0
	ok := protocol.Fields(s, v, func(m *models.Member, mv any) {
		if err != nil {
			return
		}
		mp := p.member(m, &i)
		key := mp.queryKey
		if f.ec2 {
			key = mp.ec2Key
		}
		n := f.push(key)
		err = f.value(m, mv, mp.flatList || mp.flatMap)
		f.key = f.key[:n]
	})
	if !ok {
		return fmt.Errorf("%s: got %T, want a structure", s.Name, v)
	}
	return err
}

// value writes v, a value of the shape m refers to, under the current key.
func (f *formWriter) value(m *models.Member, v any, flattened bool) error {
	s := m.Shape
	switch s.Type {
	case models.Structure:
		return f.structure(s, v)
	case models.List:
		count := 0
		var err error
		ok := protocol.Elements(v, func(i int, e any) {
			if err != nil || e == nil {
				return
			}
			count++
			n := len(f.key)
			if !f.ec2 && !flattened {
				f.key = append(f.key, '.')
				f.key = append(f.key, itemName(s)...)
			}
			f.pushIndex(count)
			err = f.value(s.Member, e, false)
			f.key = f.key[:n]
		})
		if !ok {
			return fmt.Errorf("%s: got %T, want a list", m.Name, v)
		}
		if count == 0 && !f.ec2 {
			f.pair("") // the query protocol sends an empty list as "Name="
		}
		return err
	case models.Map:
		count := 0
		var err error
		ok := protocol.Entries(v, func(k string, e any) {
			if err != nil || e == nil {
				return
			}
			count++
			n := len(f.key)
			if !flattened {
				f.key = append(f.key, ".entry"...)
			}
			f.pushIndex(count)
			base := len(f.key)
			f.push(keyName(s))
			f.pair(k)
			f.key = f.key[:base]
			f.push(valueName(s))
			err = f.value(s.Value, e, false)
			f.key = f.key[:n]
		})
		if !ok {
			return fmt.Errorf("%s: got %T, want a map", m.Name, v)
		}
		return err
	}
	text, err := scalarText(m, v)
	if err != nil {
		return fmt.Errorf("%s: %w", f.key, err)
	}
	f.pair(text)
	return nil
}

// appendFormEscaped percent-encodes s for a form body: every byte but RFC 3986's
// unreserved characters.
func appendFormEscaped[T string | []byte](b []byte, s T) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return b
}
