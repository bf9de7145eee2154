package session

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// FileKind says which naming rules a shared file follows.
type FileKind uint8

const (
	// ConfigFile is the shared config file (~/.aws/config): profiles are
	// "[profile name]" (the default profile may also be "[default]"), and it
	// may hold "[sso-session name]" and "[services name]" sections.
	ConfigFile FileKind = iota + 1
	// CredentialsFile is the shared credentials file (~/.aws/credentials):
	// every section is a profile named without a prefix, "[name]".
	CredentialsFile
)

func (k FileKind) String() string {
	switch k {
	case ConfigFile:
		return "config file"
	case CredentialsFile:
		return "credentials file"
	}
	return "FileKind(" + strconv.Itoa(int(k)) + ")"
}

// SourceFile is the content of one shared file, for [ParseSharedConfig].
type SourceFile struct {
	Kind FileKind
	// Path names the file in errors and in [Property.File]; it is not read.
	Path string
	Data []byte
}

// ParseError reports a malformed line of a shared file. Its message names
// the file and the 1-based line number.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s: %s", location(e.File, e.Line), e.Msg)
}

// location formats "file:line" (or "line N" for an unnamed file).
func location(file string, line int) string {
	if file == "" {
		return "line " + strconv.Itoa(line)
	}
	return file + ":" + strconv.Itoa(line)
}

// SharedConfig is the merged content of the shared config and credentials
// files: profiles, sso-session sections and services sections.
//
// A SharedConfig is immutable once built, so it is safe for concurrent use.
// The nil *SharedConfig is valid and holds nothing.
type SharedConfig struct {
	profiles    map[string]*Section
	ssoSessions map[string]*Section
	services    map[string]*Section
}

// ParseSharedConfig parses files in order and merges them: a profile defined
// in several files (or several times in one file) gets the union of their
// properties, and for a property defined more than once the later definition
// wins. Pass the config file before the credentials file, so that credentials
// override config, as the AWS SDKs do.
//
// The rules are those of the AWS SDKs' shared-file format: blank lines and
// lines starting with '#' or ';' are ignored; a section line may end with a
// comment; in a property value a comment starts at a '#' or ';' preceded by
// whitespace; an indented line continues the previous property (or, when that
// property's value is empty, defines one of its sub-properties); property
// names are case-insensitive (stored lower-case), section names are
// case-sensitive; sections and properties with invalid names are ignored.
// Malformed lines are errors (*ParseError naming the file and line).
func ParseSharedConfig(files ...SourceFile) (*SharedConfig, error) {
	merged := &SharedConfig{
		profiles:    map[string]*Section{},
		ssoSessions: map[string]*Section{},
		services:    map[string]*Section{},
	}
	for _, f := range files {
		parsed, err := parseFile(f)
		if err != nil {
			return nil, err
		}
		mergeSections(merged.profiles, parsed.profiles)
		mergeSections(merged.ssoSessions, parsed.ssoSessions)
		mergeSections(merged.services, parsed.services)
	}
	return merged, nil
}

func mergeSections(dst, src map[string]*Section) {
	for name, s := range src {
		d := dst[name]
		if d == nil {
			d = newSection(name)
			dst[name] = d
		}
		maps.Copy(d.props, s.props)
	}
}

// Profile returns the named profile (names are case-sensitive).
func (c *SharedConfig) Profile(name string) (*Section, bool) {
	s, ok := c.sections(profileSections)[name]
	return s, ok
}

// SSOSession returns the named [sso-session] section of the config file.
func (c *SharedConfig) SSOSession(name string) (*Section, bool) {
	s, ok := c.sections(ssoSessionSections)[name]
	return s, ok
}

// Services returns the named [services] section of the config file, whose
// properties are service ids (lower-case, spaces as underscores) with
// sub-properties such as endpoint_url.
func (c *SharedConfig) Services(name string) (*Section, bool) {
	s, ok := c.sections(servicesSections)[name]
	return s, ok
}

// ProfileNames returns the names of all profiles, sorted.
func (c *SharedConfig) ProfileNames() []string { return sortedKeys(c.sections(profileSections)) }

// SSOSessionNames returns the names of all sso-session sections, sorted.
func (c *SharedConfig) SSOSessionNames() []string {
	return sortedKeys(c.sections(ssoSessionSections))
}

// ServicesNames returns the names of all services sections, sorted.
func (c *SharedConfig) ServicesNames() []string { return sortedKeys(c.sections(servicesSections)) }

type sectionKind uint8

const (
	profileSections sectionKind = iota
	ssoSessionSections
	servicesSections
)

// sections returns the sections of one kind; nil for a nil c.
func (c *SharedConfig) sections(kind sectionKind) map[string]*Section {
	if c == nil {
		return nil
	}
	switch kind {
	case ssoSessionSections:
		return c.ssoSessions
	case servicesSections:
		return c.services
	}
	return c.profiles
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// Section is one named section of a shared file: a profile, an sso-session
// or a services section. It is immutable and safe for concurrent use; the
// nil *Section is valid and empty.
type Section struct {
	name  string
	props map[string]*Property
}

func newSection(name string) *Section {
	return &Section{name: name, props: map[string]*Property{}}
}

// Name returns the section's name, without any "profile " prefix.
func (s *Section) Name() string {
	if s == nil {
		return ""
	}
	return s.name
}

// Get returns the raw value of a property; key is case-insensitive. For a
// property with sub-properties the value is their raw lines, each preceded
// by "\n"; use [Section.SubValue] to read one of them.
func (s *Section) Get(key string) (string, bool) {
	p, ok := s.Property(key)
	return p.Value, ok
}

// Property returns a property with its location; key is case-insensitive.
func (s *Section) Property(key string) (Property, bool) {
	if s == nil {
		return Property{}, false
	}
	p, ok := s.props[strings.ToLower(key)]
	if !ok {
		return Property{}, false
	}
	return *p, true
}

// SubValue returns the value of sub-property sub of property key, both
// case-insensitive; the last definition wins.
func (s *Section) SubValue(key, sub string) (string, bool) {
	sp, ok := s.subProperty(key, sub)
	return sp.Value, ok
}

func (s *Section) subProperty(key, sub string) (SubProperty, bool) {
	p, ok := s.Property(key)
	if !ok {
		return SubProperty{}, false
	}
	sub = strings.ToLower(sub)
	for i := len(p.subs) - 1; i >= 0; i-- {
		if p.subs[i].Key == sub {
			return p.subs[i], true
		}
	}
	return SubProperty{}, false
}

// Keys returns the (lower-case) names of the section's properties, sorted.
func (s *Section) Keys() []string {
	if s == nil {
		return nil
	}
	return sortedKeys(s.props)
}

// Property is one property of a section, with where it was defined.
type Property struct {
	Key   string // lower-case
	Value string // trimmed; continuation lines are joined with "\n"
	File  string
	Line  int
	subs  []SubProperty
}

// Location returns "file:line" of the property's definition.
func (p Property) Location() string { return location(p.File, p.Line) }

// SubProperties returns the property's sub-properties in file order (nil
// unless its value was empty and indented "key = value" lines followed).
func (p Property) SubProperties() []SubProperty { return slices.Clone(p.subs) }

// SubProperty is one indented "key = value" line under a property whose
// value is empty, such as "addressing_style = path" under "s3 =".
type SubProperty struct {
	Key   string // lower-case and trimmed; not validated, as the SDKs do
	Value string // trimmed; comments are not stripped
	File  string
	Line  int
}

// Location returns "file:line" of the sub-property's definition.
func (p SubProperty) Location() string { return location(p.File, p.Line) }
