package dynamodb

import (
	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/protocol/awsjson"
)

// The JSON fast path: a client reading a DynamoDB response into an Item or Value hands the
// value's JSON to these methods (awsjson.Unmarshaler), which build it in one pass. Strings
// and names alias the response body, which is never reused: an Item costs its map, and a
// Value nothing beyond its 24 bytes unless it holds a set, list, map or binary.

// itemHint is the size of the items read last, so that the next one's map is made at its
// size (a response's few small maps, a LastEvaluatedKey, do not undo what its items taught).
var itemHint aws.LengthHint

// UnmarshalAWSJSON reads a JSON object of attribute values into it, adding to it (making it
// when nil). It implements awsjson.Unmarshaler.
func (it *Item) UnmarshalAWSJSON(d *awsjson.Decoder) error {
	if *it == nil {
		*it = make(Item, itemHint.Len())
	}
	err := readItem(d, *it)
	itemHint.Learn(len(*it), 256)
	return err
}

func readItem(d *awsjson.Decoder, m Item) error {
	return d.Object(func(name string) error {
		if d.Null() {
			return nil
		}
		var v Value
		if err := v.UnmarshalAWSJSON(d); err != nil {
			return err
		}
		m[name] = v
		return nil
	})
}

// UnmarshalAWSJSON reads one attribute value, an object with one member set. It implements
// awsjson.Unmarshaler.
func (v *Value) UnmarshalAWSJSON(d *awsjson.Decoder) error {
	var got Value
	set := 0
	err := d.Object(func(name string) error {
		if d.Null() {
			return nil
		}
		set++
		var err error
		got, err = readMember(d, name)
		return err
	})
	if err != nil {
		return err
	}
	if set != 1 {
		return d.Errorf("attribute value: %d members set, want one", set)
	}
	*v = got
	return nil
}

func readMember(d *awsjson.Decoder, name string) (Value, error) {
	switch name {
	case "S":
		s, err := d.String()
		return S(s), err
	case "N":
		s, err := d.String()
		return N(s), err
	case "B":
		b, err := d.Blob()
		return B(b), err
	case "BOOL":
		b, err := d.Bool()
		return Bool(b), err
	case "NULL":
		_, err := d.Bool()
		return Null(), err
	case "SS", "NS":
		ss := make([]string, 0, 4)
		err := d.Array(func() error {
			s, err := d.String()
			ss = append(ss, s)
			return err
		})
		if name == "SS" {
			return SS(ss...), err
		}
		return NS(ss...), err
	case "BS":
		var bs [][]byte
		err := d.Array(func() error {
			b, err := d.Blob()
			bs = append(bs, b)
			return err
		})
		return BS(bs...), err
	case "M":
		m := Item{}
		err := readItem(d, m)
		return M(m), err
	case "L":
		l := make([]Value, 0, 4)
		err := d.Array(func() error {
			if d.Null() {
				return nil
			}
			var e Value
			err := e.UnmarshalAWSJSON(d)
			l = append(l, e)
			return err
		})
		return L(l...), err
	}
	doc, err := d.Any()
	return unknownValue(name, doc), err
}
