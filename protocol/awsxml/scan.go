package awsxml

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// maxDepth bounds element nesting so hostile bodies cannot exhaust the stack.
const maxDepth = 256

// token is the kind of a token returned by scanner.next.
type token uint8

const (
	tokEOF   token = iota // the end of the document, outside every element
	tokStart              // a start tag: scanner.name, scanner.attrs
	tokEnd                // an end tag, or the end of a self-closing element: scanner.name
	tokText               // character data or a CDATA section: scanner.raw
)

// scanner tokenizes an XML document held whole in memory without copying it: names and
// texts are slices of the document, which must not be modified while they are in use.
//
// It checks well-formedness as strict encoding/xml does (names, quoted attribute values,
// entities, XML character ranges and UTF-8, matching end tags), and it bounds nesting by
// maxDepth. Comments and processing instructions are skipped; the <?xml?> declaration must
// name version 1.0 and UTF-8 (or ASCII) when it names them. DOCTYPE and other <!
// declarations are rejected, so no entity is ever defined by the document. Namespaces are
// not resolved: names keep their prefix, as written.
type scanner struct {
	data    []byte
	pos     int      // offset of the next unread byte
	open    []string // qualified names of the open elements, outermost first
	closing bool     // the last start tag was self-closing: its end is the next token

	// The current token.
	name  string // tokStart, tokEnd: the element's qualified name
	attrs []byte // tokStart: the raw attributes, checked
	raw   []byte // tokText: the text as written, entities and carriage returns undecoded
	refs  bool   // tokText: raw is character data, so entities are decoded (CDATA is not)
	esc   bool   // tokText: raw has entities or carriage returns, so it must be decoded

	arena []byte // decoded texts, carved from its spare capacity (see textString)
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("awsxml: malformed XML response at offset %d: %s", s.pos, fmt.Sprintf(format, args...))
}

// depth is the number of open elements.
func (s *scanner) depth() int { return len(s.open) }

// next scans the next token. At the end of the data it returns tokEOF if every element has
// been closed, else an error.
func (s *scanner) next() (token, error) {
	if s.closing {
		s.closing = false
		s.name = s.open[len(s.open)-1]
		s.open = s.open[:len(s.open)-1]
		return tokEnd, nil
	}
	for {
		d := s.data
		if s.pos >= len(d) {
			if len(s.open) > 0 {
				return 0, s.errorf("unexpected end of document inside <%s>", s.open[len(s.open)-1])
			}
			return tokEOF, nil
		}
		if d[s.pos] != '<' {
			return tokText, s.charData()
		}
		rest := d[s.pos+1:]
		switch {
		case len(rest) == 0:
			return 0, s.errorf("unexpected end of document")
		case rest[0] == '/':
			return tokEnd, s.endTag()
		case rest[0] == '?':
			if err := s.procInst(); err != nil {
				return 0, err
			}
		case rest[0] != '!':
			return tokStart, s.startTag()
		case bytes.HasPrefix(rest, []byte("!--")):
			if err := s.comment(); err != nil {
				return 0, err
			}
		case bytes.HasPrefix(rest, []byte("![CDATA[")):
			return tokText, s.cdata()
		default:
			return 0, s.errorf("DOCTYPE and other declarations are not supported")
		}
	}
}

// charData scans character data up to the next '<' or the end of the document.
func (s *scanner) charData() error {
	end, esc, err := s.chars(s.pos, '<')
	if err != nil {
		return err
	}
	s.raw, s.refs, s.esc = s.data[s.pos:end], true, esc
	s.pos = end
	return nil
}

// cdata scans a CDATA section; s.pos is at its "<![CDATA[".
func (s *scanner) cdata() error {
	start := s.pos + len("<![CDATA[")
	n := bytes.Index(s.data[start:], []byte("]]>"))
	if n < 0 {
		return s.errorf("unexpected end of document in CDATA section")
	}
	end := start + n
	esc := false
	for i := start; i < end; {
		if c := s.data[i]; c >= 0x20 && c < utf8.RuneSelf || c == '\t' || c == '\n' {
			i++
			continue
		}
		esc = esc || s.data[i] == '\r'
		n, err := s.char(i)
		if err != nil {
			return err
		}
		i += n
	}
	s.raw, s.refs, s.esc = s.data[start:end], false, esc
	s.pos = end + len("]]>")
	return nil
}

// special marks the bytes that chars must look at; the others are plain text.
var special = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = c != '\t' && c != '\n'
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	for _, c := range "<&]\"'" {
		t[c] = true
	}
	return t
}()

// chars checks the text starting at i up to the first stop byte ('<' for character data,
// the quote of an attribute value) and returns the stop's offset (the end of the data for
// character data). esc reports entities or carriage returns, which decode rewrites.
func (s *scanner) chars(i int, stop byte) (end int, esc bool, err error) {
	d := s.data
	for i < len(d) {
		c := d[i]
		if !special[c] {
			i++
			continue
		}
		switch {
		case c == stop:
			return i, esc, nil
		case c == '<':
			return 0, false, s.errorAt(i, "unescaped < inside an attribute value")
		case c == '&':
			_, n, ok := ref(d[i:])
			if !ok {
				return 0, false, s.errorAt(i, "invalid character entity %q", d[i:i+min(n, 16)])
			}
			i += n
			esc = true
		case c == ']':
			if stop == '<' && bytes.HasPrefix(d[i:], []byte("]]>")) {
				return 0, false, s.errorAt(i, "unescaped ]]> not in a CDATA section")
			}
			i++
		case c == '"' || c == '\'':
			i++
		default:
			if c == '\r' {
				esc = true
			}
			n, err := s.char(i)
			if err != nil {
				return 0, false, err
			}
			i += n
		}
	}
	if stop != '<' {
		return 0, false, s.errorAt(i, "unexpected end of document in an attribute value")
	}
	return i, esc, nil
}

// char checks the character (a control byte or a multi-byte sequence) at i and returns its
// length.
func (s *scanner) char(i int) (int, error) {
	r, n := utf8.DecodeRune(s.data[i:])
	if r == utf8.RuneError && n == 1 {
		return 0, s.errorAt(i, "invalid UTF-8")
	}
	if !isChar(r) {
		return 0, s.errorAt(i, "illegal character %U", r)
	}
	return n, nil
}

// errorAt is errorf at offset i.
func (s *scanner) errorAt(i int, format string, args ...any) error {
	s.pos = i
	return s.errorf(format, args...)
}

// isChar reports whether r may appear in an XML document (the Char production).
func isChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= utf8.MaxRune
}

// ref decodes the entity at the start of b (b[0] is '&'): one of the five predefined ones
// or a character reference. It returns the character, the entity's length (up to its ';')
// and whether it is valid. A reference to a surrogate stands for U+FFFD, as in encoding/xml.
func ref(b []byte) (r rune, n int, ok bool) {
	semi := bytes.IndexByte(b, ';')
	if semi < 0 {
		return 0, len(b), false
	}
	switch string(b[1:semi]) {
	case "lt":
		return '<', semi + 1, true
	case "gt":
		return '>', semi + 1, true
	case "amp":
		return '&', semi + 1, true
	case "apos":
		return '\'', semi + 1, true
	case "quot":
		return '"', semi + 1, true
	}
	digits, base := b[1:semi], rune(10)
	if len(digits) < 2 || digits[0] != '#' {
		return 0, semi + 1, false
	}
	digits = digits[1:]
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 {
		return 0, semi + 1, false
	}
	for _, c := range digits {
		var v rune
		switch {
		case '0' <= c && c <= '9':
			v = rune(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			v = rune(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			v = rune(c-'A') + 10
		default:
			return 0, semi + 1, false
		}
		if r = r*base + v; r > utf8.MaxRune {
			return 0, semi + 1, false
		}
	}
	if !utf8.ValidRune(r) {
		r = utf8.RuneError
	}
	return r, semi + 1, isChar(r)
}

// decode returns text (checked by chars or cdata) decoded by appendDecoded, in a new string.
func decode(text []byte, refs bool) string {
	return str(appendDecoded(make([]byte, 0, len(text)), text, refs))
}

// appendDecoded appends text (checked by chars or cdata) to buf with its entities decoded
// when refs is set and its line ends normalized: "\r\n" and "\r" become "\n".
func appendDecoded(buf, text []byte, refs bool) []byte {
	for i := 0; i < len(text); {
		switch c := text[i]; {
		case c == '&' && refs:
			r, n, _ := ref(text[i:])
			buf = utf8.AppendRune(buf, r)
			i += n
		case c == '\r':
			buf = append(buf, '\n')
			if i++; i < len(text) && text[i] == '\n' {
				i++
			}
		default:
			buf = append(buf, c)
			i++
		}
	}
	return buf
}

// arenaSize is the size of the chunks decoded texts are carved from.
const arenaSize = 4 << 10

// textString returns the current text token as a string: the document's own bytes when
// nothing needs decoding, else the decoded text carved from s.arena, so that decoding
// allocates once per chunk rather than once per text.
func (s *scanner) textString() string {
	if !s.esc {
		return str(s.raw)
	}
	if cap(s.arena)-len(s.arena) < len(s.raw) {
		// Decoded texts are never longer than their source, so the rest of the document
		// bounds how much a chunk can be asked for.
		s.arena = make([]byte, 0, max(len(s.raw), min(arenaSize, len(s.raw)+len(s.data)-s.pos)))
	}
	start := len(s.arena)
	s.arena = appendDecoded(s.arena, s.raw, s.refs) // fits: decoding never lengthens a text
	return str(s.arena[start:])
}

// str returns b as a string sharing its memory; b must never be modified afterwards.
func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// startTag scans a start tag; s.pos is at its '<'.
func (s *scanner) startTag() error {
	name, i, err := s.scanName(s.pos+1, "element name after <")
	if err != nil {
		return err
	}
	if len(s.open) >= maxDepth {
		return s.errorf("nested deeper than %d", maxDepth)
	}
	d := s.data
	attrs := i
	for {
		i = s.space(i)
		if i >= len(d) {
			return s.errorAt(i, "unexpected end of document in <%s>", name)
		}
		switch d[i] {
		case '>':
			s.pos = i + 1
		case '/':
			if i+1 >= len(d) || d[i+1] != '>' {
				return s.errorAt(i, "expected /> in <%s>", name)
			}
			s.pos = i + 2
			s.closing = true
		default:
			if i, err = s.attr(i); err != nil {
				return err
			}
			continue
		}
		s.name, s.attrs = name, d[attrs:i]
		s.open = append(s.open, name)
		return nil
	}
}

// attr checks the attribute at i (name="value" or name='value') and returns its end.
func (s *scanner) attr(i int) (int, error) {
	_, i, err := s.scanName(i, "attribute name")
	if err != nil {
		return 0, err
	}
	d := s.data
	if i = s.space(i); i >= len(d) || d[i] != '=' {
		return 0, s.errorAt(i, "attribute name without =")
	}
	if i = s.space(i + 1); i >= len(d) || d[i] != '"' && d[i] != '\'' {
		return 0, s.errorAt(i, "unquoted or missing attribute value")
	}
	end, _, err := s.chars(i+1, d[i])
	return end + 1, err
}

// nextAttr splits the first attribute off raw, the checked attributes of a start tag, and
// returns its qualified name and raw value (see attrValue); ok is false when raw has none
// left.
func nextAttr(raw []byte) (name string, value, rest []byte, ok bool) {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	eq := bytes.IndexByte(raw, '=')
	if eq < 0 {
		return "", nil, nil, false
	}
	name = str(bytes.TrimRight(raw[:eq], " \t\r\n"))
	raw = bytes.TrimLeft(raw[eq+1:], " \t\r\n")
	end := 1 + bytes.IndexByte(raw[1:], raw[0])
	return name, raw[1:end], raw[end+1:], true
}

// attrValue decodes a raw attribute value from nextAttr.
func attrValue(raw []byte) string {
	if bytes.IndexByte(raw, '&') >= 0 || bytes.IndexByte(raw, '\r') >= 0 {
		return decode(raw, true)
	}
	return str(raw)
}

// endTag scans an end tag and closes the open element it names; s.pos is at its '<'.
func (s *scanner) endTag() error {
	// Most end tags close the open element and have no space before the '>': one compare.
	if n := len(s.open); n > 0 {
		top := s.open[n-1]
		if end := s.pos + 2 + len(top); end < len(s.data) && s.data[end] == '>' && string(s.data[s.pos+2:end]) == top {
			s.open = s.open[:n-1]
			s.name, s.pos = top, end+1
			return nil
		}
	}
	name, i, err := s.scanName(s.pos+2, "element name after </")
	if err != nil {
		return err
	}
	if i = s.space(i); i >= len(s.data) || s.data[i] != '>' {
		return s.errorAt(i, "invalid characters between </%s and >", name)
	}
	if len(s.open) == 0 {
		return s.errorf("unexpected </%s>", name)
	}
	if top := s.open[len(s.open)-1]; top != name {
		return s.errorf("</%s> closes <%s>", name, top)
	}
	s.open = s.open[:len(s.open)-1]
	s.name, s.pos = name, i+1
	return nil
}

// procInst skips a processing instruction, checking the <?xml?> declaration's version and
// encoding; s.pos is at its '<'.
func (s *scanner) procInst() error {
	target, i, err := s.scanName(s.pos+2, "target name after <?")
	if err != nil {
		return err
	}
	n := bytes.Index(s.data[i:], []byte("?>"))
	if n < 0 {
		return s.errorAt(len(s.data), "unexpected end of document in <?%s", target)
	}
	if target == "xml" {
		content := str(s.data[i : i+n])
		if v := declParam(content, "version"); v != "" && v != "1.0" {
			return s.errorf("unsupported XML version %q", v)
		}
		switch enc := strings.ToLower(declParam(content, "encoding")); enc {
		case "", "utf-8", "utf8", "us-ascii", "ascii":
		default:
			return s.errorf("unsupported charset %q", clip(enc))
		}
	}
	s.pos = i + n + len("?>")
	return nil
}

// declParam returns the quoted value of param in the content of an <?xml?> declaration.
func declParam(content, param string) string {
	for {
		i := strings.Index(content, param+"=")
		if i < 0 {
			return ""
		}
		content = content[i+len(param)+1:]
		if content == "" {
			return ""
		}
		if q := content[0]; q == '"' || q == '\'' {
			v, _, ok := strings.Cut(content[1:], string(q))
			if !ok {
				return ""
			}
			return v
		}
	}
}

// comment skips a comment; s.pos is at its "<!--".
func (s *scanner) comment() error {
	i := s.pos + len("<!--")
	n := bytes.Index(s.data[i:], []byte("--"))
	if n < 0 {
		return s.errorAt(len(s.data), "unexpected end of document in a comment")
	}
	if i += n + 2; i >= len(s.data) || s.data[i] != '>' {
		return s.errorAt(i, `"--" not allowed in comments`)
	}
	s.pos = i + 1
	return nil
}

// scanName scans the name at i and returns it with its end; what names the name for errors.
// A name does not start with a digit, '.' or '-', and has at most one colon.
func (s *scanner) scanName(i int, what string) (string, int, error) {
	d := s.data
	start, colons := i, 0
	for i < len(d) {
		c := d[i]
		if k := nameByte[c]; k != 0 {
			colons += int(k >> 1)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			break
		}
		r, n := utf8.DecodeRune(d[i:])
		if r == utf8.RuneError && n == 1 || !isChar(r) {
			return "", 0, s.errorAt(i, "invalid UTF-8 in a name")
		}
		i += n
	}
	name := d[start:i]
	if len(name) == 0 || '0' <= name[0] && name[0] <= '9' || name[0] == '.' || name[0] == '-' || colons > 1 {
		return "", 0, s.errorAt(start, "expected %s", what)
	}
	return str(name), i, nil
}

// nameByte is 1 for the ASCII bytes allowed in names, 2 for the colon.
var nameByte = func() (t [256]uint8) {
	for _, c := range "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-" {
		t[c] = 1
	}
	t[':'] = 2
	return t
}()

// space returns the offset of the first byte at or after i that is not XML white space.
func (s *scanner) space(i int) int {
	for i < len(s.data) {
		switch s.data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// splitName splits a qualified name into prefix and local name; a name whose colon leaves
// either side empty has no prefix.
func splitName(name string) (prefix, local string) {
	if prefix, local, ok := strings.Cut(name, ":"); ok && prefix != "" && local != "" {
		return prefix, local
	}
	return "", name
}
