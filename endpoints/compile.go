package endpoints

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// A RuleSet is a compiled endpoint rule set (endpoint-rule-set-1.json): typed parameters and
// rules whose references, functions and templates were checked and resolved to slots once, so
// that evaluation walks plain Go structures. A RuleSet is immutable and safe for concurrent use
// by any number of goroutines; its zero value is not usable: create one with Compile.
type RuleSet struct {
	version    string
	params     []Parameter
	byName     map[string]int
	byBuiltIn  map[string][]int // built-in name → params it feeds
	defaults   []value          // by param index; null when none
	required   []int            // required params without a default
	keyParams  []int            // params some rule reads: the ones that make up a cache key
	used       []bool           // by param index: some rule reads it
	rules      []*rule
	nslots     int
	partitions *Partitions
	frames     sync.Pool // *[]value of nslots
}

// ParamType is the type of a rule-set parameter.
type ParamType uint8

// The parameter types of the rules language.
const (
	StringType ParamType = iota + 1
	BooleanType
	StringArrayType
)

func (t ParamType) String() string {
	switch t {
	case StringType:
		return "string"
	case BooleanType:
		return "boolean"
	case StringArrayType:
		return "stringArray"
	}
	return "invalid"
}

// Parameter describes one parameter of a rule set.
type Parameter struct {
	Name          string
	Type          ParamType
	BuiltIn       string // e.g. "AWS::Region"; "" when the parameter is not a built-in
	Required      bool
	Default       any // string, bool or []string; nil when there is no default
	Deprecated    string
	Documentation string
}

// CompileError reports a rule set that cannot be compiled, with the JSON path of the problem
// (e.g. `rules[2].rules[0].conditions[1].argv[0]`).
type CompileError struct {
	Path string
	Msg  string
}

func (e *CompileError) Error() string {
	if e.Path == "" {
		return "endpoints: rule set: " + e.Msg
	}
	return "endpoints: rule set: " + e.Path + ": " + e.Msg
}

// maxRuleDepth bounds the nesting of rules and expressions, so a hostile document cannot
// exhaust the stack.
const maxRuleDepth = 200

type ruleType uint8

const (
	endpointRule ruleType = iota + 1
	errorRule
	treeRule
)

type rule struct {
	typ      ruleType
	conds    []cond
	endpoint *endpointTmpl // endpointRule
	err      *expr         // errorRule
	rules    []*rule       // treeRule
	path     string        // JSON path, for messages
	doc      string
}

type cond struct {
	fn     *expr
	assign int // slot, or -1
}

type exprOp uint8

const (
	opLit exprOp = iota + 1
	opRef
	opTemplate
	opFn
)

type expr struct {
	op    exprOp
	lit   value      // opLit
	slot  int        // opRef
	name  string     // opRef: the reference; opFn: the function name
	parts []tmplPart // opTemplate
	fn    fnID       // opFn
	args  []*expr    // opFn
	attr  []attrStep // opFn getAttr: the compiled path
	path  string     // JSON path, for run-time messages
}

// tmplPart is a literal piece of a template (slot < 0) or a `{name}` / `{name#path}` hole.
type tmplPart struct {
	lit  string
	slot int
	name string
	attr []attrStep
}

// attrStep is one step of a getAttr path: a field, or an index (field == "", index >= 0).
type attrStep struct {
	field string
	index int
}

type endpointTmpl struct {
	url     *expr
	headers []headerTmpl
	props   []propField
}

type headerTmpl struct {
	name string
	vals []*expr
}

type propField struct {
	key  string
	node *propNode
}

// propNode is a literal of the properties: constant, a template string, an object or an array.
type propNode struct {
	isConst bool
	konst   any
	tmpl    *expr
	obj     []propField
	arr     []*propNode
}

type fnID uint8

const (
	fnIsSet fnID = iota + 1
	fnNot
	fnGetAttr
	fnStringEquals
	fnBooleanEquals
	fnSubstring
	fnIsValidHostLabel
	fnParseURL
	fnURIEncode
	fnPartition
	fnParseArn
	fnIsVirtualHostableS3Bucket
)

var functions = map[string]struct {
	id    fnID
	arity int
}{
	"isSet":                         {fnIsSet, 1},
	"not":                           {fnNot, 1},
	"getAttr":                       {fnGetAttr, 2},
	"stringEquals":                  {fnStringEquals, 2},
	"booleanEquals":                 {fnBooleanEquals, 2},
	"substring":                     {fnSubstring, 4},
	"isValidHostLabel":              {fnIsValidHostLabel, 2},
	"parseURL":                      {fnParseURL, 1},
	"uriEncode":                     {fnURIEncode, 1},
	"aws.partition":                 {fnPartition, 1},
	"aws.parseArn":                  {fnParseArn, 1},
	"aws.isVirtualHostableS3Bucket": {fnIsVirtualHostableS3Bucket, 2},
}

// Compile parses and compiles an endpoint rule set (endpoint-rule-set-1.json). partitions
// serve the aws.partition function; nil means DefaultPartitions. Problems are reported as a
// *CompileError naming the JSON path.
func Compile(ruleSet []byte, partitions *Partitions) (*RuleSet, error) {
	if partitions == nil {
		var err error
		if partitions, err = DefaultPartitions(); err != nil {
			return nil, err
		}
	}
	dec := json.NewDecoder(bytes.NewReader(ruleSet))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, &CompileError{Msg: "invalid JSON: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &CompileError{Msg: "invalid JSON: data after the document"}
	}
	c := &compiler{rs: &RuleSet{partitions: partitions, byName: map[string]int{}, byBuiltIn: map[string][]int{}},
		slotOf: map[string]int{}, used: map[int]bool{}}
	if err := c.document(doc); err != nil {
		return nil, err
	}
	rs := c.rs
	rs.nslots = c.nslots
	rs.used = make([]bool, len(rs.params))
	for i := range rs.params {
		if c.used[i] {
			rs.keyParams = append(rs.keyParams, i)
			rs.used[i] = true
		}
	}
	n := rs.nslots
	rs.frames.New = func() any { f := make([]value, n); return &f }
	return rs, nil
}

type compiler struct {
	rs     *RuleSet
	nslots int
	slotOf map[string]int // assigned variable name → its slot (shared by sibling scopes)
	used   map[int]bool   // parameter slots read by some rule
}

func errAt(path, format string, args ...any) error {
	return &CompileError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

func keyPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func elemPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func (c *compiler) document(doc any) error {
	obj, ok := doc.(map[string]any)
	if !ok {
		return errAt("", "the document is %s, want an object", jsonType(doc))
	}
	if v, ok := obj["version"]; ok {
		s, ok := v.(string)
		if !ok {
			return errAt("version", "is %s, want a string", jsonType(v))
		}
		c.rs.version = s
	}
	params, ok := obj["parameters"].(map[string]any)
	if !ok {
		return errAt("parameters", "is %s, want an object", jsonType(obj["parameters"]))
	}
	if err := c.parameters(params); err != nil {
		return err
	}
	rules, ok := obj["rules"].([]any)
	if !ok {
		return errAt("rules", "is %s, want an array", jsonType(obj["rules"]))
	}
	scope := make(map[string]int, len(c.rs.params))
	for i, p := range c.rs.params {
		scope[p.Name] = i
	}
	var err error
	c.rs.rules, err = c.ruleList("rules", rules, scope, 0)
	return err
}

func (c *compiler) parameters(params map[string]any) error {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names) // a stable slot order; JSON objects have none
	for _, name := range names {
		path := "parameters." + name
		obj, ok := params[name].(map[string]any)
		if !ok {
			return errAt(path, "is %s, want an object", jsonType(params[name]))
		}
		if name == "" {
			return errAt(path, "empty parameter name")
		}
		p := Parameter{Name: name}
		ts, ok := obj["type"].(string)
		if !ok {
			return errAt(keyPath(path, "type"), "is %s, want a string", jsonType(obj["type"]))
		}
		switch strings.ToLower(ts) {
		case "string":
			p.Type = StringType
		case "boolean":
			p.Type = BooleanType
		case "stringarray":
			p.Type = StringArrayType
		default:
			return errAt(keyPath(path, "type"), "unknown parameter type %q", ts)
		}
		var err error
		if p.BuiltIn, err = optString(obj, "builtIn", path); err != nil {
			return err
		}
		if p.Documentation, err = optString(obj, "documentation", path); err != nil {
			return err
		}
		if r, ok := obj["required"]; ok {
			if p.Required, ok = r.(bool); !ok {
				return errAt(keyPath(path, "required"), "is %s, want a boolean", jsonType(r))
			}
		}
		if d, ok := obj["deprecated"]; ok {
			switch d := d.(type) {
			case map[string]any:
				msg, _ := d["message"].(string)
				since, _ := d["since"].(string)
				p.Deprecated = strings.TrimSpace(msg + " " + since)
				if p.Deprecated == "" {
					p.Deprecated = "deprecated"
				}
			case bool:
				if d {
					p.Deprecated = "deprecated"
				}
			default:
				return errAt(keyPath(path, "deprecated"), "is %s, want an object", jsonType(d))
			}
		}
		def := value{}
		if d, ok := obj["default"]; ok && d != nil {
			if def, err = convert(p.Type, d); err != nil {
				return errAt(keyPath(path, "default"), "%v", err)
			}
			p.Default = def.toAny()
		}
		idx := len(c.rs.params)
		c.rs.params = append(c.rs.params, p)
		c.rs.defaults = append(c.rs.defaults, def)
		c.rs.byName[name] = idx
		if p.BuiltIn != "" {
			c.rs.byBuiltIn[p.BuiltIn] = append(c.rs.byBuiltIn[p.BuiltIn], idx)
		}
		if p.Required && def.k == kNull {
			c.rs.required = append(c.rs.required, idx)
		}
	}
	c.nslots = len(c.rs.params)
	return nil
}

func optString(obj map[string]any, key, path string) (string, error) {
	v, ok := obj[key]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", errAt(keyPath(path, key), "is %s, want a string", jsonType(v))
	}
	return s, nil
}

func (c *compiler) ruleList(path string, list []any, scope map[string]int, depth int) ([]*rule, error) {
	if depth > maxRuleDepth {
		return nil, errAt(path, "rules nested deeper than %d", maxRuleDepth)
	}
	out := make([]*rule, 0, len(list))
	for i, x := range list {
		r, err := c.rule(elemPath(path, i), x, scope, depth)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (c *compiler) rule(path string, x any, outer map[string]int, depth int) (*rule, error) {
	obj, ok := x.(map[string]any)
	if !ok {
		return nil, errAt(path, "is %s, want an object", jsonType(x))
	}
	r := &rule{path: path}
	r.doc, _ = obj["documentation"].(string)
	ts, ok := obj["type"].(string)
	if !ok {
		return nil, errAt(keyPath(path, "type"), "is %s, want a string", jsonType(obj["type"]))
	}
	switch ts {
	case "endpoint":
		r.typ = endpointRule
	case "error":
		r.typ = errorRule
	case "tree":
		r.typ = treeRule
	default:
		return nil, errAt(keyPath(path, "type"), "unknown rule type %q", ts)
	}
	// The scope of a rule: its conditions' assignments are visible to later conditions and
	// to the rule's body, not to its siblings.
	scope, copied := outer, false
	if cs, ok := obj["conditions"]; ok && cs != nil {
		list, ok := cs.([]any)
		if !ok {
			return nil, errAt(keyPath(path, "conditions"), "is %s, want an array", jsonType(cs))
		}
		for i, cx := range list {
			cpath := elemPath(keyPath(path, "conditions"), i)
			cobj, ok := cx.(map[string]any)
			if !ok {
				return nil, errAt(cpath, "is %s, want an object", jsonType(cx))
			}
			if _, ok := cobj["fn"]; !ok {
				return nil, errAt(cpath, "a condition must call a function (fn)")
			}
			e, err := c.expr(cpath, cobj, scope, depth+1)
			if err != nil {
				return nil, err
			}
			cd := cond{fn: e, assign: -1}
			if a, ok := cobj["assign"]; ok {
				name, ok := a.(string)
				if !ok || name == "" {
					return nil, errAt(keyPath(cpath, "assign"), "is %s, want a non-empty string", jsonType(a))
				}
				if _, shadow := scope[name]; shadow {
					return nil, errAt(keyPath(cpath, "assign"), "%q is already defined in this scope", name)
				}
				slot, ok := c.slotOf[name]
				if !ok {
					slot = c.nslots
					c.nslots++
					c.slotOf[name] = slot
				}
				if !copied {
					scope, copied = copyScope(outer), true
				}
				scope[name] = slot
				cd.assign = slot
			}
			r.conds = append(r.conds, cd)
		}
	}
	switch r.typ {
	case endpointRule:
		ep, err := c.endpoint(keyPath(path, "endpoint"), obj["endpoint"], scope, depth+1)
		if err != nil {
			return nil, err
		}
		r.endpoint = ep
	case errorRule:
		ex, ok := obj["error"]
		if !ok {
			return nil, errAt(keyPath(path, "error"), "missing")
		}
		e, err := c.expr(keyPath(path, "error"), ex, scope, depth+1)
		if err != nil {
			return nil, err
		}
		r.err = e
	case treeRule:
		list, ok := obj["rules"].([]any)
		if !ok {
			return nil, errAt(keyPath(path, "rules"), "is %s, want an array", jsonType(obj["rules"]))
		}
		sub, err := c.ruleList(keyPath(path, "rules"), list, scope, depth+1)
		if err != nil {
			return nil, err
		}
		r.rules = sub
	}
	return r, nil
}

func copyScope(m map[string]int) map[string]int {
	out := make(map[string]int, len(m)+4)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (c *compiler) endpoint(path string, x any, scope map[string]int, depth int) (*endpointTmpl, error) {
	obj, ok := x.(map[string]any)
	if !ok {
		return nil, errAt(path, "is %s, want an object", jsonType(x))
	}
	ux, ok := obj["url"]
	if !ok {
		return nil, errAt(keyPath(path, "url"), "missing")
	}
	u, err := c.expr(keyPath(path, "url"), ux, scope, depth+1)
	if err != nil {
		return nil, err
	}
	ep := &endpointTmpl{url: u}
	if hx, ok := obj["headers"]; ok && hx != nil {
		hobj, ok := hx.(map[string]any)
		if !ok {
			return nil, errAt(keyPath(path, "headers"), "is %s, want an object", jsonType(hx))
		}
		for _, name := range sortedKeys(hobj) {
			hpath := keyPath(keyPath(path, "headers"), name)
			list, ok := hobj[name].([]any)
			if !ok {
				return nil, errAt(hpath, "is %s, want an array", jsonType(hobj[name]))
			}
			h := headerTmpl{name: name}
			for i, vx := range list {
				e, err := c.expr(elemPath(hpath, i), vx, scope, depth+1)
				if err != nil {
					return nil, err
				}
				h.vals = append(h.vals, e)
			}
			ep.headers = append(ep.headers, h)
		}
	}
	if px, ok := obj["properties"]; ok && px != nil {
		pobj, ok := px.(map[string]any)
		if !ok {
			return nil, errAt(keyPath(path, "properties"), "is %s, want an object", jsonType(px))
		}
		for _, key := range sortedKeys(pobj) {
			n, err := c.prop(keyPath(keyPath(path, "properties"), key), pobj[key], scope, depth+1)
			if err != nil {
				return nil, err
			}
			ep.props = append(ep.props, propField{key, n})
		}
	}
	return ep, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// prop compiles a property literal: strings are templates; objects and arrays nest; other
// JSON values are constants. Subtrees without templates are folded into constants.
func (c *compiler) prop(path string, x any, scope map[string]int, depth int) (*propNode, error) {
	if depth > maxRuleDepth {
		return nil, errAt(path, "nested deeper than %d", maxRuleDepth)
	}
	switch x := x.(type) {
	case string:
		e, err := c.template(path, x, scope)
		if err != nil {
			return nil, err
		}
		if e.op == opLit {
			return &propNode{isConst: true, konst: e.lit.s}, nil
		}
		return &propNode{tmpl: e}, nil
	case map[string]any:
		n := &propNode{isConst: true}
		konst := make(map[string]any, len(x))
		for _, k := range sortedKeys(x) {
			sub, err := c.prop(keyPath(path, k), x[k], scope, depth+1)
			if err != nil {
				return nil, err
			}
			n.obj = append(n.obj, propField{k, sub})
			n.isConst = n.isConst && sub.isConst
			konst[k] = sub.konst
		}
		if n.isConst {
			n.konst, n.obj = konst, nil
		}
		return n, nil
	case []any:
		n := &propNode{isConst: true, arr: []*propNode{}}
		konst := make([]any, len(x))
		for i, e := range x {
			sub, err := c.prop(elemPath(path, i), e, scope, depth+1)
			if err != nil {
				return nil, err
			}
			n.arr = append(n.arr, sub)
			n.isConst = n.isConst && sub.isConst
			konst[i] = sub.konst
		}
		if n.isConst {
			n.konst, n.arr = konst, nil
		}
		return n, nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil, errAt(path, "invalid number %s", x)
		}
		return &propNode{isConst: true, konst: f}, nil
	case bool, nil:
		return &propNode{isConst: true, konst: x}, nil
	}
	return nil, errAt(path, "unsupported property value %s", jsonType(x))
}

// expr compiles an expression: a template or literal string, a boolean or integer literal, a
// reference {"ref": name} or a function call {"fn": name, "argv": [...]}.
func (c *compiler) expr(path string, x any, scope map[string]int, depth int) (*expr, error) {
	if depth > maxRuleDepth {
		return nil, errAt(path, "expressions nested deeper than %d", maxRuleDepth)
	}
	switch x := x.(type) {
	case string:
		return c.template(path, x, scope)
	case bool:
		return &expr{op: opLit, lit: boolValue(x), path: path}, nil
	case json.Number:
		n, err := strconv.ParseInt(x.String(), 10, 32)
		if err != nil {
			return nil, errAt(path, "number %s is not a 32-bit integer", x)
		}
		return &expr{op: opLit, lit: value{k: kInt, n: int32(n)}, path: path}, nil
	case []any:
		v, err := fromJSON(x)
		if err != nil {
			return nil, errAt(path, "array literal: %v", err)
		}
		return &expr{op: opLit, lit: v, path: path}, nil
	case map[string]any:
		if ref, ok := x["ref"]; ok {
			name, ok := ref.(string)
			if !ok {
				return nil, errAt(keyPath(path, "ref"), "is %s, want a string", jsonType(ref))
			}
			slot, err := c.lookup(keyPath(path, "ref"), name, scope)
			if err != nil {
				return nil, err
			}
			return &expr{op: opRef, slot: slot, name: name, path: path}, nil
		}
		if fx, ok := x["fn"]; ok {
			return c.call(path, x, fx, scope, depth)
		}
		return nil, errAt(path, "an object expression needs ref or fn")
	}
	return nil, errAt(path, "unsupported expression %s", jsonType(x))
}

func (c *compiler) lookup(path, name string, scope map[string]int) (int, error) {
	slot, ok := scope[name]
	if !ok {
		return 0, errAt(path, "unknown reference %q (not a parameter, nor assigned in scope)", name)
	}
	if slot < len(c.rs.params) {
		c.used[slot] = true
	}
	return slot, nil
}

func (c *compiler) call(path string, obj map[string]any, fx any, scope map[string]int, depth int) (*expr, error) {
	name, ok := fx.(string)
	if !ok {
		return nil, errAt(keyPath(path, "fn"), "is %s, want a string", jsonType(fx))
	}
	f, ok := functions[name]
	if !ok {
		return nil, errAt(keyPath(path, "fn"), "unknown function %q", name)
	}
	argv, ok := obj["argv"].([]any)
	if !ok {
		return nil, errAt(keyPath(path, "argv"), "is %s, want an array", jsonType(obj["argv"]))
	}
	if len(argv) != f.arity {
		return nil, errAt(keyPath(path, "argv"), "%s takes %d arguments, got %d", name, f.arity, len(argv))
	}
	e := &expr{op: opFn, fn: f.id, name: name, path: path}
	for i, ax := range argv {
		apath := elemPath(keyPath(path, "argv"), i)
		if f.id == fnGetAttr && i == 1 {
			s, ok := ax.(string)
			if !ok {
				return nil, errAt(apath, "getAttr path is %s, want a string", jsonType(ax))
			}
			steps, err := parseAttrPath(s)
			if err != nil {
				return nil, errAt(apath, "%v", err)
			}
			e.attr = steps
			continue
		}
		a, err := c.expr(apath, ax, scope, depth+1)
		if err != nil {
			return nil, err
		}
		e.args = append(e.args, a)
	}
	if err := checkLiterals(e); err != nil {
		return nil, err
	}
	return e, nil
}

// checkLiterals rejects literal arguments of the wrong type (references are checked when the
// rules run).
func checkLiterals(e *expr) error {
	want := func(i int, k kind) error {
		a := e.args[i]
		if a.op == opLit && a.lit.k != k {
			return errAt(a.path, "%s argument %d is %s, want %s", e.name, i+1, a.lit.k, k)
		}
		if a.op == opTemplate && k != kString {
			return errAt(a.path, "%s argument %d is a string, want %s", e.name, i+1, k)
		}
		return nil
	}
	var errs []error
	switch e.fn {
	case fnNot:
		errs = append(errs, want(0, kBool))
	case fnStringEquals:
		errs = append(errs, want(0, kString), want(1, kString))
	case fnBooleanEquals:
		errs = append(errs, want(0, kBool), want(1, kBool))
	case fnSubstring:
		errs = append(errs, want(0, kString), want(1, kInt), want(2, kInt), want(3, kBool))
	case fnIsValidHostLabel, fnIsVirtualHostableS3Bucket:
		errs = append(errs, want(0, kString), want(1, kBool))
	case fnParseURL, fnURIEncode, fnPartition, fnParseArn:
		errs = append(errs, want(0, kString))
	}
	return errors.Join(errs...)
}

// parseAttrPath parses a getAttr path: fields separated by dots, each optionally followed by
// an index, e.g. `resourceId[2]`, `a.b[0]`, `[0]`.
func parseAttrPath(s string) ([]attrStep, error) {
	if s == "" {
		return nil, errors.New("empty getAttr path")
	}
	var steps []attrStep
	for _, part := range strings.Split(s, ".") {
		field := part
		idx := -1
		if open := strings.IndexByte(part, '['); open >= 0 {
			if !strings.HasSuffix(part, "]") {
				return nil, fmt.Errorf("getAttr path %q: unclosed index", s)
			}
			n, err := strconv.Atoi(part[open+1 : len(part)-1])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("getAttr path %q: index must be a non-negative integer", s)
			}
			field, idx = part[:open], n
		}
		if field == "" && idx < 0 {
			return nil, fmt.Errorf("getAttr path %q: empty segment", s)
		}
		if strings.ContainsAny(field, "[]{}#") {
			return nil, fmt.Errorf("getAttr path %q: invalid field %q", s, field)
		}
		if field != "" {
			steps = append(steps, attrStep{field: field, index: -1})
		}
		if idx >= 0 {
			steps = append(steps, attrStep{index: idx})
		}
	}
	return steps, nil
}

// template compiles a template string: `{name}` and `{name#path}` holes, `{{` and `}}` for
// literal braces. A string without holes is a literal.
func (c *compiler) template(path, s string, scope map[string]int) (*expr, error) {
	if !strings.ContainsAny(s, "{}") {
		return &expr{op: opLit, lit: strValue(s), path: path}, nil
	}
	var parts []tmplPart
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, tmplPart{lit: lit.String(), slot: -1})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		ch := s[i]
		switch {
		case ch == '{' && i+1 < len(s) && s[i+1] == '{':
			lit.WriteByte('{')
			i += 2
		case ch == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte('}')
			i += 2
		case ch == '}':
			return nil, errAt(path, "template %q: unmatched }", s)
		case ch == '{':
			end := strings.IndexByte(s[i+1:], '}')
			if end < 0 {
				return nil, errAt(path, "template %q: unclosed {", s)
			}
			hole := s[i+1 : i+1+end]
			i += end + 2
			name, attrPath, hasAttr := strings.Cut(hole, "#")
			if name == "" || strings.ContainsAny(name, "{") {
				return nil, errAt(path, "template %q: invalid reference %q", s, hole)
			}
			slot, err := c.lookup(path, name, scope)
			if err != nil {
				return nil, err
			}
			p := tmplPart{slot: slot, name: name}
			if hasAttr {
				if p.attr, err = parseAttrPath(attrPath); err != nil {
					return nil, errAt(path, "template %q: %v", s, err)
				}
			}
			flush()
			parts = append(parts, p)
		default:
			lit.WriteByte(ch)
			i++
		}
	}
	flush()
	if len(parts) == 1 && parts[0].slot < 0 {
		return &expr{op: opLit, lit: strValue(parts[0].lit), path: path}, nil
	}
	if len(parts) == 0 {
		return &expr{op: opLit, lit: strValue(""), path: path}, nil
	}
	return &expr{op: opTemplate, parts: parts, path: path}, nil
}

func jsonType(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", x)
}

// Version returns the rule set's version field.
func (rs *RuleSet) Version() string { return rs.version }

// Parameters returns the rule set's parameters, sorted by name. The slice must not be modified.
func (rs *RuleSet) Parameters() []Parameter { return rs.params }

// Parameter returns the named parameter.
func (rs *RuleSet) Parameter(name string) (Parameter, bool) {
	i, ok := rs.byName[name]
	if !ok {
		return Parameter{}, false
	}
	return rs.params[i], true
}
