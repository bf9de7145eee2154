package codecs

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// checkTyped parses resp into a struct type made from op's output shape and checks that it
// holds what aws.Decode stores from the document doc (the same values, or the same error).
// variant picks among Go types for the members (pointers or values, narrow or wide numbers),
// so that both the fast paths and the fallbacks of a Target are taken.
func checkTyped(codec protocol.Codec, op *models.Operation, resp *protocol.Response, doc map[string]any, variant int) error {
	if op.Output == nil || op.Output.Payload != nil && (op.Output.Payload.Streaming || op.Output.Payload.Shape.Streaming || op.Output.Payload.Shape.EventStream) {
		protocol.Drain(resp.Body)
		return nil
	}
	t := goType(op.Output, variant, map[*models.Shape]bool{})
	want, got := reflect.New(t), reflect.New(t)
	errWant := aws.Decode(doc, want.Interface())
	errGot := protocol.ParseInto(codec, op, resp, got.Interface())
	if fmt.Sprint(errWant) != fmt.Sprint(errGot) {
		return fmt.Errorf("error %v, want %v", errGot, errWant)
	}
	if !sameValue(got.Elem(), want.Elem()) {
		return fmt.Errorf("got %+v, want %+v", got.Elem(), want.Elem())
	}
	return nil
}

var anyType = reflect.TypeFor[any]()

// goType makes a Go type for shape s: structs with a field per member (named after it, tagged
// only when the name is not an identifier), slices, maps and scalars. Recursive shapes end in
// an `any`.
func goType(s *models.Shape, variant int, seen map[*models.Shape]bool) reflect.Type {
	ptr := func(t reflect.Type) reflect.Type {
		if variant == 1 {
			return reflect.PointerTo(t)
		}
		return t
	}
	switch s.Type {
	case models.Structure:
		if seen[s] || s.Document {
			return anyType
		}
		seen[s] = true
		defer delete(seen, s)
		var fields []reflect.StructField
		for i, m := range s.Members {
			name, tag := fieldName(m.Name), reflect.StructTag("")
			if name == "" {
				name, tag = fmt.Sprintf("Member%d", i), reflect.StructTag(`aws:"`+m.Name+`"`)
			}
			fields = append(fields, reflect.StructField{Name: name, Type: goType(m.Shape, variant, seen), Tag: tag})
		}
		return ptr(reflect.StructOf(fields))
	case models.List:
		return reflect.SliceOf(goType(s.Member.Shape, variant, seen))
	case models.Map:
		return reflect.MapOf(reflect.TypeFor[string](), goType(s.Value.Shape, variant, seen))
	case models.String:
		return ptr(reflect.TypeFor[string]())
	case models.Boolean:
		return ptr(reflect.TypeFor[bool]())
	case models.Byte, models.Short, models.Integer:
		if variant == 1 {
			return reflect.TypeFor[int16]() // narrow: some values overflow, taking the fallback
		}
		return reflect.TypeFor[int64]()
	case models.Long, models.BigInteger:
		return ptr(reflect.TypeFor[int64]())
	case models.Float, models.Double, models.BigDecimal:
		if variant == 1 {
			return reflect.TypeFor[float32]()
		}
		return reflect.TypeFor[float64]()
	case models.Timestamp:
		return ptr(reflect.TypeFor[time.Time]())
	case models.Blob:
		return reflect.TypeFor[[]byte]()
	}
	return anyType
}

// fieldName upper-cases the first letter of a member name (the Target then matches it
// case-insensitively), or returns "" when the name is no Go identifier.
func fieldName(member string) string {
	for i, r := range member {
		if !unicode.IsLetter(r) && r != '_' && (i == 0 || !unicode.IsDigit(r)) {
			return ""
		}
	}
	if member == "" || member[0] == '_' {
		return ""
	}
	return strings.ToUpper(member[:1]) + member[1:]
}

// sameValue is reflect.DeepEqual where NaN equals NaN and times compare with Equal.
func sameValue(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	if a.Type() == reflect.TypeFor[time.Time]() {
		return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
	}
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		return x == y || math.IsNaN(x) && math.IsNaN(y)
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		for it := a.MapRange(); it.Next(); {
			if !sameValue(it.Value(), b.MapIndex(it.Key())) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}
