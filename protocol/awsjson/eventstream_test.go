package awsjson

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
	"github.com/aioaws/aioaws/protocol/eventstream"
)

// TestEventStreamPayload parses Lambda's InvokeWithResponseStream answer: the payload member
// is an event stream whose events carry a blob payload or a JSON body.
func TestEventStreamPayload(t *testing.T) {
	svc, err := models.Load("lambda")
	require.NoError(t, err)
	op, _ := svc.Operation("InvokeWithResponseStream")
	c := New(svc, "rest-json")

	var body bytes.Buffer
	enc := eventstream.NewEncoder(&body)
	event := func(typ string, payload string) {
		require.NoError(t, enc.Encode(eventstream.Message{Headers: eventstream.Headers{
			{Name: ":message-type", Value: eventstream.StringValue("event")},
			{Name: ":event-type", Value: eventstream.StringValue(typ)},
			{Name: ":content-type", Value: eventstream.StringValue("application/json")},
		}, Payload: []byte(payload)}))
	}
	event("PayloadChunk", "hello, ")
	event("PayloadChunk", "world")
	event("InvokeComplete", `{"LogResult":"bG9n","ErrorCode":""}`)

	resp := &protocol.Response{StatusCode: 200, Header: http.Header{"X-Amz-Executed-Version": {"$LATEST"}}, Body: io.NopCloser(&body)}
	out, err := c.Parse(op, resp)
	require.NoError(t, err)
	require.Equal(t, "$LATEST", out["ExecutedVersion"])
	r, ok := out["EventStream"].(*eventstream.Reader)
	require.True(t, ok, "EventStream is %T", out["EventStream"])
	defer r.Close()
	var chunks []byte
	var complete map[string]any
	for e, err := range r.Events() {
		require.NoError(t, err)
		switch e.Type {
		case "PayloadChunk":
			chunks = append(chunks, e.Value["Payload"].([]byte)...)
		case "InvokeComplete":
			complete = e.Value
		}
	}
	require.Equal(t, "hello, world", string(chunks))
	require.Equal(t, "bG9n", complete["LogResult"])
}
