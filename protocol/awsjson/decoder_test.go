package awsjson

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// counted reads an attribute value by counting its members; lazy reads nothing, which the
// codec must catch. Both decode documents too (aws.Unmarshaler), which is the fallback.
type (
	counted struct {
		members int
		viaDoc  bool
	}
	lazy struct{ viaDoc bool }
)

func (c *counted) UnmarshalAWSJSON(d *Decoder) error {
	return d.Object(func(string) error { c.members++; return d.Skip() })
}

func (c *counted) UnmarshalDocument(doc any) error {
	c.members, c.viaDoc = len(doc.(map[string]any)), true
	return nil
}

func (l *lazy) UnmarshalAWSJSON(*Decoder) error { return nil }

func (l *lazy) UnmarshalDocument(any) error {
	l.viaDoc = true
	return nil
}

func parseQuery(t *testing.T, body string, out any) error {
	svc, err := models.Load("dynamodb")
	require.NoError(t, err)
	op, _ := svc.Operation("Query")
	resp := &protocol.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
	return New(svc, "json").ParseInto(op, resp, out)
}

func TestUnmarshalerReadsItsOwnValue(t *testing.T) {
	var out struct{ Items []map[string]counted }
	require.NoError(t, parseQuery(t, `{"Items":[{"a":{"S":"x"},"b":null,"c":{"N":"1","S":"2"}}]}`, &out))
	require.Equal(t, map[string]counted{"a": {members: 1}, "c": {members: 2}}, out.Items[0], "null leaves the entry out; no document was made")
}

func TestUnmarshalerThatReadsNothingFallsBackToTheDocument(t *testing.T) {
	var out struct{ Items []map[string]lazy }
	require.NoError(t, parseQuery(t, `{"Items":[{"a":{"S":"x"}}]}`, &out))
	require.Equal(t, lazy{viaDoc: true}, out.Items[0]["a"])
}

func TestDecoderReadErrorIsTheResponses(t *testing.T) {
	var out struct{ Items []map[string]counted }
	err := parseQuery(t, `{"Items":[{"a":{"S":"x",}}]}`, &out)
	require.ErrorContains(t, err, "malformed JSON response at offset")
	var m misfit
	require.False(t, errors.As(err, &m))
}
