package protocol

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/models"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func ddbOp(t *testing.T, name string) *models.Operation {
	svc, err := models.Load("dynamodb")
	require.NoError(t, err)
	op, ok := svc.Operation(name)
	require.True(t, ok)
	return op
}

func problems(t *testing.T, err error) []aws.Problem {
	var ve *aws.ValidationError
	require.True(t, errors.As(err, &ve), "want *aws.ValidationError, got %v", err)
	return ve.Problems
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	err := Validate(ddbOp(t, "PutItem"), map[string]any{
		"TableName": "",
		"Item":      map[string]any{"pk": map[string]any{"S": "a", "N": "1"}, "n": map[string]any{"N": 7}},
		"Bogus":     true,
	})
	require.ElementsMatch(t, []aws.Problem{
		{Path: "TableName", Msg: "length 0 below minimum 1"}, // PutItem takes a name or an ARN
		{Path: "Item.n.N", Msg: "got int, want string"},
		{Path: "Bogus", Msg: "unknown member (PutItemInput has TableName, Item, Expected, ReturnValues, ReturnConsumedCapacity, ReturnItemCollectionMetrics, ConditionalOperator, ConditionExpression, …)"},
	}, problems(t, err))
	require.ErrorContains(t, err, "invalid input for PutItem: 3 problems")

	err = Validate(ddbOp(t, "ListTables"), map[string]any{"ExclusiveStartTableName": "t"}) // shape TableName: min 3
	require.Equal(t, []aws.Problem{{Path: "ExclusiveStartTableName", Msg: "length 1 below minimum 3"}}, problems(t, err))

	err = Validate(ddbOp(t, "Query"), map[string]any{"TableName": "table", "Limit": "ten"})
	require.Equal(t, []aws.Problem{{Path: "Limit", Msg: `got "ten" (string), want integer`}}, problems(t, err))

	err = Validate(ddbOp(t, "GetItem"), nil)
	require.ElementsMatch(t, []aws.Problem{{Path: "TableName", Msg: "missing required member"}, {Path: "Key", Msg: "missing required member"}}, problems(t, err))

	err = Validate(ddbOp(t, "Query"), map[string]any{"TableName": "table", "Limit": 0})
	require.Equal(t, []aws.Problem{{Path: "Limit", Msg: "value 0 below minimum 1"}}, problems(t, err))
}

type getItemInput struct {
	TableName  string
	Key        map[string]any
	Consistent *bool  `aws:"ConsistentRead"`
	Ignored    string `aws:"-"`
}

func TestValidateAndFieldsAcceptStructs(t *testing.T) {
	op := ddbOp(t, "GetItem")
	yes := true
	in := getItemInput{TableName: "table", Key: map[string]any{"pk": map[string]any{"S": "a"}}, Consistent: &yes, Ignored: "x"}
	require.NoError(t, Validate(op, in))
	require.NoError(t, Validate(op, &in))
	got := map[string]any{}
	require.True(t, Fields(op.Input, in, func(m *models.Member, v any) { got[m.Name] = v }))
	require.Equal(t, map[string]any{"TableName": "table", "Key": in.Key, "ConsistentRead": true}, got)

	err := Validate(op, getItemInput{Key: map[string]any{}})
	require.Equal(t, []aws.Problem{{Path: "TableName", Msg: "missing required member"}}, problems(t, err))
}

func TestIdempotencyTokensAreFilledWithoutTouchingTheInput(t *testing.T) {
	svc, err := models.Load("ec2")
	require.NoError(t, err)
	op, _ := svc.Operation("RunInstances")
	in := map[string]any{"MinCount": 1, "MaxCount": 1}
	filled := WithIdempotencyTokens(op.Input, in).(map[string]any)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, filled["ClientToken"])
	require.NotContains(t, in, "ClientToken")
	in["ClientToken"] = "mine"
	require.Equal(t, "mine", WithIdempotencyTokens(op.Input, in).(map[string]any)["ClientToken"])
}

// A union takes exactly one member: none and two are both problems.
func TestValidateUnionTakesExactlyOneMember(t *testing.T) {
	svc, err := models.Load("bedrock-runtime")
	require.NoError(t, err)
	op, ok := svc.Operation("Converse")
	require.True(t, ok)
	in := func(block map[string]any) map[string]any {
		return map[string]any{"modelId": "m", "messages": []any{map[string]any{"role": "user", "content": []any{block}}}}
	}
	require.NoError(t, Validate(op, in(map[string]any{"text": "hi"})))

	ps := problems(t, Validate(op, in(map[string]any{})))
	require.Len(t, ps, 1)
	require.Equal(t, "messages[0].content[0]", ps[0].Path)
	require.Contains(t, ps[0].Msg, "union ContentBlock takes exactly one member, got none (text, ")

	ps = problems(t, Validate(op, in(map[string]any{"text": "hi", "image": map[string]any{"format": "png", "source": map[string]any{"bytes": []byte{1}}}})))
	require.Equal(t, []aws.Problem{{Path: "messages[0].content[0]", Msg: "union ContentBlock takes exactly one member, got text, image"}}, ps)
}
