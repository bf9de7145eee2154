package endpoints

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// ruleSet builds a rule set document from the parameters and rules (JSON fragments).
func ruleSet(params, rules string) []byte {
	return []byte(fmt.Sprintf(`{"version": "1.0", "parameters": {%s}, "rules": [%s]}`, params, rules))
}

func mustCompile(t *testing.T, doc []byte) *RuleSet {
	t.Helper()
	rs, err := Compile(doc, testPartitions(t))
	require.NoError(t, err)
	return rs
}

func testPartitions(t testing.TB) *Partitions {
	t.Helper()
	ps, err := DefaultPartitions()
	require.NoError(t, err)
	return ps
}

func TestCompileErrors(t *testing.T) {
	region := `"Region": {"type": "string", "builtIn": "AWS::Region"}`
	tests := []struct {
		name, params, rules string
		path, msg           string
	}{
		{"unknown function", region, `{"type": "error", "conditions": [{"fn": "nope", "argv": []}], "error": "x"}`,
			"rules[0].conditions[0].fn", `unknown function "nope"`},
		{"unknown reference", region, `{"type": "tree", "conditions": [], "rules": [{"type": "error", "conditions": [{"fn": "isSet", "argv": [{"ref": "Bucket"}]}], "error": "x"}]}`,
			"rules[0].rules[0].conditions[0].argv[0].ref", `unknown reference "Bucket"`},
		{"arity", region, `{"type": "error", "conditions": [{"fn": "isSet", "argv": []}], "error": "x"}`,
			"rules[0].conditions[0].argv", "isSet takes 1 arguments, got 0"},
		{"unclosed template", region, `{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{Region"}}`,
			"rules[0].endpoint.url", "unclosed {"},
		{"template reference", region, `{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{Nope}"}}`,
			"rules[0].endpoint.url", `unknown reference "Nope"`},
		{"header template", region, `{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://x", "headers": {"h": ["{Nope}"]}}}`,
			"rules[0].endpoint.headers.h[0]", `unknown reference "Nope"`},
		{"property template", region, `{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://x", "properties": {"a": [{"b": "{Nope}"}]}}}`,
			"rules[0].endpoint.properties.a[0].b", `unknown reference "Nope"`},
		{"assignment out of scope", region, `{"type": "tree", "conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "p"}], "rules": [{"type": "error", "conditions": [], "error": "x"}]},
			{"type": "error", "conditions": [], "error": "{p#name}"}`,
			"rules[1].error", `unknown reference "p"`},
		{"shadowing", region, `{"type": "error", "conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "Region"}], "error": "x"}`,
			"rules[0].conditions[0].assign", `"Region" is already defined`},
		{"rule type", region, `{"type": "redirect", "conditions": []}`, "rules[0].type", `unknown rule type "redirect"`},
		{"parameter type", `"X": {"type": "integer"}`, ``, "parameters.X.type", `unknown parameter type "integer"`},
		{"default type", `"X": {"type": "boolean", "default": "yes"}`, ``, "parameters.X.default", "got string, want boolean"},
		{"literal type", region, `{"type": "error", "conditions": [{"fn": "booleanEquals", "argv": [{"ref": "Region"}, "true"]}], "error": "x"}`,
			"rules[0].conditions[0].argv[1]", "booleanEquals argument 2 is string, want boolean"},
		{"getAttr path", region, `{"type": "error", "conditions": [{"fn": "getAttr", "argv": [{"ref": "Region"}, "a[x]"]}], "error": "x"}`,
			"rules[0].conditions[0].argv[1]", "index must be"},
		{"no url", region, `{"type": "endpoint", "conditions": [], "endpoint": {}}`, "rules[0].endpoint.url", "missing"},
		{"condition without fn", region, `{"type": "error", "conditions": [{"ref": "Region"}], "error": "x"}`,
			"rules[0].conditions[0]", "must call a function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(ruleSet(tt.params, tt.rules), testPartitions(t))
			var ce *CompileError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tt.path, ce.Path, "%v", err)
			require.Contains(t, ce.Msg, tt.msg)
			require.Contains(t, err.Error(), tt.path)
		})
	}
	for _, bad := range []string{``, `{`, `[]`, `{"parameters": {}}`, `{"parameters": [], "rules": []}`, `{"parameters": {}, "rules": []} {}`} {
		_, err := Compile([]byte(bad), testPartitions(t))
		var ce *CompileError
		require.ErrorAs(t, err, &ce, "%q", bad)
	}
}

func TestCompileDepthLimit(t *testing.T) {
	rule := `{"type": "error", "conditions": [], "error": "deep"}`
	for range maxRuleDepth + 5 {
		rule = `{"type": "tree", "conditions": [], "rules": [` + rule + `]}`
	}
	_, err := Compile(ruleSet("", rule), testPartitions(t))
	require.ErrorContains(t, err, "nested deeper")
}

func TestEvaluation(t *testing.T) {
	rs := mustCompile(t, ruleSet(
		`"Region": {"type": "string", "builtIn": "AWS::Region", "required": true},
		 "Fips": {"type": "boolean", "default": false, "required": true},
		 "Names": {"type": "stringArray"},
		 "Mode": {"type": "String"}`,
		`{"type": "tree", "conditions": [{"fn": "stringEquals", "argv": [{"ref": "Region"}, "tree"]}],
		  "rules": [{"type": "error", "conditions": [{"fn": "booleanEquals", "argv": [{"ref": "Fips"}, true]}], "error": "fips tree"}]},
		 {"type": "error", "conditions": [{"fn": "isSet", "argv": [{"ref": "Mode"}]}], "error": "mode {Mode} {{literal}}"},
		 {"type": "endpoint",
		  "conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "p"},
		                 {"fn": "getAttr", "argv": [{"ref": "Names"}, "[1]"], "assign": "second"}],
		  "endpoint": {"url": "https://{second}.{Region}.{p#dnsSuffix}",
		               "headers": {"x-names": ["{second}", "{p#name}"]},
		               "properties": {"authSchemes": [{"name": "sigv4", "signingName": "svc", "signingRegion": "{Region}", "disableDoubleEncoding": true}],
		                              "n": 1, "const": {"a": ["b"]}}}},
		 {"type": "endpoint", "conditions": [{"fn": "booleanEquals", "argv": [true, {"fn": "not", "argv": [{"ref": "Fips"}]}]}],
		  "endpoint": {"url": {"ref": "Region"}}}`))

	ep, err := rs.ResolveMap(map[string]any{"Region": "cn-north-1", "Names": []string{"a", "b"}})
	require.NoError(t, err)
	require.Equal(t, "https://b.cn-north-1.amazonaws.com.cn", ep.URL)
	require.Equal(t, map[string][]string{"x-names": {"b", "aws-cn"}}, ep.Headers)
	require.Equal(t, 1.0, ep.Properties["n"])
	require.Equal(t, map[string]any{"a": []any{"b"}}, ep.Properties["const"])
	require.Equal(t, []AuthScheme{{Name: "sigv4", SigningName: "svc", SigningRegion: "cn-north-1", DisableDoubleEncoding: true,
		Properties: map[string]any{"name": "sigv4", "signingName": "svc", "signingRegion": "cn-north-1", "disableDoubleEncoding": true}}},
		ep.AuthSchemes())

	// getAttr past the end is unset: the condition fails and the next rule applies.
	ep, err = rs.ResolveMap(map[string]any{"Region": "us-east-1", "Names": []any{"a"}})
	require.NoError(t, err)
	require.Equal(t, "us-east-1", ep.URL)
	require.Nil(t, ep.Headers)
	require.Nil(t, ep.AuthSchemes())

	_, err = rs.ResolveMap(map[string]any{"Region": "us-east-1", "Mode": "x"})
	var re *RuleError
	require.ErrorAs(t, err, &re)
	require.Equal(t, "mode x {literal}", re.Message)
	require.Equal(t, "rules[1]", re.Rule)

	// A tree whose conditions hold but whose rules do not match is an error, not a fall-through.
	_, err = rs.ResolveMap(map[string]any{"Region": "tree"})
	require.ErrorIs(t, err, ErrNoMatch)
	require.ErrorContains(t, err, "rules[0]")
	_, err = rs.ResolveMap(map[string]any{"Region": "tree", "Fips": true})
	require.ErrorAs(t, err, &re)
	require.Equal(t, "fips tree", re.Message)

	// Nothing matches at the top level.
	_, err = rs.ResolveMap(map[string]any{"Region": "us-east-1", "Fips": true})
	require.ErrorIs(t, err, ErrNoMatch)

	_, err = rs.ResolveMap(map[string]any{})
	require.ErrorIs(t, err, ErrMissingParam)
	require.ErrorContains(t, err, "Region")

	require.ErrorContains(t, rs.NewParams().Set("Region", true), "want string")
	require.ErrorContains(t, rs.NewParams().Set("Nope", "x"), "unknown parameter")
	require.ErrorContains(t, rs.NewParams().Set("Names", []any{1}), "want string")
}

func TestRuntimeTypeErrors(t *testing.T) {
	rs := mustCompile(t, ruleSet(`"A": {"type": "string"}, "B": {"type": "boolean"}`,
		`{"type": "error", "conditions": [{"fn": "stringEquals", "argv": [{"ref": "A"}, "x"]}], "error": "x"},
		 {"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{A}"}}`))
	_, err := rs.ResolveMap(nil)
	require.ErrorContains(t, err, "stringEquals argument 1 is null, want string")
	require.ErrorContains(t, err, "rules[0].conditions[0]")
	var re *RuleError
	require.False(t, errors.As(err, &re))
}

func TestParameters(t *testing.T) {
	rs := mustCompile(t, ruleSet(
		`"Region": {"type": "string", "builtIn": "AWS::Region", "documentation": "the region", "deprecated": {"message": "use X", "since": "1.0"}},
		 "List": {"type": "stringArray", "required": true, "default": ["a", "b"]}`,
		`{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{List#[0]}"}}`))
	require.Equal(t, "1.0", rs.Version())
	require.Equal(t, []Parameter{
		{Name: "List", Type: StringArrayType, Required: true, Default: []string{"a", "b"}},
		{Name: "Region", Type: StringType, BuiltIn: "AWS::Region", Documentation: "the region", Deprecated: "use X 1.0"},
	}, rs.Parameters())
	p, ok := rs.Parameter("Region")
	require.True(t, ok)
	require.Equal(t, "AWS::Region", p.BuiltIn)

	params := rs.NewParams()
	ok, err := params.SetBuiltIn("AWS::Region", "us-east-1")
	require.NoError(t, err)
	require.True(t, ok)
	v, ok := params.Get("Region")
	require.True(t, ok)
	require.Equal(t, "us-east-1", v)
	_, ok = params.Get("List")
	require.False(t, ok, "defaults are not reported as set")
	ep, err := rs.Resolve(params)
	require.NoError(t, err)
	require.Equal(t, "https://a", ep.URL)

	other := mustCompile(t, ruleSet("", `{"type": "error", "conditions": [], "error": "x"}`))
	_, err = other.Resolve(params)
	require.ErrorContains(t, err, "another rule set")
	clone := params.Clone()
	params.Reset()
	_, ok = clone.Get("Region")
	require.True(t, ok)
	require.Equal(t, 0, strings.Count(fmt.Sprint(params.vals), "us-east-1"))
}
