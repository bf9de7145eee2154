package dynamodb

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// errInvalid is the error of sending the zero Value.
var errInvalid = errors.New("dynamodb: the zero Value is not an attribute value (make one with S, N, B, Bool, Null, SS, NS, BS, M or L)")

// MarshalDocument returns v's document form, the AttributeValue structure as a
// map[string]any with its one member set ({"S": "x"}, {"M": Item{...}}); the zero Value is
// an error. It implements aws.Marshaler, so a Value can stand in an operation's input, where
// validation reports an invalid one at its path.
func (v Value) MarshalDocument() (any, error) {
	var member any
	switch v.kind {
	case KindInvalid:
		return nil, errInvalid
	case KindS, KindN:
		member = v.str()
	case KindB:
		member = must(v.B())
	case KindBOOL:
		member = v.b
	case KindNULL:
		member = true
	case KindSS, KindNS:
		member = must(elems[string](v, v.kind))
	case KindBS:
		member = must(v.BS())
	case KindM:
		member = must(v.M())
	case KindL:
		member = must(v.L())
	case KindUnknown:
		u := (*unknown)(v.p)
		return map[string]any{u.name: u.doc}, nil
	}
	return map[string]any{v.kind.String(): member}, nil
}

// MarshalJSON renders v in DynamoDB's JSON form, e.g. {"S":"x"} or {"B":"AAE="}.
func (v Value) MarshalJSON() ([]byte, error) {
	doc, err := v.MarshalDocument()
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}

// UnmarshalJSON reads v from DynamoDB's JSON form, as MarshalJSON writes it (and as DynamoDB
// Streams and table exports carry items).
func (v *Value) UnmarshalJSON(data []byte) error {
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return err
	}
	return v.UnmarshalDocument(doc)
}

// UnmarshalDocument sets v from the document form of an attribute value: a map with exactly
// one member set, as a client's document output holds it (B as []byte or base64 text, sets and
// lists as []any, M as map[string]any). It implements aws.Unmarshaler, so aws.Decode and
// client.CallInto fill Values from any protocol path.
func (v *Value) UnmarshalDocument(doc any) error {
	m, ok := doc.(map[string]any)
	if !ok {
		return fmt.Errorf("attribute value: got %T, want a map with one member", doc)
	}
	var name string
	var member any
	set := 0
	for k, e := range m {
		if e != nil {
			set++
			name, member = k, e
		}
	}
	if set != 1 {
		return fmt.Errorf("attribute value: %d members set, want one of S, N, B, BOOL, NULL, SS, NS, BS, M, L", set)
	}
	got, err := fromDocument(name, member)
	if err != nil {
		return fmt.Errorf("attribute value %s: %w", name, err)
	}
	*v = got
	return nil
}

func fromDocument(name string, member any) (Value, error) {
	switch name {
	case "S", "N":
		s, ok := member.(string)
		if !ok {
			return Value{}, fmt.Errorf("got %T, want string", member)
		}
		if name == "S" {
			return S(s), nil
		}
		return N(s), nil
	case "B":
		b, err := blob(member)
		return B(b), err
	case "BOOL", "NULL":
		b, ok := member.(bool)
		if !ok {
			return Value{}, fmt.Errorf("got %T, want bool", member)
		}
		if name == "NULL" {
			return Null(), nil
		}
		return Bool(b), nil
	case "SS", "NS":
		var ss []string
		err := elements(member, func(i int, e any) error {
			s, ok := e.(string)
			if !ok {
				return fmt.Errorf("[%d]: got %T, want string", i, e)
			}
			ss = append(ss, s)
			return nil
		})
		if name == "SS" {
			return SS(ss...), err
		}
		return NS(ss...), err
	case "BS":
		var bs [][]byte
		err := elements(member, func(i int, e any) error {
			b, err := blob(e)
			if err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
			bs = append(bs, b)
			return nil
		})
		return BS(bs...), err
	case "M":
		var it Item
		err := it.UnmarshalDocument(member)
		return M(it), err
	case "L":
		var l []Value
		err := elements(member, func(i int, e any) error {
			var v Value
			if err := v.UnmarshalDocument(e); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
			l = append(l, v)
			return nil
		})
		return L(l...), err
	}
	return unknownValue(name, member), nil
}

// UnmarshalDocument adds the entries of a map document of attribute values to it (making it
// when nil), as aws.Decode fills any map. It implements aws.Unmarshaler.
func (it *Item) UnmarshalDocument(doc any) error {
	var m map[string]any
	switch x := doc.(type) {
	case map[string]any:
		m = x
	case Item: // a document built by hand may hold an Item as is
		if *it == nil {
			*it = make(Item, len(x))
		}
		for k, v := range x {
			(*it)[k] = v
		}
		return nil
	default:
		return fmt.Errorf("got %T, want a map of attribute values", doc)
	}
	if *it == nil {
		*it = make(Item, len(m))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the first problem reported does not depend on map order
	for _, k := range keys {
		if m[k] == nil {
			continue
		}
		var v Value
		if err := v.UnmarshalDocument(m[k]); err != nil {
			return fmt.Errorf("%q: %w", k, err)
		}
		(*it)[k] = v
	}
	return nil
}

func blob(v any) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return x, nil
	case string:
		b, err := base64.StdEncoding.DecodeString(x)
		if err != nil {
			return nil, fmt.Errorf("bad base64: %w", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("got %T, want []byte or base64 text", v)
}

// elements walks a list document: []any, or a []string, [][]byte or []Value built by hand.
func elements(list any, fn func(i int, e any) error) error {
	switch x := list.(type) {
	case []any:
		return each(x, fn)
	case []string:
		return each(x, fn)
	case [][]byte:
		return each(x, fn)
	case []Value:
		return each(x, func(i int, e any) error {
			doc, err := e.(Value).MarshalDocument()
			if err != nil {
				return err
			}
			return fn(i, doc)
		})
	}
	return fmt.Errorf("got %T, want a list", list)
}

func each[T any](list []T, fn func(i int, e any) error) error {
	for i, e := range list {
		if err := fn(i, e); err != nil {
			return err
		}
	}
	return nil
}
