// Package jmespath implements JMESPath (https://jmespath.org/specification.html), the query
// language of waiter acceptors, paginator output tokens and result keys, and the
// operationContextParams of endpoint rules.
//
// An expression is compiled once with [Compile] (or [MustCompile]) into an [*Expr] and searched
// many times with [Expr.Search]. A compiled *Expr is immutable: it is safe for concurrent use by
// any number of goroutines, and its zero value is not usable. [Search] compiles and searches in
// one call, for expressions used once.
//
// # Data
//
// Search accepts the values of a decoded JSON document: map[string]any, []any, string,
// float64, bool and nil. Other Go numbers (int, int8…int64, uint…uint64, float32) and
// json.Number are accepted wherever a number is, and compare equal to the float64 of the same
// value. Values of any other Go type are opaque: they can be selected and compared for equality
// (reflect.DeepEqual), and functions that take any value (type, not_null, to_string, …) accept
// them, but the others reject them as invalid-type. Search never modifies data.
//
// Results are read-only: an object or array in a result may be shared with data or with a
// literal of the expression (which every search of the expression returns), so a caller that
// wants to modify a result must copy it first.
//
// Numbers produced by an expression are float64: a number selected from data (foo.count), an
// element of an array built by the expression (a projection, a slice, sort, …), and every
// number a function returns. Numbers nested inside an object or array returned unchanged from
// data keep their Go type.
//
// The members of an object are visited in sorted key order (by wildcard projections, keys and
// values), so results are deterministic although Go maps are not ordered.
//
// # Errors
//
// Errors are [*Error] values whose Kind is one of the error kinds of the specification:
// syntax (at compile time, with the byte offset of the problem), unknown-function and
// invalid-arity (at compile time), invalid-type (at search time, from a function given
// an argument of the wrong type) and invalid-value (a slice step of 0, at compile time).
package jmespath
