package awsjson

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// FuzzParse feeds hostile bodies to the DynamoDB Query output and error parsers: they must
// return an error or a document, never panic.
func FuzzParse(f *testing.F) {
	svc, err := models.Load("dynamodb")
	if err != nil {
		f.Fatal(err)
	}
	op, _ := svc.Operation("Query")
	c := New(svc, "json")
	f.Add(`{"Items":[{"pk":{"S":"a"},"n":{"N":"1"},"b":{"B":"AAE="}}],"Count":1,"LastEvaluatedKey":{"pk":{"S":"a"}}}`)
	f.Add(`{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"nope"}`)
	f.Add(`{"Items":[{"pk":{"S":"\ud83d\ude00\u0000"}}],"Count":1e400}`)
	f.Add(strings.Repeat("[", 1000))
	f.Fuzz(func(t *testing.T, body string) {
		resp := func() *protocol.Response {
			return &protocol.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
		}
		_, _ = c.Parse(op, resp())
		if e := c.ParseError(op, resp()); e == nil {
			t.Fatal("ParseError returned nil")
		}
	})
}
