package async

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// PanicError is the error returned for an fn that panicked: by [Future.Wait] and
// [Future.Result] for a future started by [Go], and by [Map] and [ForEach].
//
// Its Error method includes the stack, so that logging the error is enough to find the panic.
// If Value is an error, [errors.Is] and [errors.As] see through a PanicError to it.
type PanicError struct {
	// Value is the value passed to panic.
	Value any
	// Stack is the stack of the goroutine that panicked, as formatted by [debug.Stack], taken
	// while the panic was being recovered, so it includes the frames that led to the panic.
	Stack []byte
}

// Error returns the panic value followed by the stack.
func (e *PanicError) Error() string {
	return fmt.Sprintf("async: fn panicked: %v\n\n%s", e.Value, e.Stack)
}

// Unwrap returns Value if it is an error, or nil.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// errGoexit is the error of an fn that called runtime.Goexit instead of returning.
var errGoexit = errors.New("async: fn called runtime.Goexit instead of returning")

// recovered turns the result of recover(), called in a deferred function that runs because fn
// did not return normally, into an error: a *PanicError for a panic, errGoexit otherwise (the
// goroutine is exiting through runtime.Goexit, which recover neither reports nor stops).
func recovered(r any) error {
	if r == nil {
		return errGoexit
	}
	return &PanicError{Value: r, Stack: debug.Stack()}
}
