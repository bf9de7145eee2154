package endpoints

import (
	"errors"
	"fmt"
	"strings"
)

// Endpoint is a resolved endpoint. Headers and Properties (and the AuthSchemes slice) may be
// shared with the rule set and with other callers through the resolver's cache, so they must
// be treated as read-only.
type Endpoint struct {
	URL string
	// Headers to add to the request, by name; nil when the rule sets none.
	Headers map[string][]string
	// Properties as the rule set wrote them (e.g. "authSchemes"); strings, bools, float64
	// numbers, []any and map[string]any. nil when the rule sets none.
	Properties map[string]any

	authSchemes []AuthScheme
}

// AuthScheme is one entry of the "authSchemes" endpoint property: how to sign for this
// endpoint. Fields the rule does not set are zero.
type AuthScheme struct {
	Name                  string   // e.g. "sigv4", "sigv4a", "sigv4-s3express"
	SigningName           string   // e.g. "s3"
	SigningRegion         string   // sigv4
	SigningRegionSet      []string // sigv4a, e.g. ["*"]
	DisableDoubleEncoding bool
	DisableNormalizePath  bool
	// Properties holds every field of the entry, including the ones above.
	Properties map[string]any
}

// AuthSchemes returns the endpoint's auth schemes in order of preference (nil when the
// endpoint has none). The slice must not be modified.
func (e Endpoint) AuthSchemes() []AuthScheme { return e.authSchemes }

// RuleError is the error a rule set's error rule resolves to, e.g. "Invalid Configuration:
// FIPS and custom endpoint are not supported". Match it with errors.As.
type RuleError struct {
	Message string // the rule's message, exactly
	Rule    string // the JSON path of the error rule, e.g. "rules[0].rules[1]"
}

func (e *RuleError) Error() string { return "endpoints: " + e.Message }

// ErrNoMatch is reported (wrapped) when no rule of the rule set, or no rule of a tree rule
// whose conditions held, applies to the parameters.
var ErrNoMatch = errors.New("endpoints: no endpoint rule matched the parameters")

// ErrMissingParam is reported (wrapped, naming the parameter) when a required parameter
// without a default is unset.
var ErrMissingParam = errors.New("endpoints: missing required parameter")

// Resolve evaluates the rule set for p, without caching. It returns the endpoint, a
// *RuleError when an error rule applies, or another error (ErrNoMatch, ErrMissingParam, a
// type error in the rules). Resolve is safe for concurrent use.
func (rs *RuleSet) Resolve(p *Params) (Endpoint, error) {
	if p == nil || p.rs != rs {
		return Endpoint{}, errors.New("endpoints: Params belong to another rule set")
	}
	return rs.resolve(p.vals)
}

// ResolveMap is Resolve with the parameters given by name (values as for Params.Set).
func (rs *RuleSet) ResolveMap(params map[string]any) (Endpoint, error) {
	p := rs.NewParams()
	for name, v := range params {
		if err := p.Set(name, v); err != nil {
			return Endpoint{}, err
		}
	}
	return rs.resolve(p.vals)
}

func (rs *RuleSet) checkRequired(vals []value) error {
	for _, i := range rs.required {
		if vals[i].k == kNull {
			return fmt.Errorf("%w %s", ErrMissingParam, rs.params[i].Name)
		}
	}
	return nil
}

func (rs *RuleSet) resolve(vals []value) (Endpoint, error) {
	if err := rs.checkRequired(vals); err != nil {
		return Endpoint{}, err
	}
	fp := rs.frames.Get().(*[]value)
	frame := *fp
	copy(frame, vals)
	for i, d := range rs.defaults {
		if frame[i].k == kNull {
			frame[i] = d
		}
	}
	ev := evaluator{rs: rs, frame: frame}
	ep, matched, err := ev.rules(rs.rules)
	clear(frame)
	rs.frames.Put(fp)
	if err == nil && !matched {
		err = ErrNoMatch
	}
	return ep, err
}

type evaluator struct {
	rs    *RuleSet
	frame []value
}

func (ev *evaluator) rules(list []*rule) (Endpoint, bool, error) {
	for _, r := range list {
		ok, err := ev.conditions(r)
		if err != nil {
			return Endpoint{}, true, err
		}
		if !ok {
			continue
		}
		switch r.typ {
		case endpointRule:
			ep, err := ev.endpoint(r)
			return ep, true, err
		case errorRule:
			v, err := ev.eval(r.err)
			if err != nil {
				return Endpoint{}, true, err
			}
			if v.k != kString {
				return Endpoint{}, true, fmt.Errorf("endpoints: %s: error message is %s, want a string", r.path, v.k)
			}
			return Endpoint{}, true, &RuleError{Message: v.s, Rule: r.path}
		case treeRule:
			ep, matched, err := ev.rules(r.rules)
			if err == nil && !matched {
				err = fmt.Errorf("%w (tree rule %s)", ErrNoMatch, r.path)
			}
			return ep, true, err
		}
	}
	return Endpoint{}, false, nil
}

func (ev *evaluator) conditions(r *rule) (bool, error) {
	for i := range r.conds {
		c := &r.conds[i]
		v, err := ev.call(c.fn)
		if err != nil {
			return false, err
		}
		if c.assign >= 0 {
			ev.frame[c.assign] = v
		}
		if !v.truthy() {
			return false, nil
		}
	}
	return true, nil
}

func (ev *evaluator) eval(e *expr) (value, error) {
	switch e.op {
	case opLit:
		return e.lit, nil
	case opRef:
		return ev.frame[e.slot], nil
	case opTemplate:
		s, err := ev.template(e)
		return strValue(s), err
	case opFn:
		return ev.call(e)
	}
	return value{}, fmt.Errorf("endpoints: %s: invalid expression", e.path)
}

func typeErr(e *expr, i int, got value, want kind) error {
	return fmt.Errorf("endpoints: %s: %s argument %d is %s, want %s", e.path, e.name, i+1, got.k, want)
}

func (ev *evaluator) call(e *expr) (value, error) {
	var args [4]value
	for i, a := range e.args {
		v, err := ev.eval(a)
		if err != nil {
			return value{}, err
		}
		args[i] = v
	}
	switch e.fn {
	case fnIsSet:
		return boolValue(args[0].k != kNull), nil
	case fnNot:
		if args[0].k != kBool {
			return value{}, typeErr(e, 0, args[0], kBool)
		}
		return boolValue(!args[0].b), nil
	case fnGetAttr:
		return getAttr(args[0], e.attr), nil
	case fnStringEquals:
		for i := range 2 {
			if args[i].k != kString {
				return value{}, typeErr(e, i, args[i], kString)
			}
		}
		return boolValue(args[0].s == args[1].s), nil
	case fnBooleanEquals:
		for i := range 2 {
			if args[i].k != kBool {
				return value{}, typeErr(e, i, args[i], kBool)
			}
		}
		return boolValue(args[0].b == args[1].b), nil
	case fnSubstring:
		if args[0].k == kNull {
			return value{}, nil
		}
		if args[0].k != kString {
			return value{}, typeErr(e, 0, args[0], kString)
		}
		if args[1].k != kInt || args[2].k != kInt || args[3].k != kBool {
			return value{}, fmt.Errorf("endpoints: %s: substring takes (string, int, int, bool)", e.path)
		}
		s, ok := substring(args[0].s, int(args[1].n), int(args[2].n), args[3].b)
		if !ok {
			return value{}, nil
		}
		return strValue(s), nil
	case fnIsValidHostLabel, fnIsVirtualHostableS3Bucket:
		if args[0].k == kNull {
			return boolValue(false), nil
		}
		if args[0].k != kString {
			return value{}, typeErr(e, 0, args[0], kString)
		}
		if args[1].k != kBool {
			return value{}, typeErr(e, 1, args[1], kBool)
		}
		if e.fn == fnIsValidHostLabel {
			return boolValue(isValidHostLabel(args[0].s, args[1].b)), nil
		}
		return boolValue(isVirtualHostableS3Bucket(args[0].s, args[1].b)), nil
	case fnParseURL:
		if args[0].k == kNull {
			return value{}, nil
		}
		if args[0].k != kString {
			return value{}, typeErr(e, 0, args[0], kString)
		}
		u, ok := parseURL(args[0].s)
		if !ok {
			return value{}, nil
		}
		return value{k: kRecord, rec: &record{kind: urlRecord, url: u}}, nil
	case fnURIEncode:
		if args[0].k != kString {
			return value{}, typeErr(e, 0, args[0], kString)
		}
		return strValue(uriEncode(args[0].s)), nil
	case fnPartition:
		if args[0].k == kNull {
			return value{}, nil
		}
		if args[0].k != kString {
			return value{}, typeErr(e, 0, args[0], kString)
		}
		return ev.rs.partitions.find(args[0].s).value, nil
	case fnParseArn:
		if args[0].k == kNull {
			return value{}, nil
		}
		if args[0].k != kString {
			return value{}, typeErr(e, 0, args[0], kString)
		}
		a, ok := parseArn(args[0].s)
		if !ok {
			return value{}, nil
		}
		return arnValue(a), nil
	}
	return value{}, fmt.Errorf("endpoints: %s: unknown function %s", e.path, e.name)
}

// arnValue makes the record of a parsed ARN, with its resource id array, in one allocation.
func arnValue(a arnParts) value {
	x := &struct{ main, ids record }{}
	x.ids = record{kind: arrayRecord, arr: a.ResourceID}
	x.main = record{kind: arnRecord, arn: a, ids: &x.ids}
	return value{k: kRecord, rec: &x.main}
}

// getAttr follows a compiled path; a missing field, an index out of range or a step into a
// value of the wrong kind gives null.
func getAttr(v value, steps []attrStep) value {
	for _, st := range steps {
		switch {
		case st.field != "":
			if v.k != kRecord {
				return value{}
			}
			v = v.rec.field(st.field)
		default:
			items := v.items()
			if v.k != kArray || st.index >= len(items) {
				return value{}
			}
			v = strValue(items[st.index])
		}
	}
	return v
}

func (ev *evaluator) template(e *expr) (string, error) {
	var holes [8]string
	var vals []string
	if len(e.parts) <= len(holes) {
		vals = holes[:len(e.parts)]
	} else {
		vals = make([]string, len(e.parts))
	}
	n := 0
	for i, p := range e.parts {
		if p.slot < 0 {
			vals[i] = p.lit
		} else {
			v := ev.frame[p.slot]
			if p.attr != nil {
				v = getAttr(v, p.attr)
			}
			if v.k != kString {
				return "", fmt.Errorf("endpoints: %s: template value {%s} is %s, want a string", e.path, p.name, v.k)
			}
			vals[i] = v.s
		}
		n += len(vals[i])
	}
	if len(vals) == 1 {
		return vals[0], nil
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range vals {
		b.WriteString(s)
	}
	return b.String(), nil
}

func (ev *evaluator) endpoint(r *rule) (Endpoint, error) {
	t := r.endpoint
	u, err := ev.eval(t.url)
	if err != nil {
		return Endpoint{}, err
	}
	if u.k != kString {
		return Endpoint{}, fmt.Errorf("endpoints: %s: url is %s, want a string", r.path, u.k)
	}
	ep := Endpoint{URL: u.s}
	if len(t.headers) > 0 {
		ep.Headers = make(map[string][]string, len(t.headers))
		for _, h := range t.headers {
			vals := make([]string, 0, len(h.vals))
			for _, e := range h.vals {
				v, err := ev.eval(e)
				if err != nil {
					return Endpoint{}, err
				}
				if v.k != kString {
					return Endpoint{}, fmt.Errorf("endpoints: %s: header value is %s, want a string", e.path, v.k)
				}
				vals = append(vals, v.s)
			}
			ep.Headers[h.name] = vals
		}
	}
	if len(t.props) > 0 {
		ep.Properties = make(map[string]any, len(t.props))
		for _, f := range t.props {
			v, err := ev.prop(f.node)
			if err != nil {
				return Endpoint{}, err
			}
			ep.Properties[f.key] = v
		}
		ep.authSchemes = authSchemesOf(ep.Properties)
	}
	return ep, nil
}

func (ev *evaluator) prop(n *propNode) (any, error) {
	switch {
	case n.isConst:
		return n.konst, nil
	case n.tmpl != nil:
		v, err := ev.eval(n.tmpl)
		if err != nil {
			return nil, err
		}
		return v.s, nil
	case n.obj != nil:
		m := make(map[string]any, len(n.obj))
		for _, f := range n.obj {
			v, err := ev.prop(f.node)
			if err != nil {
				return nil, err
			}
			m[f.key] = v
		}
		return m, nil
	default:
		a := make([]any, len(n.arr))
		for i, sub := range n.arr {
			v, err := ev.prop(sub)
			if err != nil {
				return nil, err
			}
			a[i] = v
		}
		return a, nil
	}
}

// authSchemesOf reads the "authSchemes" property into typed form.
func authSchemesOf(props map[string]any) []AuthScheme {
	list, ok := props["authSchemes"].([]any)
	if !ok {
		return nil
	}
	out := make([]AuthScheme, 0, len(list))
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			continue
		}
		s := AuthScheme{Properties: m}
		s.Name, _ = m["name"].(string)
		s.SigningName, _ = m["signingName"].(string)
		s.SigningRegion, _ = m["signingRegion"].(string)
		s.DisableDoubleEncoding, _ = m["disableDoubleEncoding"].(bool)
		s.DisableNormalizePath, _ = m["disableNormalizePath"].(bool)
		if set, ok := m["signingRegionSet"].([]any); ok {
			for _, r := range set {
				if r, ok := r.(string); ok {
					s.SigningRegionSet = append(s.SigningRegionSet, r)
				}
			}
		}
		out = append(out, s)
	}
	return out
}
