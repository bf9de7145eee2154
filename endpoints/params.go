package endpoints

import (
	"fmt"
)

// Params holds values for the parameters of one RuleSet; a parameter left unset takes its
// default, if it has one, when the rules run. Get one from RuleSet.NewParams or
// Resolver.Params. A Params is not safe for concurrent modification; once filled it may be
// read (resolved) by many goroutines at once.
type Params struct {
	rs   *RuleSet
	vals []value // by parameter index; null = unset
}

// NewParams returns an empty parameter set for rs.
func (rs *RuleSet) NewParams() *Params {
	return &Params{rs: rs, vals: make([]value, len(rs.params))}
}

// RuleSet returns the rule set p belongs to.
func (p *Params) RuleSet() *RuleSet { return p.rs }

// Set sets the named parameter. v must match the parameter's type: a string, a bool, or a
// []string (or []any of strings) for stringArray parameters; nil unsets it.
func (p *Params) Set(name string, v any) error {
	i, ok := p.rs.byName[name]
	if !ok {
		return fmt.Errorf("endpoints: unknown parameter %q", name)
	}
	val, err := convert(p.rs.params[i].Type, v)
	if err != nil {
		return fmt.Errorf("endpoints: parameter %s: %w", name, err)
	}
	p.vals[i] = val
	return nil
}

// SetBuiltIn sets every parameter fed by the named built-in (e.g. "AWS::Region"), and reports
// whether the rule set has one. v is as for Set.
func (p *Params) SetBuiltIn(builtIn string, v any) (bool, error) {
	idx := p.rs.byBuiltIn[builtIn]
	for _, i := range idx {
		val, err := convert(p.rs.params[i].Type, v)
		if err != nil {
			return true, fmt.Errorf("endpoints: built-in %s (parameter %s): %w", builtIn, p.rs.params[i].Name, err)
		}
		p.vals[i] = val
	}
	return len(idx) > 0, nil
}

// Get returns the value of the named parameter as set (defaults are not applied), and whether
// it is set.
func (p *Params) Get(name string) (any, bool) {
	i, ok := p.rs.byName[name]
	if !ok || p.vals[i].k == kNull {
		return nil, false
	}
	return p.vals[i].toAny(), true
}

// Reset unsets every parameter.
func (p *Params) Reset() { clear(p.vals) }

// Clone returns an independent copy of p.
func (p *Params) Clone() *Params {
	return &Params{rs: p.rs, vals: append([]value(nil), p.vals...)}
}

// convert checks x against parameter type t and converts it.
func convert(t ParamType, x any) (value, error) {
	if x == nil {
		return value{}, nil
	}
	switch t {
	case StringType:
		if s, ok := x.(string); ok {
			return strValue(s), nil
		}
	case BooleanType:
		if b, ok := x.(bool); ok {
			return boolValue(b), nil
		}
	case StringArrayType:
		switch a := x.(type) {
		case []string:
			return arrValue(append([]string(nil), a...)), nil
		case []any:
			out := make([]string, len(a))
			for i, e := range a {
				s, ok := e.(string)
				if !ok {
					return value{}, fmt.Errorf("element %d is %T, want string", i, e)
				}
				out[i] = s
			}
			return arrValue(out), nil
		}
	}
	return value{}, fmt.Errorf("got %T, want %s", x, t)
}
