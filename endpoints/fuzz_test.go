package endpoints

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCompile feeds arbitrary documents to Compile: it must never panic, and a rule set that
// compiles must resolve (to an endpoint or an error) without panicking, whatever the
// parameters.
func FuzzCompile(f *testing.F) {
	seeds := []string{
		``, `{}`, `[]`, `null`, `{"parameters": {}, "rules": []}`,
		string(ruleSet(`"Region": {"type": "string", "builtIn": "AWS::Region", "required": true}`,
			`{"type": "endpoint", "conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "p"}],
			  "endpoint": {"url": "https://{Region}.{p#dnsSuffix}", "headers": {"h": ["{p#name}"]},
			               "properties": {"authSchemes": [{"name": "sigv4", "signingRegion": "{Region}"}]}}}`)),
		string(ruleSet(`"B": {"type": "string"}, "F": {"type": "boolean", "default": true, "required": true}, "L": {"type": "stringArray"}`,
			`{"type": "tree", "conditions": [{"fn": "isSet", "argv": [{"ref": "B"}]}, {"fn": "aws.parseArn", "argv": [{"ref": "B"}], "assign": "a"}],
			  "rules": [{"type": "error", "conditions": [{"fn": "stringEquals", "argv": [{"fn": "getAttr", "argv": [{"ref": "a"}, "resourceId[1]"]}, ""]}], "error": "empty {a#region}"},
			            {"type": "endpoint", "conditions": [{"fn": "parseURL", "argv": ["https://{B}"], "assign": "u"}], "endpoint": {"url": "{u#scheme}://{u#authority}{u#normalizedPath}"}}]},
			 {"type": "error", "conditions": [{"fn": "substring", "argv": ["{B}", 0, 4, false], "assign": "s"}, {"fn": "not", "argv": [{"fn": "isValidHostLabel", "argv": [{"ref": "s"}, true]}]}], "error": "{s}"},
			 {"type": "endpoint", "conditions": [{"fn": "aws.isVirtualHostableS3Bucket", "argv": [{"fn": "uriEncode", "argv": ["{B}"]}, false]}], "endpoint": {"url": "https://{L#[0]}"}}`)),
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if dir := os.Getenv("AIOAWS_CONFORMANCE_DIR"); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "endpoint-rules", "_engine-unit", "valid-rules", "*.json"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	parts, err := DefaultPartitions()
	if err != nil {
		f.Fatal(err)
	}
	values := []any{"us-east-1", "arn:aws:s3:us-west-2:123:accesspoint/x", "https://example.com/p", "", true, false,
		[]string{"a"}, []string{}}
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := Compile(data, parts)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "endpoints: rule set") {
				t.Fatalf("compile error of an unexpected form: %v", err)
			}
			return
		}
		r, err := NewResolver(rs, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			p := rs.NewParams()
			for _, param := range rs.Parameters() {
				_ = p.Set(param.Name, v) // values of the wrong type are refused, not fatal
			}
			ep1, err1 := rs.Resolve(p)
			ep2, err2 := r.Resolve(p)
			if (err1 == nil) != (err2 == nil) || ep1.URL != ep2.URL {
				t.Fatalf("cached and uncached resolutions differ: %v %v / %v %v", ep1.URL, err1, ep2.URL, err2)
			}
		}
	})
}

// FuzzParseURL checks parseURL's invariants on arbitrary input.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"https://example.com", "http://a:1/b/", "https://[::1]:443", "http://abc.com:a/",
		"https://example.com/p?q", "ftp://x", "https://u@h/p"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, ok := parseURL(s)
		if !ok {
			return
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			t.Fatalf("scheme %q", u.Scheme)
		}
		if u.Authority == "" || !strings.HasPrefix(u.NormalizedPath, "/") || !strings.HasSuffix(u.NormalizedPath, "/") {
			t.Fatalf("%q: %+v", s, u)
		}
		if !strings.HasSuffix(s, u.Authority+u.Path) {
			t.Fatalf("%q: authority and path %q %q are not the tail of the input", s, u.Authority, u.Path)
		}
	})
}

// FuzzParseArn checks that aws.parseArn's parts put back together give the input.
func FuzzParseArn(f *testing.F) {
	for _, s := range []string{"arn:aws:s3:us-east-2:012345678:outpost:op-1234", "arn:aws:s3:::bucket/key", "arn::s3:::x", "arn:a:b:c:d:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := parseArn(s)
		if !ok {
			return
		}
		if a.Partition == "" || a.Service == "" || len(a.ResourceID) == 0 {
			t.Fatalf("%q: %+v", s, a)
		}
		prefix := "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.AccountID + ":"
		rest, ok := strings.CutPrefix(s, prefix)
		if !ok {
			t.Fatalf("%q does not start with %q", s, prefix)
		}
		joined := strings.NewReplacer(":", "/").Replace(rest)
		if joined != strings.Join(a.ResourceID, "/") {
			t.Fatalf("%q: resource ids %q", s, a.ResourceID)
		}
	})
}
