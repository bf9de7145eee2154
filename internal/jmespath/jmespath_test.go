package jmespath

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func doc(t testing.TB, s string) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(s), &v))
	return v
}

func TestSearch(t *testing.T) {
	data := doc(t, `{
		"Table": {"TableStatus": "ACTIVE", "ItemCount": 3},
		"Contents": [{"Key": "a"}, {"Key": "b"}], "NextMarker": null,
		"Reservations": [
			{"Instances": [{"State": {"Name": "running"}}, {"State": {"Name": "pending"}}]},
			{"Instances": [{"State": {"Name": "running"}}]}
		],
		"m": {"b": 2, "a": 1, "c": 3}
	}`)
	tests := []struct {
		expr string
		want any
	}{
		{"Table.TableStatus", "ACTIVE"},
		{"Table.ItemCount", 3.0},
		{"Table.Missing.Deeper", nil},
		{"NextMarker || Contents[-1].Key", "b"},
		{"Contents[0].Key", "a"},
		{"Reservations[].Instances[].State.Name", []any{"running", "pending", "running"}},
		{"length(Reservations[].Instances[?State.Name == 'running'][])", 2.0},
		{"contains(Reservations[].Instances[].State.Name, 'pending')", true},
		{"m.*", []any{1.0, 2.0, 3.0}},       // sorted key order
		{"values(m)", []any{1.0, 2.0, 3.0}}, // sorted key order
		{"keys(m)", []any{"a", "b", "c"}},   // sorted key order
		{"m.{x: a, y: b}", map[string]any{"x": 1.0, "y": 2.0}},
		{"[m.a, m.b] | sort(@)", []any{1.0, 2.0}},
		{"Contents[?Key > 'a']", []any{}}, // ordering comparators compare numbers only
		{"Table.ItemCount > `2`", true},
		{"!Table", false},
		{"`[1,2,3]`[::-1]", []any{3.0, 2.0, 1.0}},
		{"'raw\\'s'", "raw's"},
		{"to_string(`{\"a\": \"<&>\"}`)", `{"a":"<&>"}`},
		{"to_number('1e3')", 1000.0},
		{"to_number(' 1')", nil},
		{"max_by(Contents, &Key).Key", "b"},
		{"merge(m, `{\"a\": 10}`).a", 10.0},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := Search(tt.expr, data)
			require.NoError(t, err)
			if tt.want == nil {
				require.Nil(t, got)
				return
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestGoNumbers(t *testing.T) {
	data := map[string]any{
		"i": 3, "i64": int64(-4), "u8": uint8(7), "f32": float32(1.5), "n": json.Number("2.5"),
		"list": []any{3, int64(1), json.Number("2")},
		"objs": []any{map[string]any{"v": 2}, map[string]any{"v": int64(1)}},
	}
	tests := []struct {
		expr string
		want any
	}{
		{"i", 3.0},
		{"i64", -4.0},
		{"u8", 7.0},
		{"f32", 1.5},
		{"n", 2.5},
		{"abs(i64)", 4.0},
		{"i == `3`", true},
		{"i < n", false},
		{"sum(list)", 6.0},
		{"sort(list)", []any{1.0, 2.0, 3.0}},
		{"list[0]", 3.0},
		{"list[:2]", []any{3.0, 1.0}},
		{"list[?@ > `1`]", []any{3.0, 2.0}},
		{"contains(list, `1`)", true},
		{"sort_by(objs, &v)[].v", []any{1.0, 2.0}},
		{"type(n)", "number"},
		{"to_string(i)", "3"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := Search(tt.expr, data)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	got, err := Search("@", 42)
	require.NoError(t, err)
	require.Equal(t, 42.0, got)
}

func TestOpaqueValues(t *testing.T) {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	data := map[string]any{"t": ts, "b": []byte("x")}
	got, err := Search("t", data)
	require.NoError(t, err)
	require.Equal(t, ts, got)
	got, err = Search("not_null(missing, t)", data)
	require.NoError(t, err)
	require.Equal(t, ts, got)
	got, err = Search("t == t", data)
	require.NoError(t, err)
	require.Equal(t, true, got)
	_, err = Search("length(t)", data)
	requireKind(t, err, KindInvalidType)
}

func requireKind(t *testing.T, err error, kind ErrorKind) *Error {
	t.Helper()
	var e *Error
	require.True(t, errors.As(err, &e), "want *Error, got %T %v", err, err)
	require.Equal(t, kind, e.Kind, "%v", err)
	return e
}

func TestErrors(t *testing.T) {
	tests := []struct {
		expr   string
		kind   ErrorKind
		offset int
		msg    string
	}{
		{"foo[1", KindSyntax, 5, `jmespath: syntax error at 5: expected ':' or ']', found end of expression (in "foo[1")`},
		{"a.b.c[?x==`1`", KindSyntax, 13, `jmespath: syntax error at 13: expected ']', found end of expression (in "a.b.c[?x==` + "`1`" + `")`},
		{"foo.", KindSyntax, 4, ""},
		{"foo bar", KindSyntax, 4, ""},
		{"a.\"b\"(c)", KindSyntax, 5, ""},
		{"foo[abc]", KindSyntax, 4, ""},
		{"`{bad`", KindSyntax, 0, ""},
		{"'open", KindSyntax, 0, ""},
		{"a = b", KindSyntax, 2, ""},
		{"a.é", KindSyntax, 2, ""},
		{"foo[0:1:0]", KindInvalidValue, 8, ""},
		{"x.abs(`1`, `2`)", KindInvalidArity, 2, `jmespath: invalid-arity error at 2: abs() takes 1 argument(s), got 2 (in "x.abs(` + "`1`, `2`" + `)")`},
		{"not_null()", KindInvalidArity, 0, ""},
		{"nope(@)", KindUnknownFunction, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := Compile(tt.expr)
			require.Nil(t, e)
			je := requireKind(t, err, tt.kind)
			require.Equal(t, tt.offset, je.Offset, "%v", err)
			require.Equal(t, tt.expr, je.Expression)
			if tt.msg != "" {
				require.EqualError(t, err, tt.msg)
			}
		})
	}
	_, err := Search("a.length(b)", map[string]any{"a": map[string]any{"b": true}})
	je := requireKind(t, err, KindInvalidType)
	require.Equal(t, 2, je.Offset)
	require.EqualError(t, err, `jmespath: invalid-type error at 2: length() argument 1 must be string or array or object, got boolean (in "a.length(b)")`)

	_, err = Search("&foo", nil)
	requireKind(t, err, KindInvalidType)

	_, err = new(Expr).Search(nil)
	require.Error(t, err)

	require.PanicsWithError(t, `jmespath: syntax error at 0: unexpected ']' (in "]")`, func() { MustCompile("]") })
}

func TestNestingLimit(t *testing.T) {
	deep := ""
	for range 1000 {
		deep += "("
	}
	_, err := Compile(deep + "a")
	requireKind(t, err, KindSyntax)
	ok := ""
	for range 100 {
		ok += "("
	}
	ok += "a"
	for range 100 {
		ok += ")"
	}
	got, err := Search(ok, map[string]any{"a": "x"})
	require.NoError(t, err)
	require.Equal(t, "x", got)
}

func TestFastPath(t *testing.T) {
	for expr, simple := range map[string]bool{
		"a": true, "a.b.c": true, "a[0].b[-1]": true, `"x y".z`: true, "[0]": true,
		"a[*].b": false, "a || b": false, "a.b | c": false, "a[1:]": false,
	} {
		require.Equal(t, simple, MustCompile(expr).path != nil, expr)
	}
	data := map[string]any{"a": []any{map[string]any{"b": []any{1, 2}}}}
	got, err := MustCompile("a[0].b[-1]").Search(data)
	require.NoError(t, err)
	require.Equal(t, 2.0, got)
	got, err = MustCompile("a[0].b[5]").Search(data)
	require.NoError(t, err)
	require.Nil(t, got)
	got, err = MustCompile("a.b").Search(data)
	require.NoError(t, err)
	require.Nil(t, got)
}

func TestStringAndLiteralImmutability(t *testing.T) {
	e := MustCompile("sort(`[3, 1, 2]`)")
	require.Equal(t, "sort(`[3, 1, 2]`)", e.String())
	for range 2 {
		got, err := e.Search(nil)
		require.NoError(t, err)
		require.Equal(t, []any{1.0, 2.0, 3.0}, got)
	}
	lit := MustCompile("`[3, 1, 2]`")
	got, err := lit.Search(nil)
	require.NoError(t, err)
	require.Equal(t, []any{3.0, 1.0, 2.0}, got, "sort must not modify the literal")

	data := map[string]any{"a": []any{3.0, 1.0, 2.0}}
	_, err = Search("sort(a)", data)
	require.NoError(t, err)
	require.Equal(t, []any{3.0, 1.0, 2.0}, data["a"], "sort must not modify data")
}

// TestConcurrentSearch shares compiled expressions between goroutines (run with -race).
func TestConcurrentSearch(t *testing.T) {
	data := doc(t, `{"people": [{"name": "b", "age": 2}, {"name": "a", "age": 1}], "t": {"s": "ok"}}`)
	exprs := []*Expr{
		MustCompile("sort_by(people, &age)[].name"),
		MustCompile("t.s"),
		MustCompile("people[?age > `1`].name | [0]"),
		MustCompile("{names: people[*].name, n: length(people)}"),
	}
	want := []any{[]any{"a", "b"}, "ok", "b", map[string]any{"names": []any{"b", "a"}, "n": 2.0}}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 200 {
				for i, e := range exprs {
					got, err := e.Search(data)
					if err == nil && !equal(got, want[i]) {
						err = errors.New("wrong result for " + e.String())
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
