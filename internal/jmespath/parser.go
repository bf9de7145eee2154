package jmespath

import "fmt"

type nodeKind uint8

const (
	nField           nodeKind = iota // name of the current object
	nCurrent                         // @
	nLiteral                         // value
	nSubexpr                         // right evaluated on left (null if left is null)
	nIndex                           // index of the current array
	nSlice                           // slice of the current array
	nProjection                      // right on each element of the array left
	nValueProjection                 // right on each value of the object left
	nFlatten                         // left flattened one level
	nFilter                          // right on each element of the array left for which cond is truthy
	nMultiList                       // [args...]
	nMultiHash                       // {keys[i]: args[i]...}
	nOr                              // left || right
	nAnd                             // left && right
	nNot                             // !left
	nCompare                         // left op right
	nPipe                            // left | right
	nFunction                        // fn(args...)
	nExpref                          // &left
)

// node is a node of the syntax tree. Nodes are never modified after parsing.
type node struct {
	kind   nodeKind
	quoted bool      // nField: the identifier was quoted
	pos    int       // nField, nFunction: offset of the identifier
	op     tokenKind // nCompare: tEQ … tGE
	name   string    // nField
	value  any       // nLiteral
	index  int       // nIndex
	slice  sliceSpec // nSlice
	fn     *function // nFunction
	left   *node
	right  *node
	cond   *node    // nFilter
	args   []*node  // nMultiList, nMultiHash, nFunction
	keys   []string // nMultiHash
	path   []step   // nSubexpr: set after parsing when it is a chain of fields and indexes
}

type sliceSpec struct {
	start, stop, step int
	hasStart, hasStop bool
}

// Binding powers of the tokens that may follow an expression. A projection collects the
// right-hand side while the tokens bind more tightly than projectionStop.
var bindingPower = [...]int{
	tPipe: 1, tOr: 2, tAnd: 3,
	tEQ: 5, tNE: 5, tLT: 5, tLE: 5, tGT: 5, tGE: 5,
	tFlatten: 9, tStar: 20, tFilter: 21, tDot: 40, tNot: 45,
	tLBrace: 50, tLBracket: 55, tLParen: 60,
}

const (
	projectionStop = 10
	maxDepth       = 256 // nesting limit, so hostile expressions cannot exhaust the stack
)

var currentNode = &node{kind: nCurrent}

type parser struct {
	toks  []token
	p     int
	depth int
}

func parse(expr string) (*node, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	ps := &parser{toks: toks}
	n, err := ps.expression(0)
	if err != nil {
		return nil, err
	}
	if t := ps.peek(); t.kind != tEOF {
		return nil, syntaxErr(t.pos, "unexpected %s", describe(t))
	}
	return n, nil
}

func describe(t token) string {
	switch t.kind {
	case tIdent, tNumber:
		return fmt.Sprintf("%s %s", t.kind, t.text)
	case tQuoted:
		return fmt.Sprintf("%s %q", t.kind, t.text)
	}
	return t.kind.String()
}

func (ps *parser) peek() token         { return ps.toks[ps.p] }
func (ps *parser) peekKind() tokenKind { return ps.toks[ps.p].kind }
func (ps *parser) peekKind2() tokenKind {
	if ps.p+1 < len(ps.toks) {
		return ps.toks[ps.p+1].kind
	}
	return tEOF
}
func (ps *parser) next() token {
	t := ps.toks[ps.p]
	if t.kind != tEOF {
		ps.p++
	}
	return t
}

func (ps *parser) expect(k tokenKind) error {
	t := ps.next()
	if t.kind != k {
		return syntaxErr(t.pos, "expected %s, found %s", k, describe(t))
	}
	return nil
}

// expression parses an expression whose operators bind more tightly than rbp.
func (ps *parser) expression(rbp int) (*node, error) {
	ps.depth++
	defer func() { ps.depth-- }()
	if ps.depth > maxDepth {
		return nil, syntaxErr(ps.peek().pos, "expression nested more than %d deep", maxDepth)
	}
	left, err := ps.nud(ps.next())
	if err != nil {
		return nil, err
	}
	for rbp < bindingPower[ps.peekKind()] {
		left, err = ps.led(ps.next(), left)
		if err != nil {
			return nil, err
		}
	}
	return left, nil
}

// nud parses an expression that starts with t.
func (ps *parser) nud(t token) (*node, error) {
	switch t.kind {
	case tIdent:
		return &node{kind: nField, name: t.text, pos: t.pos}, nil
	case tQuoted:
		return &node{kind: nField, name: t.text, quoted: true, pos: t.pos}, nil
	case tLiteral, tRawString:
		return &node{kind: nLiteral, value: t.val}, nil
	case tCurrent:
		return currentNode, nil
	case tStar:
		rhs, err := ps.projectionRHS(bindingPower[tStar])
		if err != nil {
			return nil, err
		}
		return &node{kind: nValueProjection, left: currentNode, right: rhs}, nil
	case tFlatten:
		rhs, err := ps.projectionRHS(bindingPower[tFlatten])
		if err != nil {
			return nil, err
		}
		return &node{kind: nProjection, left: &node{kind: nFlatten, left: currentNode}, right: rhs}, nil
	case tFilter:
		return ps.filter(currentNode)
	case tLBracket:
		switch k := ps.peekKind(); {
		case k == tNumber || k == tColon:
			return ps.indexOrSlice(currentNode)
		case k == tStar && ps.peekKind2() == tRBracket:
			ps.next()
			ps.next()
			rhs, err := ps.projectionRHS(bindingPower[tStar])
			if err != nil {
				return nil, err
			}
			return &node{kind: nProjection, left: currentNode, right: rhs}, nil
		}
		return ps.multiSelectList()
	case tLBrace:
		return ps.multiSelectHash()
	case tLParen:
		n, err := ps.expression(0)
		if err != nil {
			return nil, err
		}
		if err := ps.expect(tRParen); err != nil {
			return nil, err
		}
		return n, nil
	case tNot:
		n, err := ps.expression(bindingPower[tNot])
		if err != nil {
			return nil, err
		}
		return &node{kind: nNot, left: n}, nil
	case tExpref:
		n, err := ps.expression(0)
		if err != nil {
			return nil, err
		}
		return &node{kind: nExpref, left: n}, nil
	case tEOF:
		return nil, syntaxErr(t.pos, "unexpected end of expression")
	}
	return nil, syntaxErr(t.pos, "unexpected %s", describe(t))
}

// led parses the rest of an expression whose left part is left and whose next token is t.
func (ps *parser) led(t token, left *node) (*node, error) {
	switch t.kind {
	case tDot:
		if ps.peekKind() == tStar {
			ps.next()
			rhs, err := ps.projectionRHS(bindingPower[tStar])
			if err != nil {
				return nil, err
			}
			return &node{kind: nValueProjection, left: left, right: rhs}, nil
		}
		rhs, err := ps.dotRHS(bindingPower[tDot])
		if err != nil {
			return nil, err
		}
		return &node{kind: nSubexpr, left: left, right: rhs}, nil
	case tPipe, tOr, tAnd:
		rhs, err := ps.expression(bindingPower[t.kind])
		if err != nil {
			return nil, err
		}
		kind := map[tokenKind]nodeKind{tPipe: nPipe, tOr: nOr, tAnd: nAnd}[t.kind]
		return &node{kind: kind, left: left, right: rhs}, nil
	case tEQ, tNE, tLT, tLE, tGT, tGE:
		rhs, err := ps.expression(bindingPower[t.kind])
		if err != nil {
			return nil, err
		}
		return &node{kind: nCompare, op: t.kind, left: left, right: rhs}, nil
	case tFlatten:
		rhs, err := ps.projectionRHS(bindingPower[tFlatten])
		if err != nil {
			return nil, err
		}
		return &node{kind: nProjection, left: &node{kind: nFlatten, left: left}, right: rhs}, nil
	case tFilter:
		return ps.filter(left)
	case tLBracket:
		switch k := ps.peekKind(); {
		case k == tNumber || k == tColon:
			return ps.indexOrSlice(left)
		case k == tStar && ps.peekKind2() == tRBracket:
			ps.next()
			ps.next()
			rhs, err := ps.projectionRHS(bindingPower[tStar])
			if err != nil {
				return nil, err
			}
			return &node{kind: nProjection, left: left, right: rhs}, nil
		}
		nt := ps.peek()
		return nil, syntaxErr(nt.pos, "expected a number, ':' or '*' after '[', found %s", describe(nt))
	case tLParen:
		return ps.call(t, left)
	}
	return nil, syntaxErr(t.pos, "unexpected %s", describe(t))
}

// projectionRHS parses the expression applied to each element of a projection.
func (ps *parser) projectionRHS(rbp int) (*node, error) {
	switch t := ps.peek(); {
	case bindingPower[t.kind] < projectionStop:
		return currentNode, nil
	case t.kind == tLBracket || t.kind == tFilter:
		return ps.expression(rbp)
	case t.kind == tDot:
		ps.next()
		return ps.dotRHS(rbp)
	default:
		return nil, syntaxErr(t.pos, "unexpected %s after a projection", describe(t))
	}
}

// dotRHS parses what follows a '.'.
func (ps *parser) dotRHS(rbp int) (*node, error) {
	switch t := ps.peek(); t.kind {
	case tIdent, tQuoted, tStar:
		return ps.expression(rbp)
	case tLBracket:
		ps.next()
		return ps.multiSelectList()
	case tLBrace:
		ps.next()
		return ps.multiSelectHash()
	default:
		return nil, syntaxErr(t.pos, "expected an identifier, '*', '[' or '{' after '.', found %s", describe(t))
	}
}

// filter parses the rest of left[?cond]rhs, after '[?'.
func (ps *parser) filter(left *node) (*node, error) {
	cond, err := ps.expression(0)
	if err != nil {
		return nil, err
	}
	if err := ps.expect(tRBracket); err != nil {
		return nil, err
	}
	rhs, err := ps.projectionRHS(bindingPower[tFilter])
	if err != nil {
		return nil, err
	}
	return &node{kind: nFilter, left: left, cond: cond, right: rhs}, nil
}

// indexOrSlice parses the rest of left[i] or left[start:stop:step], after '['.
func (ps *parser) indexOrSlice(left *node) (*node, error) {
	var parts [3]*token
	colons := 0
	for ps.peekKind() != tRBracket {
		t := ps.next()
		switch t.kind {
		case tColon:
			colons++
			if colons > 2 {
				return nil, syntaxErr(t.pos, "too many ':' in slice")
			}
		case tNumber:
			if parts[colons] != nil {
				return nil, syntaxErr(t.pos, "expected ':' or ']', found %s", describe(t))
			}
			parts[colons] = &t
		default:
			if parts[colons] != nil {
				return nil, syntaxErr(t.pos, "expected ':' or ']', found %s", describe(t))
			}
			return nil, syntaxErr(t.pos, "expected a number, ':' or ']', found %s", describe(t))
		}
	}
	ps.next() // ']'
	if colons == 0 {
		idx := &node{kind: nIndex, index: parts[0].num}
		if left == currentNode {
			return idx, nil
		}
		return &node{kind: nSubexpr, left: left, right: idx}, nil
	}
	spec := sliceSpec{step: 1}
	if parts[0] != nil {
		spec.start, spec.hasStart = parts[0].num, true
	}
	if parts[1] != nil {
		spec.stop, spec.hasStop = parts[1].num, true
	}
	if parts[2] != nil {
		if parts[2].num == 0 {
			return nil, &Error{Kind: KindInvalidValue, Offset: parts[2].pos, Msg: "slice step cannot be 0"}
		}
		spec.step = parts[2].num
	}
	var sl *node = &node{kind: nSlice, slice: spec}
	if left != currentNode {
		sl = &node{kind: nSubexpr, left: left, right: sl}
	}
	rhs, err := ps.projectionRHS(bindingPower[tStar])
	if err != nil {
		return nil, err
	}
	return &node{kind: nProjection, left: sl, right: rhs}, nil
}

// multiSelectList parses the rest of [a, b, ...], after '['.
func (ps *parser) multiSelectList() (*node, error) {
	n := &node{kind: nMultiList}
	for {
		e, err := ps.expression(0)
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, e)
		t := ps.next()
		switch t.kind {
		case tComma:
			continue
		case tRBracket:
			return n, nil
		}
		return nil, syntaxErr(t.pos, "expected ',' or ']', found %s", describe(t))
	}
}

// multiSelectHash parses the rest of {k: a, ...}, after '{'.
func (ps *parser) multiSelectHash() (*node, error) {
	n := &node{kind: nMultiHash}
	for {
		k := ps.next()
		if k.kind != tIdent && k.kind != tQuoted {
			return nil, syntaxErr(k.pos, "expected a key, found %s", describe(k))
		}
		if err := ps.expect(tColon); err != nil {
			return nil, err
		}
		e, err := ps.expression(0)
		if err != nil {
			return nil, err
		}
		n.keys = append(n.keys, k.text)
		n.args = append(n.args, e)
		t := ps.next()
		switch t.kind {
		case tComma:
			continue
		case tRBrace:
			return n, nil
		}
		return nil, syntaxErr(t.pos, "expected ',' or '}', found %s", describe(t))
	}
}

// call parses the arguments of a function call, after '('; left names the function.
func (ps *parser) call(lparen token, left *node) (*node, error) {
	if left.kind != nField || left.quoted {
		return nil, syntaxErr(lparen.pos, "unexpected '(': only an unquoted identifier can name a function")
	}
	n := &node{kind: nFunction, name: left.name, pos: left.pos}
	if ps.peekKind() == tRParen {
		ps.next()
	} else {
		for {
			e, err := ps.expression(0)
			if err != nil {
				return nil, err
			}
			n.args = append(n.args, e)
			t := ps.next()
			if t.kind == tRParen {
				break
			}
			if t.kind != tComma {
				return nil, syntaxErr(t.pos, "expected ',' or ')', found %s", describe(t))
			}
		}
	}
	fn := functions[left.name]
	if fn == nil {
		return nil, &Error{Kind: KindUnknownFunction, Offset: left.pos, Msg: fmt.Sprintf("unknown function %s()", left.name)}
	}
	if len(n.args) < len(fn.params) || !fn.variadic && len(n.args) > len(fn.params) {
		want := fmt.Sprint(len(fn.params))
		if fn.variadic {
			want = "at least " + want
		}
		return nil, &Error{Kind: KindInvalidArity, Offset: left.pos,
			Msg: fmt.Sprintf("%s() takes %s argument(s), got %d", fn.name, want, len(n.args))}
	}
	n.fn = fn
	return n, nil
}
