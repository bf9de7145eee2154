package awsjson

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aioaws/aioaws/aws"
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
		doc, err := c.Parse(op, resp())
		// The typed fast path agrees with Parse: it fails exactly when Parse does, and
		// otherwise stores what decoding the document stores.
		var typed, viaDoc queryOutput
		errTyped := c.ParseInto(op, resp(), &typed)
		if (err != nil) != (errTyped != nil && !isDecodeError(errTyped)) {
			t.Fatalf("Parse error %v, ParseInto error %v", err, errTyped)
		}
		if err == nil {
			errDoc := aws.Decode(doc, &viaDoc)
			if fmt.Sprint(errDoc) != fmt.Sprint(errTyped) {
				t.Fatalf("ParseInto error %v, Decode error %v", errTyped, errDoc)
			}
			if !reflect.DeepEqual(typed, viaDoc) {
				t.Fatalf("ParseInto stored %+v, Decode %+v", typed, viaDoc)
			}
		}
		if e := c.ParseError(op, resp()); e == nil {
			t.Fatal("ParseError returned nil")
		}
	})
}

type attributeValue struct {
	S, N *string
	B    []byte
	BOOL *bool
	SS   []string
	M    map[string]*attributeValue
	L    []attributeValue
}

type queryOutput struct {
	Items            []map[string]*attributeValue
	Count            int8 // narrow: large counts take the misfit path
	LastEvaluatedKey map[string]attributeValue
}

func isDecodeError(err error) bool {
	var de *aws.DecodeError
	return errors.As(err, &de)
}
