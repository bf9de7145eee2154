package protocol

import (
	"fmt"
	"reflect"
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
	v := validator{}
	switch {
	case op.Input == nil:
		if in != nil && !isEmptyInput(in) {
			v.add("", "operation takes no input")
		}
	case in == nil:
		v.structure("", op.Input, map[string]any{})
	default:
		v.value("", op.Input, in)
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

type validator struct{ problems []aws.Problem }

func (v *validator) add(path, format string, args ...any) {
	v.problems = append(v.problems, aws.Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (v *validator) value(path string, s *models.Shape, val any) {
	switch s.Type {
	case models.Structure:
		if s.Document {
			return
		}
		v.structure(path, s, val)
	case models.List:
		n := 0
		if !Elements(val, func(i int, e any) {
			n++
			if e == nil {
				if !s.Sparse {
					v.add(path+"["+strconv.Itoa(i)+"]", "null element in a list that is not sparse")
				}
				return
			}
			v.value(path+"["+strconv.Itoa(i)+"]", s.Member.Shape, e)
		}) {
			v.wrongType(path, val, "list")
			return
		}
		v.minLength(path, s, n)
	case models.Map:
		n := 0
		if !Entries(val, func(k string, e any) {
			n++
			if e == nil {
				if !s.Sparse {
					v.add(join(path, k), "null value in a map that is not sparse")
				}
				return
			}
			v.value(join(path, k), s.Value.Shape, e)
		}) {
			v.wrongType(path, val, "map")
			return
		}
		v.minLength(path, s, n)
	case models.String:
		str, ok := String(val)
		if !ok {
			v.wrongType(path, val, "string")
			return
		}
		v.minLength(path, s, utf8.RuneCountInString(str))
	case models.Boolean:
		if _, ok := Bool(val); !ok {
			v.wrongType(path, val, "boolean")
		}
	case models.Byte, models.Short, models.Integer, models.Long, models.BigInteger:
		n, ok := Int(val)
		if !ok {
			v.wrongType(path, val, "integer")
			return
		}
		if s.HasMin && float64(n) < s.Min {
			v.add(path, "value %d below minimum %s", n, FormatFloat(s.Min))
		}
	case models.Float, models.Double, models.BigDecimal:
		f, ok := Float(val)
		if !ok {
			v.wrongType(path, val, "number")
			return
		}
		if s.HasMin && f < s.Min {
			v.add(path, "value %s below minimum %s", FormatFloat(f), FormatFloat(s.Min))
		}
	case models.Timestamp:
		if _, ok := Time(val); !ok {
			v.wrongType(path, val, "timestamp (time.Time, epoch seconds or RFC 3339 string)")
		}
	case models.Blob:
		if s.Streaming {
			if _, ok := Stream(val); !ok {
				v.wrongType(path, val, "blob (io.Reader, []byte or string)")
			}
			return
		}
		b, ok := Blob(val)
		if !ok {
			v.wrongType(path, val, "blob ([]byte or string)")
			return
		}
		v.minLength(path, s, len(b))
	}
}

func (v *validator) structure(path string, s *models.Shape, val any) {
	var set []string
	if !Fields(s, val, func(m *models.Member, mv any) {
		set = append(set, m.Name)
		if m.Streaming && m.Shape.Type == models.Blob { // streaming on the member (S3's Body), not the shape
			if _, ok := Stream(mv); !ok {
				v.wrongType(join(path, m.Name), mv, "blob (io.Reader, []byte or string)")
			}
			return
		}
		v.value(join(path, m.Name), m.Shape, mv)
	}) {
		v.wrongType(path, val, "structure")
		return
	}
	for _, m := range s.Members {
		if m.Required && !contains(set, m.Name) {
			v.add(join(path, m.Name), "missing required member")
		}
	}
	unknown := unknownKeys(s, val)
	sort.Strings(unknown)
	for _, k := range unknown {
		v.add(join(path, k), "unknown member (%s has %s)", s.Name, memberList(s))
	}
	if s.Union && len(set) > 1 {
		v.add(path, "union %s takes exactly one member, got %s", s.Name, strings.Join(set, ", "))
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (v *validator) minLength(path string, s *models.Shape, n int) {
	if s.HasMin && float64(n) < s.Min {
		v.add(path, "length %d below minimum %s", n, FormatFloat(s.Min))
	}
}

func (v *validator) wrongType(path string, val any, want string) {
	got := fmt.Sprintf("%T", val)
	if s, ok := val.(string); ok {
		got = strconv.Quote(s) + " (string)"
	}
	v.add(path, "got %s, want %s", got, want)
}
