package jmespath

import (
	"fmt"
	"strings"
)

// ErrorKind classifies an [*Error] as the JMESPath specification does.
type ErrorKind string

// The error kinds of the JMESPath specification.
const (
	KindSyntax          ErrorKind = "syntax"
	KindInvalidType     ErrorKind = "invalid-type"
	KindInvalidArity    ErrorKind = "invalid-arity"
	KindInvalidValue    ErrorKind = "invalid-value"
	KindUnknownFunction ErrorKind = "unknown-function"
)

// Error is the error of a failed [Compile] or [Expr.Search]. Match it with errors.As.
type Error struct {
	Kind ErrorKind
	// Offset is the byte offset in Expression of the problem (for errors found while
	// searching, of the function that failed), or -1 when it has no position.
	Offset int
	// Msg describes the problem ("expected ']'").
	Msg string
	// Expression is the expression being compiled or searched.
	Expression string
}

// Error reads "jmespath: syntax error at 12: expected ']', found end of expression (in "a.b[?c")":
// the kind, the byte offset when known, the problem and the expression.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "jmespath: %s error", e.Kind)
	if e.Offset >= 0 {
		fmt.Fprintf(&b, " at %d", e.Offset)
	}
	fmt.Fprintf(&b, ": %s", e.Msg)
	if e.Expression != "" {
		fmt.Fprintf(&b, " (in %q)", e.Expression)
	}
	return b.String()
}

func syntaxErr(pos int, format string, args ...any) *Error {
	return &Error{Kind: KindSyntax, Offset: pos, Msg: fmt.Sprintf(format, args...)}
}

func typeErr(format string, args ...any) *Error {
	return &Error{Kind: KindInvalidType, Offset: -1, Msg: fmt.Sprintf(format, args...)}
}
