package examples

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aioaws/aioaws/client"
)

// DynamoDBTable is aiobotocore's table example: create a table and wait until it is ACTIVE
// (the waiter package will replace this loop with the model's TableExists waiter).
func DynamoDBTable(ctx context.Context, ddb *client.Client, table string, w io.Writer) error {
	_, err := ddb.Call(ctx, "CreateTable", map[string]any{
		"TableName":            table,
		"AttributeDefinitions": []any{map[string]any{"AttributeName": "pk", "AttributeType": "S"}},
		"KeySchema":            []any{map[string]any{"AttributeName": "pk", "KeyType": "HASH"}},
		"BillingMode":          "PAY_PER_REQUEST",
	})
	if err != nil {
		return err
	}
	for {
		out, err := ddb.Call(ctx, "DescribeTable", map[string]any{"TableName": table})
		if err != nil {
			return err
		}
		status := out["Table"].(map[string]any)["TableStatus"]
		fmt.Fprintf(w, "table %s is %v\n", table, status)
		if status == "ACTIVE" {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
