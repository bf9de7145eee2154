package rpcv2cbor

import (
	"bytes"
	"github.com/aioaws/aioaws/protocol/internal/prototest"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// FuzzParse feeds hostile bodies to the CloudWatch GetMetricData output and error parsers
// and to the test model's every-type output: they must return an error or a document, never
// panic, and never hold on to more than the body's worth of items.
func FuzzParse(f *testing.F) {
	cw, err := models.Load("cloudwatch")
	if err != nil {
		f.Fatal(err)
	}
	gmd, _ := cw.Operation("GetMetricData")
	cwc := New(cw)
	tc, svc := testService(f)
	everything := svc.Operations["Everything"]

	seed := func(v any) {
		b, err := appendDocument(nil, v, 0)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	seed(getMetricDataResponse(2, 5))
	seed(map[string]any{"__type": "com.amazonaws.cloudwatch#InvalidNextToken", "message": "bad token"})
	seed(map[string]any{"Str": "s", "Float": 1.5, "Time": time.Unix(1, 5e8), "Blob": []byte("b"), "BigDec": 1.25,
		"Doc": map[string]any{"a": []any{1, "x", nil}}, "Map": map[string]any{"k": "v"}, "Sparse": []any{nil}})
	f.Add([]byte{0xbf, 0x63, 'S', 't', 'r', 0x7f, 0x61, 'a', 0xff, 0xff})
	f.Add([]byte{0xa1, 0x64, 'L', 'i', 's', 't', 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0xa1, 0x66, 'B', 'i', 'g', 'D', 'e', 'c', 0xc4, 0x82, 0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add(bytes.Repeat([]byte{0x81}, 1000))
	f.Fuzz(func(t *testing.T, body []byte) {
		resp := func() *protocol.Response {
			return &protocol.Response{StatusCode: 400, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}
		}
		_, _ = cwc.Parse(gmd, resp())
		_, _ = tc.Parse(everything, resp())
		if e := cwc.ParseError(gmd, resp()); e == nil {
			t.Fatal("ParseError returned nil")
		}
		if e := tc.ParseError(everything, resp()); e == nil {
			t.Fatal("ParseError returned nil")
		}
		_, _ = (&reader{data: body}).any()
	})
}

// FuzzDocumentRoundTrip checks that whatever the generic decoder accepts, the document
// encoder writes back to the same value.
func FuzzDocumentRoundTrip(f *testing.F) {
	f.Add([]byte{0xbf, 0x61, 'a', 0x9f, 0x01, 0xf9, 0x3e, 0x00, 0xc1, 0x1a, 0x5f, 0x5e, 0x10, 0x00, 0xff, 0xff})
	f.Add([]byte{0xa2, 0x61, 'b', 0x5f, 0x41, 0x00, 0xff, 0x01, 0xc3, 0x49, 1, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0xc4, 0x82, 0x21, 0x19, 0x6a, 0xb3})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := (&reader{data: data}).any()
		if err != nil {
			return
		}
		b, err := appendDocument(nil, v, 0)
		if err != nil {
			t.Fatalf("encode %#v: %v", v, err)
		}
		w, err := (&reader{data: b}).any()
		if err != nil {
			t.Fatalf("decode %x: %v", b, err)
		}
		if !reflect.DeepEqual(prototest.Normalize(v), prototest.Normalize(w)) {
			t.Fatalf("%#v became %#v", v, w)
		}
	})
}
