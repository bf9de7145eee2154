package session

import (
	"strings"
)

// fileParser parses one shared file line by line. The zero value is not
// usable; see parseFile.
type fileParser struct {
	file   SourceFile
	result *SharedConfig

	// Config-file default profiles: "[profile default]" sections win over
	// "[default]" ones, wherever they appear in the file.
	bareDefault, prefixedDefault *Section

	lineNo      int
	seenSection bool     // a section line was read
	section     *Section // the current section; nil when it is ignored
	prop        propState
	current     *Property // the property continuation lines extend
}

type propState uint8

const (
	noProperty      propState = iota // none since the section line
	activeProperty                   // current is the property to continue
	ignoredProperty                  // the last property was ignored; so are its continuations
)

// parseFile parses one file into its own SharedConfig (not merged).
func parseFile(f SourceFile) (*SharedConfig, error) {
	p := &fileParser{
		file: f,
		result: &SharedConfig{
			profiles:    map[string]*Section{},
			ssoSessions: map[string]*Section{},
			services:    map[string]*Section{},
		},
	}
	text := strings.TrimPrefix(string(f.Data), "\uFEFF")
	for line := range strings.Lines(text) {
		p.lineNo++
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if err := p.parseLine(line); err != nil {
			return nil, err
		}
	}
	switch {
	case p.prefixedDefault != nil:
		p.result.profiles["default"] = p.prefixedDefault
	case p.bareDefault != nil:
		p.result.profiles["default"] = p.bareDefault
	}
	return p.result, nil
}

func (p *fileParser) errorf(msg string) error {
	return &ParseError{File: p.file.Path, Line: p.lineNo, Msg: msg}
}

func (p *fileParser) parseLine(line string) error {
	trimmed := trimBlanks(line)
	switch {
	case trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
		return nil // blank or comment line
	case isBlank(line[0]):
		return p.parseContinuation(trimmed)
	case trimmed[0] == '[':
		return p.parseSectionLine(trimmed)
	default:
		return p.parseProperty(trimmed)
	}
}

// parseSectionLine handles "[name]" lines, with an optional trailing comment.
func (p *fileParser) parseSectionLine(trimmed string) error {
	if i := strings.IndexAny(trimmed, "#;"); i >= 0 {
		trimmed = trimBlanks(trimmed[:i])
	}
	if !strings.HasSuffix(trimmed, "]") {
		return p.errorf("Profile definition must end with ']'")
	}
	p.seenSection = true
	p.prop, p.current = noProperty, nil
	p.section = p.sectionFor(trimBlanks(trimmed[1 : len(trimmed)-1]))
	return nil
}

// sectionFor returns the section a header names (creating it), or nil when
// the header is to be ignored.
func (p *fileParser) sectionFor(header string) *Section {
	if p.file.Kind != ConfigFile {
		return p.get(p.result.profiles, header)
	}
	if header == "default" {
		if p.bareDefault == nil {
			p.bareDefault = newSection("default")
		}
		return p.bareDefault
	}
	if name, ok := cutPrefixWord(header, "profile"); ok {
		if name == "default" {
			if p.prefixedDefault == nil {
				p.prefixedDefault = newSection("default")
			}
			return p.prefixedDefault
		}
		return p.get(p.result.profiles, name)
	}
	if name, ok := cutPrefixWord(header, "sso-session"); ok {
		return p.get(p.result.ssoSessions, name)
	}
	if name, ok := cutPrefixWord(header, "services"); ok {
		return p.get(p.result.services, name)
	}
	return nil // e.g. "[foo]" in a config file: ignored, as the SDKs do
}

// get returns the section called name in m, creating it; nil if the name is
// invalid.
func (p *fileParser) get(m map[string]*Section, name string) *Section {
	if !validName(name) {
		return nil
	}
	s := m[name]
	if s == nil {
		s = newSection(name)
		m[name] = s
	}
	return s
}

// parseProperty handles a "key = value" line.
func (p *fileParser) parseProperty(trimmed string) error {
	if !p.seenSection {
		return p.errorf("Expected a profile definition, found a property or other text before any [section]")
	}
	content := stripValueComment(trimmed)
	key, value, ok := strings.Cut(content, "=")
	if !ok {
		return p.errorf("Expected an '=' sign defining a property")
	}
	key, value = trimBlanks(key), trimBlanks(value)
	if key == "" {
		return p.errorf("Property did not have a name")
	}
	if p.section == nil || !validName(key) {
		p.prop, p.current = ignoredProperty, nil
		return nil
	}
	key = strings.ToLower(key)
	prop := &Property{Key: key, Value: value, File: p.file.Path, Line: p.lineNo}
	p.section.props[key] = prop
	p.prop, p.current = activeProperty, prop
	return nil
}

// parseContinuation handles an indented line: more of the current property's
// value, or a sub-property when that value started empty.
func (p *fileParser) parseContinuation(trimmed string) error {
	switch {
	case !p.seenSection:
		return p.errorf("Expected a profile definition, found continuation")
	case p.prop == noProperty:
		return p.errorf("Expected a property definition, found continuation")
	case p.prop == ignoredProperty:
		return nil
	}
	prop := p.current
	if prop.Value == "" || prop.subs != nil { // a sub-property
		key, value, ok := strings.Cut(trimmed, "=")
		if !ok {
			return p.errorf("Expected an '=' sign defining a sub-property")
		}
		key = trimBlanks(key)
		if key == "" {
			return p.errorf("Sub-property did not have a name")
		}
		prop.subs = append(prop.subs, SubProperty{
			Key: strings.ToLower(key), Value: trimBlanks(value), File: p.file.Path, Line: p.lineNo,
		})
	}
	prop.Value += "\n" + trimmed
	return nil
}

// stripValueComment cuts a property line at the first '#' or ';' that
// follows whitespace ("value # comment"); one that does not ("a;b") is data.
func stripValueComment(s string) string {
	for i := 1; i < len(s); i++ {
		if (s[i] == '#' || s[i] == ';') && isBlank(s[i-1]) {
			return trimBlanks(s[:i])
		}
	}
	return s
}

// cutPrefixWord splits "word name" (word, whitespace, then the rest) into
// the trimmed name; "wordname" does not match.
func cutPrefixWord(s, word string) (string, bool) {
	rest, ok := strings.CutPrefix(s, word)
	if !ok || rest == "" || !isBlank(rest[0]) {
		return "", false
	}
	return trimBlanks(rest), true
}

// validName reports whether s is a valid profile, section or property name:
// non-empty, of ASCII letters, digits and - / . % @ _ : +.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-/.%@_:+", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func trimBlanks(s string) string { return strings.Trim(s, " \t") }
