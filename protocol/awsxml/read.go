package awsxml

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// reader walks an XML document held whole in memory (see scanner), guided by shapes: values
// land in their Go types directly, and nothing the shape does not ask for is kept. Strings
// in the output share the document's memory, so the document must never be modified.
type reader struct {
	scanner
	openBuf [16]string // the first levels of scanner.open
}

// element is a start tag: its local name and its raw attributes (see attr).
type element struct {
	local string
	attrs []byte
}

// newReader returns a reader of data, which may start with a UTF-8 byte order mark.
func newReader(data []byte) *reader {
	r := &reader{}
	r.data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	r.open = r.openBuf[:0]
	return r
}

// root returns the document's root element, or ok false for a document with none (an empty
// body).
func (r *reader) root() (element, bool, error) {
	for {
		tok, err := r.next()
		switch {
		case err != nil:
			return element{}, false, err
		case tok == tokEOF:
			return element{}, false, nil
		case tok == tokStart:
			return r.element(), true, nil
		case tok == tokText && strings.TrimSpace(r.textString()) != "":
			return element{}, false, r.errorf("text outside the root element")
		}
	}
}

// child returns the next child element of the current element, or ok false once the
// current element has ended. Text between children is ignored.
func (r *reader) child() (element, bool, error) {
	for {
		tok, err := r.next()
		switch {
		case err != nil:
			return element{}, false, err
		case tok == tokStart:
			return r.element(), true, nil
		case tok == tokEnd:
			return element{}, false, nil
		case tok == tokEOF:
			return element{}, false, io.ErrUnexpectedEOF
		}
	}
}

func (r *reader) element() element {
	_, local := splitName(r.name)
	return element{local: local, attrs: r.attrs}
}

// text returns the text of the current element (character data and CDATA, entities
// decoded) and consumes it up to its end tag; text of nested elements is ignored. The
// common element with a single text (or none) costs no allocation unless it must be decoded.
func (r *reader) text() (string, error) {
	tok, err := r.next()
	if err != nil || tok == tokEnd {
		return "", err
	}
	var buf []byte
	if tok == tokText {
		t := r.textString()
		if tok, err = r.next(); err != nil {
			return "", err
		}
		if tok == tokEnd {
			return t, nil
		}
		buf = append(buf, t...)
	}
	// Mixed content: several texts, with comments or elements between them.
	for depth := 0; ; {
		switch tok {
		case tokText:
			if depth == 0 {
				buf = appendDecoded(buf, r.raw, r.refs)
			}
		case tokStart:
			depth++
		case tokEnd:
			if depth == 0 {
				return str(buf), nil
			}
			depth--
		case tokEOF:
			return "", io.ErrUnexpectedEOF
		}
		if tok, err = r.next(); err != nil {
			return "", err
		}
	}
}

// skip consumes the current element up to its end tag.
func (r *reader) skip() error {
	for depth := r.depth(); ; {
		tok, err := r.next()
		switch {
		case err != nil:
			return err
		case tok == tokEnd && r.depth() < depth:
			return nil
		case tok == tokEOF:
			return io.ErrUnexpectedEOF
		}
	}
}

// attr returns the value of el's attribute named prefix:local (local alone when prefix is
// empty). Prefixes are matched as written, not resolved to namespaces.
func attr(el element, prefix, local string) (string, bool) {
	for raw := el.attrs; ; {
		name, value, rest, ok := nextAttr(raw)
		if !ok {
			return "", false
		}
		if p, l := splitName(name); p == prefix && l == local {
			return attrValue(value), true
		}
		raw = rest
	}
}

// readStruct reads the element start (already consumed) as a structure of plan p into out:
// attribute members from its attributes, the others from its children.
func (c *Codec) readStruct(r *reader, p *structPlan, start element, out map[string]any) error {
	for _, mp := range p.attrs {
		if text, ok := attr(start, mp.attrSpace, mp.attrLocal); ok {
			v, err := c.scalar(r, mp.m, text)
			if err != nil {
				return err
			}
			if v != nil {
				out[mp.m.Name] = v
			}
		}
	}
	var listsBuf [4]flatList
	lists := listsBuf[:0]
	for {
		el, ok, err := r.child()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		mp := p.byElem[el.local]
		if mp == nil {
			if err := r.skip(); err != nil {
				return err
			}
			continue
		}
		m := mp.m
		switch {
		case mp.flatList:
			v, err := c.readValue(r, m.Shape.Member, el)
			if err != nil {
				return err
			}
			l := findList(&lists, mp, out)
			if v != nil || m.Shape.Sparse {
				l.items = append(l.items, v)
			}
		case mp.flatMap:
			entries, _ := out[m.Name].(map[string]any)
			if entries == nil {
				entries = map[string]any{}
				out[m.Name] = entries
			}
			if err := c.readEntry(r, m.Shape, entries); err != nil {
				return err
			}
		default:
			v, err := c.readValue(r, m, el)
			if err != nil {
				return err
			}
			if v != nil {
				out[m.Name] = v
			}
		}
	}
	for _, l := range lists {
		if l.items == nil {
			l.items = []any{}
		}
		out[l.mp.m.Name] = l.items
	}
	return nil
}

// flatList is a flattened list member being read: readStruct stores it in its output once
// the structure ends, so that the list is boxed once rather than once per item.
type flatList struct {
	mp    *memberPlan
	items []any
}

// findList returns the list of mp in *lists, adding it (with the items out already holds)
// if missing.
func findList(lists *[]flatList, mp *memberPlan, out map[string]any) *flatList {
	for i := range *lists {
		if (*lists)[i].mp == mp {
			return &(*lists)[i]
		}
	}
	items, _ := out[mp.m.Name].([]any)
	*lists = append(*lists, flatList{mp: mp, items: items})
	return &(*lists)[len(*lists)-1]
}

// readValue reads the element start (already consumed) as a value of the shape m refers to.
// It returns nil for an empty element of a number, boolean or timestamp shape.
func (c *Codec) readValue(r *reader, m *models.Member, start element) (any, error) {
	s := m.Shape
	switch s.Type {
	case models.Structure:
		p := c.plan(s)
		out := make(map[string]any, p.size.Load())
		err := c.readStruct(r, p, start, out)
		p.size.Store(int32(len(out)))
		return out, err
	case models.List:
		out := []any{}
		for {
			el, ok, err := r.child()
			if err != nil || !ok {
				return out, err
			}
			_ = el // items are read whatever their name, as botocore does
			v, err := c.readValue(r, s.Member, el)
			if err != nil {
				return nil, err
			}
			if v != nil || s.Sparse {
				out = append(out, v)
			}
		}
	case models.Map:
		out := map[string]any{}
		for {
			_, ok, err := r.child()
			if err != nil || !ok {
				return out, err
			}
			if err := c.readEntry(r, s, out); err != nil {
				return nil, err
			}
		}
	}
	text, err := r.text()
	if err != nil {
		return nil, err
	}
	return c.scalar(r, m, text)
}

// readEntry reads the children of a map entry element (already consumed) into out.
func (c *Codec) readEntry(r *reader, s *models.Shape, out map[string]any) error {
	kn, vn := keyName(s), valueName(s)
	var key string
	var value any
	hasKey, hasValue := false, false
	for {
		el, ok, err := r.child()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch el.local {
		case kn:
			if key, err = r.text(); err != nil {
				return err
			}
			hasKey = true
		case vn:
			if value, err = c.readValue(r, s.Value, el); err != nil {
				return err
			}
			hasValue = true
		default:
			if err := r.skip(); err != nil {
				return err
			}
		}
	}
	if hasKey && (hasValue && value != nil || s.Sparse) {
		out[key] = value
	}
	return nil
}

// scalar converts the text of an element or attribute to the Go type of m's shape.
func (c *Codec) scalar(r *reader, m *models.Member, text string) (any, error) {
	s := m.Shape
	switch s.Type {
	case models.String:
		if len(s.Enum) > 0 {
			if v, ok := c.enum(s)[text]; ok {
				return v, nil
			}
		}
		return text, nil
	case models.Blob:
		b, err := protocol.DecodeBase64(text)
		if err != nil {
			return nil, r.errorf("%s: bad base64 blob", m.Name)
		}
		if b == nil {
			b = []byte{}
		}
		return b, nil
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	switch s.Type {
	case models.Boolean:
		switch text {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, r.errorf("%s: want a boolean, got %q", m.Name, clip(text))
	case models.Byte, models.Short, models.Integer, models.Long, models.BigInteger:
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, r.errorf("%s: want an integer, got %q", m.Name, clip(text))
		}
		return n, nil
	case models.Float, models.Double, models.BigDecimal:
		f, err := protocol.ParseFloat(text)
		if err != nil {
			return nil, r.errorf("%s: want a number, got %q", m.Name, clip(text))
		}
		return f, nil
	case models.Timestamp:
		format := m.Format()
		if format == "" {
			format = protocol.ISO8601
		}
		t, err := protocol.ParseTime(text, format)
		if err != nil {
			return nil, r.errorf("%s: bad timestamp %q", m.Name, clip(text))
		}
		return t, nil
	}
	return nil, r.errorf("%s: unsupported shape type %s", m.Name, s.Type)
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
