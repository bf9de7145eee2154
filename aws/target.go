package aws

import (
	"fmt"
	"math"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Target is a Go value that a codec fills while it parses a response, with no output document
// in between: the fast path behind client.CallInto. It stores each value by Decode's rules, so
// that parsing into a Target and decoding the parsed document with Decode give the same result
// whenever every value fits. When one does not, a Target method returns an error and the codec
// abandons the fast path: it decodes the document with Decode instead, which reports every
// problem with its path.
//
// A codec walks the response and the target together:
//   - Streams reports whether the target takes values piece by piece. When it does not (an
//     interface, map[string]any, []any, an array, an Unmarshaler), the codec reads the value
//     as a document and calls Set; or, for an Unmarshaler (see Custom), lets it read itself.
//   - a structure or a map: Object, then for each member or key Entry, fill the entry, Commit
//     it; End after the last one.
//   - a list: List, then Append for each element and fill it; End after the last one.
//   - a scalar: SetString, SetBool, SetInt, SetFloat, SetTime or SetBytes.
//   - a null, or a member the document would leave out: nothing.
//
// The fast path assumes that no two members of a structure match one struct field
// case-insensitively, which holds for AWS models (Smithy member names are unique regardless
// of case). A Target is not safe for concurrent use.
//
// The values a Target allocates behind pointers (*string, *Item, ...) come from blocks shared
// by one response's values of a type, of up to 64 values each: keeping one value keeps its
// block alive. Maps and slices start at a length learned from earlier values of their type
// (see LengthHint).
type Target struct {
	p  unsafe.Pointer // the address of the value, of type ti.t
	ti *targetType
	a  *arena      // the blocks of this response's pointers
	sc *mapScratch // a map's entry being filled, between Object and End
}

// NewTarget returns the Target of the value out points to.
func NewTarget(out any) (Target, error) {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return Target{}, fmt.Errorf("aws: decode target must be a non-nil pointer, got %s", typeName(out))
	}
	return Target{p: rv.UnsafePointer(), ti: targetTypeOf(rv.Type().Elem()), a: &arena{}}, nil
}

// value is the target as a settable reflect.Value, for the slower paths.
func (t *Target) value() reflect.Value { return reflect.NewAt(t.ti.t, t.p).Elem() }

// arena hands out pointers to new values from blocks, one block at a time per type in use,
// so that a response's many small values cost a few allocations. Each block holds what the
// last response of the type still needed at that point (see Target.Done), at most maxBlock.
type arena struct{ blocks []block }

type block struct {
	ti   *targetType    // the pointer type
	base unsafe.Pointer // an array of the element type
	size int            // its length
	next int            // values handed out from it
	used int            // values handed out in this response
}

const (
	maxBlock       = 64
	maxPerResponse = 1 << 20 // bounds what Done records; blocks stay at most maxBlock long
)

// new returns a pointer (of pointer type ti) to a new zero value.
func (a *arena) new(ti *targetType) unsafe.Pointer {
	var b *block
	for i := range a.blocks {
		if a.blocks[i].ti == ti {
			b = &a.blocks[i]
			break
		}
	}
	if b == nil {
		a.blocks = append(a.blocks, block{ti: ti})
		b = &a.blocks[len(a.blocks)-1]
	}
	if b.next == b.size {
		// As many as the last response still needed at this point; past that, growing.
		n := int(ti.perResponse.Load()) - b.used
		if n <= 0 {
			n = max(4, 2*b.size)
		}
		b.size, b.next = min(n, maxBlock), 0
		b.base = reflect.MakeSlice(ti.blockType, b.size, b.size).UnsafePointer()
	}
	p := unsafe.Add(b.base, uintptr(b.next)*ti.elemType.Size())
	b.next++
	b.used++
	return p
}

type targetKind uint8

const (
	tkDoc targetKind = iota // takes whole documents only, through Set
	tkPointer
	tkStruct
	tkMap
	tkSlice
	tkString
	tkBool
	tkInt
	tkUint
	tkFloat
	tkTime
	tkBytes
	tkUnsettable // behind a nil embedded pointer to an unexported struct; Set fails
	tkCustom     // an Unmarshaler: takes documents through Set, or reads itself (Custom)
)

// targetType is what a Target knows of a Go type, worked out once per type.
type targetType struct {
	t    reflect.Type
	kind targetKind
	dec  decoderFunc
	plan *structPlan // tkStruct (field decoders unused)

	hint        LengthHint                   // map, slice: the length to start at (at most maxHint)
	perResponse atomic.Int32                 // pointer: values of this type the last response needed
	elemType    reflect.Type                 // pointer, slice, map: the element type
	blockType   reflect.Type                 // pointer: a slice of the element type, for arena blocks
	elem        atomic.Pointer[targetType]   // its targetType, on first use (types may be recursive)
	fields      []atomic.Pointer[targetType] // tkStruct: each field's targetType, on first use
	offsets     []uintptr                    // tkStruct: each field's offset, or indirect
	scratch     sync.Pool                    // tkMap: *mapScratch
}

// indirect is the offset of a field reached through an embedded pointer.
const indirect = ^uintptr(0)

// mapScratch is where a map entry is filled (SetMapIndex copies key and elem into the map m).
type mapScratch struct {
	m, key, elem reflect.Value
	elemAddr     unsafe.Pointer
}

var targetTypes sync.Map // reflect.Type → *targetType

func targetTypeOf(t reflect.Type) *targetType {
	if ti, ok := targetTypes.Load(t); ok {
		return ti.(*targetType)
	}
	ti := &targetType{t: t, dec: typeDecoder(t)}
	switch {
	case isUnmarshaler(t):
		ti.kind = tkCustom
	case t == timeType:
		ti.kind = tkTime
	case t.Kind() == reflect.Pointer:
		ti.kind, ti.elemType, ti.blockType = tkPointer, t.Elem(), reflect.SliceOf(t.Elem())
	case t.Kind() == reflect.Struct:
		ti.kind, ti.plan = tkStruct, newStructPlan(t)
		ti.fields = make([]atomic.Pointer[targetType], len(ti.plan.fields))
		ti.offsets = make([]uintptr, len(ti.plan.fields))
		for i, f := range ti.plan.fields {
			ti.offsets[i] = fieldOffset(t, f.index)
		}
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && !anyMapType.AssignableTo(t):
		ti.kind, ti.elemType = tkMap, t.Elem()
		ti.scratch.New = func() any {
			elem := reflect.New(t.Elem())
			return &mapScratch{key: reflect.New(t.Key()).Elem(), elem: elem.Elem(), elemAddr: elem.UnsafePointer()}
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		ti.kind = tkBytes
	case t.Kind() == reflect.Slice && !anySliceType.AssignableTo(t):
		ti.kind, ti.elemType = tkSlice, t.Elem()
	case t.Kind() == reflect.String:
		ti.kind = tkString
	case t.Kind() == reflect.Bool:
		ti.kind = tkBool
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		ti.kind = tkInt
	case t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uintptr:
		ti.kind = tkUint
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		ti.kind = tkFloat
	}
	actual, _ := targetTypes.LoadOrStore(t, ti)
	return actual.(*targetType)
}

// fieldOffset is the offset in struct t of the field at index, or indirect when the path
// goes through an embedded pointer.
func fieldOffset(t reflect.Type, index []int) uintptr {
	var off uintptr
	for _, i := range index {
		if t.Kind() == reflect.Pointer {
			return indirect
		}
		f := t.Field(i)
		off, t = off+f.Offset, f.Type
	}
	return off
}

func (ti *targetType) elemInfo() *targetType {
	if e := ti.elem.Load(); e != nil {
		return e
	}
	e := targetTypeOf(ti.elemType)
	ti.elem.Store(e)
	return e
}

func (ti *targetType) fieldInfo(i int) *targetType {
	if e := ti.fields[i].Load(); e != nil {
		return e
	}
	e := targetTypeOf(fieldType(ti.t, ti.plan.fields[i].index))
	ti.fields[i].Store(e)
	return e
}

// Streams reports whether the target takes values piece by piece (see Target); when it does
// not, the codec passes whole documents to Set.
func (t *Target) Streams() bool {
	ti := t.ti
	for ti.kind == tkPointer {
		ti = ti.elemInfo()
	}
	return ti.kind != tkDoc && ti.kind != tkUnsettable && ti.kind != tkCustom
}

// Custom returns a pointer to the target's value, allocating nil pointers on the way, when
// the value's type implements Unmarshaler: the codec may then let the value read itself
// through the codec's own interface, if the type implements that too. Otherwise the codec
// reads a document and calls Set.
func (t *Target) Custom() (any, bool) {
	ti := t.ti
	for ti.kind == tkPointer {
		ti = ti.elemInfo()
	}
	if ti.kind != tkCustom {
		return nil, false
	}
	t.deref()
	return reflect.NewAt(t.ti.t, t.p).Interface(), true
}

// Set stores a document value by Decode's rules.
func (t *Target) Set(v any) error {
	if t.ti.kind == tkUnsettable {
		return &DecodeError{Problems: []Problem{{Msg: "cannot set embedded pointer to unexported struct " + typeString(t.ti.t)}}}
	}
	d := statePool.Get().(*decodeState)
	t.ti.dec(d, v, t.value())
	var err error
	if len(d.problems) > 0 {
		err = &DecodeError{Problems: d.problems, Omitted: d.omitted}
	}
	d.problems, d.omitted, d.path, d.depth = nil, 0, d.path[:0], 0
	statePool.Put(d)
	return err
}

// deref follows pointers, allocating nil ones, to the value that takes the data.
func (t *Target) deref() {
	for t.ti.kind == tkPointer {
		pp := (*unsafe.Pointer)(t.p)
		if *pp == nil {
			*pp = t.a.new(t.ti)
		}
		t.p, t.ti = *pp, t.ti.elemInfo()
	}
}

func (t *Target) misfit(what string) error {
	return &DecodeError{Problems: []Problem{{Msg: fmt.Sprintf("cannot decode %s into %s", what, typeString(t.ti.t))}}}
}

// Object begins a structure or map value: a struct, or a map with string keys (allocated if
// nil, else added to).
func (t *Target) Object() error {
	t.deref()
	switch t.ti.kind {
	case tkStruct:
		return nil
	case tkMap:
		sc := t.ti.scratch.Get().(*mapScratch)
		sc.m = t.value()
		if sc.m.IsNil() {
			sc.m.Set(reflect.MakeMapWithSize(t.ti.t, t.ti.hint.Len()))
		}
		t.sc = sc
		return nil
	}
	return t.misfit("an object")
}

// Entry returns the target of member or key k of the object begun by Object: a struct field,
// or a map element to store with Commit once filled. It reports false when a struct has no
// field for k.
func (t *Target) Entry(k string) (Target, bool) {
	if t.ti.kind == tkMap {
		t.sc.elem.SetZero()
		return Target{p: t.sc.elemAddr, ti: t.ti.elemInfo(), a: t.a}, true
	}
	i := t.FieldIndex(k)
	if i < 0 {
		return Target{}, false
	}
	return t.Field(i), true
}

// Type is the Go type the target stores into; after Object, the struct or map itself.
func (t *Target) Type() reflect.Type { return t.ti.t }

// FieldIndex returns the position of the field that member k fills in the struct begun by
// Object, or -1 when there is none (or the object is not a struct). A position depends only
// on the struct's type (see Type), so a codec may work positions out once per type and open
// fields with Field.
func (t *Target) FieldIndex(k string) int {
	if t.ti.kind != tkStruct {
		return -1
	}
	p := t.ti.plan
	f := p.byName[k]
	if f == nil {
		if f = p.foldField(k); f == nil {
			return -1
		}
	}
	return f.pos
}

// Field returns the target of the field at position i (from FieldIndex) of the struct begun
// by Object.
func (t *Target) Field(i int) Target {
	if off := t.ti.offsets[i]; off != indirect {
		return Target{p: unsafe.Add(t.p, off), ti: t.ti.fieldInfo(i), a: t.a}
	}
	fv, ok := fieldByIndex(t.value(), t.ti.plan.fields[i].index) // allocates nil embedded pointers
	if !ok {
		// Behind a nil embedded pointer to an unexported struct: the value cannot be stored,
		// and Set says so, as Decode does.
		return Target{ti: &targetType{t: fv.Type().Elem(), kind: tkUnsettable}, a: t.a}
	}
	return Target{p: fv.Addr().UnsafePointer(), ti: t.ti.fieldInfo(i), a: t.a}
}

// Commit stores a map entry filled since Entry(k); for a struct it does nothing.
func (t *Target) Commit(k string) {
	if t.ti.kind == tkMap {
		t.sc.key.SetString(k)
		t.sc.m.SetMapIndex(t.sc.key, t.sc.elem)
	}
}

// Done ends the decoding of a response into the Target NewTarget returned: it records how
// many values of each pointer type the response needed, so that the next one allocates them
// in one block. It is optional; the Target must not be used after it.
func (t *Target) Done() {
	for _, b := range t.a.blocks {
		if n := int32(min(b.used, maxPerResponse)); b.ti.perResponse.Load() != n {
			b.ti.perResponse.Store(n)
		}
	}
}

// maxHint bounds the length maps and slices start at.
const maxHint = 256

// End ends the object or list begun by Object or List.
func (t *Target) End() {
	switch t.ti.kind {
	case tkMap:
		sc := t.sc
		t.ti.hint.Learn(sc.m.Len(), maxHint)
		sc.key.SetZero()
		sc.elem.SetZero()
		sc.m = reflect.Value{}
		t.ti.scratch.Put(sc)
		t.sc = nil
	case tkSlice:
		t.ti.hint.Learn((*sliceHeader)(t.p).len, maxHint)
	}
}

// List begins a list value: a new, empty slice, ended by End.
func (t *Target) List() error {
	t.deref()
	if t.ti.kind != tkSlice {
		return t.misfit("a list")
	}
	t.value().Set(reflect.MakeSlice(t.ti.t, 0, t.ti.hint.Len()))
	return nil
}

// sliceHeader is the layout of a slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// Append adds a zero element to the list begun by List and returns its target, valid until
// the next Append.
func (t *Target) Append() Target {
	h := (*sliceHeader)(t.p)
	if h.len == h.cap {
		t.value().Grow(1) // the elements past len of the new array are zero
	}
	e := unsafe.Add(h.data, uintptr(h.len)*t.ti.elemType.Size())
	h.len++
	return Target{p: e, ti: t.ti.elemInfo(), a: t.a}
}

// SetString stores a string.
func (t *Target) SetString(s string) error {
	t.deref()
	if t.ti.kind == tkString {
		*(*string)(t.p) = s
		return nil
	}
	return t.Set(s)
}

// SetBool stores a boolean.
func (t *Target) SetBool(b bool) error {
	t.deref()
	if t.ti.kind == tkBool {
		*(*bool)(t.p) = b
		return nil
	}
	return t.Set(b)
}

// SetInt stores an integer.
func (t *Target) SetInt(n int64) error {
	t.deref()
	switch t.ti.kind {
	case tkInt:
		if t.storeInt(n) {
			return nil
		}
	case tkFloat:
		t.storeFloat(float64(n))
		return nil
	}
	return t.Set(n)
}

// SetFloat stores a floating-point number.
func (t *Target) SetFloat(f float64) error {
	t.deref()
	if t.ti.kind == tkFloat && (t.ti.t.Kind() == reflect.Float64 || !overflowsFloat32(f)) {
		t.storeFloat(f)
		return nil
	}
	return t.Set(f)
}

// overflowsFloat32 is reflect.Value.OverflowFloat for a float32: f is finite and beyond its
// range (infinities and NaN fit).
func overflowsFloat32(f float64) bool {
	a := math.Abs(f)
	return a > math.MaxFloat32 && a <= math.MaxFloat64
}

// storeInt stores n in a signed integer of any size, reporting false (and storing nothing)
// if it does not fit.
func (t *Target) storeInt(n int64) bool {
	switch t.ti.t.Kind() {
	case reflect.Int8:
		if int64(int8(n)) != n {
			return false
		}
		*(*int8)(t.p) = int8(n)
	case reflect.Int16:
		if int64(int16(n)) != n {
			return false
		}
		*(*int16)(t.p) = int16(n)
	case reflect.Int32:
		if int64(int32(n)) != n {
			return false
		}
		*(*int32)(t.p) = int32(n)
	case reflect.Int:
		if int64(int(n)) != n {
			return false
		}
		*(*int)(t.p) = int(n)
	default:
		*(*int64)(t.p) = n
	}
	return true
}

func (t *Target) storeFloat(f float64) {
	if t.ti.t.Kind() == reflect.Float32 {
		*(*float32)(t.p) = float32(f)
	} else {
		*(*float64)(t.p) = f
	}
}

// SetTime stores a timestamp.
func (t *Target) SetTime(tm time.Time) error {
	t.deref()
	if t.ti.kind == tkTime {
		*(*time.Time)(t.p) = tm
		return nil
	}
	return t.Set(tm)
}

// SetBytes stores a blob (kept, not copied).
func (t *Target) SetBytes(b []byte) error {
	t.deref()
	if t.ti.kind == tkBytes {
		*(*[]byte)(t.p) = b
		return nil
	}
	return t.Set(b)
}
