package awsxml

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// maxDepth bounds element nesting so hostile bodies cannot exhaust the stack.
const maxDepth = 256

// reader walks an XML document token by token (encoding/xml's RawToken, with start and end
// tags matched here), guided by shapes: values land in their Go types directly, and nothing
// the shape does not ask for is kept.
type reader struct {
	dec   *xml.Decoder
	stack []xml.Name // open elements
	buf   []byte     // scratch for text
}

func newReader(r io.Reader) *reader {
	dec := xml.NewDecoder(r)
	dec.Strict = true
	dec.CharsetReader = func(charset string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "us-ascii", "ascii", "utf8":
			return in, nil
		}
		return nil, fmt.Errorf("unsupported charset %q", charset)
	}
	return &reader{dec: dec}
}

func (r *reader) errorf(format string, args ...any) error {
	return fmt.Errorf("awsxml: malformed XML response at offset %d: %s", r.dec.InputOffset(), fmt.Sprintf(format, args...))
}

// token returns the next token, tracking open elements.
func (r *reader) token() (xml.Token, error) {
	tok, err := r.dec.RawToken()
	if err != nil {
		if err == io.EOF && len(r.stack) > 0 {
			return nil, r.errorf("unexpected end of document inside <%s>", r.stack[len(r.stack)-1].Local)
		}
		var syn *xml.SyntaxError
		if errors.As(err, &syn) {
			return nil, r.errorf("%s", syn.Msg)
		}
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		if len(r.stack) >= maxDepth {
			return nil, r.errorf("nested deeper than %d", maxDepth)
		}
		r.stack = append(r.stack, t.Name)
	case xml.EndElement:
		if len(r.stack) == 0 {
			return nil, r.errorf("unexpected </%s>", t.Name.Local)
		}
		if top := r.stack[len(r.stack)-1]; top != t.Name {
			return nil, r.errorf("</%s> closes <%s>", t.Name.Local, top.Local)
		}
		r.stack = r.stack[:len(r.stack)-1]
	}
	return tok, nil
}

// root returns the document's root element, or ok false for a document with none (an empty
// body).
func (r *reader) root() (xml.StartElement, bool, error) {
	for {
		tok, err := r.token()
		if err == io.EOF {
			return xml.StartElement{}, false, nil
		}
		if err != nil {
			return xml.StartElement{}, false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, true, nil
		case xml.CharData:
			if len(strings.TrimSpace(string(t))) > 0 {
				return xml.StartElement{}, false, r.errorf("text outside the root element")
			}
		}
	}
}

// child returns the next child element of the current element, or ok false once the
// current element has ended. Text between children is ignored.
func (r *reader) child() (xml.StartElement, bool, error) {
	for {
		tok, err := r.token()
		if err != nil {
			return xml.StartElement{}, false, noEOF(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, true, nil
		case xml.EndElement:
			return xml.StartElement{}, false, nil
		}
	}
}

// text returns the text of the current element (character data and CDATA, entities
// decoded) and consumes it up to its end tag; text of nested elements is ignored.
func (r *reader) text() (string, error) {
	buf := r.buf[:0]
	depth := 0
	for {
		tok, err := r.token()
		if err != nil {
			return "", noEOF(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if depth == 0 {
				if len(buf)+len(t) > protocol.MaxBody {
					return "", r.errorf("text too large")
				}
				buf = append(buf, t...)
			}
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				r.buf = buf
				return string(buf), nil
			}
			depth--
		}
	}
}

// skip consumes the current element up to its end tag.
func (r *reader) skip() error {
	depth := 0
	for {
		tok, err := r.token()
		if err != nil {
			return noEOF(err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readStruct reads the element start (already consumed) as a structure of shape s into out:
// attribute members from its attributes, the others from its children.
func (c *Codec) readStruct(r *reader, s *models.Shape, start xml.StartElement, out map[string]any) error {
	p := c.plan(s)
	for _, mp := range p.attrs {
		for _, a := range start.Attr {
			if a.Name.Local == mp.attrLocal && a.Name.Space == mp.attrSpace {
				v, err := c.scalar(r, mp.m, a.Value)
				if err != nil {
					return err
				}
				if v != nil {
					out[mp.m.Name] = v
				}
				break
			}
		}
	}
	for {
		el, ok, err := r.child()
		if err != nil || !ok {
			return err
		}
		mp := p.byElem[el.Name.Local]
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
			list, _ := out[m.Name].([]any)
			if v != nil || m.Shape.Sparse {
				list = append(list, v)
			}
			if list == nil {
				list = []any{}
			}
			out[m.Name] = list
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
}

// readValue reads the element start (already consumed) as a value of the shape m refers to.
// It returns nil for an empty element of a number, boolean or timestamp shape.
func (c *Codec) readValue(r *reader, m *models.Member, start xml.StartElement) (any, error) {
	s := m.Shape
	switch s.Type {
	case models.Structure:
		out := map[string]any{}
		return out, c.readStruct(r, s, start, out)
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
		switch el.Name.Local {
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
