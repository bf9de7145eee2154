package async

import (
	"context"
	"sync"
)

// Future is the result of work running in its own goroutine, started by [Go], or a result known
// in advance, made by [Resolved].
//
// The zero value is not usable: make a Future with Go or Resolved, and always pass it as a
// *Future (a nil *Future is not valid either).
//
// A Future is safe for concurrent use: any number of goroutines may call Done, Wait and Result,
// any number of times, and they all see the same result.
//
// Nobody has to wait for a Future. The worker stores the result in the Future and closes the Done
// channel, which never blocks, so the goroutine of an abandoned Future ends when fn returns and
// leaks nothing, provided fn honours its ctx. Whoever called Go owns that goroutine: to know it
// has ended, receive from Done or call Wait (after cancelling the ctx given to Go, if fn should
// stop early).
type Future[T any] struct {
	done chan struct{} // closed once val and err are set
	val  T
	err  error

	// listeners are the All and Any calls waiting for this future. They are told the future is
	// done by a send on a channel they buffered for every send they can receive, so completing
	// a future never blocks. nil once done is closed.
	mu        sync.Mutex
	listeners []listener
}

type listener struct {
	ch  chan<- int
	idx int
}

// Go starts fn(ctx) in a new goroutine and returns its Future.
//
// The goroutine ends when fn returns; fn must honour ctx, which is the only way to stop it early.
// fn is called even if ctx has already ended. If fn panics, the panic is recovered and the
// Future's error is a *[PanicError]. Go panics if fn is nil.
func Go[T any](ctx context.Context, fn func(ctx context.Context) (T, error)) *Future[T] {
	if fn == nil {
		panic("async: Go called with a nil fn")
	}
	f := &Future[T]{done: make(chan struct{})}
	go f.run(ctx, fn)
	return f
}

func (f *Future[T]) run(ctx context.Context, fn func(ctx context.Context) (T, error)) {
	var (
		v      T
		err    error
		normal bool
	)
	// Completing in a deferred call covers the three ways fn can end: it returns, it panics
	// (recovered here), or it calls runtime.Goexit (which recover cannot stop, but the future
	// still completes, so its waiters are not left blocked forever).
	defer func() {
		if !normal {
			var zero T
			v, err = zero, recovered(recover())
		}
		f.complete(v, err)
	}()
	v, err = fn(ctx)
	normal = true
}

// closed is the Done channel of every resolved future.
var closed = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Resolved returns a Future that is already done, with the result (v, err). It starts no
// goroutine. It is useful where a Future is expected but the result is known, for example an
// input that fails validation before any work starts.
func Resolved[T any](v T, err error) *Future[T] {
	return &Future[T]{done: closed, val: v, err: err}
}

// complete stores the result, closes done and tells the listeners. It never blocks.
func (f *Future[T]) complete(v T, err error) {
	f.val, f.err = v, err
	f.mu.Lock()
	close(f.done)
	ls := f.listeners
	f.listeners = nil
	f.mu.Unlock()
	for _, l := range ls {
		l.ch <- l.idx // buffered by the listener for every registration it made
	}
}

// Done returns a channel that is closed when the result is ready. It is the same channel on
// every call, so it can be used in a select.
func (f *Future[T]) Done() <-chan struct{} {
	return f.done
}

// Wait returns the result, blocking until it is ready or ctx ends, whichever comes first. If ctx
// ends first, Wait returns the zero T and ctx.Err(); the work goes on, and Wait may be called
// again later. If the result is ready, Wait returns it even if ctx has also ended. Every call,
// from any goroutine, returns the same result.
func (f *Future[T]) Wait(ctx context.Context) (T, error) {
	select {
	case <-f.done:
		return f.val, f.err
	default:
	}
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// Result returns the result without blocking: ok is false, with the zero T and a nil error, if
// the future is not done yet.
func (f *Future[T]) Result() (v T, err error, ok bool) {
	select {
	case <-f.done:
		return f.val, f.err, true
	default:
		var zero T
		return zero, nil, false
	}
}

// notify arranges for idx to be sent on ch once f is done (at once if it is done already).
// ch must have room for every send its owner has arranged.
func (f *Future[T]) notify(ch chan<- int, idx int) {
	select {
	case <-f.done:
		ch <- idx
		return
	default:
	}
	f.mu.Lock()
	select {
	case <-f.done:
		f.mu.Unlock()
		ch <- idx
		return
	default:
	}
	f.listeners = append(f.listeners, listener{ch: ch, idx: idx})
	f.mu.Unlock()
}

// unnotify cancels an arrangement made by notify, if f has not completed it yet.
func (f *Future[T]) unnotify(ch chan<- int, idx int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, l := range f.listeners {
		if l.ch == ch && l.idx == idx {
			last := len(f.listeners) - 1
			f.listeners[i] = f.listeners[last]
			f.listeners[last] = listener{} // drop the reference to ch
			f.listeners = f.listeners[:last]
			if last == 0 {
				f.listeners = nil
			}
			return
		}
	}
}
