package async_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/aioaws/aioaws/async"
)

func ExampleGo() {
	ctx := context.Background()
	size := async.Go(ctx, func(ctx context.Context) (int, error) {
		return len("an object body"), nil // a call to AWS, in real code
	})
	// ... do other work while it runs ...
	n, err := size.Wait(ctx)
	fmt.Println(n, err)
	// Output: 14 <nil>
}

func ExampleMap() {
	keys := []string{"a.txt", "b.txt", "c.txt", "d.txt"}
	// At most two calls run at once; the results come back in the order of keys.
	sizes, err := async.Map(context.Background(), keys, 2, func(ctx context.Context, key string) (string, error) {
		return strings.ToUpper(key), nil
	})
	fmt.Println(sizes, err)
	// Output: [A.TXT B.TXT C.TXT D.TXT] <nil>
}

func ExampleAll() {
	ctx := context.Background()
	a := async.Go(ctx, func(context.Context) (string, error) { return "alpha", nil })
	b := async.Go(ctx, func(context.Context) (string, error) { return "beta", nil })
	both, err := async.All(ctx, a, b)
	fmt.Println(both, err)

	failed := async.Resolved("", errors.New("access denied"))
	_, err = async.All(ctx, a, failed)
	fmt.Println(err)
	// Output:
	// [alpha beta] <nil>
	// access denied
}

func ExampleAny() {
	ctx := context.Background()
	replica := async.Resolved("", errors.New("replica down"))
	primary := async.Go(ctx, func(context.Context) (string, error) { return "from primary", nil })
	v, err := async.Any(ctx, replica, primary)
	fmt.Println(v, err)
	// Output: from primary <nil>
}

func ExampleForEach() {
	var total atomic.Int64
	// in may be any iter.Seq: a generator, a channel, a paginator's items. The next value is
	// taken only when fewer than 3 calls are running.
	err := async.ForEach(context.Background(), slices.Values([]int{1, 2, 3, 4, 5}), 3, func(ctx context.Context, v int) error {
		total.Add(int64(v))
		return nil
	})
	fmt.Println(total.Load(), err)
	// Output: 15 <nil>
}

func ExamplePanicError() {
	f := async.Go(context.Background(), func(context.Context) (int, error) {
		panic("bad state")
	})
	_, err := f.Wait(context.Background())
	var pe *async.PanicError
	if errors.As(err, &pe) {
		fmt.Println("recovered:", pe.Value)
	}
	// Output: recovered: bad state
}
