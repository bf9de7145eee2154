package jmespath

import (
	"encoding/json"
	"testing"
)

// FuzzCompile checks that no expression makes Compile panic, and that no compiled
// expression makes Search panic on a small document.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"a.b.c", "a[0].b[-1]", "a[*].b", "a[].b[]", "a.*.b", "a[?b == `1`].c", "a[1:2:-1]",
		"{x: a, y: [b, c]}", "a || b && !c", "a | b", "sort_by(a, &b)[0]", "map(&[], a)",
		"`{\"a\": [1, 2]}`", "'raw'", `"quoted"`, "length(@) > `2`", "@.a", "(a)[0]",
		"max_by(a, &to_number(b))", "merge(@, `{}`)", "join(',', keys(@))", "not_null(x, a)",
		"a[?b < c].d | [0]", "*[?[0] == `0`]", "[[*],*]", "foo[8:2:0]", "((&",
	} {
		f.Add(s)
	}
	var data any
	if err := json.Unmarshal([]byte(`{
		"a": [{"b": 1, "c": [1, 2]}, {"b": "2", "c": null}, [3, [4]], "s", 5, true, null, {}],
		"b": {"x": {"y": [1, 2.5, -3]}}, "c": "text", "d": [], "e": {"f": false}
	}`), &data); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		e, err := Compile(expr)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Compile(%q): error %T is not *Error", expr, err)
			}
			return
		}
		if e.String() != expr {
			t.Fatalf("String() = %q, want %q", e.String(), expr)
		}
		if _, err := e.Search(data); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Search(%q): error %T is not *Error", expr, err)
			}
		}
		_, _ = e.Search(nil)
	})
}
