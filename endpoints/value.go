package endpoints

import (
	"fmt"
	"math"
	"strconv"
)

// kind is the type of a value during rule evaluation.
type kind uint8

const (
	kNull   kind = iota // unset
	kString             // s
	kBool               // b
	kInt                // n (integer literals: substring bounds)
	kArray              // arr (string arrays: stringArray parameters, ARN resource ids)
	kRecord             // rec (partition, parsed URL, parsed ARN)
)

func (k kind) String() string {
	switch k {
	case kNull:
		return "null"
	case kString:
		return "string"
	case kBool:
		return "boolean"
	case kInt:
		return "integer"
	case kArray:
		return "array"
	case kRecord:
		return "record"
	}
	return "invalid"
}

// value is one value of the rules language; the zero value is null. It is kept to 32 bytes
// (no interface, no slice header) because evaluation and parameter binding copy it a lot:
// arrays live behind rec, like records.
type value struct {
	s   string
	rec *record // kRecord; kArray: a record of kind arrayRecord
	n   int32   // kInt
	k   kind
	b   bool
}

// record is an object value. Records are immutable once built. Partitions (and records from
// JSON) keep their fields in a map; the results of parseURL and aws.parseArn keep theirs in
// a struct, so that parsing costs one allocation.
type record struct {
	kind   recordKind
	fields map[string]value // mapRecord
	url    urlParts         // urlRecord
	arn    arnParts         // arnRecord
	arr    []string         // arrayRecord
	ids    *record          // arnRecord: the resource id array
}

type recordKind uint8

const (
	mapRecord recordKind = iota
	urlRecord
	arnRecord
	arrayRecord
)

// field returns the named field, or null.
func (r *record) field(name string) value {
	switch r.kind {
	case urlRecord:
		switch name {
		case "scheme":
			return strValue(r.url.Scheme)
		case "authority":
			return strValue(r.url.Authority)
		case "path":
			return strValue(r.url.Path)
		case "normalizedPath":
			return strValue(r.url.NormalizedPath)
		case "isIp":
			return boolValue(r.url.IsIP)
		}
		return value{}
	case arnRecord:
		switch name {
		case "partition":
			return strValue(r.arn.Partition)
		case "service":
			return strValue(r.arn.Service)
		case "region":
			return strValue(r.arn.Region)
		case "accountId":
			return strValue(r.arn.AccountID)
		case "resourceId":
			return value{k: kArray, rec: r.ids}
		}
		return value{}
	}
	return r.fields[name]
}

// fieldNames lists the record's fields.
func (r *record) fieldNames() []string {
	switch r.kind {
	case urlRecord:
		return []string{"scheme", "authority", "path", "normalizedPath", "isIp"}
	case arnRecord:
		return []string{"partition", "service", "region", "accountId", "resourceId"}
	}
	names := make([]string, 0, len(r.fields))
	for k := range r.fields {
		names = append(names, k)
	}
	return names
}

func strValue(s string) value { return value{k: kString, s: s} }
func boolValue(b bool) value  { return value{k: kBool, b: b} }
func arrValue(a []string) value {
	return value{k: kArray, rec: &record{kind: arrayRecord, arr: a}}
}

// items returns the elements of an array value.
func (v value) items() []string {
	if v.k != kArray {
		return nil
	}
	return v.rec.arr
}

// truthy reports whether a condition with this result holds: anything but null and false.
func (v value) truthy() bool {
	return v.k != kNull && !(v.k == kBool && !v.b)
}

// toAny converts v to the Go form used in results and Params.Get: string, bool, int, []string,
// map[string]any or nil.
func (v value) toAny() any {
	switch v.k {
	case kString:
		return v.s
	case kBool:
		return v.b
	case kInt:
		return int(v.n)
	case kArray:
		return append([]string(nil), v.items()...)
	case kRecord:
		names := v.rec.fieldNames()
		m := make(map[string]any, len(names))
		for _, k := range names {
			m[k] = v.rec.field(k).toAny()
		}
		return m
	}
	return nil
}

// fromJSON converts a decoded JSON value (as from encoding/json with UseNumber, or plain
// float64 numbers) to a value. Arrays must hold strings only.
func fromJSON(x any) (value, error) {
	switch x := x.(type) {
	case nil:
		return value{}, nil
	case string:
		return strValue(x), nil
	case bool:
		return boolValue(x), nil
	case float64:
		if x != math.Trunc(x) || x >= 1<<31 || x < -(1<<31) {
			return value{}, fmt.Errorf("number %v is not an integer", x)
		}
		return value{k: kInt, n: int32(x)}, nil
	case interface{ Int64() (int64, error) }: // json.Number
		n, err := x.Int64()
		if err != nil || n >= 1<<31 || n < -(1<<31) {
			return value{}, fmt.Errorf("number %v is not a 32-bit integer", x)
		}
		return value{k: kInt, n: int32(n)}, nil
	case []string:
		return arrValue(append([]string(nil), x...)), nil
	case []any:
		a := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return value{}, fmt.Errorf("array element %d is %T, want string", i, e)
			}
			a[i] = s
		}
		return arrValue(a), nil
	case map[string]any:
		rec := &record{fields: make(map[string]value, len(x))}
		for k, e := range x {
			v, err := fromJSON(e)
			if err != nil {
				return value{}, fmt.Errorf("%s: %w", strconv.Quote(k), err)
			}
			rec.fields[k] = v
		}
		return value{k: kRecord, rec: rec}, nil
	}
	return value{}, fmt.Errorf("unsupported value of type %T", x)
}

// equal reports whether two values are the same (used by tests and the cache).
func (v value) equal(w value) bool {
	if v.k != w.k {
		return false
	}
	switch v.k {
	case kString:
		return v.s == w.s
	case kBool:
		return v.b == w.b
	case kInt:
		return v.n == w.n
	case kArray:
		a, b := v.items(), w.items()
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	case kRecord:
		return v.rec == w.rec
	}
	return true
}
