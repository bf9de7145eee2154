package events_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/events"
)

// recorder returns a handler that appends label to *log.
func recorder(log *[]string, label string) events.Handler {
	return func(_ context.Context, _ *events.Event) error {
		*log = append(*log, label)
		return nil
	}
}

func ev(name, service, op string) *events.Event {
	return &events.Event{Name: name, Service: service, Operation: op}
}

func TestEmitOrder(t *testing.T) {
	var r events.Registry
	var log []string
	// Registered deliberately least specific first and interleaved.
	for _, p := range []string{
		"*",
		"after-call",
		"after-call.*",
		"after-call.lambda",
		"*.lambda.GetPolicy",
		"after-call.lambda.GetPolicy",
		"after-call.lambda.*",
		"after-call.lambda.GetPolicy#2",
		"after-call#2",
		"*.lambda",
	} {
		pattern, label := p, p
		if i := len(p) - 2; i > 0 && p[i] == '#' {
			pattern = p[:i]
		}
		r.Register(pattern, recorder(&log, label))
	}
	require.NoError(t, r.Emit(context.Background(), ev("after-call", "lambda", "GetPolicy")))
	require.Equal(t, []string{
		"after-call.lambda.GetPolicy", "after-call.lambda.GetPolicy#2", // exact, depth 3
		"*.lambda.GetPolicy", "after-call.lambda.*", // wildcard, depth 3, registration order
		"after-call.lambda",        // exact, depth 2
		"after-call.*", "*.lambda", // wildcard, depth 2
		"after-call", "after-call#2", // exact, depth 1
		"*", // wildcard, depth 1
	}, log)

	// Cached path gives the same order.
	log = nil
	require.NoError(t, r.Emit(context.Background(), ev("after-call", "lambda", "GetPolicy")))
	require.Len(t, log, 10)
	require.Equal(t, "after-call.lambda.GetPolicy", log[0])
	require.Equal(t, "*", log[9])
}

func TestMatching(t *testing.T) {
	tests := []struct {
		pattern       string
		name, svc, op string
		want          bool
	}{
		{"before-send", "before-send", "dynamodb", "GetItem", true},
		{"before-send", "before-send", "", "", true},
		{"before-send", "after-call", "dynamodb", "GetItem", false},
		{"before-send.dynamodb", "before-send", "dynamodb", "GetItem", true},
		{"before-send.dynamodb", "before-send", "s3", "GetObject", false},
		{"before-send.dynamodb", "before-send", "", "", false},
		{"before-send.dynamodb.GetItem", "before-send", "dynamodb", "GetItem", true},
		{"before-send.dynamodb.GetItem", "before-send", "dynamodb", "PutItem", false},
		{"before-send.dynamodb.GetItem", "before-send", "dynamodb", "", false},
		{"before-send.*", "before-send", "s3", "GetObject", true},
		{"before-send.*", "before-send", "", "", false}, // "*" needs a part to match
		{"*.dynamodb.*", "after-call", "dynamodb", "Query", true},
		{"*.dynamodb.*", "after-call", "s3", "Query", false},
		{"*.*.GetItem", "needs-retry", "dynamodb", "GetItem", true},
		{"*", "anything-at-all", "x", "Y", true},
		{"*", "anything-at-all", "", "", true},
		{"after-call.lambda.GetPolicy", "after-call", "lambda", "GetPolicyX", false}, // no prefix matching inside a part
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s.%s.%s", tt.pattern, tt.name, tt.svc, tt.op), func(t *testing.T) {
			var r events.Registry
			called := false
			r.Register(tt.pattern, func(context.Context, *events.Event) error { called = true; return nil })
			require.Equal(t, tt.want, r.Has(tt.name, tt.svc, tt.op))
			require.NoError(t, r.Emit(context.Background(), ev(tt.name, tt.svc, tt.op)))
			require.Equal(t, tt.want, called)
		})
	}
}

func TestRegisterInvalidPatternPanics(t *testing.T) {
	for _, p := range []string{"", ".", "a.", ".b", "a..b", "a.b.c.d", "a b", "a.b*", "**", "before-send.dynamodb/x", "é"} {
		t.Run(p, func(t *testing.T) {
			msg, ok := panicValue(p).(string)
			require.True(t, ok, "Register(%q) must panic with a string", p)
			require.Contains(t, msg, fmt.Sprintf("events: invalid pattern %q: ", p))
		})
	}
	var r events.Registry
	require.PanicsWithValue(t, `events: Register("before-send"): nil handler`, func() { r.Register("before-send", nil) })
	require.Equal(t, 0, r.Len())
}

// panicValue returns what Register(p, h) panics with, or nil.
func panicValue(p string) (v any) {
	defer func() { v = recover() }()
	var r events.Registry
	r.Register(p, func(context.Context, *events.Event) error { return nil })
	return nil
}

func TestInvalidPatternMessage(t *testing.T) {
	msg := panicValue("a.b.c.d")
	require.Equal(t, `events: invalid pattern "a.b.c.d": 4 parts, want at most 3 (name.service.Operation)`, msg)
	msg = panicValue("after-call..GetItem")
	require.Equal(t, `events: invalid pattern "after-call..GetItem": part 2 "" is empty`, msg)
	msg = panicValue("after-call.dyn amo")
	require.Contains(t, msg, `part 2 "dyn amo" has ' '`)
}

func TestUnregister(t *testing.T) {
	var r events.Registry
	var log []string
	u1 := r.Register("before-call", recorder(&log, "1"))
	u2 := r.Register("before-call", recorder(&log, "2"))
	u3 := r.Register("before-call", recorder(&log, "3"))
	e := ev("before-call", "s3", "ListBuckets")
	require.NoError(t, r.Emit(context.Background(), e))
	require.Equal(t, []string{"1", "2", "3"}, log)

	u2()
	u2() // idempotent
	log = nil
	require.NoError(t, r.Emit(context.Background(), e))
	require.Equal(t, []string{"1", "3"}, log)

	u1()
	u3()
	require.False(t, r.Has("before-call", "s3", "ListBuckets"))
	require.Equal(t, 0, r.Len())
	log = nil
	require.NoError(t, r.Emit(context.Background(), e))
	require.Empty(t, log)
}

func TestSameHandlerTwice(t *testing.T) {
	var r events.Registry
	n := 0
	h := func(context.Context, *events.Event) error { n++; return nil }
	u := r.Register("before-call", h)
	r.Register("before-call", h)
	require.NoError(t, r.Emit(context.Background(), ev("before-call", "s3", "X")))
	require.Equal(t, 2, n)
	u() // removes only its own registration
	require.NoError(t, r.Emit(context.Background(), ev("before-call", "s3", "X")))
	require.Equal(t, 3, n)
}

func TestHandlerErrorAborts(t *testing.T) {
	var r events.Registry
	boom := errors.New("boom")
	var log []string
	r.Register("before-call.dynamodb.GetItem", recorder(&log, "first"))
	r.Register("before-call.dynamodb", func(context.Context, *events.Event) error { return boom })
	r.Register("before-call", recorder(&log, "never"))
	err := r.Emit(context.Background(), ev("before-call", "dynamodb", "GetItem"))
	require.ErrorIs(t, err, boom)
	require.Same(t, boom, err) // returned as is
	require.Equal(t, []string{"first"}, log)
}

func TestHandlersMayChangeEvent(t *testing.T) {
	var r events.Registry
	r.Register("provide-client-params.dynamodb", func(_ context.Context, e *events.Event) error {
		e.Params.(map[string]any)["ConsistentRead"] = true
		return nil
	})
	r.Register("needs-retry", func(_ context.Context, e *events.Event) error {
		*e.Retry = false
		return nil
	})
	e := &events.Event{Name: events.ProvideClientParams, Service: "dynamodb", Operation: "GetItem", Params: map[string]any{"TableName": "t"}}
	require.NoError(t, r.Emit(context.Background(), e))
	require.Equal(t, map[string]any{"TableName": "t", "ConsistentRead": true}, e.Params)

	retrying := true
	e = &events.Event{Name: events.NeedsRetry, Service: "dynamodb", Operation: "GetItem", Attempt: 1, Retry: &retrying}
	require.NoError(t, r.Emit(context.Background(), e))
	require.False(t, retrying)
}

func TestHandlerReceivesContext(t *testing.T) {
	type ctxKey struct{}
	var r events.Registry
	var got any
	r.Register("before-call", func(ctx context.Context, _ *events.Event) error { got = ctx.Value(ctxKey{}); return nil })
	ctx := context.WithValue(context.Background(), ctxKey{}, "v")
	require.NoError(t, r.Emit(ctx, ev("before-call", "s3", "X")))
	require.Equal(t, "v", got)
}

func TestHasNoHandlers(t *testing.T) {
	var r events.Registry
	require.False(t, r.Has("before-send", "dynamodb", "GetItem"))
	require.NoError(t, r.Emit(context.Background(), ev("before-send", "dynamodb", "GetItem")))

	var nilReg *events.Registry
	require.False(t, nilReg.Has("before-send", "dynamodb", "GetItem"))
	require.NoError(t, nilReg.Emit(context.Background(), ev("before-send", "dynamodb", "GetItem")))
	require.Equal(t, 0, nilReg.Len())

	// Handlers for other events do not make Has true.
	r.Register("after-call.s3", func(context.Context, *events.Event) error { return nil })
	require.False(t, r.Has("before-send", "dynamodb", "GetItem"))
	require.False(t, r.Has("after-call", "dynamodb", "GetItem"))
	require.True(t, r.Has("after-call", "s3", "GetObject"))
}

func TestCopyIsolation(t *testing.T) {
	var r events.Registry
	var log []string
	u := r.Register("before-call", recorder(&log, "shared"))
	// Emit once so the shared snapshot's cache is warm before the copy.
	require.NoError(t, r.Emit(context.Background(), ev("before-call", "s3", "X")))

	c := r.Copy()
	require.Equal(t, 1, c.Len())
	r.Register("before-call", recorder(&log, "orig-only"))
	c.Register("before-call", recorder(&log, "copy-only"))

	log = nil
	require.NoError(t, r.Emit(context.Background(), ev("before-call", "s3", "X")))
	require.Equal(t, []string{"shared", "orig-only"}, log)
	log = nil
	require.NoError(t, c.Emit(context.Background(), ev("before-call", "s3", "X")))
	require.Equal(t, []string{"shared", "copy-only"}, log)

	// Unregistering on the original leaves the copy's registration.
	u()
	log = nil
	require.NoError(t, c.Emit(context.Background(), ev("before-call", "s3", "X")))
	require.Equal(t, []string{"shared", "copy-only"}, log)
	log = nil
	require.NoError(t, r.Emit(context.Background(), ev("before-call", "s3", "X")))
	require.Equal(t, []string{"orig-only"}, log)

	var nilReg *events.Registry
	require.Equal(t, 0, nilReg.Copy().Len())
	var zero events.Registry
	require.Equal(t, 0, zero.Copy().Len())
}

// TestConcurrentRegisterEmit registers and unregisters handlers while many goroutines emit;
// run with -race. A handler that stays registered throughout must see every Emit.
func TestConcurrentRegisterEmit(t *testing.T) {
	var r events.Registry
	var always atomic.Int64
	r.Register("before-send.dynamodb", func(context.Context, *events.Event) error { always.Add(1); return nil })

	const emitters, perEmitter = 8, 2000
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var churnWG sync.WaitGroup
	for i := range 2 {
		churnWG.Go(func() {
			ops := []string{"GetItem", "PutItem", "*"}
			for j := 0; ; j++ {
				select {
				case <-stop:
					return
				default:
				}
				u := r.Register("before-send.dynamodb."+ops[(i+j)%len(ops)], func(_ context.Context, e *events.Event) error {
					e.Attempt++ // handlers run on the emitting goroutine: no race on the Event
					return nil
				})
				_ = r.Has("before-send", "dynamodb", "GetItem")
				_ = r.Copy()
				u()
			}
		})
	}
	for i := range emitters {
		wg.Go(func() {
			ops := []string{"GetItem", "PutItem", "Query"}
			for j := range perEmitter {
				e := ev("before-send", "dynamodb", ops[(i+j)%len(ops)])
				if err := r.Emit(context.Background(), e); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	churnWG.Wait()
	require.Equal(t, int64(emitters*perEmitter), always.Load())
	require.Equal(t, 1, r.Len())
}

func TestEventFullName(t *testing.T) {
	require.Equal(t, "after-call.lambda.GetPolicy", ev("after-call", "lambda", "GetPolicy").FullName())
	require.Equal(t, "after-call.lambda", ev("after-call", "lambda", "").FullName())
	require.Equal(t, "after-call", ev("after-call", "", "").FullName())
}

func TestManyDistinctTriples(t *testing.T) {
	// More triples than the cache holds still emit correctly.
	var r events.Registry
	var n atomic.Int64
	r.Register("*", func(context.Context, *events.Event) error { n.Add(1); return nil })
	const triples = 1<<14 + 100
	for i := range triples {
		require.NoError(t, r.Emit(context.Background(), ev("custom", "svc", fmt.Sprintf("Op%d", i))))
	}
	require.Equal(t, int64(triples), n.Load())
}

func BenchmarkHasNoHandlers(b *testing.B) {
	var r events.Registry
	b.ReportAllocs()
	for b.Loop() {
		if r.Has("before-send", "dynamodb", "GetItem") {
			b.Fatal("has")
		}
	}
}

func BenchmarkEmitNoHandlers(b *testing.B) {
	var r events.Registry
	e := ev("before-send", "dynamodb", "GetItem")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Emit(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHasOtherHandlers(b *testing.B) {
	var r events.Registry
	r.Register("after-call.s3", func(context.Context, *events.Event) error { return nil })
	b.ReportAllocs()
	for b.Loop() {
		if r.Has("before-send", "dynamodb", "GetItem") {
			b.Fatal("has")
		}
	}
}

func BenchmarkEmitOneHandler(b *testing.B) {
	var r events.Registry
	n := 0
	r.Register("before-send.dynamodb", func(context.Context, *events.Event) error { n++; return nil })
	e := ev("before-send", "dynamodb", "GetItem")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Emit(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEmitOneHandlerParallel(b *testing.B) {
	var r events.Registry
	var n atomic.Int64
	r.Register("before-send.dynamodb", func(context.Context, *events.Event) error { n.Add(1); return nil })
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		e := ev("before-send", "dynamodb", "GetItem")
		for pb.Next() {
			if err := r.Emit(ctx, e); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkEmitFiveLevels(b *testing.B) {
	var r events.Registry
	for _, p := range []string{"*", "before-send", "before-send.*", "before-send.dynamodb", "before-send.dynamodb.GetItem"} {
		r.Register(p, func(context.Context, *events.Event) error { return nil })
	}
	e := ev("before-send", "dynamodb", "GetItem")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Emit(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}
