package awsjson

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/models"
)

func dynamodbOp(t *testing.T, name string) (*Codec, *models.Operation) {
	t.Helper()
	svc, err := models.Load("dynamodb")
	require.NoError(t, err)
	op, ok := svc.Operation(name)
	require.True(t, ok)
	return New(svc, "json"), op
}

// The header values of a json request share one array per request: changing one request's
// headers must not show in the other header of the same request, nor in another request.
func TestBuildHeadersAreTheRequestsOwn(t *testing.T) {
	c, op := dynamodbOp(t, "GetItem")
	in := map[string]any{"TableName": "t", "Key": map[string]any{"pk": map[string]any{"S": "a"}}}
	r1, err := c.Build(op, in)
	require.NoError(t, err)
	r2, err := c.Build(op, in)
	require.NoError(t, err)
	require.Equal(t, "application/x-amz-json-1.0", r1.Header.Get("Content-Type"))
	require.Equal(t, "DynamoDB_20120810.GetItem", r1.Header.Get("X-Amz-Target"))

	r1.Header.Add("Content-Type", "text/plain")
	r1.Header["X-Amz-Target"][0] = "changed"
	r1.Header.Add("X-Amz-Target", "added")
	require.Equal(t, []string{"application/x-amz-json-1.0", "text/plain"}, r1.Header["Content-Type"])
	require.Equal(t, []string{"changed", "added"}, r1.Header["X-Amz-Target"])
	require.Equal(t, []string{"application/x-amz-json-1.0"}, r2.Header["Content-Type"])
	require.Equal(t, []string{"DynamoDB_20120810.GetItem"}, r2.Header["X-Amz-Target"])
}

// Bodies start at a capacity learned from the operation's earlier bodies; whatever it is,
// a body is the same bytes a fresh codec writes.
func TestBuildBodyAfterLongerAndShorterBodies(t *testing.T) {
	c, op := dynamodbOp(t, "PutItem")
	item := func(n int) map[string]any {
		return map[string]any{"TableName": "t", "Item": map[string]any{
			"pk": map[string]any{"S": strings.Repeat("k", n)},
			"b":  map[string]any{"B": []byte{0, 1, 0xff}},
		}}
	}
	want := `{"TableName":"t","Item":{"b":{"B":"AAH/"},"pk":{"S":"kk"}}}`
	for _, n := range []int{2, 5000, 2, 100000, 2, 2} {
		req, err := c.Build(op, item(n))
		require.NoError(t, err)
		fresh, _ := dynamodbOp(t, "PutItem")
		freq, err := fresh.Build(op, item(n))
		require.NoError(t, err)
		require.Equal(t, string(freq.Body), string(req.Body))
		if n == 2 {
			require.Equal(t, want, string(req.Body))
		}
	}
}

// A GetItem request costs the request (with its header values), the header map and the body.
func TestBuildAllocations(t *testing.T) {
	c, op := dynamodbOp(t, "GetItem")
	in := map[string]any{"TableName": "t", "Key": map[string]any{"pk": map[string]any{"S": "a"}, "sk": map[string]any{"S": "b"}}}
	_, err := c.Build(op, in)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := c.Build(op, in); err != nil {
			t.Fatal(err)
		}
	})
	require.LessOrEqual(t, allocs, 4.0)
}
