package jmespath

import "errors"

// Expr is a compiled JMESPath expression. It is immutable and safe for concurrent use by
// multiple goroutines; make one with [Compile] or [MustCompile] (the zero value is not usable).
type Expr struct {
	src  string
	root *node
	// path is set when the expression is a chain of fields and indexes (a.b[0].c), which
	// Search walks without recursion or allocation.
	path []step
}

// step is one step of a simple path: a field, or an index when isIndex.
type step struct {
	name    string
	index   int
	isIndex bool
}

// Compile parses expr. A syntax error names the byte offset of the problem and the problem
// (`jmespath: syntax error at 5: expected ':' or ']', found end of expression (in "foo[1")`);
// unknown functions, wrong numbers of arguments and slice steps of 0 are found here too.
// The error is an [*Error].
func Compile(expr string) (*Expr, error) {
	root, err := parse(expr)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Expression = expr
		}
		return nil, err
	}
	annotate(root)
	e := &Expr{src: expr, root: root}
	if path, ok := simplePath(root, nil); ok {
		e.path = path
	}
	return e, nil
}

// MustCompile is like [Compile] but panics if expr cannot be compiled. It is meant for
// expressions written in the program, in package variables.
func MustCompile(expr string) *Expr {
	e, err := Compile(expr)
	if err != nil {
		panic(err)
	}
	return e
}

// String returns the source of the expression.
func (e *Expr) String() string { return e.src }

// Search evaluates the expression against data (see the package documentation for the
// accepted Go types) and returns the result, nil for JSON null. The result is read-only (see
// the package documentation). Errors are [*Error] values, of kind invalid-type for a function
// given an argument of the wrong type. Search never modifies data; it is safe to call from
// many goroutines at once, on the same or different data.
func (e *Expr) Search(data any) (any, error) {
	if e.path != nil {
		return searchPath(e.path, data), nil
	}
	if e.root == nil {
		return nil, errors.New("jmespath: Search on an Expr not made by Compile")
	}
	v, err := e.root.eval(norm(data))
	if err != nil {
		var je *Error
		if errors.As(err, &je) {
			je.Expression = e.src
		}
		return nil, err
	}
	if _, ok := v.(exprRef); ok {
		return nil, &Error{Kind: KindInvalidType, Offset: -1, Expression: e.src,
			Msg: "an expression reference (&expr) can only be a function argument"}
	}
	return v, nil
}

// Search compiles expr and evaluates it against data. Use [Compile] for an expression that is
// searched more than once.
func Search(expr string, data any) (any, error) {
	e, err := Compile(expr)
	if err != nil {
		return nil, err
	}
	return e.Search(data)
}

// annotate sets the path of every sub-expression in the tree of n that is a simple path
// (projections spend most of their time evaluating these on each element).
func annotate(n *node) {
	if n == nil || n == currentNode {
		return
	}
	if n.kind == nSubexpr {
		if path, ok := simplePath(n, nil); ok {
			n.path = path
			return
		}
	}
	annotate(n.left)
	annotate(n.right)
	annotate(n.cond)
	for _, a := range n.args {
		annotate(a)
	}
}

// simplePath appends to path the steps of n if n is a chain of fields and indexes.
func simplePath(n *node, path []step) ([]step, bool) {
	switch n.kind {
	case nField:
		return append(path, step{name: n.name}), true
	case nIndex:
		return append(path, step{index: n.index, isIndex: true}), true
	case nSubexpr:
		path, ok := simplePath(n.left, path)
		if !ok {
			return nil, false
		}
		return simplePath(n.right, path)
	}
	return nil, false
}

func searchPath(path []step, v any) any {
	for i := range path {
		s := &path[i]
		if s.isIndex {
			arr, ok := v.([]any)
			if !ok {
				return nil
			}
			j := s.index
			if j < 0 {
				j += len(arr)
			}
			if j < 0 || j >= len(arr) {
				return nil
			}
			v = arr[j]
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[s.name]
	}
	return norm(v)
}
