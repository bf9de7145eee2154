package awsjson

import (
	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/models"
)

// misfit marks an error of the target, not of the response: a value that does not fit. The
// parse then starts over through a document and aws.Decode, which reports every problem
// with its path.
type misfit struct{ err error }

func (m misfit) Error() string { return m.err.Error() }

func fit(err error) error {
	if err != nil {
		return misfit{err}
	}
	return nil
}

// readInto reads one value of shape s into t, as readValue would read it into a document
// that aws.Decode then stores in t. A null leaves t untouched.
func (c *Codec) readInto(r *reader, s *models.Shape, t aws.Target) error {
	if r.null() {
		return nil
	}
	if !t.Streams() || s.Document {
		v, err := c.readValue(r, s)
		if err != nil {
			return err
		}
		return fit(t.Set(v))
	}
	switch s.Type {
	case models.Structure:
		return c.readStructTarget(r, s, t)
	case models.List:
		if err := t.List(); err != nil {
			return misfit{err}
		}
		err := r.array(func() error {
			if r.null() {
				if s.Sparse {
					t.Append()
				}
				return nil
			}
			return c.readInto(r, s.Member.Shape, t.Append())
		})
		t.End()
		return err
	case models.Map:
		if err := t.Object(); err != nil {
			return misfit{err}
		}
		err := r.object(func(key []byte) error {
			null := r.null()
			if null && !s.Sparse {
				return nil
			}
			k := r.key(key)
			e, ok := t.Entry(k)
			switch {
			case !ok && null:
				return nil
			case !ok:
				return r.skip()
			case !null:
				if err := c.readInto(r, s.Value.Shape, e); err != nil {
					return err
				}
			}
			t.Commit(k)
			return nil
		})
		t.End()
		return err
	case models.String:
		str, err := r.str()
		if err != nil {
			return err
		}
		return fit(t.SetString(str))
	case models.Boolean:
		switch {
		case r.literal("true"):
			return fit(t.SetBool(true))
		case r.literal("false"):
			return fit(t.SetBool(false))
		}
		return r.errorf("want boolean")
	case models.Byte, models.Short, models.Integer, models.Long, models.BigInteger:
		n, err := r.integer()
		if err != nil {
			return err
		}
		return fit(t.SetInt(n))
	case models.Float, models.Double, models.BigDecimal:
		f, err := r.float()
		if err != nil {
			return err
		}
		return fit(t.SetFloat(f))
	case models.Blob:
		b, err := r.blob()
		if err != nil {
			return err
		}
		return fit(t.SetBytes(b))
	}
	v, err := c.readValue(r, s) // timestamps
	if err != nil {
		return err
	}
	return fit(t.Set(v))
}

// readStructTarget reads an object of structure s into t, skipping unknown keys.
func (c *Codec) readStructTarget(r *reader, s *models.Shape, t aws.Target) error {
	if err := t.Object(); err != nil {
		return misfit{err}
	}
	p := c.plan(s)
	err := r.object(func(key []byte) error {
		m := p.byWire[string(key)]
		if m == nil || m.Location != models.Body {
			return r.skip()
		}
		if r.null() {
			return nil
		}
		e, ok := t.Entry(m.Name)
		if !ok {
			return r.skip()
		}
		if err := c.readInto(r, m.Shape, e); err != nil {
			return err
		}
		t.Commit(m.Name)
		return nil
	})
	t.End()
	return err
}
