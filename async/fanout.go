package async

import (
	"context"
	"iter"
	"sync"
	"sync/atomic"
)

// Map calls fn for every element of in, at most limit calls at a time, and returns the results
// in the order of in. A limit of zero or less means len(in): every call at once.
//
// The first call to fail (by completion) cancels the ctx passed to the other calls, with its
// error as the cause (see [context.Cause]); no call starts after that. Map then waits for every
// call already started to return, and returns nil and that first error. If ctx ends before every
// element has been handed to fn, Map stops starting calls, waits for the started ones, and
// returns nil and ctx.Err() (or the first error of a call, if one failed). A panic in fn is
// recovered and fails the call with a *[PanicError].
//
// Map owns its goroutines (at most limit of them) and waits for all of them on every path: no
// goroutine outlives the call, so fn must honour ctx for Map to return promptly. With an empty
// in, Map returns an empty slice and nil without calling fn.
func Map[In, Out any](ctx context.Context, in []In, limit int, fn func(ctx context.Context, v In) (Out, error)) ([]Out, error) {
	out := make([]Out, len(in))
	if len(in) == 0 {
		return out, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > len(in) {
		limit = len(in)
	}
	gctx, g := newGroup(ctx)
	defer g.cancel(nil)
	var taken, finished atomic.Int64
	var wg sync.WaitGroup
	// A fixed set of workers takes the next index in turn: limit goroutines in all, however
	// long in is. A worker stops at the first failure (its own or another's, seen through the
	// cancelled ctx) and when ctx ends.
	for range limit {
		wg.Go(func() {
			for gctx.Err() == nil {
				i := int(taken.Add(1) - 1)
				if i >= len(in) {
					return
				}
				v, ok := callMap(gctx, g, fn, in[i])
				if !ok {
					return
				}
				out[i] = v
				finished.Add(1)
			}
		})
	}
	wg.Wait()
	if g.err != nil {
		return nil, g.err
	}
	if int(finished.Load()) < len(in) {
		return nil, ctx.Err()
	}
	return out, nil
}

// callMap calls fn(ctx, v). A failure, a panic or a runtime.Goexit is reported to g, and ok is
// false (for a Goexit, callMap does not return at all).
func callMap[In, Out any](ctx context.Context, g *group, fn func(ctx context.Context, v In) (Out, error), v In) (out Out, ok bool) {
	normal := false
	defer func() {
		if !normal {
			g.fail(recovered(recover()))
		}
	}()
	out, err := fn(ctx, v)
	normal = true
	if err != nil {
		g.fail(err)
		return out, false
	}
	return out, true
}

// ForEach is the streaming form of [Map], for inputs of unknown or unbounded length such as a
// channel or a generator: it calls fn for every value of in, at most limit calls at a time, and
// takes the next value from in only when fewer than limit calls are running. A limit of zero or
// less means no limit: a call is started for each value as soon as in yields it.
//
// The errors and cancellation are those of Map: the first call to fail cancels the ctx passed to
// the others (with its error as the cause), ForEach stops taking values from in, waits for every
// started call, and returns that first error; if ctx ends first, ForEach stops the same way and
// returns ctx.Err(). A panic in fn is recovered and fails the call with a *[PanicError]. ForEach
// returns nil once in is exhausted and every call has succeeded.
//
// in is iterated in the calling goroutine. ForEach owns the goroutines it starts (at most limit
// of them, each reused from one value to the next) and waits for all of them on every path,
// including a panic in in, which propagates after the wait: no goroutine outlives the call.
func ForEach[In any](ctx context.Context, in iter.Seq[In], limit int, fn func(ctx context.Context, v In) error) error {
	gctx, g := newGroup(ctx)
	var slots chan struct{} // one per running call; nil: no limit
	if limit > 0 {
		slots = make(chan struct{}, limit)
	}
	// Workers are started on demand (never more than limit) and kept: a worker done with a
	// value frees its slot, then takes the next value from work.
	work := make(chan In)
	var wg sync.WaitGroup
	run := func(v In) {
		if slots != nil {
			defer func() { <-slots }() // also on runtime.Goexit
		}
		callForEach(gctx, g, fn, v)
	}
	worker := func(v In) {
		for ok := true; ok; v, ok = <-work {
			run(v)
		}
	}
	workers := 0
	workClosed := false
	stopWorkers := func() {
		if !workClosed {
			workClosed = true
			close(work)
			wg.Wait()
		}
	}
	defer func() {
		// Also runs while a panic in `in` unwinds: stop the calls and wait for them.
		g.cancel(nil)
		stopWorkers()
	}()

	// acquire takes a slot for the next value, or reports that ForEach must stop.
	acquire := func() bool {
		if slots == nil {
			return gctx.Err() == nil
		}
		select {
		case slots <- struct{}{}:
			// A slot may be free while the group has failed; don't start more work then.
			if gctx.Err() != nil {
				<-slots
				return false
			}
			return true
		case <-gctx.Done():
			return false
		}
	}
	// dispatch hands v, for which a slot is held, to a worker.
	dispatch := func(v In) bool {
		if gctx.Err() != nil { // failed or ended while in was producing v
			if slots != nil {
				<-slots
			}
			return false
		}
		select {
		case work <- v: // an idle worker took it
			return true
		default:
		}
		if slots == nil || workers < limit {
			workers++
			wg.Go(func() { worker(v) })
			return true
		}
		// All limit workers exist and, since we hold a slot, one of them is not running fn: it
		// is about to take v. Only a worker that called runtime.Goexit (which fails the group)
		// can leave none.
		select {
		case work <- v:
			return true
		case <-gctx.Done():
			<-slots
			return false
		}
	}

	// The slot for a value is taken before the value is asked for, so in produces a value only
	// when a call can start for it.
	stopped := !acquire()
	if !stopped {
		held := true
		for v := range in {
			if !dispatch(v) {
				held = false
				break
			}
			if held = acquire(); !held {
				break
			}
		}
		stopped = !held
		if held && slots != nil {
			<-slots // in ended while we held a slot for a value it did not produce
		}
	}
	stopWorkers()
	if g.err != nil {
		return g.err
	}
	if stopped {
		return ctx.Err()
	}
	return nil
}

// callForEach calls fn(ctx, v) and reports a failure, a panic or a runtime.Goexit to g.
func callForEach[In any](ctx context.Context, g *group, fn func(ctx context.Context, v In) error, v In) {
	normal := false
	defer func() {
		if !normal {
			g.fail(recovered(recover()))
		}
	}()
	err := fn(ctx, v)
	normal = true
	if err != nil {
		g.fail(err)
	}
}

// group is the shared state of one Map or ForEach call: the first error, and the cancel func of
// the ctx passed to fn, which the first error cancels.
type group struct {
	cancel context.CancelCauseFunc
	once   sync.Once
	err    error // set once; read after every goroutine has been waited for
}

// newGroup returns the ctx to pass to fn, derived from ctx, and the group that cancels it.
func newGroup(ctx context.Context) (context.Context, *group) {
	gctx, cancel := context.WithCancelCause(ctx)
	return gctx, &group{cancel: cancel}
}

// fail records err if it is the first failure, and cancels the group's ctx with it as the cause.
func (g *group) fail(err error) {
	g.once.Do(func() {
		g.err = err
		g.cancel(err)
	})
}
