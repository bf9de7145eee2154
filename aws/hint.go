package aws

import "sync/atomic"

// LengthHint learns the length a buffer, slice or map should start at from the lengths the
// last ones needed: it follows a longer length at once and a shorter one slowly (an eighth of
// the way each time), so that one kind of value used both for many long values and a few
// short ones (DynamoDB items and a LastEvaluatedKey) keeps starting at the long length and is
// rarely grown. The zero value starts at 0. It is safe for concurrent use.
type LengthHint struct{ n atomic.Int32 }

// Len returns the length to start at.
func (h *LengthHint) Len() int { return int(h.n.Load()) }

// Learn records that a value needed length n; lengths above most count as most.
func (h *LengthHint) Learn(n, most int) {
	n = min(n, most)
	old := int(h.n.Load())
	switch {
	case n > old:
	case n < old:
		n = old - (old-n+7)/8
	default:
		return
	}
	h.n.Store(int32(n))
}

// Set sets the length to start at.
func (h *LengthHint) Set(n int) { h.n.Store(int32(n)) }
