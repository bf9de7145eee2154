package protocol

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/models"
)

// Input values. An operation's input is a map[string]any document or a struct (or a pointer
// to one). Inside it:
//
//   - structures are map[string]any or structs; struct fields match members by name, or by
//     the name in an `aws:"Name"` tag (`aws:"-"` skips a field). A nil pointer or interface,
//     and the zero value of a non-pointer field, mean "not set"; set a pointer to send a zero.
//   - lists are []any or any slice; maps are map[string]any or any map with string keys.
//   - strings are string (or a string-kinded type); numbers any Go integer or float type or
//     json.Number; booleans bool.
//   - timestamps are time.Time, or a number of seconds since the epoch, or an RFC 3339 string.
//   - blobs are []byte or string; streaming blobs also io.Reader.
//   - a value of a type that implements aws.Marshaler stands for the document its
//     MarshalDocument returns (dynamodb.Value is one).
//
// nil values inside lists and maps are kept only for sparse shapes.

// marshaled is the document an aws.Marshaler stands for, or nil (not a value of any shape)
// when it fails; validation reports that failure (see validator.value).
func marshaled(m aws.Marshaler) any {
	doc, err := m.MarshalDocument()
	if err != nil {
		return nil
	}
	return doc
}

// Fields returns the members of a structure value that are set, calling fn for each in model
// order with the member and its value. It reports false if v is not a structure value.
func Fields(s *models.Shape, v any, fn func(m *models.Member, v any)) bool {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 && len(s.Members) > 1 {
			// One member set, as in every union value (a DynamoDB AttributeValue): one
			// lookup instead of one per member.
			for k, mv := range x {
				if m, ok := s.MemberNamed(k); ok && mv != nil {
					fn(m, mv)
				}
			}
			return true
		}
		for _, m := range s.Members {
			if mv, ok := x[m.Name]; ok && mv != nil {
				fn(m, mv)
			}
		}
		return true
	case nil:
		return false
	case aws.Marshaler:
		return Fields(s, marshaled(x), fn)
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return false
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return false
	}
	idx := fieldIndex(rv.Type())
	for _, m := range s.Members {
		i, ok := idx.byName[m.Name]
		if !ok {
			continue
		}
		if fv, set := fieldValue(rv.Field(i)); set {
			fn(m, fv)
		}
	}
	return true
}

// Keys returns the names of the set members of a structure value that the shape does not
// define, for validation. It returns nil for a non-structure value.
func unknownKeys(s *models.Shape, v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, mv := range x {
			if _, ok := s.MemberNamed(k); !ok && mv != nil {
				out = append(out, k)
			}
		}
		return out
	case aws.Marshaler:
		return unknownKeys(s, marshaled(x))
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil
	}
	for name, i := range fieldIndex(rv.Type()).byName {
		if _, ok := s.MemberNamed(name); !ok {
			if _, set := fieldValue(rv.Field(i)); set {
				out = append(out, name)
			}
		}
	}
	return out
}

func fieldValue(f reflect.Value) (any, bool) {
	switch f.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		if f.IsNil() {
			return nil, false
		}
		if f.Kind() == reflect.Pointer && f.Elem().Kind() != reflect.Struct {
			return f.Elem().Interface(), true
		}
	default:
		if f.IsZero() {
			return nil, false
		}
	}
	return f.Interface(), true
}

type structIndex struct{ byName map[string]int }

var structIndexes sync.Map // reflect.Type → *structIndex

// fieldIndex maps member names to exported field indexes, computed once per struct type.
func fieldIndex(t reflect.Type) *structIndex {
	if idx, ok := structIndexes.Load(t); ok {
		return idx.(*structIndex)
	}
	idx := &structIndex{byName: map[string]int{}}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("aws"); ok {
			tag, _, _ = strings.Cut(tag, ",")
			if tag == "-" {
				continue
			}
			if tag != "" {
				name = tag
			}
		}
		idx.byName[name] = i
	}
	actual, _ := structIndexes.LoadOrStore(t, idx)
	return actual.(*structIndex)
}

// Elements calls fn for each element of a list value; it reports false if v is not a list.
func Elements(v any, fn func(i int, e any)) bool {
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			fn(i, e)
		}
		return true
	case []string:
		for i, e := range x {
			fn(i, e)
		}
		return true
	case []byte, string, nil:
		return false
	case aws.Marshaler:
		return Elements(marshaled(x), fn)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return false
	}
	for i := range rv.Len() {
		fn(i, rv.Index(i).Interface())
	}
	return true
}

// Entries calls fn for each entry of a map value in sorted key order (so requests are
// deterministic); it reports false if v is not a map with string keys.
func Entries(v any, fn func(k string, e any)) bool {
	switch x := v.(type) {
	case map[string]any:
		var buf [16]string // the keys of a small map stay on the stack
		keys := buf[:0]
		for k := range x {
			keys = append(keys, k)
		}
		sortStrings(keys)
		for _, k := range keys {
			fn(k, x[k])
		}
		return true
	case map[string]string:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sortStrings(keys)
		for _, k := range keys {
			fn(k, x[k])
		}
		return true
	case nil:
		return false
	case aws.Marshaler:
		return Entries(marshaled(x), fn)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Map || rv.Type().Key().Kind() != reflect.String {
		return false
	}
	keys := rv.MapKeys()
	names := make([]string, len(keys))
	byName := make(map[string]reflect.Value, len(keys))
	for i, k := range keys {
		names[i] = k.String()
		byName[names[i]] = k
	}
	sortStrings(names)
	for _, k := range names {
		fn(k, rv.MapIndex(byName[k]).Interface())
	}
	return true
}

func sortStrings(s []string) {
	// Insertion sort for the usual handful of keys, no allocation.
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// String converts a string value.
func String(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case *string:
		if x != nil {
			return *x, true
		}
		return "", false
	case aws.Marshaler:
		return String(marshaled(x))
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.String {
		return rv.String(), true
	}
	return "", false
}

// Int converts an integer value; floats must be whole numbers.
func Int(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return int64(x), true
		}
		return 0, false
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	case aws.Marshaler:
		return Int(marshaled(x))
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if rv.Uint() <= math.MaxInt64 {
			return int64(rv.Uint()), true
		}
	case reflect.Float32, reflect.Float64:
		return Int(rv.Float())
	}
	return 0, false
}

// Float converts a number value. The strings "NaN", "Infinity" and "-Infinity" are accepted,
// as the protocols spell them.
func Float(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		switch x {
		case "NaN":
			return math.NaN(), true
		case "Infinity":
			return math.Inf(1), true
		case "-Infinity":
			return math.Inf(-1), true
		}
		return 0, false
	case aws.Marshaler:
		return Float(marshaled(x))
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint()), true
	}
	return 0, false
}

// Bool converts a boolean value.
func Bool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case aws.Marshaler:
		return Bool(marshaled(x))
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Bool {
		return rv.Bool(), true
	}
	return false, false
}

// Time converts a timestamp value: time.Time, epoch seconds, or an RFC 3339 string.
func Time(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case *time.Time:
		if x != nil {
			return *x, true
		}
		return time.Time{}, false
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		return t, err == nil
	case aws.Marshaler:
		return Time(marshaled(x))
	}
	if f, ok := Float(v); ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC(), true
	}
	return time.Time{}, false
}

// Blob converts a blob value: []byte or string.
func Blob(v any) ([]byte, bool) {
	switch x := v.(type) {
	case []byte:
		return x, true
	case string:
		return []byte(x), true
	case aws.Marshaler:
		return Blob(marshaled(x))
	}
	return nil, false
}

// Stream returns a streaming blob value as a reader: io.Reader, []byte or string.
func Stream(v any) (io.Reader, bool) {
	switch x := v.(type) {
	case io.Reader:
		return x, true
	case []byte:
		return bytes.NewReader(x), true
	case string:
		return strings.NewReader(x), true
	}
	return nil, false
}

// DecodeBase64 decodes a blob of a text protocol: standard base64, padded or not.
func DecodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// Base64 encodes a blob for a text protocol.
func Base64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// FormatScalar renders a scalar value of shape s as text, as used in URIs, query strings and
// headers. Timestamps use format (see FormatTime); blobs are base64.
func FormatScalar(s *models.Shape, v any, timeFormat string) (string, bool) {
	switch s.Type {
	case models.String:
		return String(v)
	case models.Boolean:
		b, ok := Bool(v)
		return strconv.FormatBool(b), ok
	case models.Byte, models.Short, models.Integer, models.Long, models.BigInteger:
		n, ok := Int(v)
		return strconv.FormatInt(n, 10), ok
	case models.Float, models.Double, models.BigDecimal:
		f, ok := Float(v)
		return FormatFloat(f), ok
	case models.Timestamp:
		t, ok := Time(v)
		return FormatTime(t, timeFormat), ok
	case models.Blob:
		b, ok := Blob(v)
		return Base64(b), ok
	}
	return "", false
}

// FormatFloat renders a float the way AWS protocols do: shortest representation, and NaN,
// Infinity, -Infinity spelled out.
func FormatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
