package jmespath

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// argType is a set of the types a function parameter accepts.
type argType uint16

const (
	aNumber argType = 1 << iota
	aString
	aBoolean
	aNull
	aArray
	aObject
	aExpref
	aArrayNumber // an array of numbers only
	aArrayString // an array of strings only
	aAny         = aNumber | aString | aBoolean | aNull | aArray | aObject
)

func (t argType) String() string {
	var names []string
	for _, x := range []struct {
		t    argType
		name string
	}{
		{aNumber, "number"}, {aString, "string"}, {aBoolean, "boolean"}, {aNull, "null"},
		{aArray, "array"}, {aObject, "object"}, {aExpref, "expression reference (&expr)"},
		{aArrayNumber, "array of numbers"}, {aArrayString, "array of strings"},
	} {
		if t&x.t != 0 {
			names = append(names, x.name)
		}
	}
	if t&aAny == aAny {
		return "any value"
	}
	return strings.Join(names, " or ")
}

// accepts reports whether v is of a type in t.
func (t argType) accepts(v any) bool {
	switch x := v.(type) {
	case nil:
		return t&aNull != 0
	case bool:
		return t&aBoolean != 0
	case string:
		return t&aString != 0
	case map[string]any:
		return t&aObject != 0
	case exprRef:
		return t&aExpref != 0
	case []any:
		if t&aArray != 0 {
			return true
		}
		if t&aArrayNumber != 0 && all(x, func(e any) bool { _, ok := toNumber(e); return ok }) {
			return true
		}
		if t&aArrayString != 0 && all(x, func(e any) bool { _, ok := e.(string); return ok }) {
			return true
		}
		return false
	}
	if _, ok := toNumber(v); ok {
		return t&aNumber != 0
	}
	return t&aAny == aAny // a value of another Go type
}

func all(arr []any, f func(any) bool) bool {
	for _, e := range arr {
		if !f(e) {
			return false
		}
	}
	return true
}

// function is a built-in function. Its arity is checked at compile time, the types of its
// arguments before impl is called.
type function struct {
	name     string
	params   []argType
	variadic bool // the last parameter repeats (at least once)
	impl     func(args []any) (any, error)
}

func (f *function) invoke(args []any) (any, error) {
	for i, a := range args {
		p := f.params[min(i, len(f.params)-1)]
		if !p.accepts(a) {
			return nil, typeErr("%s() argument %d must be %s, got %s", f.name, i+1, p, typeOf(a))
		}
	}
	return f.impl(args)
}

var functions = map[string]*function{}

func init() {
	for _, f := range []*function{
		{name: "abs", params: []argType{aNumber}, impl: num1(math.Abs)},
		{name: "avg", params: []argType{aArrayNumber}, impl: fnAvg},
		{name: "ceil", params: []argType{aNumber}, impl: num1(math.Ceil)},
		{name: "contains", params: []argType{aArray | aString, aAny}, impl: fnContains},
		{name: "ends_with", params: []argType{aString, aString}, impl: func(a []any) (any, error) {
			return strings.HasSuffix(a[0].(string), a[1].(string)), nil
		}},
		{name: "floor", params: []argType{aNumber}, impl: num1(math.Floor)},
		{name: "join", params: []argType{aString, aArrayString}, impl: fnJoin},
		{name: "keys", params: []argType{aObject}, impl: fnKeys},
		{name: "length", params: []argType{aString | aArray | aObject}, impl: fnLength},
		{name: "map", params: []argType{aExpref, aArray}, impl: fnMap},
		{name: "max", params: []argType{aArrayNumber | aArrayString}, impl: minMax(1)},
		{name: "max_by", params: []argType{aArray, aExpref}, impl: minMaxBy("max_by", 1)},
		{name: "merge", params: []argType{aObject}, variadic: true, impl: fnMerge},
		{name: "min", params: []argType{aArrayNumber | aArrayString}, impl: minMax(-1)},
		{name: "min_by", params: []argType{aArray, aExpref}, impl: minMaxBy("min_by", -1)},
		{name: "not_null", params: []argType{aAny}, variadic: true, impl: fnNotNull},
		{name: "reverse", params: []argType{aString | aArray}, impl: fnReverse},
		{name: "sort", params: []argType{aArrayNumber | aArrayString}, impl: fnSort},
		{name: "sort_by", params: []argType{aArray, aExpref}, impl: fnSortBy},
		{name: "starts_with", params: []argType{aString, aString}, impl: func(a []any) (any, error) {
			return strings.HasPrefix(a[0].(string), a[1].(string)), nil
		}},
		{name: "sum", params: []argType{aArrayNumber}, impl: fnSum},
		{name: "to_array", params: []argType{aAny}, impl: fnToArray},
		{name: "to_number", params: []argType{aAny}, impl: fnToNumber},
		{name: "to_string", params: []argType{aAny}, impl: fnToString},
		{name: "type", params: []argType{aAny}, impl: func(a []any) (any, error) { return typeOf(a[0]), nil }},
		{name: "values", params: []argType{aObject}, impl: fnValues},
	} {
		functions[f.name] = f
	}
}

func number(v any) float64 {
	f, _ := toNumber(v)
	return f
}

func num1(f func(float64) float64) func([]any) (any, error) {
	return func(a []any) (any, error) { return f(number(a[0])), nil }
}

func fnAvg(a []any) (any, error) {
	arr := a[0].([]any)
	if len(arr) == 0 {
		return nil, nil
	}
	s, _ := fnSum(a)
	return s.(float64) / float64(len(arr)), nil
}

func fnSum(a []any) (any, error) {
	var s float64
	for _, e := range a[0].([]any) {
		s += number(e)
	}
	return s, nil
}

func fnContains(a []any) (any, error) {
	switch subject := a[0].(type) {
	case string:
		search, ok := a[1].(string)
		return ok && strings.Contains(subject, search), nil
	default:
		return slices.ContainsFunc(subject.([]any), func(e any) bool { return equal(e, a[1]) }), nil
	}
}

func fnJoin(a []any) (any, error) {
	arr := a[1].([]any)
	var b strings.Builder
	for i, e := range arr {
		if i > 0 {
			b.WriteString(a[0].(string))
		}
		b.WriteString(e.(string))
	}
	return b.String(), nil
}

func fnKeys(a []any) (any, error) {
	keys := sortedKeys(a[0].(map[string]any))
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out, nil
}

func fnValues(a []any) (any, error) {
	m := a[0].(map[string]any)
	out := make([]any, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, norm(m[k]))
	}
	return out, nil
}

func fnLength(a []any) (any, error) {
	switch x := a[0].(type) {
	case string:
		return float64(utf8.RuneCountInString(x)), nil
	case []any:
		return float64(len(x)), nil
	default:
		return float64(len(x.(map[string]any))), nil
	}
}

func fnMap(a []any) (any, error) {
	ref := a[0].(exprRef)
	arr := a[1].([]any)
	out := make([]any, len(arr))
	for i, e := range arr {
		v, err := ref.eval(norm(e))
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// minMax returns max (sign 1) or min (sign -1) of an array of numbers or of strings.
func minMax(sign int) func([]any) (any, error) {
	return func(a []any) (any, error) {
		var best any
		for _, e := range a[0].([]any) {
			e = norm(e)
			if best == nil || compareOrdered(e, best)*sign > 0 {
				best = e
			}
		}
		return best, nil
	}
}

// compareOrdered compares two numbers or two strings.
func compareOrdered(a, b any) int {
	if s, ok := a.(string); ok {
		return strings.Compare(s, b.(string))
	}
	return cmp.Compare(number(a), number(b))
}

// keysBy evaluates ref on every element of arr; the keys must be all numbers or all strings.
func keysBy(name string, arr []any, ref exprRef) ([]any, error) {
	keys := make([]any, len(arr))
	kind := ""
	for i, e := range arr {
		k, err := ref.eval(norm(e))
		if err != nil {
			return nil, err
		}
		k = norm(k)
		t := typeOf(k)
		if t != typeNumber && t != typeString || kind != "" && t != kind {
			want := "number or string"
			if kind != "" {
				want = kind
			}
			return nil, typeErr("%s() expression must give a %s for every element, got %s", name, want, t)
		}
		kind = t
		keys[i] = k
	}
	return keys, nil
}

func minMaxBy(name string, sign int) func([]any) (any, error) {
	return func(a []any) (any, error) {
		arr := a[0].([]any)
		keys, err := keysBy(name, arr, a[1].(exprRef))
		if err != nil || len(arr) == 0 {
			return nil, err
		}
		best := 0
		for i := 1; i < len(arr); i++ {
			if compareOrdered(keys[i], keys[best])*sign > 0 {
				best = i
			}
		}
		return norm(arr[best]), nil
	}
}

func fnSort(a []any) (any, error) {
	arr := a[0].([]any)
	out := make([]any, len(arr))
	for i, e := range arr {
		out[i] = norm(e)
	}
	slices.SortStableFunc(out, compareOrdered)
	return out, nil
}

func fnSortBy(a []any) (any, error) {
	arr := a[0].([]any)
	keys, err := keysBy("sort_by", arr, a[1].(exprRef))
	if err != nil {
		return nil, err
	}
	idx := make([]int, len(arr))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int { return compareOrdered(keys[i], keys[j]) })
	out := make([]any, len(arr))
	for i, j := range idx {
		out[i] = norm(arr[j])
	}
	return out, nil
}

func fnMerge(a []any) (any, error) {
	size := 0
	for _, o := range a {
		size += len(o.(map[string]any))
	}
	out := make(map[string]any, size)
	for _, o := range a {
		for k, v := range o.(map[string]any) {
			out[k] = v
		}
	}
	return out, nil
}

func fnNotNull(a []any) (any, error) {
	for _, v := range a {
		if v != nil {
			return v, nil
		}
	}
	return nil, nil
}

func fnReverse(a []any) (any, error) {
	switch x := a[0].(type) {
	case string:
		r := []rune(x)
		slices.Reverse(r)
		return string(r), nil
	default:
		arr := x.([]any)
		out := make([]any, len(arr))
		for i, e := range arr {
			out[len(arr)-1-i] = norm(e)
		}
		return out, nil
	}
}

func fnToArray(a []any) (any, error) {
	if arr, ok := a[0].([]any); ok {
		return arr, nil
	}
	return []any{a[0]}, nil
}

func fnToNumber(a []any) (any, error) {
	switch x := a[0].(type) {
	case string:
		if !isJSONNumber(x) {
			return nil, nil
		}
		f, err := strconv.ParseFloat(x, 64)
		if err != nil { // out of range
			return nil, nil
		}
		return f, nil
	case bool, nil, []any, map[string]any:
		return nil, nil
	}
	return norm(a[0]), nil
}

// isJSONNumber reports whether s matches the number production of JSON:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(s string) bool {
	i := 0
	digits := func() bool {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(s)
}

func fnToString(a []any) (any, error) {
	if s, ok := a[0].(string); ok {
		return s, nil
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a[0]); err != nil {
		return nil, &Error{Kind: KindInvalidValue, Offset: -1, Msg: fmt.Sprintf("to_string(): %v", err)}
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}
