package aws

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Decode stores the values of an output document in the Go value out points to, the way
// encoding/json's Unmarshal stores a JSON value. out must be a non-nil pointer.
//
// The document is what a client returns: structures and maps are map[string]any, lists []any,
// strings string, integers int64, floats float64, booleans bool, timestamps time.Time, blobs
// []byte, streaming payloads io.ReadCloser, and documents (untyped JSON) generic values. Into
// the target:
//
//   - structs take a map[string]any. A key fills the exported field of that name, or whose
//     `aws:"Name"` tag names it (`aws:"-"` skips a field). A key no field has exactly goes to
//     the first field whose name matches it case-insensitively (so "RequestId" fills
//     RequestID), unless a key matches that field exactly; of several keys matching a field
//     case-insensitively, the smallest wins, so the result never depends on map order. Keys
//     no field matches are ignored. Fields of embedded structs are promoted as in encoding/json (the shallowest
//     field wins, then a tagged one; ambiguous names are dropped), and nil embedded pointers
//     are allocated when one of their fields is set.
//   - pointers are allocated as needed; a nil document value sets nil pointers, interfaces,
//     slices and maps, and leaves other values unchanged.
//   - slices and arrays take a []any (a list longer than an array is an error); a list always
//     makes a new slice. Maps with string keys take a map[string]any, adding to a non-nil map.
//     An `any` or []any target, and a nil map[string]any, take the document value itself,
//     not a copy; so does a []byte (see below) and a pointer whose type the document holds.
//   - strings and string-kinded types take strings; bools take booleans.
//   - integer kinds take int64 values, and float64 values that are whole numbers, failing when
//     the value does not fit the target; unsigned kinds reject negative values. Float kinds
//     take float64 and int64 values (float32 fails beyond its range, not for lost precision).
//     Numbers of other Go types and json.Number are accepted too; numeric strings are not.
//   - time.Time takes a time.Time, a number of seconds since the epoch, or an RFC 3339 string.
//   - []byte takes a []byte (kept, not copied) or a base64 string (standard alphabet, with or
//     without padding).
//   - interfaces take any value that implements them: an io.ReadCloser or io.Reader field
//     takes a streaming payload as is, and becomes the caller's to close.
//   - a type whose pointer implements Unmarshaler decodes itself: Decode calls its
//     UnmarshalDocument with the document value (not with nil, which leaves it unchanged),
//     and records an error it returns as a problem at its path.
//   - otherwise a value whose type is assignable to the target is assigned, and a pointer
//     is dereferenced.
//
// Decode does not stop at the first problem: it decodes everything it can and returns a
// *DecodeError listing every value it could not store (up to 100), each with its path
// ("Items[3].age") and what was wrong ("value 300 overflows int8"). What was decoded stays
// in out; a value that failed is left zero or unchanged (a map entry is not added, a pointer
// not allocated). A problem with out itself (not a non-nil pointer) is a plain error.
//
// The fields of each struct type, and the way to decode each type, are worked out once and
// cached, so repeated decodes do no reflection lookups beyond setting values; Decode allocates
// only what the target needs (pointers, slices, maps and their entries).
// Decode is safe for concurrent use.
func Decode(doc any, out any) error {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("aws.Decode: out must be a non-nil pointer, got %s", typeName(out))
	}
	d := statePool.Get().(*decodeState)
	typeDecoder(rv.Type().Elem())(d, doc, rv.Elem())
	var err error
	if len(d.problems) > 0 {
		slices.SortStableFunc(d.problems, func(a, b Problem) int { return comparePaths(a.Path, b.Path) })
		err = &DecodeError{Problems: d.problems, Omitted: d.omitted}
	}
	d.problems, d.omitted, d.path, d.depth = nil, 0, d.path[:0], 0
	statePool.Put(d)
	return err
}

// Unmarshaler is implemented by a pointer to a type that decodes its value from the document
// form itself, the way json.Unmarshaler does for JSON: dynamodb.Value is one. Decode and
// client.CallInto call it; a codec may instead offer a faster protocol-specific interface of
// its own (awsjson.Unmarshaler), which such a type can implement as well.
type Unmarshaler interface {
	UnmarshalDocument(doc any) error
}

// Marshaler is implemented by a type that stands for its document form in an operation's
// input: validation and serializers use the value MarshalDocument returns instead. An error
// means the value cannot be sent; validation reports it at the value's path.
type Marshaler interface {
	MarshalDocument() (any, error)
}

// DecodeError lists the values Decode could not store. Problems are sorted by path.
type DecodeError struct {
	Problems []Problem // e.g. {Path: "Items[3].age", Msg: "value 300 overflows int8"}
	Omitted  int       // further problems, beyond the first 100, not listed
}

func (e *DecodeError) Error() string {
	if len(e.Problems) == 1 && e.Omitted == 0 {
		p := e.Problems[0]
		if p.Path == "" {
			return "decode: " + p.Msg
		}
		return "decode " + p.Path + ": " + p.Msg
	}
	var b strings.Builder
	fmt.Fprintf(&b, "decode: %d problems", len(e.Problems)+e.Omitted)
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		if p.Path != "" {
			b.WriteString(p.Path)
			b.WriteString(": ")
		}
		b.WriteString(p.Msg)
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", e.Omitted)
	}
	return b.String()
}

const (
	maxProblems    = 100
	maxDecodeDepth = 1000 // deeper documents (cyclic ones, say) are refused, not followed
)

// decodeState is the scratch state of one Decode call, pooled.
type decodeState struct {
	path     []pathSeg // where the value being decoded is; rendered only for problems
	depth    int
	orig     any // the value fallback normalized, while its normal form is decoded
	problems []Problem
	omitted  int
}

// pathSeg is a map key or struct field name, or a list index when key is empty and index >= 0.
type pathSeg struct {
	key   string
	index int
}

var statePool = sync.Pool{New: func() any { return &decodeState{path: make([]pathSeg, 0, 16)} }}

func (d *decodeState) pushKey(k string)  { d.path = append(d.path, pathSeg{key: k, index: -1}) }
func (d *decodeState) pushIndex(i int)   { d.path = append(d.path, pathSeg{index: i}) }
func (d *decodeState) pop()              { d.path = d.path[:len(d.path)-1] }
func (d *decodeState) problemCount() int { return len(d.problems) + d.omitted }

// enter counts a level of nesting; it reports false (and a problem) when there are too many.
func (d *decodeState) enter() bool {
	d.depth++
	if d.depth > maxDecodeDepth {
		d.depth--
		d.fail("nested deeper than %d levels", maxDecodeDepth)
		return false
	}
	return true
}

func (d *decodeState) leave() { d.depth-- }

func (d *decodeState) fail(format string, args ...any) {
	if len(d.problems) >= maxProblems {
		d.omitted++
		return
	}
	d.problems = append(d.problems, Problem{Path: d.pathString(), Msg: fmt.Sprintf(format, args...)})
}

func (d *decodeState) typeError(v any, t reflect.Type) {
	if d.orig != nil {
		v = d.orig
	}
	d.fail("cannot decode %s into %s", typeName(v), typeString(t))
}

func (d *decodeState) pathString() string {
	var b strings.Builder
	for _, s := range d.path {
		if s.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	return b.String()
}

// comparePaths orders paths as text, except that list indexes compare as numbers
// (Items[2] before Items[10]).
func comparePaths(a, b string) int {
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			i, j := digits(a), digits(b)
			na, nb := strings.TrimLeft(a[:i], "0"), strings.TrimLeft(b[:j], "0")
			if c := len(na) - len(nb); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[i:], b[j:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digits(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// typeName describes a document value's type for messages: "string", "map[string]any", "null".
func typeName(v any) string {
	if v == nil {
		return "null"
	}
	return typeString(reflect.TypeOf(v))
}

func typeString(t reflect.Type) string {
	return strings.ReplaceAll(t.String(), "interface {}", "any")
}

// decoderFunc stores document value v in rv, which is settable, recording problems in d.
type decoderFunc func(d *decodeState, v any, rv reflect.Value)

var decoders sync.Map // reflect.Type → decoderFunc

// typeDecoder returns the cached decoder of t, building it on first use. A recursive type
// finds its own decoder while it is being built: a stand-in that waits for it (the way
// encoding/json builds its encoders).
func typeDecoder(t reflect.Type) decoderFunc {
	if f, ok := decoders.Load(t); ok {
		return f.(decoderFunc)
	}
	var (
		wg sync.WaitGroup
		f  decoderFunc
	)
	wg.Add(1)
	fi, loaded := decoders.LoadOrStore(t, decoderFunc(func(d *decodeState, v any, rv reflect.Value) {
		wg.Wait()
		f(d, v, rv)
	}))
	if loaded {
		return fi.(decoderFunc)
	}
	f = newDecoder(t)
	wg.Done()
	decoders.Store(t, f)
	return f
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	anyMapType   = reflect.TypeFor[map[string]any]()
	anySliceType = reflect.TypeFor[[]any]()
	bytesType    = reflect.TypeFor[[]byte]()

	unmarshalerType = reflect.TypeFor[Unmarshaler]()
)

// isUnmarshaler reports whether values of type t decode themselves (see Unmarshaler).
func isUnmarshaler(t reflect.Type) bool {
	return t.Kind() != reflect.Interface && reflect.PointerTo(t).Implements(unmarshalerType)
}

func decodeUnmarshaler(d *decodeState, v any, rv reflect.Value) {
	if v == nil {
		return
	}
	if err := rv.Addr().Interface().(Unmarshaler).UnmarshalDocument(v); err != nil {
		d.fail("%s", err.Error())
	}
}

func newDecoder(t reflect.Type) decoderFunc {
	if isUnmarshaler(t) {
		return decodeUnmarshaler
	}
	if t == timeType {
		return decodeTime
	}
	switch t.Kind() {
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return decodeAny
		}
		return decodeIface
	case reflect.String:
		return decodeString
	case reflect.Bool:
		return decodeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return decodeInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return decodeUint
	case reflect.Float32, reflect.Float64:
		return decodeFloat
	case reflect.Pointer:
		return newPointerDecoder(t)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return newBytesDecoder(t)
		}
		return newSliceDecoder(t)
	case reflect.Array:
		return newArrayDecoder(t)
	case reflect.Map:
		if t.Key().Kind() == reflect.String {
			return newMapDecoder(t)
		}
	case reflect.Struct:
		return newStructDecoder(t)
	}
	return func(d *decodeState, v any, rv reflect.Value) {
		if v != nil {
			d.fail("cannot decode into %s", typeString(t))
		}
	}
}

// fallback handles a value the fast paths of a decoder do not know: it assigns a value of an
// assignable type, dereferences a pointer, or normalizes a number, string, boolean, map or
// list of another Go type to the document type and decodes that. It reports false if none
// applies.
func (d *decodeState) fallback(v any, rv reflect.Value, dec decoderFunc) bool {
	sv := reflect.ValueOf(v)
	if sv.Type().AssignableTo(rv.Type()) {
		rv.Set(sv)
		return true
	}
	if sv.Kind() == reflect.Pointer {
		if sv.IsNil() {
			dec(d, nil, rv)
		} else if d.enter() {
			dec(d, sv.Elem().Interface(), rv)
			d.leave()
		}
		return true
	}
	c, ok := normalize(sv)
	if !ok {
		return false
	}
	switch c.(type) {
	case map[string]any, []any:
		dec(d, c, rv)
	default: // a scalar: a type error names the type the document has, not c's
		d.orig = v
		dec(d, c, rv)
		d.orig = nil
	}
	return true
}

// normalize converts a value of another Go type to the document type of its kind. It reports
// false for a value that already has its document type, or has no document type.
func normalize(sv reflect.Value) (any, bool) {
	if n, ok := sv.Interface().(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i, true
		}
		if f, err := n.Float64(); err == nil {
			return f, true
		}
		return nil, false
	}
	t := sv.Type()
	switch sv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if t != reflect.TypeFor[int64]() {
			return sv.Int(), true
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := sv.Uint(); u <= math.MaxInt64 {
			return int64(u), true
		} else if t != reflect.TypeFor[uint64]() {
			return u, true
		}
	case reflect.Float32, reflect.Float64:
		if t != reflect.TypeFor[float64]() {
			return sv.Float(), true
		}
	case reflect.String:
		if t != reflect.TypeFor[string]() {
			return sv.String(), true
		}
	case reflect.Bool:
		if t != reflect.TypeFor[bool]() {
			return sv.Bool(), true
		}
	case reflect.Map:
		if t != anyMapType && t.Key().Kind() == reflect.String {
			m := make(map[string]any, sv.Len())
			for it := sv.MapRange(); it.Next(); {
				m[it.Key().String()] = it.Value().Interface()
			}
			return m, true
		}
	case reflect.Slice, reflect.Array:
		if t != anySliceType && t.Elem().Kind() != reflect.Uint8 {
			l := make([]any, sv.Len())
			for i := range l {
				l[i] = sv.Index(i).Interface()
			}
			return l, true
		}
	}
	return nil, false
}

func decodeAny(d *decodeState, v any, rv reflect.Value) {
	if v == nil {
		rv.SetZero()
		return
	}
	rv.Set(reflect.ValueOf(v))
}

func decodeIface(d *decodeState, v any, rv reflect.Value) {
	if v == nil {
		rv.SetZero()
		return
	}
	sv := reflect.ValueOf(v)
	if !sv.Type().Implements(rv.Type()) {
		d.typeError(v, rv.Type())
		return
	}
	rv.Set(sv)
}

func decodeString(d *decodeState, v any, rv reflect.Value) {
	switch x := v.(type) {
	case string:
		rv.SetString(x)
	case nil:
	default:
		if !d.fallback(v, rv, decodeString) {
			d.typeError(v, rv.Type())
		}
	}
}

func decodeBool(d *decodeState, v any, rv reflect.Value) {
	switch x := v.(type) {
	case bool:
		rv.SetBool(x)
	case nil:
	default:
		if !d.fallback(v, rv, decodeBool) {
			d.typeError(v, rv.Type())
		}
	}
}

// wholeFloat reports whether f is a whole number, recording a problem if not.
func wholeFloat(d *decodeState, f float64) bool {
	if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) {
		d.fail("value %v is not an integer", f)
		return false
	}
	return true
}

func decodeInt(d *decodeState, v any, rv reflect.Value) {
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case float64:
		if !wholeFloat(d, x) {
			return
		}
		if x < -(1<<63) || x >= 1<<63 {
			d.fail("value %v overflows %s", x, typeString(rv.Type()))
			return
		}
		n = int64(x)
	case uint64:
		if x > math.MaxInt64 {
			d.fail("value %d overflows %s", x, typeString(rv.Type()))
			return
		}
		n = int64(x)
	case nil:
		return
	default:
		if !d.fallback(v, rv, decodeInt) {
			d.typeError(v, rv.Type())
		}
		return
	}
	if rv.OverflowInt(n) {
		d.fail("value %d overflows %s", n, typeString(rv.Type()))
		return
	}
	rv.SetInt(n)
}

func decodeUint(d *decodeState, v any, rv reflect.Value) {
	var u uint64
	switch x := v.(type) {
	case int64:
		if x < 0 {
			d.fail("value %d overflows %s", x, typeString(rv.Type()))
			return
		}
		u = uint64(x)
	case float64:
		if !wholeFloat(d, x) {
			return
		}
		if x < 0 || x >= 1<<64 {
			d.fail("value %v overflows %s", x, typeString(rv.Type()))
			return
		}
		u = uint64(x)
	case uint64:
		u = x
	case nil:
		return
	default:
		if !d.fallback(v, rv, decodeUint) {
			d.typeError(v, rv.Type())
		}
		return
	}
	if rv.OverflowUint(u) {
		d.fail("value %d overflows %s", u, typeString(rv.Type()))
		return
	}
	rv.SetUint(u)
}

func decodeFloat(d *decodeState, v any, rv reflect.Value) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case int64:
		f = float64(x)
	case uint64:
		f = float64(x)
	case nil:
		return
	default:
		if !d.fallback(v, rv, decodeFloat) {
			d.typeError(v, rv.Type())
		}
		return
	}
	if rv.OverflowFloat(f) {
		d.fail("value %v overflows %s", f, typeString(rv.Type()))
		return
	}
	rv.SetFloat(f)
}

func decodeTime(d *decodeState, v any, rv reflect.Value) {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		rv.Set(reflect.ValueOf(v)) // v already boxes the time: no allocation
		return
	case nil:
		return
	case string:
		var err error
		if t, err = time.Parse(time.RFC3339, x); err != nil {
			d.fail("%q is not an RFC 3339 timestamp", x)
			return
		}
	case int64:
		t = time.Unix(x, 0).UTC()
	case float64:
		// Beyond ±2^53 seconds a float has no sub-second precision, and a time.Time no range.
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 1<<53 {
			d.fail("value %v is not a valid epoch time", x)
			return
		}
		sec, frac := math.Modf(x)
		t = time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC()
	default:
		if !d.fallback(v, rv, decodeTime) {
			d.typeError(v, rv.Type())
		}
		return
	}
	rv.Set(reflect.ValueOf(t))
}

func newPointerDecoder(t reflect.Type) decoderFunc {
	elemType := t.Elem()
	elem := typeDecoder(elemType)
	return func(d *decodeState, v any, rv reflect.Value) {
		if v == nil {
			rv.SetZero()
			return
		}
		if !d.enter() {
			return
		}
		defer d.leave()
		if !rv.IsNil() {
			elem(d, v, rv.Elem())
			return
		}
		if reflect.TypeOf(v) == t { // the document holds a pointer of this very type
			rv.Set(reflect.ValueOf(v))
			return
		}
		n := d.problemCount()
		p := reflect.New(elemType)
		elem(d, v, p.Elem())
		if d.problemCount() == n {
			rv.Set(p)
		}
	}
}

func newBytesDecoder(t reflect.Type) decoderFunc {
	list := newSliceDecoder(t)
	return func(d *decodeState, v any, rv reflect.Value) {
		switch x := v.(type) {
		case []byte:
			if t == bytesType {
				rv.Set(reflect.ValueOf(v)) // no allocation
			} else {
				rv.SetBytes(x)
			}
		case string:
			b, err := base64.StdEncoding.DecodeString(x)
			if err != nil {
				var err2 error
				if b, err2 = base64.RawStdEncoding.DecodeString(x); err2 != nil {
					d.fail("invalid base64 string: %v", err)
					return
				}
			}
			rv.SetBytes(b)
		default:
			list(d, v, rv)
		}
	}
}

func newSliceDecoder(t reflect.Type) decoderFunc {
	elem := typeDecoder(t.Elem())
	asIs := anySliceType.AssignableTo(t)
	var self decoderFunc
	self = func(d *decodeState, v any, rv reflect.Value) {
		l, ok := v.([]any)
		switch {
		case v == nil:
			rv.SetZero()
			return
		case ok && asIs:
			rv.Set(reflect.ValueOf(v))
			return
		case !ok:
			if !d.fallback(v, rv, self) {
				d.typeError(v, t)
			}
			return
		}
		if !d.enter() {
			return
		}
		s := reflect.MakeSlice(t, len(l), len(l))
		for i, e := range l {
			d.pushIndex(i)
			elem(d, e, s.Index(i))
			d.pop()
		}
		rv.Set(s)
		d.leave()
	}
	return self
}

func newArrayDecoder(t reflect.Type) decoderFunc {
	elem := typeDecoder(t.Elem())
	var self decoderFunc
	self = func(d *decodeState, v any, rv reflect.Value) {
		l, ok := v.([]any)
		switch {
		case v == nil:
			return
		case !ok:
			if b, isBytes := v.([]byte); isBytes && t.Elem().Kind() == reflect.Uint8 {
				if len(b) > t.Len() {
					d.fail("%d bytes do not fit in %s", len(b), typeString(t))
					return
				}
				for i := range t.Len() {
					if i < len(b) {
						rv.Index(i).SetUint(uint64(b[i]))
					} else {
						rv.Index(i).SetZero()
					}
				}
				return
			}
			if !d.fallback(v, rv, self) {
				d.typeError(v, t)
			}
			return
		case len(l) > t.Len():
			d.fail("a list of %d elements does not fit in %s", len(l), typeString(t))
			return
		}
		if !d.enter() {
			return
		}
		for i := range t.Len() {
			ev := rv.Index(i)
			if i >= len(l) {
				ev.SetZero()
				continue
			}
			d.pushIndex(i)
			elem(d, l[i], ev)
			d.pop()
		}
		d.leave()
	}
	return self
}

func newMapDecoder(t reflect.Type) decoderFunc {
	keyType, elemType := t.Key(), t.Elem()
	elem := typeDecoder(elemType)
	asIs := anyMapType.AssignableTo(t)
	// Scratch key and value for the entries (SetMapIndex copies them), reused across
	// decodes; they are zeroed before going back, so they hold on to nothing.
	type scratch struct{ key, elem reflect.Value }
	pool := sync.Pool{New: func() any {
		return &scratch{reflect.New(keyType).Elem(), reflect.New(elemType).Elem()}
	}}
	var self decoderFunc
	self = func(d *decodeState, v any, rv reflect.Value) {
		m, ok := v.(map[string]any)
		switch {
		case v == nil:
			rv.SetZero()
			return
		case ok && asIs && rv.IsNil():
			rv.Set(reflect.ValueOf(v))
			return
		case !ok:
			if !d.fallback(v, rv, self) {
				d.typeError(v, t)
			}
			return
		}
		if !d.enter() {
			return
		}
		if rv.IsNil() {
			rv.Set(reflect.MakeMapWithSize(t, len(m)))
		}
		sc := pool.Get().(*scratch)
		key, ev := sc.key, sc.elem
		for k, e := range m {
			ev.SetZero()
			n := d.problemCount()
			d.pushKey(k)
			elem(d, e, ev)
			d.pop()
			if d.problemCount() == n {
				key.SetString(k)
				rv.SetMapIndex(key, ev)
			}
		}
		key.SetZero()
		ev.SetZero()
		pool.Put(sc)
		d.leave()
	}
	return self
}

// field is a struct field a document key can fill.
type field struct {
	name   string // member name: the tag's, or the field's
	index  []int  // through embedded structs
	dec    decoderFunc
	tagged bool
	depth  int
	pos    int // index in structPlan.fields
}

type structPlan struct {
	t      reflect.Type
	fields []field
	byName map[string]*field
	byFold map[string]*field // ASCII-lowercased names, if every name is ASCII (else nil)
}

func newStructDecoder(t reflect.Type) decoderFunc {
	p := newStructPlan(t)
	// Decoders last: a field of type t itself (through a pointer or slice) must find the plan.
	for i := range p.fields {
		p.fields[i].dec = typeDecoder(fieldType(t, p.fields[i].index))
	}
	return p.decode
}

// newStructPlan works out the fields of t and their lookup tables, without decoders.
func newStructPlan(t reflect.Type) *structPlan {
	p := &structPlan{t: t, fields: structFields(t)}
	p.byName = make(map[string]*field, len(p.fields))
	ascii := true
	for i := range p.fields {
		p.fields[i].pos = i
		p.byName[p.fields[i].name] = &p.fields[i]
		ascii = ascii && isASCII(p.fields[i].name)
	}
	if ascii {
		p.byFold = make(map[string]*field, len(p.fields))
		for i := range p.fields {
			k := strings.ToLower(p.fields[i].name)
			if _, dup := p.byFold[k]; !dup {
				p.byFold[k] = &p.fields[i]
			}
		}
	}
	return p
}

func fieldType(t reflect.Type, index []int) reflect.Type {
	for _, i := range index {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		t = t.Field(i).Type
	}
	return t
}

func (p *structPlan) decode(d *decodeState, v any, rv reflect.Value) {
	m, ok := v.(map[string]any)
	if !ok {
		if v != nil && !d.fallback(v, rv, p.decode) {
			d.typeError(v, p.t)
		}
		return
	}
	if !d.enter() {
		return
	}
	for k, e := range m {
		f := p.byName[k]
		if f == nil {
			if f = p.fold(k, m); f == nil {
				continue
			}
		}
		d.pushKey(k)
		if fv, ok := d.fieldByIndex(rv, f.index); ok {
			f.dec(d, e, fv)
		}
		d.pop()
	}
	d.leave()
}

// fold finds the field key matches case-insensitively, if no key of m matches that field
// exactly and no smaller key of m matches it case-insensitively.
func (p *structPlan) fold(k string, m map[string]any) *field {
	f := p.foldField(k)
	if f == nil {
		return nil
	}
	if _, exact := m[f.name]; exact {
		return nil
	}
	for k2 := range m {
		if k2 < k && strings.EqualFold(k2, f.name) {
			return nil
		}
	}
	return f
}

// foldField finds the first field whose name matches k case-insensitively.
func (p *structPlan) foldField(k string) *field {
	if p.byFold != nil && len(k) <= 64 && isASCII(k) {
		var buf [64]byte
		b := buf[:len(k)]
		for i := range len(k) {
			c := k[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[i] = c
		}
		return p.byFold[string(b)] // no allocation for the lookup
	}
	for i := range p.fields {
		if strings.EqualFold(p.fields[i].name, k) {
			return &p.fields[i]
		}
	}
	return nil
}

// fieldByIndex returns the field at index, allocating nil embedded pointers on the way.
func (d *decodeState) fieldByIndex(rv reflect.Value, index []int) (reflect.Value, bool) {
	fv, ok := fieldByIndex(rv, index)
	if !ok {
		d.fail("cannot set embedded pointer to unexported struct %s", typeString(fv.Type().Elem()))
	}
	return fv, ok
}

// fieldByIndex returns the field at index, allocating nil embedded pointers on the way; when
// one cannot be set, it returns that pointer and false.
func fieldByIndex(rv reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				if !rv.CanSet() {
					return rv, false
				}
				rv.Set(reflect.New(rv.Type().Elem()))
			}
			rv = rv.Elem()
		}
		rv = rv.Field(x)
	}
	return rv, true
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// structFields lists the fields of t that documents can fill, in field order, with the
// fields of embedded structs promoted under encoding/json's rules: of the fields sharing a
// name, the shallowest wins, then the one tagged; if that leaves several, none is kept.
func structFields(t reflect.Type) []field {
	type level struct {
		typ   reflect.Type
		index []int
		count int // times the type is embedded at this depth: more than once makes it ambiguous
	}
	var all []field
	visited := map[reflect.Type]bool{}
	next := []level{{typ: t, count: 1}}
	for depth := 0; len(next) > 0; depth++ {
		current := next
		next = nil
		for _, lv := range current {
			if visited[lv.typ] {
				continue
			}
			visited[lv.typ] = true
			for i := range lv.typ.NumField() {
				sf := lv.typ.Field(i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if sf.Anonymous {
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				name, _, _ := strings.Cut(sf.Tag.Get("aws"), ",")
				if name == "-" {
					continue
				}
				index := append(slices.Clip(lv.index), i)
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					found := false
					for j := range next {
						if next[j].typ == ft {
							next[j].count++
							found = true
						}
					}
					if !found {
						next = append(next, level{typ: ft, index: index, count: 1})
					}
					continue
				}
				if !sf.IsExported() {
					continue // an unexported embedded struct with a tag
				}
				f := field{name: name, index: index, tagged: name != "", depth: depth}
				if name == "" {
					f.name = sf.Name
				}
				all = append(all, f)
				if lv.count > 1 {
					all = append(all, f) // twice: the name is ambiguous and dropped
				}
			}
		}
	}
	slices.SortStableFunc(all, func(a, b field) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if a.depth != b.depth {
			return a.depth - b.depth
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	out := all[:0]
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].name == all[i].name {
			j++
		}
		if j == i+1 || all[i].depth < all[i+1].depth || all[i].tagged && !all[i+1].tagged {
			out = append(out, all[i])
		}
		i = j
	}
	slices.SortFunc(out, func(a, b field) int { return slices.Compare(a.index, b.index) })
	return slices.Clip(out)
}
