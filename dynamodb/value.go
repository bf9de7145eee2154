// Package dynamodb holds what aioaws adds for DynamoDB on top of the generic client: a compact
// attribute value type (Value, Item) that is read straight from the wire and sent as is.
//
// An Item or Value works wherever an operation's documents hold an attribute value, in both
// directions: declare a field of an output struct as Item, []Item or map[string]Value and
// client.CallInto fills it; put an Item in an input (a struct field or a document entry) and
// the client validates and sends it.
//
//	type QueryOutput struct{ Items []dynamodb.Item }
//	out, err := client.CallInto[QueryOutput](ctx, ddb, "Query", in)
//	name, _ := out.Items[0]["name"].S()
package dynamodb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"unsafe"
)

// Item is a DynamoDB item, or any map of attribute values (a key, ExpressionAttributeValues).
type Item map[string]Value

// Kind is the type of an attribute value, named as DynamoDB names it.
type Kind uint8

const (
	KindInvalid Kind = iota // the zero Value: no value at all; sending it is an error
	KindS                   // string
	KindN                   // number, kept as its decimal text
	KindB                   // binary
	KindBOOL                // boolean
	KindNULL                // null
	KindSS                  // string set
	KindNS                  // number set
	KindBS                  // binary set
	KindM                   // map
	KindL                   // list
	KindUnknown             // a member the model does not know, kept as the server sent it (JSON path only)
)

var kindNames = [...]string{"invalid", "S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "M", "L", "unknown"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Value is one DynamoDB attribute value: a union of S, N, B, BOOL, NULL, SS, NS, BS, M and L,
// in 24 bytes. The zero Value is invalid. A Value is immutable once made, and safe for
// concurrent reads; the slices and maps its accessors return are shared with it, not copies,
// and must not be modified.
type Value struct {
	// p and n hold the payload the kind names, the way a string or slice header would: the
	// data of the text (S, N, unknown: the member's name), of the bytes (B), of the []string
	// (SS, NS), [][]byte (BS) or []Value (L) and its length; an Item's map (M); and for an
	// unknown member, its *unknown. p is always nil or a pointer into a Go object, so the
	// garbage collector sees it; only the constructors below and payload accessors set it.
	p    unsafe.Pointer
	n    int
	kind Kind
	b    bool // BOOL
}

// unknown is the payload of a member the model does not know.
type unknown struct {
	name string
	doc  any
}

func textValue(k Kind, s string) Value {
	return Value{p: unsafe.Pointer(unsafe.StringData(s)), n: len(s), kind: k}
}

func sliceValue[T any](k Kind, s []T) Value {
	if s == nil {
		s = []T{} // sent as [], not null
	}
	return Value{p: unsafe.Pointer(unsafe.SliceData(s)), n: len(s), kind: k}
}

func elems[T any](v Value, k Kind) ([]T, bool) {
	if v.kind != k {
		return nil, false
	}
	return unsafe.Slice((*T)(v.p), v.n), true
}

// S makes a string value.
func S(s string) Value { return textValue(KindS, s) }

// N makes a number value from its decimal text, as DynamoDB carries numbers (up to 38 digits
// of precision); the server checks the text.
func N(text string) Value { return textValue(KindN, text) }

// B makes a binary value. The value keeps b; do not modify it afterwards.
func B(b []byte) Value { return sliceValue(KindB, b) }

// Bool makes a boolean value.
func Bool(b bool) Value { return Value{b: b, kind: KindBOOL} }

// Null makes the null value.
func Null() Value { return Value{kind: KindNULL} }

// SS makes a string set.
func SS(s ...string) Value { return sliceValue(KindSS, s) }

// NS makes a number set from the numbers' decimal texts.
func NS(text ...string) Value { return sliceValue(KindNS, text) }

// BS makes a binary set.
func BS(b ...[]byte) Value { return sliceValue(KindBS, b) }

// M makes a map value; nil is the empty map.
func M(m Item) Value {
	if m == nil {
		m = Item{}
	}
	return Value{p: *(*unsafe.Pointer)(unsafe.Pointer(&m)), kind: KindM}
}

// L makes a list value.
//
// The set and list constructors keep the slice they are given; do not modify it afterwards.
func L(v ...Value) Value { return sliceValue(KindL, v) }

// Kind reports the type of v.
func (v Value) Kind() Kind { return v.kind }

// S returns a string value's text.
func (v Value) S() (string, bool) {
	if v.kind != KindS {
		return "", false
	}
	return v.str(), true
}

// N returns a number value's decimal text.
func (v Value) N() (string, bool) {
	if v.kind != KindN {
		return "", false
	}
	return v.str(), true
}

func (v Value) str() string { return unsafe.String((*byte)(v.p), v.n) }

// B returns a binary value's bytes.
func (v Value) B() ([]byte, bool) { return elems[byte](v, KindB) }

// Bool returns a boolean value.
func (v Value) Bool() (b, ok bool) { return v.b, v.kind == KindBOOL }

// IsNull reports whether v is the null value.
func (v Value) IsNull() bool { return v.kind == KindNULL }

// SS returns a string set's members.
func (v Value) SS() ([]string, bool) { return elems[string](v, KindSS) }

// NS returns a number set's members, as decimal texts.
func (v Value) NS() ([]string, bool) { return elems[string](v, KindNS) }

// BS returns a binary set's members.
func (v Value) BS() ([][]byte, bool) { return elems[[]byte](v, KindBS) }

// M returns a map value's entries.
func (v Value) M() (Item, bool) {
	if v.kind != KindM {
		return nil, false
	}
	return *(*Item)(unsafe.Pointer(&v.p)), true
}

// L returns a list value's elements.
func (v Value) L() ([]Value, bool) { return elems[Value](v, KindL) }

func unknownValue(name string, doc any) Value {
	return Value{p: unsafe.Pointer(&unknown{name, doc}), kind: KindUnknown}
}

// Unknown returns the member name and document of a value of a type the model does not know
// (KindUnknown), as the server sent it; sending the value sends it back unchanged. Only
// client.CallInto's JSON path keeps such values: a response document has dropped the member.
func (v Value) Unknown() (member string, doc any, ok bool) {
	if v.kind != KindUnknown {
		return "", nil, false
	}
	u := (*unknown)(v.p)
	return u.name, u.doc, true
}

// Equal reports whether v and w are the same value: the same kind and contents, sets and
// lists in the same order.
func (v Value) Equal(w Value) bool {
	if v.kind != w.kind {
		return false
	}
	switch v.kind {
	case KindS, KindN:
		return v.str() == w.str()
	case KindB:
		return bytes.Equal(must(v.B()), must(w.B()))
	case KindBOOL:
		return v.b == w.b
	case KindSS, KindNS:
		return slices.Equal(must(elems[string](v, v.kind)), must(elems[string](w, v.kind)))
	case KindBS:
		return slices.EqualFunc(must(v.BS()), must(w.BS()), bytes.Equal)
	case KindM:
		return must(v.M()).Equal(must(w.M()))
	case KindL:
		return slices.EqualFunc(must(v.L()), must(w.L()), Value.Equal)
	case KindUnknown:
		a, b := (*unknown)(v.p), (*unknown)(w.p)
		x, _ := json.Marshal(a.doc)
		y, _ := json.Marshal(b.doc)
		return a.name == b.name && bytes.Equal(x, y)
	}
	return true // KindInvalid, KindNULL
}

func must[T any](x T, _ bool) T { return x }

// Equal reports whether it and other hold the same names with equal values.
func (it Item) Equal(other Item) bool {
	if len(it) != len(other) {
		return false
	}
	for k, v := range it {
		w, ok := other[k]
		if !ok || !v.Equal(w) {
			return false
		}
	}
	return true
}

// String renders v in DynamoDB's JSON form, e.g. {"S":"x"}.
func (v Value) String() string {
	b, err := v.MarshalJSON()
	if err != nil {
		return "<invalid>"
	}
	return string(b)
}
