package dynamodb_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/dynamodb"
	"github.com/aioaws/aioaws/internal/emulator"
	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/models"
)

type (
	putItemInput struct {
		TableName string
		Item      dynamodb.Item
	}
	getItemInput struct {
		TableName      string
		Key            dynamodb.Item
		ConsistentRead bool
	}
	getItemOutput struct{ Item dynamodb.Item }
)

// TestItemsEndToEnd sends Items and Values in typed inputs and documents, and reads them back
// into typed outputs, against dynalite and moto.
func TestItemsEndToEnd(t *testing.T) {
	for _, emu := range []struct {
		name string
		srv  func(testing.TB) *emulator.Server
	}{{"dynalite", testenv.Dynalite}, {"moto", testenv.Moto}} {
		t.Run(emu.name, func(t *testing.T) {
			srv := emu.srv(t)
			svc, err := models.Load("dynamodb")
			require.NoError(t, err)
			ddb, err := client.New(svc, client.Options{Region: srv.Region, Endpoint: srv.URL,
				Credentials: aws.StaticCredentials{AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}})
			require.NoError(t, err)
			t.Cleanup(ddb.Close)
			ctx := t.Context()
			table := "values-" + emu.name
			_, err = ddb.Call(ctx, "CreateTable", map[string]any{
				"TableName":            table,
				"AttributeDefinitions": []any{map[string]any{"AttributeName": "pk", "AttributeType": "S"}},
				"KeySchema":            []any{map[string]any{"AttributeName": "pk", "KeyType": "HASH"}},
				"BillingMode":          "PAY_PER_REQUEST",
			})
			require.NoError(t, err)
			require.Eventually(t, func() bool {
				out, err := ddb.Call(ctx, "DescribeTable", map[string]any{"TableName": table})
				return err == nil && out["Table"].(map[string]any)["TableStatus"] == "ACTIVE"
			}, 10*time.Second, 20*time.Millisecond)

			item := every()
			delete(item, "") // DynamoDB rejects an empty attribute name
			item["pk"] = dynamodb.S("u1")
			_, err = client.CallInto[struct{}](ctx, ddb, "PutItem", putItemInput{TableName: table, Item: item})
			require.NoError(t, err)

			key := dynamodb.Item{"pk": dynamodb.S("u1")}
			got, err := client.CallInto[getItemOutput](ctx, ddb, "GetItem", getItemInput{TableName: table, Key: key, ConsistentRead: true})
			require.NoError(t, err)
			// DynamoDB keeps sets unordered: compare them as sets.
			for _, k := range []string{"ss", "ns", "bs"} {
				require.ElementsMatch(t, setOf(t, item[k]), setOf(t, got.Item[k]), k)
				delete(got.Item, k)
				delete(item, k)
			}
			require.True(t, item.Equal(got.Item), "sent %v\ngot %v", item, got.Item)

			// A Value inside a document input, and a Query read into Items.
			q, err := client.CallInto[queryOutput](ctx, ddb, "Query", map[string]any{"TableName": table,
				"KeyConditionExpression": "pk = :pk", "ExpressionAttributeValues": map[string]any{":pk": dynamodb.S("u1")}})
			require.NoError(t, err)
			require.Equal(t, 1, q.Count)
			require.True(t, q.Items[0]["m"].Equal(item["m"]))

			// Validation sees through Values: the invalid zero Value is caught before sending.
			_, err = client.CallInto[struct{}](ctx, ddb, "PutItem", putItemInput{TableName: table,
				Item: dynamodb.Item{"pk": dynamodb.S("u2"), "bad": {}}})
			var ve *aws.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, []aws.Problem{{Path: "Item.bad", Msg: errInvalidMsg}}, ve.Problems)
		})
	}
}

const errInvalidMsg = "dynamodb: the zero Value is not an attribute value (make one with S, N, B, Bool, Null, SS, NS, BS, M or L)"

func setOf(t *testing.T, v dynamodb.Value) []string {
	t.Helper()
	if ss, ok := v.SS(); ok {
		return ss
	}
	if ns, ok := v.NS(); ok {
		return ns
	}
	bs, ok := v.BS()
	require.True(t, ok, "%v is not a set", v)
	var out []string
	for _, b := range bs {
		out = append(out, string(b))
	}
	return out
}
