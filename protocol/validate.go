package protocol

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/models"
)

// Validate checks an operation's input against its model before anything is sent and reports
// every problem at once as an *aws.ValidationError: missing required members, unknown members,
// values of the wrong type, more than one member of a union, and lengths or numbers below the
// model's minimum. Like botocore it does not enforce maximums, patterns or enums, which
// services are the authority on (and relax over time).
func Validate(op *models.Operation, in any) error {
	var v validator
	v.path = v.pathBuf[:0]
	switch {
	case op.Input == nil:
		if in != nil && !isEmptyInput(in) {
			v.add("operation takes no input")
		}
	case in == nil:
		v.structure(op.Input, map[string]any{})
	default:
		v.value(op.Input, in)
	}
	if len(v.problems) == 0 {
		return nil
	}
	return &aws.ValidationError{Operation: op.Name, Problems: v.problems}
}

func isEmptyInput(in any) bool {
	if m, ok := in.(map[string]any); ok {
		return len(m) == 0
	}
	rv := reflect.ValueOf(in)
	return rv.Kind() == reflect.Struct && rv.NumField() == 0
}

// validator walks an input, keeping the path to the current value as a stack of segments
// that is joined into a string only when a problem is recorded: valid inputs cost no strings.
type validator struct {
	problems []aws.Problem
	path     []segment
	pathBuf  [16]segment // path's first array: the usual input is shallower
}

type segment struct {
	name  string
	index int // list index when name == ""
}

func (v *validator) push(name string) { v.path = append(v.path, segment{name: name}) }
func (v *validator) pushIndex(i int)  { v.path = append(v.path, segment{index: i}) }
func (v *validator) pop()             { v.path = v.path[:len(v.path)-1] }

func (v *validator) pathString() string {
	var b strings.Builder
	for _, seg := range v.path {
		switch {
		case seg.name == "":
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(seg.index))
			b.WriteByte(']')
		case b.Len() > 0:
			b.WriteByte('.')
			fallthrough
		default:
			b.WriteString(seg.name)
		}
	}
	return b.String()
}

func (v *validator) add(format string, args ...any) {
	v.problems = append(v.problems, aws.Problem{Path: v.pathString(), Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) value(s *models.Shape, val any) {
	if m, ok := val.(aws.Marshaler); ok {
		doc, err := m.MarshalDocument()
		if err != nil {
			v.add("%v", err)
			return
		}
		val = doc
	}
	switch s.Type {
	case models.Structure:
		if s.Document {
			return
		}
		v.structure(s, val)
	case models.List:
		n := 0
		if !Elements(val, func(i int, e any) {
			n++
			v.pushIndex(i)
			if e == nil {
				if !s.Sparse {
					v.add("null element in a list that is not sparse")
				}
			} else {
				v.value(s.Member.Shape, e)
			}
			v.pop()
		}) {
			v.wrongType(val, "list")
			return
		}
		v.minLength(s, n)
	case models.Map:
		entry := func(k string, e any) {
			v.push(k)
			if e == nil {
				if !s.Sparse {
					v.add("null value in a map that is not sparse")
				}
			} else {
				v.value(s.Value.Shape, e)
			}
			v.pop()
		}
		if m, ok := val.(map[string]any); ok {
			// In map order, with no sorting, as long as nothing is wrong; a problem makes the
			// map walked again in key order, so problems come in a deterministic order.
			before := len(v.problems)
			for k, e := range m {
				entry(k, e)
			}
			if len(v.problems) > before {
				v.problems = v.problems[:before]
				Entries(m, entry)
			}
			v.minLength(s, len(m))
			return
		}
		n := 0
		if !Entries(val, func(k string, e any) { n++; entry(k, e) }) {
			v.wrongType(val, "map")
			return
		}
		v.minLength(s, n)
	case models.String:
		str, ok := String(val)
		if !ok {
			v.wrongType(val, "string")
			return
		}
		v.minLength(s, utf8.RuneCountInString(str))
	case models.Boolean:
		if _, ok := Bool(val); !ok {
			v.wrongType(val, "boolean")
		}
	case models.Byte, models.Short, models.Integer, models.Long, models.BigInteger:
		n, ok := Int(val)
		if !ok {
			v.wrongType(val, "integer")
			return
		}
		if s.HasMin && float64(n) < s.Min {
			v.add("value %d below minimum %s", n, FormatFloat(s.Min))
		}
	case models.Float, models.Double, models.BigDecimal:
		f, ok := Float(val)
		if !ok {
			v.wrongType(val, "number")
			return
		}
		if s.HasMin && f < s.Min {
			v.add("value %s below minimum %s", FormatFloat(f), FormatFloat(s.Min))
		}
	case models.Timestamp:
		if _, ok := Time(val); !ok {
			v.wrongType(val, "timestamp (time.Time, epoch seconds or RFC 3339 string)")
		}
	case models.Blob:
		if s.Streaming {
			if _, ok := Stream(val); !ok {
				v.wrongType(val, "blob (io.Reader, []byte or string)")
			}
			return
		}
		b, ok := Blob(val)
		if !ok {
			v.wrongType(val, "blob ([]byte or string)")
			return
		}
		v.minLength(s, len(b))
	}
}

func (v *validator) structure(s *models.Shape, val any) {
	var setBuf [16]*models.Member
	set := setBuf[:0]
	if !Fields(s, val, func(m *models.Member, mv any) {
		set = append(set, m)
		v.push(m.Name)
		if m.Streaming && m.Shape.Type == models.Blob { // streaming on the member (S3's Body), not the shape
			if _, ok := Stream(mv); !ok {
				v.wrongType(mv, "blob (io.Reader, []byte or string)")
			}
		} else {
			v.value(m.Shape, mv)
		}
		v.pop()
	}) {
		v.wrongType(val, "structure")
		return
	}
	for _, m := range s.Members {
		if m.Required && !slices.Contains(set, m) {
			v.push(m.Name)
			v.add("missing required member")
			v.pop()
		}
	}
	var unknown []string
	if m, ok := val.(map[string]any); !ok || len(m) != len(set) { // else every key is a member
		unknown = unknownKeys(s, val)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		for _, k := range unknown {
			v.push(k)
			v.add("unknown member (%s has %s)", s.Name, memberList(s))
			v.pop()
		}
	}
	switch {
	case s.Union && len(set) > 1:
		names := make([]string, len(set))
		for i, m := range set {
			names[i] = m.Name
		}
		v.add("union %s takes exactly one member, got %s", s.Name, strings.Join(names, ", "))
	case s.Union && len(set) == 0 && len(unknown) == 0:
		v.add("union %s takes exactly one member, got none (%s)", s.Name, memberList(s))
	}
}

func memberList(s *models.Shape) string {
	const most = 8
	names := make([]string, 0, most)
	for i, m := range s.Members {
		if i == most {
			names = append(names, "…")
			break
		}
		names = append(names, m.Name)
	}
	if len(names) == 0 {
		return "no members"
	}
	return strings.Join(names, ", ")
}

func (v *validator) minLength(s *models.Shape, n int) {
	if s.HasMin && float64(n) < s.Min {
		v.add("length %d below minimum %s", n, FormatFloat(s.Min))
	}
}

func (v *validator) wrongType(val any, want string) {
	got := fmt.Sprintf("%T", val)
	if s, ok := val.(string); ok {
		got = strconv.Quote(s) + " (string)"
	}
	v.add("got %s, want %s", got, want)
}
