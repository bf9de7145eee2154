package jmespath

import (
	"maps"
	"slices"
)

// exprRef is the value of &expr: an expression a function applies to values it chooses.
type exprRef struct{ n *node }

func (r exprRef) eval(v any) (any, error) { return r.n.eval(v) }

// eval evaluates n against the current value cur.
func (n *node) eval(cur any) (any, error) {
	if n.path != nil {
		return searchPath(n.path, cur), nil
	}
	switch n.kind {
	case nField:
		if m, ok := cur.(map[string]any); ok {
			return norm(m[n.name]), nil
		}
		return nil, nil

	case nCurrent:
		return cur, nil

	case nLiteral:
		return n.value, nil

	case nSubexpr:
		v, err := n.left.eval(cur)
		if err != nil || v == nil {
			return nil, err
		}
		return n.right.eval(v)

	case nIndex:
		arr, ok := cur.([]any)
		if !ok {
			return nil, nil
		}
		i := n.index
		if i < 0 {
			i += len(arr)
		}
		if i < 0 || i >= len(arr) {
			return nil, nil
		}
		return norm(arr[i]), nil

	case nSlice:
		arr, ok := cur.([]any)
		if !ok {
			return nil, nil
		}
		return sliceArray(arr, n.slice), nil

	case nProjection:
		// A projection over a flatten (a[].b) walks the flattened elements in place.
		src, flatten := n.left, n.left.kind == nFlatten
		if flatten {
			src = src.left
		}
		v, err := src.eval(cur)
		if err != nil {
			return nil, err
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, nil
		}
		size := len(arr)
		if flatten {
			size = flatLen(arr)
		}
		out := make([]any, 0, size)
		for _, e := range arr {
			if sub, ok := e.([]any); ok && flatten {
				for _, e := range sub {
					if out, err = n.project(out, e); err != nil {
						return nil, err
					}
				}
			} else if out, err = n.project(out, e); err != nil {
				return nil, err
			}
		}
		return out, nil

	case nValueProjection:
		v, err := n.left.eval(cur)
		if err != nil {
			return nil, err
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, nil
		}
		out := make([]any, 0, len(m))
		for _, k := range sortedKeys(m) {
			r, err := n.right.eval(norm(m[k]))
			if err != nil {
				return nil, err
			}
			if r != nil {
				out = append(out, r)
			}
		}
		return out, nil

	case nFlatten:
		v, err := n.left.eval(cur)
		if err != nil {
			return nil, err
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, nil
		}
		out := make([]any, 0, flatLen(arr))
		for _, e := range arr {
			if sub, ok := e.([]any); ok {
				for _, s := range sub {
					out = append(out, norm(s))
				}
			} else {
				out = append(out, norm(e))
			}
		}
		return out, nil

	case nFilter:
		v, err := n.left.eval(cur)
		if err != nil {
			return nil, err
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, nil
		}
		out := make([]any, 0, len(arr))
		for _, e := range arr {
			e = norm(e)
			c, err := n.cond.eval(e)
			if err != nil {
				return nil, err
			}
			if !truthy(c) {
				continue
			}
			r, err := n.right.eval(e)
			if err != nil {
				return nil, err
			}
			if r != nil {
				out = append(out, r)
			}
		}
		return out, nil

	case nMultiList:
		if cur == nil {
			return nil, nil
		}
		out := make([]any, len(n.args))
		for i, a := range n.args {
			r, err := a.eval(cur)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil

	case nMultiHash:
		if cur == nil {
			return nil, nil
		}
		out := make(map[string]any, len(n.args))
		for i, a := range n.args {
			r, err := a.eval(cur)
			if err != nil {
				return nil, err
			}
			out[n.keys[i]] = r
		}
		return out, nil

	case nOr:
		l, err := n.left.eval(cur)
		if err != nil || truthy(l) {
			return l, err
		}
		return n.right.eval(cur)

	case nAnd:
		l, err := n.left.eval(cur)
		if err != nil || !truthy(l) {
			return l, err
		}
		return n.right.eval(cur)

	case nNot:
		v, err := n.left.eval(cur)
		if err != nil {
			return nil, err
		}
		return !truthy(v), nil

	case nCompare:
		l, err := n.left.eval(cur)
		if err != nil {
			return nil, err
		}
		r, err := n.right.eval(cur)
		if err != nil {
			return nil, err
		}
		return compare(n.op, l, r), nil

	case nPipe:
		v, err := n.left.eval(cur)
		if err != nil {
			return nil, err
		}
		return n.right.eval(v)

	case nFunction:
		args := make([]any, len(n.args))
		for i, a := range n.args {
			v, err := a.eval(cur)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
		v, err := n.fn.invoke(args)
		if e, ok := err.(*Error); ok && e.Offset < 0 {
			e.Offset = n.pos
		}
		return v, err

	case nExpref:
		return exprRef{n.left}, nil
	}
	panic("jmespath: unknown node kind")
}

// project appends to out the right-hand side of the projection n evaluated on e, unless null.
func (n *node) project(out []any, e any) ([]any, error) {
	r, err := n.right.eval(norm(e))
	if err != nil || r == nil {
		return out, err
	}
	return append(out, r), nil
}

// flatLen returns the length of arr flattened one level.
func flatLen(arr []any) int {
	size := 0
	for _, e := range arr {
		if sub, ok := e.([]any); ok {
			size += len(sub)
		} else {
			size++
		}
	}
	return size
}

// compare applies a comparator: == and != to any values, the ordering comparators to
// numbers only (null otherwise).
func compare(op tokenKind, l, r any) any {
	switch op {
	case tEQ:
		return equal(l, r)
	case tNE:
		return !equal(l, r)
	}
	a, ok := toNumber(l)
	if !ok {
		return nil
	}
	b, ok := toNumber(r)
	if !ok {
		return nil
	}
	switch op {
	case tLT:
		return a < b
	case tLE:
		return a <= b
	case tGT:
		return a > b
	default: // tGE
		return a >= b
	}
}

// sliceArray returns arr[start:stop:step] with the semantics of the specification (Python's).
func sliceArray(arr []any, s sliceSpec) []any {
	n := len(arr)
	step := s.step
	adjust := func(i int) int {
		if i < 0 {
			i += n
			if i < 0 {
				if step < 0 {
					return -1
				}
				return 0
			}
			return i
		}
		if i >= n {
			if step < 0 {
				return n - 1
			}
			return n
		}
		return i
	}
	var start, stop int
	switch {
	case s.hasStart:
		start = adjust(s.start)
	case step < 0:
		start = n - 1
	}
	switch {
	case s.hasStop:
		stop = adjust(s.stop)
	case step < 0:
		stop = -1
	default:
		stop = n
	}
	var out []any
	if step > 0 {
		if stop > start {
			out = make([]any, 0, (stop-start+step-1)/step)
		}
		for i := start; i < stop; i += step {
			out = append(out, norm(arr[i]))
		}
	} else {
		if start > stop {
			out = make([]any, 0, (start-stop-step-1)/-step)
		}
		for i := start; i > stop; i += step {
			out = append(out, norm(arr[i]))
		}
	}
	if out == nil {
		out = []any{}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}
