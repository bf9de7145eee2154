package aws_test

import (
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
)

// drive walks a document into a Target the way a codec walks a response.
func drive(v any, t aws.Target) error {
	if v == nil {
		return nil
	}
	if !t.Streams() {
		return t.Set(v)
	}
	switch x := v.(type) {
	case map[string]any:
		if err := t.Object(); err != nil {
			return err
		}
		defer t.End()
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if x[k] == nil {
				continue
			}
			e, ok := t.Entry(k)
			if !ok {
				continue
			}
			if err := drive(x[k], e); err != nil {
				return err
			}
			t.Commit(k)
		}
		return nil
	case []any:
		if err := t.List(); err != nil {
			return err
		}
		defer t.End()
		for _, el := range x {
			if err := drive(el, t.Append()); err != nil {
				return err
			}
		}
		return nil
	case string:
		return t.SetString(x)
	case bool:
		return t.SetBool(x)
	case int64:
		return t.SetInt(x)
	case float64:
		return t.SetFloat(x)
	case time.Time:
		return t.SetTime(x)
	case []byte:
		return t.SetBytes(x)
	}
	return t.Set(v)
}

// TestTargetMatchesDecode drives documents into targets of many types: where Decode
// succeeds, the target holds what Decode stores; where Decode fails, so does the target.
func TestTargetMatchesDecode(t *testing.T) {
	ts := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	docs := []any{
		getItemDoc(),
		map[string]any{"Items": []any{map[string]any{"Name": "ada", "age": int64(36)}, map[string]any{"name": "bob", "AGE": 1.0}}},
		map[string]any{"Items": []any{map[string]any{"age": int64(300)}}},
		map[string]any{"Count": int64(-1), "Ratio": 1e300, "When": ts, "Data": []byte("raw")},
		map[string]any{"When": "2024-05-06T07:08:09Z", "Data": "cmF3", "Fixed": []any{int64(1)}, "Ratio": int64(2)},
		map[string]any{"Item": map[string]any{"k": map[string]any{"Name": "x"}}, "Nested": map[string]any{"Deep": []any{map[string]any{}}}},
		map[string]any{"Nested": []any{}},
		map[string]any{"Ints": map[string]any{}},
		"text",
		[]any{"a", "b"},
		int64(7),
		map[string]any{"Tag": "t", "I8": int64(-128), "I16": int64(-32768), "I32": int64(1<<31 - 1), "I": int64(5), "F32": 1.5, "U": int64(7)},
		map[string]any{"I16": int64(40000)},
		map[string]any{"Name": "n"},
		map[string]any{"I32": int64(1 << 31)},
		map[string]any{"F32": 1e39},
		map[string]any{"F32": math.Inf(-1), "I": 2.0},
	}
	targets := []func() any{
		into[GetItemOutput](), into[*GetItemOutput](), into[errTarget](), into[map[string]any](), into[any](),
		into[[]string](), into[int8](), into[float32](), into[string](), into[map[string]person](),
		into[struct{ Items []*person }](), into[struct{ Item map[string]*errTarget }](), into[sized](),
	}
	for i, doc := range docs {
		for j, target := range targets {
			want, got := target(), target()
			errWant := aws.Decode(doc, want)
			tg, err := aws.NewTarget(got)
			require.NoError(t, err)
			errGot := drive(doc, tg)
			if errWant != nil {
				require.Error(t, errGot, "doc %d into %T: Decode failed with %v", i, want, errWant)
				continue
			}
			require.NoError(t, errGot, "doc %d into %T", i, want)
			require.True(t, reflect.DeepEqual(want, got), "doc %d into %T:\n got %#v\nwant %#v", i, want, got, want)
			_ = j
		}
	}
}

// sized has integers and floats of every width, and a field promoted through an embedded
// pointer (which a Target reaches by reflection, allocating the pointer).
type sized struct {
	*withName // unexported: Decode and a Target both fail to store Name
	*Labelled
	I8  int8
	I16 int16
	I32 int32
	I   int
	F32 float32
	U   uint16
}

type withName struct{ Name string }

type Labelled struct{ Tag string }

func TestTargetAllocatesOnlyWhatTheTargetNeeds(t *testing.T) {
	doc := getItemDoc()
	var out GetItemOutput
	allocs := testing.AllocsPerRun(100, func() {
		out = GetItemOutput{}
		tg, _ := aws.NewTarget(&out)
		if err := drive(doc, tg); err != nil {
			t.Fatal(err)
		}
	})
	var ref GetItemOutput
	refAllocs := testing.AllocsPerRun(100, func() {
		ref = GetItemOutput{}
		if err := aws.Decode(doc, &ref); err != nil {
			t.Fatal(err)
		}
	})
	require.Equal(t, ref, out)
	// The driver's key sorting costs a few; the target itself costs what Decode's target does.
	require.LessOrEqual(t, allocs, refAllocs+12, "target %v allocs, Decode %v", allocs, refAllocs)
}

func TestNewTargetNeedsAPointer(t *testing.T) {
	_, err := aws.NewTarget(GetItemOutput{})
	require.EqualError(t, err, "aws: decode target must be a non-nil pointer, got aws_test.GetItemOutput")
	_, err = aws.NewTarget((*GetItemOutput)(nil))
	require.Error(t, err)
}
