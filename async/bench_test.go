package async_test

import (
	"context"
	"testing"

	"github.com/aioaws/aioaws/async"
)

func BenchmarkGoWait(b *testing.B) {
	ctx := context.Background()
	fn := func(context.Context) (int, error) { return 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := async.Go(ctx, fn).Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGoWaitCancellableCtx(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fn := func(context.Context) (int, error) { return 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := async.Go(ctx, fn).Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAll100(b *testing.B) {
	ctx := context.Background()
	fs := make([]*async.Future[int], 100)
	for i := range fs {
		fs[i] = async.Resolved(i, nil)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := async.All(ctx, fs...); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMap1000Limit8(b *testing.B) {
	ctx := context.Background()
	in := make([]int, 1000)
	fn := func(_ context.Context, v int) (int, error) { return v + 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := async.Map(ctx, in, 8, fn); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkForEach1000Limit8(b *testing.B) {
	ctx := context.Background()
	in := func(yield func(int) bool) {
		for i := range 1000 {
			if !yield(i) {
				return
			}
		}
	}
	fn := func(context.Context, int) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		if err := async.ForEach(ctx, in, 8, fn); err != nil {
			b.Fatal(err)
		}
	}
}
