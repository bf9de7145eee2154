package awsjson

import (
	"reflect"

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
		if p, ok := t.Custom(); ok && !s.Document {
			if u, ok := p.(Unmarshaler); ok {
				return readCustom(r, u)
			}
		}
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
	p := r.plan(c, s)
	if t.Type().Kind() != reflect.Struct { // a map with string keys
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
	ip := p.intoPlan(&t)
	err := r.object(func(key []byte) error {
		im, ok := ip.byWire[string(key)]
		if !ok || im.pos < 0 {
			return r.skip()
		}
		if r.null() {
			return nil
		}
		return c.readInto(r, im.m.Shape, t.Field(im.pos))
	})
	t.End()
	return err
}

// intoPlan is how a structure of one shape is read into one Go struct type: each wire key's
// member and the position of the struct field it fills, worked out once.
type intoPlan struct {
	typ    reflect.Type
	byWire map[string]intoMember
}

type intoMember struct {
	m   *models.Member
	pos int // the field's position (aws.Target.FieldIndex); -1 when skipped
}

// maxIntoPlans bounds the Go types a structure plan keeps reading plans for; a further type
// replaces the oldest.
const maxIntoPlans = 4

// intoPlan returns the plan for t's struct type, made once per type: a structure plan keeps
// the plans of the last few types read into (a program reads a shape into one type, or a
// few), copied on write so that lookups take no lock.
func (p *structPlan) intoPlan(t *aws.Target) *intoPlan {
	typ := t.Type()
	old := p.into.Load()
	if old != nil {
		for _, ip := range *old {
			if ip.typ == typ {
				return ip
			}
		}
	}
	ip := &intoPlan{typ: typ, byWire: make(map[string]intoMember, len(p.byWire))}
	for k, m := range p.byWire {
		pos := -1
		if m.Location == models.Body {
			pos = t.FieldIndex(m.Name)
		}
		ip.byWire[k] = intoMember{m, pos}
	}
	plans := []*intoPlan{ip}
	if old != nil {
		plans = append(plans, (*old)[:min(len(*old), maxIntoPlans-1)]...)
	}
	p.into.CompareAndSwap(old, &plans) // a lost race only means the plan is made again later
	return ip
}
