package awsxml

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// xmlWriter appends an XML document to a byte slice, walking compiled plans.
type xmlWriter struct {
	c     *Codec
	b     []byte
	depth int
}

// element writes v, a value of the shape m refers to, as an element named name (with ns
// declared on it when not nil).
func (w *xmlWriter) element(m *models.Member, name string, ns *models.XMLNamespace, v any) error {
	if v == nil {
		return nil
	}
	w.depth++
	defer func() { w.depth-- }()
	if w.depth > maxDepth {
		return fmt.Errorf("%s: input nested deeper than %d", name, maxDepth)
	}
	s := m.Shape
	switch s.Type {
	case models.Structure:
		return w.structure(s, name, ns, v, nil)
	case models.List:
		w.open(name, ns)
		w.b = append(w.b, '>')
		if err := w.items(s, itemName(s), memberNS(s.Member), v); err != nil {
			return err
		}
		w.close(name)
		return nil
	case models.Map:
		w.open(name, ns)
		w.b = append(w.b, '>')
		var err error
		ok := protocol.Entries(v, func(k string, e any) {
			if err != nil || e == nil {
				return
			}
			w.b = append(w.b, "<entry>"...)
			err = w.entry(s, k, e)
			w.b = append(w.b, "</entry>"...)
		})
		if !ok {
			return fmt.Errorf("%s: got %T, want a map", name, v)
		}
		w.close(name)
		return err
	}
	text, err := scalarText(m, v)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	w.open(name, ns)
	w.b = append(w.b, '>')
	w.b = appendEscaped(w.b, text, false)
	w.close(name)
	return nil
}

// items writes the elements of a list value, each named name.
func (w *xmlWriter) items(list *models.Shape, name string, ns *models.XMLNamespace, v any) error {
	var err error
	ok := protocol.Elements(v, func(_ int, e any) {
		if err == nil && e != nil {
			err = w.element(list.Member, name, ns, e)
		}
	})
	if !ok {
		return fmt.Errorf("%s: got %T, want a list", list.Name, v)
	}
	return err
}

// entry writes a map entry's key and value elements.
func (w *xmlWriter) entry(mapShape *models.Shape, k string, e any) error {
	kn := keyName(mapShape)
	w.open(kn, memberNS(mapShape.Key))
	w.b = append(w.b, '>')
	w.b = appendEscaped(w.b, k, false)
	w.close(kn)
	return w.element(mapShape.Value, valueName(mapShape), memberNS(mapShape.Value), e)
}

// structure writes a structure value as an element: attribute members on the element,
// the others (those keep accepts, or all) as child elements in model order.
func (w *xmlWriter) structure(s *models.Shape, name string, ns *models.XMLNamespace, v any, keep func(*models.Member) bool) error {
	p := w.c.plan(s)
	w.open(name, ns)
	var err error
	ok := protocol.Fields(s, v, func(m *models.Member, mv any) {
		if err != nil || !m.XMLAttribute || (keep != nil && !keep(m)) {
			return
		}
		var text string
		if text, err = scalarText(m, mv); err == nil {
			w.b = append(w.b, ' ')
			w.b = append(w.b, m.WireName()...)
			w.b = append(w.b, `="`...)
			w.b = appendEscaped(w.b, text, true)
			w.b = append(w.b, '"')
		}
	})
	if !ok {
		return fmt.Errorf("%s: got %T, want a structure", s.Name, v)
	}
	if err != nil {
		return err
	}
	w.b = append(w.b, '>')
	i := 0
	protocol.Fields(s, v, func(m *models.Member, mv any) {
		mp := p.member(m, &i)
		if err != nil || m.XMLAttribute || (keep != nil && !keep(m)) {
			return
		}
		switch {
		case mp.flatList:
			ns := memberNS(m.Shape.Member)
			if ns == nil {
				ns = m.XMLNamespace
			}
			err = w.items(m.Shape, mp.elem, ns, mv)
		case mp.flatMap:
			ok := protocol.Entries(mv, func(k string, e any) {
				if err != nil || e == nil {
					return
				}
				w.open(mp.elem, mp.ns)
				w.b = append(w.b, '>')
				err = w.entry(m.Shape, k, e)
				w.close(mp.elem)
			})
			if !ok && err == nil {
				err = fmt.Errorf("%s: got %T, want a map", m.Name, mv)
			}
		default:
			err = w.element(m, mp.elem, mp.ns, mv)
		}
	})
	w.close(name)
	return err
}

// open writes "<name" and the namespace declaration; the caller closes the tag.
func (w *xmlWriter) open(name string, ns *models.XMLNamespace) {
	w.b = append(w.b, '<')
	w.b = append(w.b, name...)
	if ns != nil && ns.URI != "" {
		w.b = append(w.b, " xmlns"...)
		if ns.Prefix != "" {
			w.b = append(w.b, ':')
			w.b = append(w.b, ns.Prefix...)
		}
		w.b = append(w.b, `="`...)
		w.b = appendEscaped(w.b, ns.URI, true)
		w.b = append(w.b, '"')
	}
}

func (w *xmlWriter) close(name string) {
	w.b = append(w.b, "</"...)
	w.b = append(w.b, name...)
	w.b = append(w.b, '>')
}

// scalarText renders a scalar value as XML text (timestamps ISO 8601 unless the model says
// otherwise, blobs base64).
func scalarText(m *models.Member, v any) (string, error) {
	s := m.Shape
	switch s.Type {
	case models.String:
		if str, ok := protocol.String(v); ok {
			return str, nil
		}
	case models.Boolean:
		if b, ok := protocol.Bool(v); ok {
			return strconv.FormatBool(b), nil
		}
	case models.Byte, models.Short, models.Integer, models.Long, models.BigInteger:
		if n, ok := protocol.Int(v); ok {
			return strconv.FormatInt(n, 10), nil
		}
	case models.Float, models.Double, models.BigDecimal:
		if f, ok := protocol.Float(v); ok {
			return protocol.FormatFloat(f), nil
		}
	case models.Timestamp:
		if t, ok := protocol.Time(v); ok {
			return protocol.FormatTime(t, m.Format()), nil
		}
	case models.Blob:
		if b, ok := protocol.Blob(v); ok {
			return protocol.Base64(b), nil
		}
	default:
		return "", fmt.Errorf("unsupported shape type %s", s.Type)
	}
	return "", fmt.Errorf("got %T, want a %s", v, s.Type)
}

// appendEscaped appends s escaped for XML text or, with attr, an attribute value. Characters
// XML cannot carry become U+FFFD; carriage returns (and, in attributes, tabs and newlines)
// are written as character references so they survive parsing.
func appendEscaped(b []byte, s string, attr bool) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		size := 1
		switch {
		case c == '&':
			esc = "&amp;"
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '"' && attr:
			esc = "&quot;"
		case c == '\r':
			esc = "&#xD;"
		case c == '\n' && attr:
			esc = "&#xA;"
		case c == '\t' && attr:
			esc = "&#x9;"
		case c < 0x20 && c != '\n' && c != '\t':
			esc = "\uFFFD"
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			size = n
			if (r == utf8.RuneError && n == 1) || r == 0xFFFE || r == 0xFFFF {
				esc = "\uFFFD"
			}
		}
		if esc == "" {
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		i += size
		start = i
	}
	return append(b, s[start:]...)
}
