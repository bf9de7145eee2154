package rpcv2cbor

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// testModel has a shape of every type, for round trips.
const testModel = `{
  "metadata": {"protocol": "smithy-rpc-v2-cbor", "protocols": ["smithy-rpc-v2-cbor"], "apiVersion": "2024-01-01",
               "targetPrefix": "TestService", "awsQueryCompatible": {}},
  "operations": {
    "Everything": {"name": "Everything", "http": {"method": "POST", "requestUri": "/"},
                   "input": {"shape": "All"}, "output": {"shape": "All"},
                   "errors": [{"shape": "Throttled"}, {"shape": "Broken"}]},
    "Token": {"name": "Token", "http": {"method": "POST", "requestUri": "/"}, "input": {"shape": "TokenInput"},
              "endpoint": {"hostPrefix": "{Zone}."}},
    "Nothing": {"name": "Nothing", "http": {"method": "POST", "requestUri": "/"}}
  },
  "shapes": {
    "All": {"type": "structure", "members": {
      "Str": {"shape": "Str"}, "Bool": {"shape": "Bool"}, "Int": {"shape": "Int"}, "Long": {"shape": "Long"},
      "Float": {"shape": "Float"}, "Double": {"shape": "Double"}, "BigInt": {"shape": "BigInt"},
      "BigDec": {"shape": "BigDec"}, "Time": {"shape": "Time"}, "Blob": {"shape": "Blob"},
      "List": {"shape": "IntList"}, "Sparse": {"shape": "SparseList"}, "Map": {"shape": "StrMap"},
      "Nested": {"shape": "All"}, "Doc": {"shape": "Doc"}, "Union": {"shape": "Union"},
      "Renamed": {"shape": "Str", "locationName": "wireName"}
    }},
    "TokenInput": {"type": "structure", "required": ["Zone"], "members": {
      "Zone": {"shape": "Str", "hostLabel": true}, "Token": {"shape": "Str", "idempotencyToken": true}}},
    "Throttled": {"type": "structure", "members": {"message": {"shape": "Str"}, "RetryAfter": {"shape": "Int"}},
                  "exception": true, "error": {"code": "Throttling", "httpStatusCode": 400, "senderFault": true}},
    "Broken": {"type": "structure", "members": {"Message": {"shape": "Str"}}, "exception": true, "fault": true},
    "Str": {"type": "string"}, "Bool": {"type": "boolean"}, "Int": {"type": "integer"}, "Long": {"type": "long"},
    "Float": {"type": "float"}, "Double": {"type": "double"}, "BigInt": {"type": "bigInteger"},
    "BigDec": {"type": "bigDecimal"}, "Time": {"type": "timestamp"}, "Blob": {"type": "blob"},
    "IntList": {"type": "list", "member": {"shape": "Long"}},
    "SparseList": {"type": "list", "member": {"shape": "Str"}, "sparse": true},
    "StrMap": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "Str"}},
    "Doc": {"type": "structure", "members": {}, "document": true},
    "Union": {"type": "structure", "members": {"A": {"shape": "Str"}, "B": {"shape": "Int"}}, "union": true}
  }
}`

func testService(t testing.TB) (*Codec, *models.Service) {
	svc, err := models.Parse("test", "service-2.json", []byte(testModel))
	require.NoError(t, err)
	return New(svc), svc
}

func response(status int, body []byte, header ...string) *protocol.Response {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return &protocol.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(body))}
}

func unhex(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	require.NoError(t, err)
	return b
}

func TestBuildRequestLine(t *testing.T) {
	c, svc := testService(t)
	req, err := c.Build(svc.Operations["Everything"], map[string]any{"Str": "hi"})
	require.NoError(t, err)
	require.Equal(t, "POST", req.Method)
	require.Equal(t, "/service/TestService/operation/Everything", req.Path)
	require.Equal(t, "rpc-v2-cbor", req.Header.Get("smithy-protocol"))
	require.Equal(t, "application/cbor", req.Header.Get("Content-Type"))
	require.Equal(t, "application/cbor", req.Header.Get("Accept"))
	require.Equal(t, "true", req.Header.Get("x-amzn-query-mode"))
	require.Empty(t, req.Header.Get("X-Amz-Target"))
	require.Equal(t, unhex(t, "a1 63 537472 62 6869"), req.Body) // {"Str": "hi"}

	req, err = c.Build(svc.Operations["Nothing"], nil)
	require.NoError(t, err)
	require.Nil(t, req.Body)
	require.Empty(t, req.Header.Get("Content-Type"))

	req, err = c.Build(svc.Operations["Everything"], nil)
	require.NoError(t, err)
	require.Equal(t, []byte{0xa0}, req.Body)
}

func TestBuildHostPrefixAndIdempotencyToken(t *testing.T) {
	c, svc := testService(t)
	in := map[string]any{"Zone": "eu1"}
	req, err := c.Build(svc.Operations["Token"], in)
	require.NoError(t, err)
	require.Equal(t, "eu1.", req.HostPrefix)
	r := &reader{data: req.Body}
	v, err := r.any()
	require.NoError(t, err)
	require.Len(t, v.(map[string]any)["Token"], 36)
	require.NotContains(t, in, "Token", "the caller's input is not modified")
}

func TestCloudWatchModel(t *testing.T) {
	svc, err := models.Load("cloudwatch")
	require.NoError(t, err)
	c := New(svc)
	req, err := c.Build(svc.Operations["ListMetrics"], map[string]any{"Namespace": "AWS/EC2"})
	require.NoError(t, err)
	require.Equal(t, "/service/GraniteServiceVersion20100801/operation/ListMetrics", req.Path)
	require.Equal(t, "true", req.Header.Get("X-Amzn-Query-Mode"))
}

// TestRoundTrip encodes a value of every type and decodes it with the same shape.
func TestRoundTrip(t *testing.T) {
	c, svc := testService(t)
	op := svc.Operations["Everything"]
	huge, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	long := make([]any, 70000) // a length that needs a 4-byte head, moved into place
	for i := range long {
		long[i] = int64(i - 35000)
	}
	when := time.Date(2026, 1, 2, 3, 4, 5, 678e6, time.UTC)
	in := map[string]any{
		"Str": "héllo", "Bool": false, "Int": -24, "Long": int64(math.MinInt64),
		"Float": 7.625, "Double": math.Inf(-1), "BigInt": huge, "BigDec": "-12.345e-2",
		"Time": when, "Blob": []byte{0, 1, 2}, "List": long,
		"Sparse": []any{"a", nil, "b"}, "Map": map[string]string{"k": "v", "dropped": ""},
		"Nested":  map[string]any{"Str": strings.Repeat("x", 300), "Nested": map[string]any{"Int": 1 << 20}},
		"Doc":     map[string]any{"n": 1.5, "list": []any{"a", true, nil, int64(-3)}, "obj": map[string]any{}},
		"Union":   map[string]any{"B": 9},
		"Renamed": "wire",
	}
	req, err := c.Build(op, in)
	require.NoError(t, err)
	require.Contains(t, string(req.Body), "wireName")

	out, err := c.Parse(op, response(200, req.Body))
	require.NoError(t, err)
	require.Equal(t, "héllo", out["Str"])
	require.Equal(t, false, out["Bool"])
	require.Equal(t, int64(-24), out["Int"])
	require.Equal(t, int64(math.MinInt64), out["Long"])
	require.Equal(t, 7.625, out["Float"])
	require.Equal(t, math.Inf(-1), out["Double"])
	require.Equal(t, 0, huge.Cmp(out["BigInt"].(*big.Int)))
	require.InDelta(t, -0.12345, out["BigDec"], 1e-15)
	require.Equal(t, when, out["Time"])
	require.Equal(t, []byte{0, 1, 2}, out["Blob"])
	require.Equal(t, long, out["List"])
	require.Equal(t, []any{"a", nil, "b"}, out["Sparse"])
	require.Equal(t, map[string]any{"k": "v", "dropped": ""}, out["Map"])
	require.Equal(t, map[string]any{"Str": strings.Repeat("x", 300), "Nested": map[string]any{"Int": int64(1 << 20)}}, out["Nested"])
	require.Equal(t, map[string]any{"n": 1.5, "list": []any{"a", true, nil, int64(-3)}, "obj": map[string]any{}}, out["Doc"])
	require.Equal(t, map[string]any{"B": int64(9)}, out["Union"])
	require.Equal(t, "wire", out["Renamed"])
}

func TestBuildStructInput(t *testing.T) {
	c, svc := testService(t)
	type nested struct{ Int int }
	type input struct {
		Str     string
		Long    *int64
		Nested  *nested
		Renamed string   `aws:"Renamed"`
		List    []uint16 // any slice
		Ignored string   `aws:"-"`
	}
	zero := int64(0)
	req, err := c.Build(svc.Operations["Everything"], input{Str: "s", Long: &zero, Nested: &nested{Int: 3}, Renamed: "r", List: []uint16{1, 65535}, Ignored: "x"})
	require.NoError(t, err)
	v, err := (&reader{data: req.Body}).any()
	require.NoError(t, err)
	require.Equal(t, map[string]any{"Str": "s", "Long": int64(0), "Nested": map[string]any{"Int": int64(3)},
		"wireName": "r", "List": []any{int64(1), int64(65535)}}, v)
}

func TestBuildRejectsWrongTypes(t *testing.T) {
	c, svc := testService(t)
	op := svc.Operations["Everything"]
	for _, in := range []map[string]any{
		{"Str": 1}, {"Bool": "yes"}, {"Int": 1.5}, {"Float": "x"}, {"Time": []int{}}, {"Blob": 3},
		{"List": "x"}, {"Map": []string{}}, {"Nested": 3}, {"BigDec": "1.2.3"}, {"BigDec": math.NaN()},
		{"Doc": map[string]any{"f": func() {}}},
	} {
		_, err := c.Build(op, in)
		require.Error(t, err, "%v", in)
	}
}

func TestEncodingForms(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"uint 23", appendInt(nil, 23), "17"},
		{"uint 24", appendInt(nil, 24), "1818"},
		{"uint 256", appendInt(nil, 256), "190100"},
		{"uint 65536", appendInt(nil, 65536), "1a00010000"},
		{"uint 2^32", appendInt(nil, 1<<32), "1b0000000100000000"},
		{"negint -1", appendInt(nil, -1), "20"},
		{"negint -500", appendInt(nil, -500), "3901f3"},
		{"min int64", appendInt(nil, math.MinInt64), "3b7fffffffffffffff"},
		{"float NaN", appendSingle(nil, math.NaN()), "fa7fc00000"},
		{"double NaN", appendDouble(nil, math.NaN()), "fb7ff8000000000000"},
		{"float -Inf", appendSingle(nil, math.Inf(-1)), "faff800000"},
		{"timestamp", appendTime(nil, time.Unix(1398796238, 0)), "c1fb41d4d7fbf3800000"},
		{"bignum", appendBigInt(nil, new(big.Int).Lsh(big.NewInt(1), 64)), "c249010000000000000000"},
		{"max uint64", appendBigInt(nil, new(big.Int).SetUint64(math.MaxUint64)), "1bffffffffffffffff"},
		{"-2^64", appendBigInt(nil, new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 64))), "3bffffffffffffffff"},
		{"-2^64-1", appendBigInt(nil, new(big.Int).Sub(new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 64)), big.NewInt(1))), "c349010000000000000000"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, hex.EncodeToString(tt.got), tt.name)
	}
	b, err := appendDecimal(nil, &models.Shape{Name: "D"}, "273.15")
	require.NoError(t, err)
	require.Equal(t, "c48221196ab3", hex.EncodeToString(b)) // RFC 8949 §3.4.4's example
}

func TestEndContainerMovesContent(t *testing.T) {
	for _, n := range []int{0, 23, 24, 255, 256, 65535, 65536} {
		b, start := beginContainer([]byte{0x99}, majorArray)
		for range n {
			b = append(b, 0x01)
		}
		b = endContainer(b, start, majorArray, n)
		r := &reader{data: b[1:]}
		v, err := r.any()
		require.NoError(t, err, n)
		require.NoError(t, r.end())
		require.Len(t, v, n)
		require.Equal(t, byte(0x99), b[0])
	}
}

func TestDecodeForms(t *testing.T) {
	c, svc := testService(t)
	op := svc.Operations["Everything"]
	tests := []struct {
		name, body string
		want       map[string]any
	}{
		{"half floats", "a2 65 466c6f6174 f93e00 66 446f75626c65 f9fc00", map[string]any{"Float": 1.5, "Double": math.Inf(-1)}},
		{"half subnormal", "a1 66 446f75626c65 f98001", map[string]any{"Double": -math.Ldexp(1, -24)}},
		{"integer as double", "a1 66 446f75626c65 3863", map[string]any{"Double": -100.0}},
		{"whole float as integer", "a1 63 496e74 fb4059000000000000", map[string]any{"Int": int64(100)}},
		{"int timestamp", "a1 64 54696d65 c1 1a5f5e1000", map[string]any{"Time": time.Unix(1600000000, 0).UTC()}},
		{"untagged timestamp", "a1 64 54696d65 fa4f000000", map[string]any{"Time": time.Unix(1<<31, 0).UTC()}},
		{"indefinite everything", "bf 7f 6153 6174 6172 ff 7f 62 6869 ff 64 4c697374 9f 01 02 ff 64 426c6f62 5f 41 00 41 01 ff ff",
			map[string]any{"Str": "hi", "List": []any{int64(1), int64(2)}, "Blob": []byte{0, 1}}},
		{"nulls and undefined skipped", "a3 63 537472 f6 64 4c697374 83 01 f7 02 63 4d6170 a1 61 6b f6", map[string]any{"List": []any{int64(1), int64(2)}, "Map": map[string]any{}}},
		{"sparse keeps null", "a1 66 537061727365 82 f6 61 61", map[string]any{"Sparse": []any{nil, "a"}}},
		{"unknown keys skipped", "a2 63 466f6f d8 63 bf 61 61 9f 01 a0 ff ff 63 537472 61 78", map[string]any{"Str": "x"}},
		{"decimal fraction", "a1 66 426967446563 c4 82 21 19 6ab3", map[string]any{"BigDec": 273.15}},
		{"bignum integer", "a1 66 426967496e74 c2 41 05", map[string]any{"BigInt": int64(5)}},
		{"null top level", "f6", map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.Parse(op, response(200, unhex(t, tt.body)))
			require.NoError(t, err)
			require.Equal(t, tt.want, out)
		})
	}
}

func TestDecodeRejectsMalformed(t *testing.T) {
	c, svc := testService(t)
	op := svc.Operations["Everything"]
	for name, body := range map[string]string{
		"trailing data":             "a0 00",
		"not a map":                 "80",
		"truncated":                 "a1 63 537472",
		"string type mismatch":      "a1 63 537472 01",
		"bad utf-8":                 "a1 63 537472 61 ff",
		"integer overflow":          "a1 63 496e74 1b8000000000000000",
		"fractional integer":        "a1 63 496e74 f93e00",
		"huge array claim":          "a1 64 4c697374 9b 00000000ffffffff 01",
		"huge map claim":            "a1 63 4d6170 ba ffffffff",
		"huge string claim":         "a1 63 537472 7b 7fffffffffffffff 61",
		"indefinite integer":        "a1 63 496e74 1f",
		"lone break":                "a1 63 537472 ff",
		"missing break":             "bf 63 537472 61 61",
		"mixed indefinite chunks":   "a1 63 537472 7f 41 61 ff",
		"nested indefinite chunks":  "a1 63 537472 7f 7f ff ff",
		"non-text key":              "a1 01 02",
		"timestamp NaN":             "a1 64 54696d65 c1 f97e00",
		"timestamp out of range":    "a1 64 54696d65 c1 fb7fefffffffffffff",
		"reserved info":             "a1 63 537472 7c",
		"invalid simple in skipped": "a1 63 466f6f f8 10",
	} {
		_, err := c.Parse(op, response(200, unhex(t, body)))
		require.Error(t, err, name)
	}
}

func TestDecodeBoundsNesting(t *testing.T) {
	c, svc := testService(t)
	op := svc.Operations["Everything"]
	deep := append(bytes.Repeat([]byte{0xa1, 0x66, 'N', 'e', 's', 't', 'e', 'd'}, 100000), 0xa0)
	_, err := c.Parse(op, response(200, deep))
	require.ErrorContains(t, err, "nested deeper than 256")

	// Unknown members are skipped with the same bound; so are generic documents.
	unknown := append([]byte{0xa1, 0x61, 'z'}, bytes.Repeat([]byte{0x81}, 100000)...)
	_, err = c.Parse(op, response(200, append(unknown, 0x00)))
	require.ErrorContains(t, err, "nested deeper than 256")
	doc := append([]byte{0xa1, 0x63, 'D', 'o', 'c'}, bytes.Repeat([]byte{0x9f}, 100000)...)
	_, err = c.Parse(op, response(200, doc))
	require.ErrorContains(t, err, "nested deeper than 256")

	// Long runs of tags are a loop, not recursion.
	tags := append([]byte{0xa1, 0x64, 'T', 'i', 'm', 'e'}, bytes.Repeat([]byte{0xc1}, 100000)...)
	out, err := c.Parse(op, response(200, append(tags, 0x01)))
	require.NoError(t, err)
	require.Equal(t, time.Unix(1, 0).UTC(), out["Time"])
}

func TestDecodeHostileLengthsDoNotAllocate(t *testing.T) {
	c, svc := testService(t)
	op := svc.Operations["Everything"]
	// An indefinite list announcing nothing, fed a million items, grows as items arrive; a
	// definite one claiming 2^32 items in a short body is refused before any allocation.
	body := unhex(t, "a1 64 4c697374 9a ffffffff 01 02")
	allocs := testing.AllocsPerRun(20, func() {
		_, err := c.Parse(op, response(200, body))
		require.Error(t, err)
	})
	require.Less(t, allocs, 30.0)
}

func TestParseEmptyAndNoOutput(t *testing.T) {
	c, svc := testService(t)
	out, err := c.Parse(svc.Operations["Everything"], response(200, nil))
	require.NoError(t, err)
	require.Empty(t, out)
	out, err = c.Parse(svc.Operations["Nothing"], response(200, []byte{0xbf, 0xff}))
	require.NoError(t, err)
	require.Empty(t, out)
}

func TestParseError(t *testing.T) {
	c, svc := testService(t)
	op := svc.Operations["Everything"]
	tests := []struct {
		name     string
		status   int
		body     []byte
		header   []string
		code     string
		message  string
		fault    string
		fields   map[string]any
		modelled bool
	}{
		{
			name: "namespaced type with uri", status: 400,
			body: mustEncode(t, map[string]any{"__type": "com.example#Throttling:http://internal/", "message": "slow down", "RetryAfter": 3}),
			code: "Throttling", message: "slow down", fault: "client", modelled: true,
			fields: map[string]any{"message": "slow down", "RetryAfter": int64(3)},
		},
		{
			name: "query error header wins", status: 400, header: []string{"x-amzn-query-error", "AWS.Throttled;Receiver"},
			body: mustEncode(t, map[string]any{"__type": "Throttled", "Message": "M", "message": "m"}),
			code: "AWS.Throttled", message: "m", fault: "server", modelled: true, fields: map[string]any{"message": "m"},
		},
		{
			name: "fault shape", status: 500, body: mustEncode(t, map[string]any{"__type": "ns#Broken", "Message": "down"}),
			code: "Broken", message: "down", fault: "server", modelled: true, fields: map[string]any{"Message": "down"},
		},
		{name: "unmodeled", status: 503, body: mustEncode(t, map[string]any{"__type": "Other", "errorMessage": "x"}), code: "Other", message: "x", fault: "server"},
		{name: "no body", status: 404, code: "Not Found", fault: "client"},
		{name: "garbage", status: 400, body: []byte("<html>"), code: "Bad Request", fault: "client"},
		{name: "truncated after type", status: 400, body: mustEncode(t, map[string]any{"__type": "T", "message": "m"})[:10], code: "T", fault: "client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := c.ParseError(op, response(tt.status, tt.body, append(tt.header, "X-Amzn-Requestid", "rid")...))
			require.Equal(t, tt.code, e.Code)
			require.Equal(t, tt.message, e.Message)
			require.Equal(t, tt.fault, e.Fault)
			require.Equal(t, "rid", e.RequestID)
			require.Equal(t, tt.status, e.StatusCode)
			require.Equal(t, "Everything", e.Operation)
			if tt.modelled {
				require.Equal(t, tt.fields, e.Fields)
			} else {
				require.Nil(t, e.Fields)
			}
		})
	}
}

// mustEncode encodes a generic value (a test helper built on the document encoder).
func mustEncode(t testing.TB, v any) []byte {
	b, err := appendDocument(nil, v, 0)
	require.NoError(t, err)
	return b
}

func TestDocumentsKeepNumbers(t *testing.T) {
	b := mustEncode(t, map[string]any{"i": json.Number("12"), "f": json.Number("1.5"), "u": uint64(math.MaxUint64), "t": time.Unix(5, 0)})
	v, err := (&reader{data: b}).any()
	require.NoError(t, err)
	m := v.(map[string]any)
	require.Equal(t, int64(12), m["i"])
	require.Equal(t, 1.5, m["f"])
	require.Equal(t, new(big.Int).SetUint64(math.MaxUint64), m["u"])
	require.Equal(t, time.Unix(5, 0).UTC(), m["t"])
}

func TestConcurrentUse(t *testing.T) {
	svc, err := models.Load("cloudwatch")
	require.NoError(t, err)
	op, _ := svc.Operation("GetMetricData")
	c := New(svc) // fresh plans, compiled under contention
	body, err := encodeOutput(c, op, getMetricDataResponse(3, 10))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				_, err := c.Build(op, getMetricDataRequest(3))
				assert.NoError(t, err)
				out, err := c.Parse(op, response(200, body))
				assert.NoError(t, err)
				assert.Len(t, out["MetricDataResults"], 3)
			}
		})
	}
	wg.Wait()
}
