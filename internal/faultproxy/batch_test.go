package faultproxy

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeBody builds a BatchWriteItem body with n write requests per table:
// puts, and a delete every fifth, with numbers that a float64 would round.
func writeBody(tables map[string]int) string {
	var parts []string
	for _, t := range slices.Sorted(maps.Keys(tables)) {
		var items []string
		for i := range tables[t] {
			if i%5 == 4 {
				items = append(items, fmt.Sprintf(`{"DeleteRequest":{"Key":{"pk":{"S":"%s-%02d"}}}}`, t, i))
				continue
			}
			items = append(items, fmt.Sprintf(`{"PutRequest":{"Item":{"pk":{"S":"%s-%02d"},"n":{"N":"12345678901234567890.000000001"},"s":{"S":"<é&\u00e9>"}}}}`, t, i))
		}
		parts = append(parts, fmt.Sprintf(`%q: [ %s ]`, t, strings.Join(items, ", ")))
	}
	return `{"RequestItems": {` + strings.Join(parts, ", ") + `}, "ReturnConsumedCapacity": "TOTAL", "Extra": 1.00000000000000000000001}`
}

// getBody builds a BatchGetItem body with n keys per table.
func getBody(tables map[string]int) string {
	var parts []string
	for _, t := range slices.Sorted(maps.Keys(tables)) {
		var keys []string
		for i := range tables[t] {
			keys = append(keys, fmt.Sprintf(`{"pk":{"S":"%s-%02d"}}`, t, i))
		}
		parts = append(parts, fmt.Sprintf(`%q: {"Keys": [%s], "ProjectionExpression": "#p, n", "ExpressionAttributeNames": {"#p": "pk"}, "ConsistentRead": true}`, t, strings.Join(keys, ",")))
	}
	return `{"RequestItems": {` + strings.Join(parts, ", ") + `}, "ReturnConsumedCapacity": "NONE"}`
}

// writeItems flattens RequestItems-shaped JSON into "table|item" strings.
func writeItems(t testing.TB, raw json.RawMessage) []string {
	t.Helper()
	if isNull(raw) {
		return nil
	}
	var m map[string][]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m))
	var out []string
	for tbl, items := range m {
		require.NotEmpty(t, items, "no empty table lists")
		for _, it := range items {
			out = append(out, tbl+"|"+compact(t, string(it)))
		}
	}
	slices.Sort(out)
	return out
}

// getKeys flattens BatchGetItem RequestItems-shaped JSON into "table|key"
// strings and checks that every entry keeps the other members of the request.
func getKeys(t testing.TB, raw json.RawMessage) []string {
	t.Helper()
	if isNull(raw) {
		return nil
	}
	var m map[string]map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m))
	var out []string
	for tbl, entry := range m {
		require.JSONEq(t, `"#p, n"`, string(entry["ProjectionExpression"]))
		require.JSONEq(t, `{"#p":"pk"}`, string(entry["ExpressionAttributeNames"]))
		require.JSONEq(t, `true`, string(entry["ConsistentRead"]))
		var keys []json.RawMessage
		require.NoError(t, json.Unmarshal(entry["Keys"], &keys))
		require.NotEmpty(t, keys, "no empty key lists")
		for _, k := range keys {
			out = append(out, tbl+"|"+compact(t, string(k)))
		}
	}
	slices.Sort(out)
	return out
}

func members(t testing.TB, body []byte) map[string]json.RawMessage {
	t.Helper()
	m, err := decodeObject(body)
	require.NoError(t, err)
	return m
}

// requirePartition checks that fwd and held split all, with no duplicates.
func requirePartition(t testing.TB, all, fwd, held []string) {
	t.Helper()
	got := slices.Concat(fwd, held)
	slices.Sort(got)
	require.Equal(t, all, got)
}

func TestSplitWrite(t *testing.T) {
	tests := []struct {
		name      string
		tables    map[string]int
		rate      float64
		allowAll  bool
		wantHeld  int // -1: any
		wantLocal bool
	}{
		{name: "none", tables: map[string]int{"a": 10}, rate: 0, wantHeld: 0},
		{name: "half", tables: map[string]int{"a": 20, "b": 5}, rate: 0.5, wantHeld: -1},
		{name: "all but one", tables: map[string]int{"a": 20, "b": 5}, rate: 1, wantHeld: 24},
		{name: "single item is never held", tables: map[string]int{"a": 1}, rate: 1, wantHeld: 0},
		{name: "all allowed", tables: map[string]int{"a": 3, "b": 2}, rate: 1, allowAll: true, wantHeld: 5, wantLocal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := writeBody(tt.tables)
			all := writeItems(t, members(t, []byte(body))["RequestItems"])
			for seed := range uint64(20) {
				s, err := splitWrite([]byte(body), rand.New(rand.NewPCG(seed, 1)), tt.rate, tt.allowAll)
				require.NoError(t, err)
				if tt.wantHeld >= 0 {
					require.Equal(t, tt.wantHeld, s.held)
				}
				local := members(t, s.local())
				held := writeItems(t, local["UnprocessedItems"])
				require.Len(t, held, s.held)
				require.Len(t, local, 1)
				if tt.wantLocal {
					require.Nil(t, s.forward)
					require.Equal(t, all, held)
					continue
				}
				require.NotNil(t, s.forward)
				fwd := members(t, s.forward)
				requirePartition(t, all, writeItems(t, fwd["RequestItems"]), held)
				// Other members are kept byte for byte: no float64 round trip.
				require.Equal(t, "1.00000000000000000000001", string(fwd["Extra"]))
				require.Equal(t, `"TOTAL"`, string(fwd["ReturnConsumedCapacity"]))
				both := string(s.forward) + string(s.local())
				require.Contains(t, both, `"N":"12345678901234567890.000000001"`)
				require.Contains(t, both, `<é&\u00e9>`, "no HTML escaping, escapes kept")
			}
		})
	}
}

func TestSplitWriteDropsEmptiedTables(t *testing.T) {
	body := writeBody(map[string]int{"a": 1, "b": 1, "c": 1})
	s, err := splitWrite([]byte(body), rand.New(rand.NewPCG(1, 2)), 1, false)
	require.NoError(t, err)
	require.Equal(t, 2, s.held)
	var fwd map[string][]json.RawMessage
	require.NoError(t, json.Unmarshal(members(t, s.forward)["RequestItems"], &fwd))
	require.Len(t, fwd, 1, "only the table of the released item is forwarded")
}

func TestSplitMalformed(t *testing.T) {
	for _, body := range []string{
		``, `null`, `[]`, `{}`, `{"RequestItems":null}`, `{"RequestItems":{}}`, `{"RequestItems":{"t":[]}}`,
		`{"RequestItems":{"t":{}}}`, `{"RequestItems":{"t":null}}`, `{"RequestItems":{"t":{"Keys":[]}}}`, `{"RequestItems":`,
	} {
		rng := rand.New(rand.NewPCG(1, 1))
		_, err := splitWrite([]byte(body), rng, 0.5, false)
		require.Error(t, err, "write %s", body)
		_, err = splitGet([]byte(body), rng, 0.5, false)
		require.Error(t, err, "get %s", body)
	}
}

func TestSplitGet(t *testing.T) {
	body := getBody(map[string]int{"a": 60, "b": 40})
	all := getKeys(t, members(t, []byte(body))["RequestItems"])
	for seed := range uint64(20) {
		s, err := splitGet([]byte(body), rand.New(rand.NewPCG(seed, 9)), 0.5, false)
		require.NoError(t, err)
		fwd := members(t, s.forward)
		require.Equal(t, `"NONE"`, string(fwd["ReturnConsumedCapacity"]))
		local := members(t, s.local())
		require.JSONEq(t, `{}`, string(local["Responses"]))
		held := getKeys(t, local["UnprocessedKeys"])
		require.Len(t, held, s.held)
		requirePartition(t, all, getKeys(t, fwd["RequestItems"]), held)
	}

	s, err := splitGet([]byte(body), rand.New(rand.NewPCG(1, 1)), 1, true)
	require.NoError(t, err)
	require.Nil(t, s.forward)
	require.Equal(t, 100, s.held)
	require.Equal(t, all, getKeys(t, members(t, s.local())["UnprocessedKeys"]))
}

func TestMergeGetIntoExistingUnprocessedKeys(t *testing.T) {
	body := getBody(map[string]int{"a": 4})
	s, err := splitGet([]byte(body), rand.New(rand.NewPCG(5, 5)), 0.5, false)
	require.NoError(t, err)
	require.Positive(t, s.held)
	resp := `{"Responses":{"a":[]},"UnprocessedKeys":{"a":{"Keys":[{"pk":{"S":"a-99"}}],"ProjectionExpression":"#p, n","ExpressionAttributeNames":{"#p":"pk"},"ConsistentRead":true}}}`
	merged, err := s.merge([]byte(resp))
	require.NoError(t, err)
	keys := getKeys(t, members(t, merged)["UnprocessedKeys"])
	require.Len(t, keys, s.held+1)
	require.Contains(t, keys, `a|{"pk":{"S":"a-99"}}`)
}

// fakeDynamo answers BatchWriteItem and BatchGetItem like DynamoDB would if it
// processed everything, and records what it received.
type fakeDynamo struct {
	mu       sync.Mutex
	received []map[string]json.RawMessage // request bodies
	headers  []http.Header

	status      int    // if set, answer this status with an error body
	unprocessed string // if set, the response's UnprocessedItems / UnprocessedKeys
	gzip        bool
}

func (f *fakeDynamo) handler(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		require.Equal(t, int64(len(body)), r.ContentLength, "Content-Length fits the body")
		m := members(t, body)
		f.mu.Lock()
		f.received = append(f.received, m)
		f.headers = append(f.headers, r.Header.Clone())
		f.mu.Unlock()

		var out []byte
		switch {
		case f.status != 0:
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(f.status)
			_, _ = io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"nope"}`)
			return
		case strings.HasSuffix(r.Header.Get("X-Amz-Target"), "BatchWriteItem"):
			un := f.unprocessed
			if un == "" {
				un = "{}"
			}
			out = []byte(`{"UnprocessedItems":` + un + `,"ConsumedCapacity":[{"TableName":"a","CapacityUnits":1.5000000000000000001}]}`)
		default:
			var items map[string]map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(m["RequestItems"], &items))
			resp := map[string][]json.RawMessage{}
			for tbl, e := range items {
				var keys []json.RawMessage
				require.NoError(t, json.Unmarshal(e["Keys"], &keys))
				resp[tbl] = keys
			}
			un := f.unprocessed
			if un == "" {
				un = "{}"
			}
			out = []byte(`{"Responses":` + string(encode(resp)) + `,"UnprocessedKeys":` + un + `}`)
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amzn-Requestid", "backend-id")
		if f.gzip {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			_, _ = zw.Write(out)
			_ = zw.Close()
			out = b.Bytes()
			w.Header().Set("Content-Encoding", "gzip")
		}
		w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(out)), 10))
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
		_, _ = w.Write(out)
	}
}

func (f *fakeDynamo) requests() []map[string]json.RawMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.received)
}

// requireDynamoResponse checks the framing of a (possibly rewritten) response.
func requireDynamoResponse(t *testing.T, res result) {
	t.Helper()
	require.Equal(t, http.StatusOK, res.status, "body: %s", res.body)
	require.Equal(t, "application/x-amz-json-1.0", res.header.Get("Content-Type"))
	require.Equal(t, strconv.FormatUint(uint64(crc32.ChecksumIEEE(res.body)), 10), res.header.Get("X-Amz-Crc32"))
	require.Equal(t, strconv.Itoa(len(res.body)), res.header.Get("Content-Length"))
	require.Empty(t, res.header.Get("Content-Encoding"))
	require.NotEmpty(t, res.header.Get("X-Amzn-Requestid"))
}

func TestPartialBatchWrite(t *testing.T) {
	body := writeBody(map[string]int{"a": 20, "b": 5})
	all := writeItems(t, members(t, []byte(body))["RequestItems"])
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			fake := &fakeDynamo{gzip: gz}
			be := newBackend(t, fake.handler(t))
			p := startProxy(t, be.URL, Config{Seed: 11, Rules: []Rule{{Match: Op("BatchWriteItem"), Fault: Fault{Kind: PartialBatch}, Rate: 0.5}}})
			c := newClient(t, true)
			var heldTotal int
			for i := range 5 {
				r := jsonReq(t, p.URL(), "DynamoDB_20120810.BatchWriteItem", body)
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc")
				r.Header.Set("Accept-Encoding", "gzip")
				res := doOK(t, c, r)
				requireDynamoResponse(t, res)
				out := members(t, res.body)
				require.Equal(t, `[{"TableName":"a","CapacityUnits":1.5000000000000000001}]`, string(out["ConsumedCapacity"]))
				held := writeItems(t, out["UnprocessedItems"])
				sent := fake.requests()[i]
				requirePartition(t, all, writeItems(t, sent["RequestItems"]), held)
				require.NotEmpty(t, held, "at rate 0.5 of 25 items, something is held back")
				require.Less(t, len(held), len(all))
				require.Equal(t, "1.00000000000000000000001", string(sent["Extra"]))
				heldTotal += len(held)
				require.Equal(t, r.Header.Get("Authorization"), fake.headers[i].Get("Authorization"), "headers are kept")
			}
			st := p.Stats()
			require.Equal(t, int64(5), st.Injected[PartialBatch])
			require.Equal(t, int64(heldTotal), st.HeldBack)
			require.Equal(t, int64(heldTotal), st.ByOperation["BatchWriteItem"].HeldBack)
			require.Equal(t, int64(5), st.Forwarded)
		})
	}
}

func TestPartialBatchGet(t *testing.T) {
	body := getBody(map[string]int{"a": 60, "b": 40})
	all := getKeys(t, members(t, []byte(body))["RequestItems"])
	fake := &fakeDynamo{}
	be := newBackend(t, fake.handler(t))
	p := startProxy(t, be.URL, Config{Seed: 5, Rules: []Rule{{Fault: Fault{Kind: PartialBatch}, Rate: 0.3}}})
	res := doOK(t, newClient(t, true), jsonReq(t, p.URL(), "DynamoDB_20120810.BatchGetItem", body))
	requireDynamoResponse(t, res)
	out := members(t, res.body)
	held := getKeys(t, out["UnprocessedKeys"])
	sent := getKeys(t, fake.requests()[0]["RequestItems"])
	requirePartition(t, all, sent, held)
	require.NotEmpty(t, held)

	// The backend's Responses (here: the keys it got) are passed on.
	var responses map[string][]json.RawMessage
	require.NoError(t, json.Unmarshal(out["Responses"], &responses))
	var got []string
	for tbl, items := range responses {
		for _, it := range items {
			got = append(got, tbl+"|"+compact(t, string(it)))
		}
	}
	slices.Sort(got)
	require.Equal(t, sent, got)
}

func TestPartialBatchAnsweredLocally(t *testing.T) {
	tests := []struct {
		name, target, body string
		check              func(t *testing.T, out map[string]json.RawMessage)
	}{
		{
			name: "write", target: "DynamoDB_20120810.BatchWriteItem", body: writeBody(map[string]int{"a": 3, "b": 2}),
			check: func(t *testing.T, out map[string]json.RawMessage) {
				require.Len(t, out, 1)
				require.Len(t, writeItems(t, out["UnprocessedItems"]), 5)
			},
		},
		{
			name: "get", target: "DynamoDB_20120810.BatchGetItem", body: getBody(map[string]int{"a": 3, "b": 2}),
			check: func(t *testing.T, out map[string]json.RawMessage) {
				require.Len(t, out, 2)
				require.Equal(t, `{}`, string(out["Responses"]))
				require.Len(t, getKeys(t, out["UnprocessedKeys"]), 5)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := newBackend(t, nil)
			p := startProxy(t, be.URL, Config{Rules: []Rule{{Fault: Fault{Kind: PartialBatch, AllowAll: true}, Rate: 1}}})
			res := doOK(t, newClient(t, true), jsonReq(t, p.URL(), tt.target, tt.body))
			requireDynamoResponse(t, res)
			tt.check(t, members(t, res.body))
			require.Zero(t, be.hits.Load())
			st := p.Stats()
			require.Equal(t, int64(5), st.HeldBack)
			require.Zero(t, st.Forwarded)
		})
	}
}

func TestPartialBatchPassThrough(t *testing.T) {
	c := newClient(t, true)
	t.Run("backend error", func(t *testing.T) {
		fake := &fakeDynamo{status: 400}
		be := newBackend(t, fake.handler(t))
		p := startProxy(t, be.URL, Config{Rules: []Rule{{Fault: Fault{Kind: PartialBatch}, Rate: 0.9}}})
		res := doOK(t, c, jsonReq(t, p.URL(), "DynamoDB_20120810.BatchWriteItem", writeBody(map[string]int{"a": 10})))
		require.Equal(t, 400, res.status)
		require.JSONEq(t, `{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"nope"}`, string(res.body))
	})
	t.Run("backend unprocessed items are kept", func(t *testing.T) {
		fake := &fakeDynamo{unprocessed: `{"z":[{"PutRequest":{"Item":{"pk":{"S":"z"}}}}]}`}
		be := newBackend(t, fake.handler(t))
		p := startProxy(t, be.URL, Config{Rules: []Rule{{Fault: Fault{Kind: PartialBatch}, Rate: 0.5}}})
		body := writeBody(map[string]int{"a": 10})
		res := doOK(t, c, jsonReq(t, p.URL(), "DynamoDB_20120810.BatchWriteItem", body))
		requireDynamoResponse(t, res)
		held := writeItems(t, members(t, res.body)["UnprocessedItems"])
		require.Contains(t, held, `z|{"PutRequest":{"Item":{"pk":{"S":"z"}}}}`)
		require.Len(t, held, int(p.Stats().HeldBack)+1)
	})
	t.Run("malformed body is forwarded unchanged", func(t *testing.T) {
		var got string
		be := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got = string(b)
			w.WriteHeader(400)
		})
		p := startProxy(t, be.URL, Config{Rules: []Rule{{Fault: Fault{Kind: PartialBatch}, Rate: 1}}})
		res := doOK(t, c, jsonReq(t, p.URL(), "DynamoDB_20120810.BatchWriteItem", `{"RequestItems": [1, 2]}`))
		require.Equal(t, 400, res.status)
		require.Equal(t, `{"RequestItems": [1, 2]}`, got)
		require.Zero(t, p.Stats().Injected[PartialBatch])
	})
	t.Run("other operations are not touched", func(t *testing.T) {
		be := newBackend(t, nil)
		p := startProxy(t, be.URL, Config{Rules: []Rule{{Fault: Fault{Kind: PartialBatch}, Rate: 1}}})
		res := doOK(t, c, jsonReq(t, p.URL(), "DynamoDB_20120810.PutItem", `{"Item": {}}`))
		var e echo
		require.NoError(t, json.Unmarshal(res.body, &e))
		require.Equal(t, `{"Item": {}}`, e.Body)
	})
	t.Run("rate zero lets later rules fire", func(t *testing.T) {
		be := newBackend(t, nil)
		p := startProxy(t, be.URL, Config{Rules: []Rule{
			{Fault: Fault{Kind: PartialBatch}, Rate: 0},
			{Fault: Fault{Kind: Throttle}, Rate: 1},
		}})
		res := doOK(t, c, jsonReq(t, p.URL(), "DynamoDB_20120810.BatchWriteItem", writeBody(map[string]int{"a": 2})))
		require.Equal(t, 400, res.status)
	})
}

func TestPartialBatchTooLarge(t *testing.T) {
	be := newBackend(t, nil)
	p := startProxy(t, be.URL, Config{MaxBodyBytes: 100, Rules: []Rule{{Fault: Fault{Kind: PartialBatch}, Rate: 0.5}}})
	c := newClient(t, false)
	body := writeBody(map[string]int{"a": 10})
	for _, chunked := range []bool{false, true} {
		r := jsonReq(t, p.URL(), "DynamoDB_20120810.BatchWriteItem", body)
		if chunked {
			r.Body = io.NopCloser(strings.NewReader(body))
			r.ContentLength = -1
		}
		res := doOK(t, c, r)
		require.Equal(t, http.StatusRequestEntityTooLarge, res.status)
		e := parseError(t, res)
		require.Equal(t, "RequestEntityTooLarge", e.Code)
		require.Contains(t, e.Message, "exceeds 100 bytes")
	}
	require.Zero(t, be.hits.Load())
}

func TestPartialBatchDeterministic(t *testing.T) {
	body := writeBody(map[string]int{"a": 25})
	run := func(seed int64) [][]string {
		fake := &fakeDynamo{}
		be := newBackend(t, fake.handler(t))
		p := startProxy(t, be.URL, Config{Seed: seed, Rules: []Rule{{Fault: Fault{Kind: PartialBatch}, Rate: 0.5}}})
		c := newClient(t, true)
		var out [][]string
		for range 4 {
			res := doOK(t, c, jsonReq(t, p.URL(), "DynamoDB_20120810.BatchWriteItem", body))
			out = append(out, writeItems(t, members(t, res.body)["UnprocessedItems"]))
		}
		return out
	}
	require.Equal(t, run(99), run(99))
	require.NotEqual(t, run(99), run(100))
}

func FuzzSplitWrite(f *testing.F) {
	f.Add([]byte(writeBody(map[string]int{"a": 3, "b": 1})), 0.5, false)
	f.Add([]byte(`{"RequestItems":{"t":[1,"x",null]},"n":1e400}`), 1.0, true)
	f.Add([]byte(`{"RequestItems":{"t":[{}]}}`), 0.0, false)
	f.Fuzz(func(t *testing.T, body []byte, rate float64, allowAll bool) {
		s, err := splitWrite(body, rand.New(rand.NewPCG(1, 2)), rate, allowAll)
		if err != nil {
			return
		}
		all := writeItems(t, members(t, body)["RequestItems"])
		held := writeItems(t, members(t, s.local())["UnprocessedItems"])
		if s.forward == nil {
			require.True(t, allowAll)
			require.Equal(t, all, held)
			return
		}
		requirePartition(t, all, writeItems(t, members(t, s.forward)["RequestItems"]), held)
		merged, err := s.merge([]byte(`{"UnprocessedItems":{}}`))
		require.NoError(t, err)
		require.Equal(t, held, writeItems(t, members(t, merged)["UnprocessedItems"]))
	})
}

func FuzzSplitGet(f *testing.F) {
	f.Add([]byte(getBody(map[string]int{"a": 3, "b": 1})), 0.5, false)
	f.Add([]byte(`{"RequestItems":{"t":{"Keys":[1,{}],"X":2}}}`), 1.0, true)
	f.Fuzz(func(t *testing.T, body []byte, rate float64, allowAll bool) {
		s, err := splitGet(body, rand.New(rand.NewPCG(1, 2)), rate, allowAll)
		if err != nil {
			return
		}
		keys := func(raw json.RawMessage) []string {
			var m map[string]map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(raw, &m))
			var out []string
			for tbl, e := range m {
				var ks []json.RawMessage
				require.NoError(t, json.Unmarshal(e["Keys"], &ks))
				for _, k := range ks {
					out = append(out, tbl+"|"+compact(t, string(k)))
				}
			}
			slices.Sort(out)
			return out
		}
		all := keys(members(t, body)["RequestItems"])
		held := keys(members(t, s.local())["UnprocessedKeys"])
		if s.forward == nil {
			require.Equal(t, all, held)
			return
		}
		requirePartition(t, all, keys(members(t, s.forward)["RequestItems"]), held)
		merged, err := s.merge([]byte(`{"Responses":{},"UnprocessedKeys":{"zz":{"Keys":[{}]}}}`))
		require.NoError(t, err)
		require.Len(t, keys(members(t, merged)["UnprocessedKeys"]), len(held)+1)
	})
}
