package session

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseSharedConfig checks that the parser never panics, that every
// error is a *ParseError naming the file and a line that exists, and that
// every property it keeps names a valid line too.
func FuzzParseSharedConfig(f *testing.F) {
	for _, seed := range []string{
		"",
		"[default]\nregion = us-east-1 # comment\n",
		"[profile foo]\ns3 =\n  addressing_style = path\n\n  use_arn_region = true\n",
		"[sso-session x]\nsso_region = eu-west-1\n[services y]\ns3 =\n endpoint_url = http://a\n",
		"[profile foo\n",
		" -continued\n",
		"[default]\r\nname = value\r\n -more\r\n",
		"\uFEFF[a];c\nk=v;x\n",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, data string, credentials bool) {
		kind := ConfigFile
		if credentials {
			kind = CredentialsFile
		}
		const path = "/fuzz/config"
		lines := strings.Count(data, "\n") + 1
		c, err := ParseSharedConfig(SourceFile{Kind: kind, Path: path, Data: []byte(data)})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is %T, want *ParseError", err, err)
			}
			if pe.File != path || pe.Line < 1 || pe.Line > lines || !strings.HasPrefix(err.Error(), path+":") {
				t.Fatalf("error %q names %s:%d; the input has %d lines", err, pe.File, pe.Line, lines)
			}
			return
		}
		for _, kind := range []sectionKind{profileSections, ssoSessionSections, servicesSections} {
			for _, s := range c.sections(kind) {
				for _, k := range s.Keys() {
					p, _ := s.Property(k)
					if p.File != path || p.Line < 1 || p.Line > lines || p.Key != k {
						t.Fatalf("property %+v has a bad key or location; %d lines", p, lines)
					}
				}
			}
		}
	})
}
