package async

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoFutures is the error of [Any] called with no futures: there is no success to return, and
// no failure to report either.
var ErrNoFutures = errors.New("async: Any called with no futures")

// All waits for every future and returns their values in the order of fs.
//
// All fails fast: as soon as one future fails, All returns nil and that error, without waiting
// for the rest. The error is that of the first failure All observes (by completion; among
// futures already done when All is called, the first in fs). If ctx ends first, All returns nil
// and ctx.Err() at once. Either way the futures not yet done keep running under their own ctx,
// and can still be waited for; cancel the ctx they were started with to stop them.
//
// With no futures, All returns an empty slice and nil. All starts no goroutines. It panics if an
// element of fs is nil.
func All[T any](ctx context.Context, fs ...*Future[T]) ([]T, error) {
	out := make([]T, len(fs))
	if len(fs) == 0 {
		return out, nil
	}
	ch := watch("All", fs)
	for range fs {
		i, err := next(ctx, ch)
		if err != nil {
			unwatch(fs, ch)
			return nil, err
		}
		f := fs[i]
		if f.err != nil {
			unwatch(fs, ch)
			return nil, f.err
		}
		out[i] = f.val
	}
	return out, nil
}

// Any returns the value of the first future to succeed, as soon as it does, without waiting for
// the rest.
//
// If every future fails, Any returns the zero T and an error joining all their errors, in the
// order of fs (see [errors.Join]; [errors.Is] and [errors.As] match any of them). If ctx ends
// first, Any returns ctx.Err() at once. Either way the futures not yet done keep running under
// their own ctx; cancel the ctx they were started with to stop them.
//
// With no futures, Any returns [ErrNoFutures]. Any starts no goroutines. It panics if an element
// of fs is nil.
func Any[T any](ctx context.Context, fs ...*Future[T]) (T, error) {
	var zero T
	if len(fs) == 0 {
		return zero, ErrNoFutures
	}
	ch := watch("Any", fs)
	errs := make([]error, len(fs))
	for range fs {
		i, err := next(ctx, ch)
		if err != nil {
			unwatch(fs, ch)
			return zero, err
		}
		f := fs[i]
		if f.err == nil {
			unwatch(fs, ch)
			return f.val, nil
		}
		errs[i] = f.err
	}
	return zero, errors.Join(errs...)
}

// watch returns a channel on which the index of each future of fs is sent once it is done. The
// channel has room for all of them, so no future ever blocks on it.
func watch[T any](caller string, fs []*Future[T]) chan int {
	for i, f := range fs {
		if f == nil {
			panic(fmt.Sprintf("async: %s: future %d is nil", caller, i))
		}
	}
	ch := make(chan int, len(fs))
	for i, f := range fs {
		f.notify(ch, i)
	}
	return ch
}

// unwatch undoes watch for the futures not done yet, so that they keep no reference to ch.
func unwatch[T any](fs []*Future[T], ch chan int) {
	for i, f := range fs {
		f.unnotify(ch, i)
	}
}

// next returns the next index sent on ch, or ctx.Err() if ctx ends first. A future already done
// wins over a ctx that has ended.
func next(ctx context.Context, ch <-chan int) (int, error) {
	select {
	case i := <-ch:
		return i, nil
	default:
	}
	select {
	case i := <-ch:
		return i, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
