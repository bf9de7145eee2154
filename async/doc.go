// Package async is the asynchronous layer of aioaws: a [Future] for work running in its own
// goroutine, [All] and [Any] to combine futures, and bounded fan-out over a slice ([Map]) or a
// stream ([ForEach]).
//
// # Ownership
//
// Every goroutine this package starts has an owner that can wait for it:
//
//   - [Go] starts one goroutine, which ends when fn returns. Storing the result never blocks, so
//     a caller that walks away from a Future leaks nothing as long as fn honours its ctx. Whoever
//     called Go owns the goroutine: to know it has ended, receive from [Future.Done] or call
//     [Future.Wait] (after cancelling the ctx given to Go, if fn should stop early).
//   - [All] and [Any] start no goroutines. When they return early (a failure, a success, or their
//     ctx ending) the futures they were given keep running under their own ctx.
//   - [Map] and [ForEach] own their goroutines and wait for every one of them before they return,
//     on every path, including a panic in the input sequence: no goroutine outlives the call.
//
// # Errors and cancellation
//
// ctx is always the first parameter of a call that blocks and is never stored. A call that stops
// waiting because its ctx ended returns ctx.Err(). [Map] and [ForEach] cancel the ctx they pass
// to fn when the first call fails (its error is the ctx's cause, see [context.Cause]) and return
// that first error after every started fn has returned.
//
// # Panics
//
// A panic in fn does not crash the process from a goroutine nobody watches, and is not lost:
// it is recovered in the goroutine that ran fn and becomes an error of type *[PanicError], which
// carries the panic value and the stack of the panicking goroutine. It is delivered like any
// other error (by [Future.Wait], [Map], [ForEach]), so the other work is cancelled as for an
// ordinary failure. A panic whose value is an error unwraps to it, for [errors.Is] and
// [errors.As]. An fn that calls [runtime.Goexit] (for example t.FailNow in a test) fails with an
// error saying so instead of leaving its waiters blocked forever.
package async
