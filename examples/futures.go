package examples

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aioaws/aioaws/async"
	"github.com/aioaws/aioaws/client"
)

// Futures fans out: n GetItem calls in flight at once, each a Future, then waits for all.
// The table must exist with a string hash key "pk".
func Futures(ctx context.Context, ddb *client.Client, table string, n int, w io.Writer) error {
	start := time.Now()
	for i := range n {
		if _, err := ddb.Call(ctx, "PutItem", map[string]any{"TableName": table,
			"Item": map[string]any{"pk": map[string]any{"S": fmt.Sprint(i)}, "n": map[string]any{"N": fmt.Sprint(i * i)}}}); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "wrote %d items one by one in %v\n", n, time.Since(start).Round(time.Millisecond))

	start = time.Now()
	futures := make([]*async.Future[map[string]any], n)
	for i := range futures {
		futures[i] = ddb.Go(ctx, "GetItem", map[string]any{"TableName": table, "Key": map[string]any{"pk": map[string]any{"S": fmt.Sprint(i)}}})
	}
	outs, err := async.All(ctx, futures...)
	if err != nil {
		return err
	}
	sum := 0
	for _, out := range outs {
		var v int
		fmt.Sscan(out["Item"].(map[string]any)["n"].(map[string]any)["N"].(string), &v)
		sum += v
	}
	fmt.Fprintf(w, "read %d items as %d concurrent futures in %v (sum of squares %d)\n", n, n, time.Since(start).Round(time.Millisecond), sum)
	return nil
}
