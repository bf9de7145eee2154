package aws_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/aioaws/aioaws/aws"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type (
	myString string
	myInt    int16
	myBytes  []byte
	myFloat  float32
)

// into returns a func making a new *T, for table tests.
func into[T any]() func() any { return func() any { return new(T) } }

func TestDecodeValues(t *testing.T) {
	ts := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	body := io.NopCloser(strings.NewReader("x"))
	for _, tc := range []struct {
		name string
		doc  any
		out  func() any
		want any
	}{
		{"string", "hi", into[string](), "hi"},
		{"named string", "hi", into[myString](), myString("hi")},
		{"string from named string", myString("hi"), into[string](), "hi"},
		{"bool", true, into[bool](), true},
		{"int", int64(-7), into[int](), -7},
		{"int8 max", int64(127), into[int8](), int8(127)},
		{"int8 min", int64(-128), into[int8](), int8(-128)},
		{"int16 named", int64(300), into[myInt](), myInt(300)},
		{"int32 from whole float", float64(1e9), into[int32](), int32(1e9)},
		{"int64 max", int64(math.MaxInt64), into[int64](), int64(math.MaxInt64)},
		{"int64 from json.Number", json.Number("-42"), into[int64](), int64(-42)},
		{"int64 from json.Number float", json.Number("4e3"), into[int64](), int64(4000)},
		{"int from int32", int32(9), into[int](), 9},
		{"int from uint16", uint16(9), into[int](), 9},
		{"int from float32", float32(2), into[int](), 2},
		{"uint8", int64(255), into[uint8](), uint8(255)},
		{"uint from float", float64(3), into[uint](), uint(3)},
		{"uint64 from uint64", uint64(math.MaxUint64), into[uint64](), uint64(math.MaxUint64)},
		{"uintptr", int64(1), into[uintptr](), uintptr(1)},
		{"float64", 1.5, into[float64](), 1.5},
		{"float64 from int64", int64(3), into[float64](), 3.0},
		{"float32", 1.5, into[float32](), float32(1.5)},
		{"float32 named", 2.25, into[myFloat](), myFloat(2.25)},
		{"float64 from json.Number", json.Number("0.25"), into[float64](), 0.25},
		{"time", ts, into[time.Time](), ts},
		{"time from epoch int", int64(ts.Unix()), into[time.Time](), ts},
		{"time from epoch float", float64(ts.Unix()) + 0.5, into[time.Time](), ts.Add(500 * time.Millisecond)},
		{"time from negative epoch", -1.5, into[time.Time](), time.Unix(-2, 5e8).UTC()},
		{"time from RFC 3339", "2024-05-06T07:08:09Z", into[time.Time](), ts},
		{"time from RFC 3339 fraction", "2024-05-06T09:08:09.25+02:00", into[time.Time](), ts.Add(250 * time.Millisecond)},
		{"time pointer", ts, into[*time.Time](), &ts},
		{"bytes", []byte("raw"), into[[]byte](), []byte("raw")},
		{"bytes from base64", "cmF3", into[[]byte](), []byte("raw")},
		{"bytes from unpadded base64", "cmF3eA", into[[]byte](), []byte("rawx")},
		{"named bytes", []byte("raw"), into[myBytes](), myBytes("raw")},
		{"named bytes from base64", "cmF3", into[myBytes](), myBytes("raw")},
		{"bytes from list of numbers", []any{int64(1), 2.0}, into[[]byte](), []byte{1, 2}},
		{"byte array", []byte{1, 2}, into[[3]byte](), [3]byte{1, 2, 0}},
		{"array", []any{int64(1), int64(2)}, into[[3]int](), [3]int{1, 2, 0}},
		{"slice", []any{"a", "b"}, into[[]string](), []string{"a", "b"}},
		{"empty slice is not nil", []any{}, into[[]string](), []string{}},
		{"slice from []string", []string{"a"}, into[[]myString](), []myString{"a"}},
		{"slice as is", []any{"a", int64(1)}, into[[]any](), []any{"a", int64(1)}},
		{"map", map[string]any{"a": int64(1)}, into[map[string]int](), map[string]int{"a": 1}},
		{"map named key", map[string]any{"a": "x"}, into[map[myString]string](), map[myString]string{"a": "x"}},
		{"map from http.Header", http.Header{"A": {"1"}}, into[map[string][]string](), map[string][]string{"A": {"1"}}},
		{"map of any", map[string]any{"a": []any{1.0}}, into[map[string]any](), map[string]any{"a": []any{1.0}}},
		{"any string", "s", into[any](), "s"},
		{"any map", map[string]any{"k": nil}, into[any](), map[string]any{"k": nil}},
		{"any nil", nil, into[any](), nil},
		{"pointer to string", "s", into[*string](), ptr("s")},
		{"pointer to pointer", int64(4), into[**int](), ptr(ptr(4))},
		{"pointer from doc pointer", ptr("s"), into[*string](), ptr("s")},
		{"string from doc pointer", ptr("s"), into[string](), "s"},
		{"nil doc pointer", (*string)(nil), into[*string](), (*string)(nil)},
		{"reader", body, into[io.ReadCloser](), body},
		{"nil into int", nil, into[int](), 0},
		{"http.Header as is", http.Header{"A": {"1"}}, into[http.Header](), http.Header{"A": {"1"}}},
		{"error interface", errors.ErrUnsupported, into[error](), errors.ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := tc.out()
			require.NoError(t, aws.Decode(tc.doc, out))
			got := reflect.ValueOf(out).Elem().Interface()
			if tm, ok := tc.want.(time.Time); ok {
				require.True(t, tm.Equal(got.(time.Time)), "got %v, want %v", got, tm)
				return
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func ptr[T any](v T) *T { return &v }

type person struct {
	Name string
	Age  int8 `aws:"age"`
}

type errTarget struct {
	Items  []person
	Item   map[string]person
	Count  uint16
	Ratio  float32
	When   time.Time
	Data   []byte
	Fixed  [2]int
	Body   io.Reader
	Ch     chan int
	Ints   map[int]string
	Nested *struct{ Deep []map[string]person }
}

func TestDecodeErrors(t *testing.T) {
	items := func(bad any) []any {
		l := make([]any, 4)
		for i := range l {
			l[i] = map[string]any{"Name": "p", "age": int64(i)}
		}
		l[3] = map[string]any{"Name": "p", "age": bad}
		return l
	}
	for _, tc := range []struct {
		name string
		doc  any
		want string
	}{
		{"int8 overflow", map[string]any{"Items": items(int64(300))}, "decode Items[3].age: value 300 overflows int8"},
		{"int8 negative overflow", map[string]any{"Items": items(int64(-129))}, "decode Items[3].age: value -129 overflows int8"},
		{"float overflow of int", map[string]any{"Items": items(1e300)}, "decode Items[3].age: value 1e+300 overflows int8"},
		{"fraction into int", map[string]any{"Items": items(1.5)}, "decode Items[3].age: value 1.5 is not an integer"},
		{"NaN into int", map[string]any{"Items": items(math.NaN())}, "decode Items[3].age: value NaN is not an integer"},
		{"string into int", map[string]any{"Items": items("12")}, "decode Items[3].age: cannot decode string into int8"},
		{"json.Number into string", map[string]any{"Items": []any{map[string]any{"Name": json.Number("1")}}}, "decode Items[0].Name: cannot decode json.Number into string"},
		{"int32 into string", map[string]any{"Items": []any{map[string]any{"Name": int32(1)}}}, "decode Items[0].Name: cannot decode int32 into string"},
		{"bad json.Number", map[string]any{"Items": items(json.Number("x"))}, "decode Items[3].age: cannot decode json.Number into int8"},
		{"map key path", map[string]any{"Item": map[string]any{"pk": map[string]any{"Name": true}}}, "decode Item.pk.Name: cannot decode bool into string"},
		{"negative into uint", map[string]any{"Count": int64(-1)}, "decode Count: value -1 overflows uint16"},
		{"uint overflow", map[string]any{"Count": int64(70000)}, "decode Count: value 70000 overflows uint16"},
		{"negative float into uint", map[string]any{"Count": -2.0}, "decode Count: value -2 overflows uint16"},
		{"float32 overflow", map[string]any{"Ratio": 1e300}, "decode Ratio: value 1e+300 overflows float32"},
		{"bool into float", map[string]any{"Ratio": true}, "decode Ratio: cannot decode bool into float32"},
		{"bad time string", map[string]any{"When": "yesterday"}, `decode When: "yesterday" is not an RFC 3339 timestamp`},
		{"bad epoch", map[string]any{"When": math.Inf(1)}, "decode When: value +Inf is not a valid epoch time"},
		{"map into time", map[string]any{"When": map[string]any{}}, "decode When: cannot decode map[string]any into time.Time"},
		{"bad base64", map[string]any{"Data": "!!"}, "decode Data: invalid base64 string: illegal base64 data at input byte 0"},
		{"number into bytes", map[string]any{"Data": int64(1)}, "decode Data: cannot decode int64 into []uint8"},
		{"list too long", map[string]any{"Fixed": []any{int64(1), int64(2), int64(3)}}, "decode Fixed: a list of 3 elements does not fit in [2]int"},
		{"string into reader", map[string]any{"Body": "text"}, "decode Body: cannot decode string into io.Reader"},
		{"chan", map[string]any{"Ch": int64(1)}, "decode Ch: cannot decode into chan int"},
		{"int-keyed map", map[string]any{"Ints": map[string]any{}}, "decode Ints: cannot decode into map[int]string"},
		{"list into struct", map[string]any{"Nested": []any{}}, "decode Nested: cannot decode []any into struct { Deep []map[string]aws_test.person }"},
		{"deep path", map[string]any{"Nested": map[string]any{"Deep": []any{map[string]any{}, map[string]any{"k": map[string]any{"age": "x"}}}}},
			"decode Nested.Deep[1].k.age: cannot decode string into int8"},
		{"root", "text", "decode: cannot decode string into aws_test.errTarget"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out errTarget
			err := aws.Decode(tc.doc, &out)
			require.EqualError(t, err, tc.want)
			var de *aws.DecodeError
			require.ErrorAs(t, err, &de)
			require.Len(t, de.Problems, 1)
		})
	}
}

func TestDecodeReportsEveryProblemInPathOrder(t *testing.T) {
	l := make([]any, 12)
	for i := range l {
		l[i] = map[string]any{"Name": "p", "age": int64(i)}
	}
	l[10] = map[string]any{"Name": "ten", "age": int64(1000)}
	l[2] = map[string]any{"Name": 2.0, "age": int64(2)}
	var out errTarget
	err := aws.Decode(map[string]any{"Items": l, "Count": int64(-1), "Ratio": 0.5}, &out)
	require.EqualError(t, err, "decode: 3 problems\n"+
		"  Count: value -1 overflows uint16\n"+
		"  Items[2].Name: cannot decode float64 into string\n"+
		"  Items[10].age: value 1000 overflows int8")
	// Everything else was decoded; the failed values are left zero.
	require.Equal(t, float32(0.5), out.Ratio)
	require.Len(t, out.Items, 12)
	require.Equal(t, person{Name: "ten"}, out.Items[10])
	require.Equal(t, person{Age: 2}, out.Items[2])
	require.Equal(t, person{Name: "p", Age: 11}, out.Items[11])
}

func TestDecodeCapsProblems(t *testing.T) {
	l := make([]any, 250)
	for i := range l {
		l[i] = "x"
	}
	var out []int
	err := aws.Decode(l, &out)
	var de *aws.DecodeError
	require.ErrorAs(t, err, &de)
	require.Len(t, de.Problems, 100)
	require.Equal(t, 150, de.Omitted)
	require.True(t, strings.HasPrefix(err.Error(), "decode: 250 problems\n  [0]: cannot decode string into int\n"), err.Error())
	require.True(t, strings.HasSuffix(err.Error(), "\n  ... and 150 more"), err.Error())
}

func TestDecodeInvalidOut(t *testing.T) {
	var s struct{}
	for _, tc := range []struct {
		out  any
		want string
	}{
		{nil, "aws.Decode: out must be a non-nil pointer, got null"},
		{s, "aws.Decode: out must be a non-nil pointer, got struct {}"},
		{(*struct{})(nil), "aws.Decode: out must be a non-nil pointer, got *struct {}"},
	} {
		require.EqualError(t, aws.Decode(map[string]any{}, tc.out), tc.want)
	}
}

type tagged struct {
	Plain     string
	Renamed   string `aws:"OtherName"`
	WithOpts  string `aws:"Opt,omitempty"`
	Skipped   string `aws:"-"`
	private   string
	RequestID string
	ID        string
	Id        string
}

func TestDecodeStructFields(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  map[string]any
		want tagged
	}{
		{"by name and tag", map[string]any{"Plain": "a", "OtherName": "b", "Opt": "c"}, tagged{Plain: "a", Renamed: "b", WithOpts: "c"}},
		{"field name hidden by tag", map[string]any{"Renamed": "b"}, tagged{}},
		{"skipped and unexported", map[string]any{"Skipped": "x", "-": "y", "private": "z"}, tagged{}},
		{"unknown keys ignored", map[string]any{"ResponseMetadata": map[string]any{}, "Plain": "a"}, tagged{Plain: "a"}},
		{"case-insensitive", map[string]any{"plain": "a", "RequestId": "r", "othername": "b"}, tagged{Plain: "a", RequestID: "r", Renamed: "b"}},
		{"exact beats folded", map[string]any{"plain": "folded", "Plain": "exact", "PLAIN": "folded too"}, tagged{Plain: "exact"}},
		{"smallest folded key wins", map[string]any{"plain": "lower", "PLAIN": "upper", "pLain": "mixed"}, tagged{Plain: "upper"}},
		{"exact names are case-sensitive", map[string]any{"ID": "1", "Id": "2"}, tagged{ID: "1", Id: "2"}},
		{"folded goes to the first field", map[string]any{"id": "1"}, tagged{ID: "1"}},
		{"unicode folding", map[string]any{"PLAİN": "no", "ıd": "no"}, tagged{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 5 { // map order varies: the result must not
				var out tagged
				require.NoError(t, aws.Decode(tc.doc, &out))
				require.Equal(t, tc.want, out)
			}
		})
	}
}

func TestDecodeUnicodeFieldNames(t *testing.T) {
	var out struct {
		Ünits  int
		Kelvin string
	}
	require.NoError(t, aws.Decode(map[string]any{"üNITS": int64(3), "\u212Aelvin": "k"}, &out)) // Kelvin sign folds to K
	require.Equal(t, 3, out.Ünits)
	require.Equal(t, "k", out.Kelvin)
}

type (
	Base struct {
		ID   string
		Name string
	}
	Audit struct {
		Created time.Time
		Name    string // same depth as Base.Name: ambiguous, dropped
	}
	inner  struct{ Hidden string }
	Tagged struct {
		Name string `aws:"Label"`
	}
	withEmbedded struct {
		Base
		*Audit
		inner
		Tagged
		ID string // shallower than Base.ID: wins
	}
	Named struct {
		Base  `aws:"Base"` // a tag makes an embedded struct a named field
		Label string
	}
	unexportedPtr struct {
		*inner
	}
	Dup1  struct{ Dup }
	Dup2  struct{ Dup }
	Dup   struct{ X, Y int }
	twice struct {
		Dup1
		Dup2
		Y int
	}
	tagWins struct {
		A1
		A2
	}
	A1 struct {
		V string `aws:"V"`
	}
	A2 struct{ V string }
)

func TestDecodeEmbedded(t *testing.T) {
	ts := time.Unix(100, 0).UTC()
	var out withEmbedded
	require.NoError(t, aws.Decode(map[string]any{
		"ID": "top", "Name": "ambiguous", "Created": ts, "Hidden": "h", "Label": "l",
	}, &out))
	require.Equal(t, withEmbedded{ID: "top", Audit: &Audit{Created: ts}, inner: inner{Hidden: "h"}, Tagged: Tagged{Name: "l"}}, out)

	var none withEmbedded
	require.NoError(t, aws.Decode(map[string]any{"ID": "x"}, &none))
	require.Nil(t, none.Audit, "an embedded pointer is allocated only when one of its fields is set")

	var named Named
	require.NoError(t, aws.Decode(map[string]any{"Base": map[string]any{"ID": "b"}, "ID": "ignored", "Label": "l"}, &named))
	require.Equal(t, Named{Base: Base{ID: "b"}, Label: "l"}, named)

	var tw twice
	require.NoError(t, aws.Decode(map[string]any{"X": int64(1), "Y": int64(2)}, &tw))
	require.Equal(t, twice{Y: 2}, tw, "X is ambiguous between Dup1.Dup and Dup2.Dup")

	var tg tagWins
	require.NoError(t, aws.Decode(map[string]any{"V": "v"}, &tg))
	require.Equal(t, tagWins{A1: A1{V: "v"}}, tg)

	var up unexportedPtr
	require.EqualError(t, aws.Decode(map[string]any{"Hidden": "h"}, &up),
		"decode Hidden: cannot set embedded pointer to unexported struct aws_test.inner")
}

type ptrs struct {
	S   *string
	I   *int8
	P   *person
	L   []string
	M   map[string]int
	A   any
	N   int
	Sub *ptrs
}

func TestDecodePointersAndNil(t *testing.T) {
	var out ptrs
	require.NoError(t, aws.Decode(map[string]any{"S": "s", "I": int64(0), "P": map[string]any{"Name": "n"}, "Sub": map[string]any{"N": int64(2)}}, &out))
	require.Equal(t, ptrs{S: ptr("s"), I: ptr[int8](0), P: &person{Name: "n"}, Sub: &ptrs{N: 2}}, out)

	// An existing pointer is decoded through, not replaced.
	p := out.P
	require.NoError(t, aws.Decode(map[string]any{"P": map[string]any{"age": int64(3)}}, &out))
	require.Same(t, p, out.P)
	require.Equal(t, person{Name: "n", Age: 3}, *out.P)

	// nil sets nil pointers, slices, maps and interfaces; other values stay.
	out = ptrs{S: ptr("s"), L: []string{"x"}, M: map[string]int{"a": 1}, A: 1, N: 5}
	require.NoError(t, aws.Decode(map[string]any{"S": nil, "L": nil, "M": nil, "A": nil, "N": nil}, &out))
	require.Equal(t, ptrs{N: 5}, out)

	// A pointer whose value fails is not allocated.
	out = ptrs{}
	require.Error(t, aws.Decode(map[string]any{"I": int64(1000), "P": map[string]any{"age": "x"}}, &out))
	require.Nil(t, out.I)
	require.Nil(t, out.P)
}

type (
	Tag   struct{ Key, Value string }
	Order struct {
		ID    string
		Tags  map[string][]Tag
		Lines []map[string]*Tag
		Grid  [][]int
	}
)

func TestDecodeNested(t *testing.T) {
	doc := map[string]any{"Orders": []any{
		map[string]any{
			"ID":    "o1",
			"Tags":  map[string]any{"env": []any{map[string]any{"Key": "k", "Value": "v"}}, "none": []any{}},
			"Lines": []any{map[string]any{"a": map[string]any{"Key": "x"}}, map[string]any{}},
			"Grid":  []any{[]any{int64(1), int64(2)}, []any{}},
		},
	}}
	var out struct{ Orders []Order }
	require.NoError(t, aws.Decode(doc, &out))
	require.Equal(t, []Order{{
		ID:    "o1",
		Tags:  map[string][]Tag{"env": {{Key: "k", Value: "v"}}, "none": {}},
		Lines: []map[string]*Tag{{"a": {Key: "x"}}, {}},
		Grid:  [][]int{{1, 2}, {}},
	}}, out.Orders)
}

func TestDecodeMaps(t *testing.T) {
	// A nil map[string]any takes the document's map itself.
	doc := map[string]any{"a": int64(1)}
	var m map[string]any
	require.NoError(t, aws.Decode(doc, &m))
	require.Equal(t, reflect.ValueOf(doc).UnsafePointer(), reflect.ValueOf(m).UnsafePointer())

	// A non-nil map is added to.
	counts := map[string]int{"old": 1}
	require.NoError(t, aws.Decode(map[string]any{"new": int64(2)}, &counts))
	require.Equal(t, map[string]int{"old": 1, "new": 2}, counts)

	// A failing entry is not added.
	counts = map[string]int{}
	require.Error(t, aws.Decode(map[string]any{"ok": int64(2), "bad": "x"}, &counts))
	require.Equal(t, map[string]int{"ok": 2}, counts)
}

func TestDecodeBytesAreNotCopied(t *testing.T) {
	blob := []byte("payload")
	var out struct{ Data []byte }
	require.NoError(t, aws.Decode(map[string]any{"Data": blob}, &out))
	require.Same(t, &blob[0], &out.Data[0])
}

type getObjectOutput struct {
	Body          io.ReadCloser
	Reader        io.Reader
	ContentLength int64
	LastModified  *time.Time
}

func TestDecodeStreamingBody(t *testing.T) {
	body := io.NopCloser(bytes.NewReader([]byte("data")))
	lm := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var out getObjectOutput
	require.NoError(t, aws.Decode(map[string]any{"Body": body, "Reader": body, "ContentLength": int64(4), "LastModified": lm}, &out))
	require.Equal(t, body, out.Body, "the stream is moved as is")
	require.Equal(t, body, out.Reader)
	require.Equal(t, lm, *out.LastModified)
	b, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	require.Equal(t, "data", string(b))
	require.NoError(t, out.Body.Close())
}

// A DynamoDB GetItem output, as Call returns it, into typed structs.

type AttributeValue struct {
	S    *string
	N    *string
	B    []byte
	BOOL *bool
	NULL *bool
	SS   []string
	NS   []string
	BS   [][]byte
	L    []AttributeValue
	M    map[string]AttributeValue
}

type ResponseMetadata struct {
	RequestID      string
	HTTPStatusCode int
	HTTPHeaders    http.Header
	RetryAttempts  int
}

type ConsumedCapacity struct {
	TableName     string
	CapacityUnits float64
}

type GetItemOutput struct {
	Item             map[string]AttributeValue
	ConsumedCapacity *ConsumedCapacity
	ResponseMetadata ResponseMetadata
}

func getItemDoc() map[string]any {
	return map[string]any{
		"Item": map[string]any{
			"pk":     map[string]any{"S": "user#1"},
			"age":    map[string]any{"N": "42"},
			"avatar": map[string]any{"B": []byte{0x89, 'P', 'N', 'G'}},
			"active": map[string]any{"BOOL": true},
			"gone":   map[string]any{"NULL": true},
			"tags":   map[string]any{"SS": []any{"a", "b"}},
			"scores": map[string]any{"NS": []any{"1", "2.5"}},
			"list":   map[string]any{"L": []any{map[string]any{"S": "x"}, map[string]any{"N": "1"}}},
			"address": map[string]any{"M": map[string]any{
				"city": map[string]any{"S": "Lyon"},
				"geo":  map[string]any{"M": map[string]any{"lat": map[string]any{"N": "45.76"}}},
			}},
		},
		"ConsumedCapacity": map[string]any{"TableName": "users", "CapacityUnits": 0.5},
		"ResponseMetadata": map[string]any{
			"RequestId":      "REQ1",
			"HTTPStatusCode": int64(200),
			"HTTPHeaders":    http.Header{"X-Amzn-Requestid": {"REQ1"}},
			"RetryAttempts":  int64(0),
		},
	}
}

func TestDecodeGetItem(t *testing.T) {
	var out GetItemOutput
	require.NoError(t, aws.Decode(getItemDoc(), &out))
	s := func(v string) AttributeValue { return AttributeValue{S: &v} }
	n := func(v string) AttributeValue { return AttributeValue{N: &v} }
	require.Equal(t, GetItemOutput{
		Item: map[string]AttributeValue{
			"pk":     s("user#1"),
			"age":    n("42"),
			"avatar": {B: []byte{0x89, 'P', 'N', 'G'}},
			"active": {BOOL: ptr(true)},
			"gone":   {NULL: ptr(true)},
			"tags":   {SS: []string{"a", "b"}},
			"scores": {NS: []string{"1", "2.5"}},
			"list":   {L: []AttributeValue{s("x"), n("1")}},
			"address": {M: map[string]AttributeValue{
				"city": s("Lyon"),
				"geo":  {M: map[string]AttributeValue{"lat": n("45.76")}},
			}},
		},
		ConsumedCapacity: &ConsumedCapacity{TableName: "users", CapacityUnits: 0.5},
		ResponseMetadata: ResponseMetadata{
			RequestID:      "REQ1",
			HTTPStatusCode: 200,
			HTTPHeaders:    http.Header{"X-Amzn-Requestid": {"REQ1"}},
		},
	}, out)
}

type node struct {
	Name     string
	Children []node
	Parent   *node
}

func TestDecodeRecursiveTypesAndDepthLimit(t *testing.T) {
	var out node
	require.NoError(t, aws.Decode(map[string]any{
		"Name":     "root",
		"Children": []any{map[string]any{"Name": "a", "Children": []any{map[string]any{"Name": "b"}}}},
		"Parent":   map[string]any{"Name": "up"},
	}, &out))
	require.Equal(t, node{Name: "root", Children: []node{{Name: "a", Children: []node{{Name: "b"}}}}, Parent: &node{Name: "up"}}, out)

	// A document that contains itself ends in a problem, not a stack overflow.
	cyclic := map[string]any{"Name": "loop"}
	cyclic["Parent"] = cyclic
	err := aws.Decode(cyclic, &out)
	require.ErrorContains(t, err, "nested deeper than 1000 levels")

	// An `any` target keeps the cyclic document as is.
	var a any
	require.NoError(t, aws.Decode(cyclic, &a))
}

func TestDecodeConcurrentFirstUse(t *testing.T) {
	type fresh struct {
		Self []*fresh
		V    int
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			var out fresh
			err := aws.Decode(map[string]any{"V": int64(1), "Self": []any{map[string]any{"V": int64(2)}}}, &out)
			if err != nil || out.V != 1 || len(out.Self) != 1 || out.Self[0].V != 2 {
				t.Errorf("got %+v, %v", out, err)
			}
		})
	}
	wg.Wait()
}

func TestDecodeAllocatesOnlyWhatTheTargetNeeds(t *testing.T) {
	type flat struct {
		Name    string
		Count   int32
		Ratio   float64
		OK      bool
		When    time.Time
		Data    []byte
		Headers http.Header
		Extra   map[string]any
		Unknown string
	}
	doc := map[string]any{
		"Name": "n", "Count": int64(3), "Ratio": 0.5, "OK": true, "When": time.Now(), "Data": []byte("d"),
		"Headers": http.Header{}, "Extra": map[string]any{}, "unknown": "x", "ResponseMetadata": map[string]any{},
	}
	var out flat
	require.NoError(t, aws.Decode(doc, &out))
	allocs := testing.AllocsPerRun(100, func() {
		out = flat{}
		_ = aws.Decode(doc, &out)
	})
	require.Zero(t, allocs)
}

// fuzzTarget has a field of every kind Decode supports.
type fuzzTarget struct {
	S    string
	MS   myString
	B    bool
	I    int
	I8   int8
	U16  uint16
	U64  uint64
	F32  float32
	F    float64
	T    time.Time
	TP   *time.Time
	Blob []byte
	Arr  [2]int8
	L    []fuzzTarget
	M    map[string]*fuzzTarget
	AV   map[string]AttributeValue
	A    any
	R    io.Reader
	P    *person
	Base
	*Audit
}

func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{}`, `null`, `[1,2]`, `"s"`, `1e400`,
		`{"S":"s","MS":"m","B":true,"I":-1,"I8":300,"U16":-1,"U64":1.5,"F32":1e39,"F":2}`,
		`{"T":"2024-01-02T03:04:05Z","TP":1700000000.5,"Blob":"aGk=","Arr":[1,2,3]}`,
		`{"L":[{"S":"x","L":[{"I":2}]}],"M":{"a":{"B":false},"b":null},"A":{"x":[1,"y",null]}}`,
		`{"AV":{"k":{"M":{"n":{"L":[{"N":"1"},{"BOOL":true}]}}}},"R":"x","P":{"age":"x"}}`,
		`{"ID":"i","Created":12,"name":"n","s":"folded","i8":1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, useNumber := range []bool{false, true} {
			dec := json.NewDecoder(bytes.NewReader(data))
			if useNumber {
				dec.UseNumber()
			}
			var doc any
			if dec.Decode(&doc) != nil {
				return
			}
			var out fuzzTarget
			err := aws.Decode(doc, &out)
			if err != nil {
				var de *aws.DecodeError
				if !errors.As(err, &de) || len(de.Problems) == 0 {
					t.Fatalf("error %v is not a *DecodeError with problems", err)
				}
				_ = err.Error()
			}
		}
	})
}

func BenchmarkDecodeGetItem(b *testing.B) {
	doc := getItemDoc()
	b.ReportAllocs()
	for b.Loop() {
		var out GetItemOutput
		if err := aws.Decode(doc, &out); err != nil {
			b.Fatal(err)
		}
	}
}
