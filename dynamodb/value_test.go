package dynamodb_test

import (
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/dynamodb"
	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
	"github.com/aioaws/aioaws/protocol/codecs"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// every holds a value of every kind, nested.
func every() dynamodb.Item {
	return dynamodb.Item{
		"s":    dynamodb.S("Ada \"Countess\" Lovelace ✓"),
		"n":    dynamodb.N("-12.5"),
		"b":    dynamodb.B([]byte{0, 1, 0xfe, 0xff}),
		"t":    dynamodb.Bool(true),
		"f":    dynamodb.Bool(false),
		"null": dynamodb.Null(),
		"ss":   dynamodb.SS("a", "b"),
		"ns":   dynamodb.NS("1", "2.5"),
		"bs":   dynamodb.BS([]byte("x"), []byte{}),
		"m":    dynamodb.M(dynamodb.Item{"city": dynamodb.S("London"), "deep": dynamodb.M(dynamodb.Item{"l": dynamodb.L(dynamodb.N("1"))})}),
		"l":    dynamodb.L(dynamodb.S("x"), dynamodb.Bool(true), dynamodb.L(), dynamodb.M(dynamodb.Item{})),
		"":     dynamodb.S(""),
	}
}

func TestAccessorsMatchTheKind(t *testing.T) {
	it := every()
	s, ok := it["s"].S()
	require.True(t, ok)
	require.Equal(t, `Ada "Countess" Lovelace ✓`, s)
	_, ok = it["s"].N()
	require.False(t, ok, "a string is not a number")
	n, ok := it["n"].N()
	require.True(t, ok)
	require.Equal(t, "-12.5", n)
	b, ok := it["b"].B()
	require.True(t, ok)
	require.Equal(t, []byte{0, 1, 0xfe, 0xff}, b)
	tr, ok := it["t"].Bool()
	require.True(t, ok && tr)
	require.True(t, it["null"].IsNull())
	ss, ok := it["ss"].SS()
	require.True(t, ok)
	require.Equal(t, []string{"a", "b"}, ss)
	_, ok = it["ss"].NS()
	require.False(t, ok, "a string set is not a number set")
	m, ok := it["m"].M()
	require.True(t, ok)
	require.Equal(t, dynamodb.KindM, m["deep"].Kind())
	l, ok := it["l"].L()
	require.True(t, ok)
	require.Len(t, l, 4)
	require.Equal(t, dynamodb.KindInvalid, dynamodb.Value{}.Kind())
	require.Equal(t, `{"SS":["a","b"]}`, it["ss"].String())
	require.Equal(t, `{"L":[{"S":"x"},{"BOOL":true},{"L":[]},{"M":{}}]}`, it["l"].String())
	require.Equal(t, "<invalid>", dynamodb.Value{}.String())
	require.Equal(t, "BOOL", dynamodb.KindBOOL.String())
}

func TestDocumentRoundTrip(t *testing.T) {
	want := every()
	doc := map[string]any{}
	for k, v := range want {
		d, err := v.MarshalDocument()
		require.NoError(t, err)
		doc[k] = d
	}
	var got dynamodb.Item
	require.NoError(t, aws.Decode(doc, &got))
	require.True(t, want.Equal(got), "got %v", got)

	// Through a document as a JSON codec reads it: blobs as base64 text, lists as []any.
	var v dynamodb.Value
	require.NoError(t, v.UnmarshalDocument(map[string]any{"BS": []any{"AAE=", []byte{2}}}))
	require.True(t, v.Equal(dynamodb.BS([]byte{0, 1}, []byte{2})), "got %v", v)
}

func TestJSONRoundTrip(t *testing.T) {
	want := every()
	data, err := json.Marshal(want)
	require.NoError(t, err)
	var got dynamodb.Item
	require.NoError(t, json.Unmarshal(data, &got))
	require.True(t, want.Equal(got), "got %v", got)
	require.ErrorContains(t, json.Unmarshal([]byte(`{"a":{}}`), &got), "0 members set")
}

func TestDocumentProblemsNameThePath(t *testing.T) {
	var out struct{ Items []dynamodb.Item }
	err := aws.Decode(map[string]any{"Items": []any{
		map[string]any{"ok": map[string]any{"S": "x"}},
		map[string]any{"a": map[string]any{"L": []any{map[string]any{"S": "x", "N": "1"}}}},
	}}, &out)
	var de *aws.DecodeError
	require.ErrorAs(t, err, &de)
	require.Len(t, de.Problems, 1)
	require.Equal(t, "Items[1]", de.Problems[0].Path)
	require.Equal(t, `"a": attribute value L: [0]: attribute value: 2 members set, want one of S, N, B, BOOL, NULL, SS, NS, BS, M, L`, de.Problems[0].Msg)

	var v dynamodb.Value
	require.ErrorContains(t, v.UnmarshalDocument(map[string]any{"N": 1}), "attribute value N: got int, want string")
	require.ErrorContains(t, v.UnmarshalDocument("x"), "got string, want a map with one member")
	require.ErrorContains(t, v.UnmarshalDocument(map[string]any{"B": "!!"}), "attribute value B: bad base64")
}

func TestUnknownMemberIsKeptAndSentBack(t *testing.T) {
	var v dynamodb.Value
	require.NoError(t, v.UnmarshalDocument(map[string]any{"VECTOR": []any{1.5, 2.0}}))
	name, doc, ok := v.Unknown()
	require.True(t, ok)
	require.Equal(t, "VECTOR", name)
	require.Equal(t, []any{1.5, 2.0}, doc)
	d, err := v.MarshalDocument()
	require.NoError(t, err)
	require.Equal(t, map[string]any{"VECTOR": []any{1.5, 2.0}}, d)
}

// queryBody is a Query response that exercises the JSON reader: every kind, escapes, nulls
// for members not set, and a LastEvaluatedKey.
const queryBody = `{"Count":2,"Items":[` +
	`{"pk":{"S":"u1"},"s":{"S":"Ada \"Countess\" Lovelace \u2713"},"n":{"N":"-12.5"},"b":{"B":"AAH+/w=="},` +
	`"t":{"BOOL":true},"f":{"BOOL":false},"null":{"NULL":true},"ss":{"SS":["a","b"]},"ns":{"NS":["1","2.5"]},` +
	`"bs":{"BS":["eA==",""]},"m":{"M":{"city":{"S":"London"},"deep":{"M":{"l":{"L":[{"N":"1"}]}}}}},` +
	`"l":{"L":[{"S":"x"},{"BOOL":true},{"L":[]},{"M":{}}]},"":{"S":""},"skip":null,"sparse":{"S":null,"N":"7"}},` +
	`{"pk":{"S":"u2"}}],` +
	`"LastEvaluatedKey":{"pk":{"S":"u2"}},"ScannedCount":2}`

type queryOutput struct {
	Count            int
	Items            []dynamodb.Item
	LastEvaluatedKey dynamodb.Item
}

func parse(t *testing.T, op string, body string, out any, fast bool) error {
	t.Helper()
	svc, err := models.Load("dynamodb")
	require.NoError(t, err)
	o, ok := svc.Operation(op)
	require.True(t, ok)
	codec, err := codecs.For(svc)
	require.NoError(t, err)
	resp := &protocol.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
	if fast {
		return protocol.ParseInto(codec, o, resp, out)
	}
	return protocol.ParseThenDecode(codec, o, resp, out)
}

func TestJSONFastPathMatchesDocumentPath(t *testing.T) {
	var fast, slow queryOutput
	require.NoError(t, parse(t, "Query", queryBody, &fast, true))
	require.NoError(t, parse(t, "Query", queryBody, &slow, false))
	require.Equal(t, 2, fast.Count)
	require.Len(t, fast.Items, 2)
	for i := range slow.Items {
		require.True(t, slow.Items[i].Equal(fast.Items[i]), "item %d:\nfast %v\nslow %v", i, fast.Items[i], slow.Items[i])
	}
	require.True(t, slow.LastEvaluatedKey.Equal(fast.LastEvaluatedKey))

	want := every()
	want["pk"], want["sparse"] = dynamodb.S("u1"), dynamodb.N("7")
	require.True(t, want.Equal(fast.Items[0]), "got %v", fast.Items[0])

	// map[string]Value and *Value targets take the same path, value by value.
	var byValue struct {
		Items            []map[string]*dynamodb.Value
		LastEvaluatedKey map[string]dynamodb.Value
	}
	require.NoError(t, parse(t, "Query", queryBody, &byValue, true))
	require.True(t, byValue.Items[0]["m"].Equal(want["m"]))
	require.True(t, byValue.LastEvaluatedKey["pk"].Equal(dynamodb.S("u2")))
}

// A member added to AttributeValue after this model keeps its value on the JSON path, so a
// read-modify-write sends it back. (A response document has dropped it already: its reader
// skips members the model does not name.)
func TestJSONKeepsAnUnknownMember(t *testing.T) {
	var out queryOutput
	require.NoError(t, parse(t, "Query", `{"Items":[{"v":{"VECTOR":[1.5,2]}}]}`, &out, true))
	name, doc, ok := out.Items[0]["v"].Unknown()
	require.True(t, ok)
	require.Equal(t, "VECTOR", name)
	require.Equal(t, []any{1.5, 2.0}, doc)
}

func TestJSONMisfitFallsBackToTheDocumentPathsProblem(t *testing.T) {
	body := `{"Items":[{"a":{"S":"x","N":"1"}}]}`
	for _, fast := range []bool{true, false} {
		var out queryOutput
		err := parse(t, "Query", body, &out, fast)
		var de *aws.DecodeError
		require.ErrorAs(t, err, &de, "fast=%v", fast)
		require.Equal(t, "Items[0]", de.Problems[0].Path)
		require.Contains(t, de.Problems[0].Msg, "2 members set")
	}
	// A malformed response is an error of the response, not a misfit.
	var out queryOutput
	err := parse(t, "Query", `{"Items":[{"a":{"S":"x}]}`, &out, true)
	require.ErrorContains(t, err, "unterminated string")
}

// The payload a Value points to stays alive and intact through garbage collections, when the
// Value is the only reference to it.
func TestValuesKeepTheirPayloadThroughGC(t *testing.T) {
	require.Equal(t, uintptr(24), unsafe.Sizeof(dynamodb.Value{}))
	var kept []dynamodb.Item
	for i := range 200 {
		s := strings.Repeat("s", 100+i) // built here, referenced only by the item
		kept = append(kept, dynamodb.Item{
			"s": dynamodb.S(s), "b": dynamodb.B([]byte(s)), "ss": dynamodb.SS(s, s+"!"), "bs": dynamodb.BS([]byte(s)),
			"m": dynamodb.M(dynamodb.Item{"s": dynamodb.S(s)}), "l": dynamodb.L(dynamodb.N(s)),
		})
	}
	for range 3 {
		runtime.GC()
		_ = make([]byte, 1<<20) // reuse freed memory, had anything been freed
	}
	for i, it := range kept {
		want := strings.Repeat("s", 100+i)
		require.Equal(t, want, must(it["s"].S()))
		require.Equal(t, want, string(must(it["b"].B())))
		require.Equal(t, []string{want, want + "!"}, must(it["ss"].SS()))
		require.Equal(t, want, string(must(it["bs"].BS())[0]))
		require.Equal(t, want, must(must(it["m"].M())["s"].S()))
		require.Equal(t, want, must(must(it["l"].L())[0].N()))
	}
}

func must[T any](x T, ok bool) T {
	if !ok {
		panic("wrong kind")
	}
	return x
}
