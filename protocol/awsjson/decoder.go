package awsjson

import "fmt"

// Unmarshaler is implemented by a pointer to a type that reads its value from a JSON response
// itself, the fast path for a type that also implements aws.Unmarshaler (which every other
// path uses): when a client parses a JSON response into a Go value (client.CallInto), each
// value of such a type is handed to UnmarshalAWSJSON, positioned at the value (never at a
// null, which leaves the value unchanged). The method must consume exactly that one value.
//
// An error of the Decoder's reads means the response is malformed and fails the call. Any
// other error means the value does not fit the type: the parse then starts over through a
// document and aws.Decode, and so through UnmarshalDocument, which reports the problem with
// its path.
type Unmarshaler interface {
	UnmarshalAWSJSON(d *Decoder) error
}

// Decoder reads one JSON value of a response for an Unmarshaler. Strings and keys it returns
// may alias the response body, which is read once per response and never modified or reused:
// they stay valid and may be kept. A Decoder is valid only during the UnmarshalAWSJSON call it
// is passed to, and is not safe for concurrent use.
type Decoder struct {
	r   *reader
	err error // the first read error: the response is malformed
}

// Next reports the first byte of the next value: '{', '[', '"', 't', 'f', 'n', '-' or a
// digit; 0 at the end of the input.
func (d *Decoder) Next() byte { return d.r.peek() }

// Object reads an object, calling fn with each key; fn must consume the key's value.
func (d *Decoder) Object(fn func(key string) error) error {
	var fnErr error
	err := d.r.object(func(key []byte) error {
		fnErr = fn(d.r.key(key))
		return fnErr
	})
	return d.failUnless(err, fnErr)
}

// Array reads an array, calling fn for each element; fn must consume the element.
func (d *Decoder) Array(fn func() error) error {
	var fnErr error
	err := d.r.array(func() error {
		fnErr = fn()
		return fnErr
	})
	return d.failUnless(err, fnErr)
}

// String reads a string.
func (d *Decoder) String() (string, error) {
	s, err := d.r.str()
	return s, d.fail(err)
}

// Blob reads a base64 string.
func (d *Decoder) Blob() ([]byte, error) {
	b, err := d.r.blob()
	return b, d.fail(err)
}

// Bool reads true or false.
func (d *Decoder) Bool() (bool, error) {
	switch {
	case d.r.peek() == 't' && d.r.literal("true"):
		return true, nil
	case d.r.peek() == 'f' && d.r.literal("false"):
		return false, nil
	}
	return false, d.fail(d.r.errorf("want boolean"))
}

// Null consumes a null, reporting whether there was one.
func (d *Decoder) Null() bool { return d.r.null() }

// Number reads a number and returns its text.
func (d *Decoder) Number() (string, error) {
	b, err := d.r.number()
	if err != nil {
		return "", d.fail(err)
	}
	return d.r.key(b), nil
}

// Any reads any value as a document: nil, bool, float64, string, []any or map[string]any.
func (d *Decoder) Any() (any, error) {
	v, err := d.r.any()
	return v, d.fail(err)
}

// Skip consumes any value.
func (d *Decoder) Skip() error { return d.fail(d.r.skip()) }

// Errorf returns an error for a value the Unmarshaler cannot take, naming the response offset.
func (d *Decoder) Errorf(format string, args ...any) error {
	return fmt.Errorf("at offset %d: %s", d.r.pos, fmt.Sprintf(format, args...))
}

// fail records the first read error, which makes the whole response malformed.
func (d *Decoder) fail(err error) error {
	if err != nil && d.err == nil {
		d.err = err
	}
	return err
}

// failUnless records err as fail does, unless it is fn's own error: the reads fn made have
// recorded theirs already, and any other error of fn is a misfit, not a malformed response.
func (d *Decoder) failUnless(err, fnErr error) error {
	if err == fnErr {
		return err
	}
	return d.fail(err)
}

// readCustom lets u read the value at r. It reports a read error as is, and any other error,
// or a value not consumed whole, as a misfit of the target.
func readCustom(r *reader, u Unmarshaler) error {
	d := &r.dec // one per reader, not one allocation per value: u cannot re-enter the codec
	*d = Decoder{r: r}
	start, depth := r.pos, r.depth
	err := u.UnmarshalAWSJSON(d)
	switch {
	case d.err != nil:
		return d.err
	case err != nil:
		return misfit{err}
	case r.depth != depth || r.pos == start:
		return misfit{fmt.Errorf("%T.UnmarshalAWSJSON did not read exactly one value", u)}
	}
	return nil
}
