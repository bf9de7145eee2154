package faultproxy

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/internal/testenv"
)

// ddbClient talks raw DynamoDB JSON to a base URL, with a dummy but well-formed
// signature (dynalite checks that it is there, not that it is valid).
type ddbClient struct {
	t *testing.T
	c *http.Client
}

func (d ddbClient) request(base, op string, in any) *http.Request {
	d.t.Helper()
	body, err := json.Marshal(in)
	require.NoError(d.t, err)
	r := jsonReq(d.t, base, "DynamoDB_20120810."+op, string(body))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc")
	r.Header.Set("X-Amz-Date", "20260101T000000Z")
	return r
}

func (d ddbClient) call(base, op string, in any) (int, map[string]json.RawMessage) {
	d.t.Helper()
	res := doOK(d.t, d.c, d.request(base, op, in))
	out, err := decodeObject(res.body)
	require.NoError(d.t, err, "body: %s", res.body)
	return res.status, out
}

// mustCall is call for operations that must succeed.
func (d ddbClient) mustCall(base, op string, in any) map[string]json.RawMessage {
	d.t.Helper()
	status, out := d.call(base, op, in)
	require.Equal(d.t, http.StatusOK, status, "%s: %v", op, out)
	return out
}

// ddbItem is the one item shape of the test table.
type ddbItem struct {
	PK  struct{ S string } `json:"pk"`
	Num struct{ N string } `json:"num"`
}

func newItem(i int) map[string]any {
	return map[string]any{
		"pk":  map[string]string{"S": fmt.Sprintf("item-%02d", i)},
		"num": map[string]string{"N": fmt.Sprintf("1234567890123456789012345678.%03d1", i)},
	}
}

// scanAll reads every item of table directly from base.
func (d ddbClient) scanAll(base, table string) map[string]string {
	d.t.Helper()
	got := map[string]string{}
	in := map[string]any{"TableName": table, "ConsistentRead": true}
	for range 100 {
		out := d.mustCall(base, "Scan", in)
		var items []ddbItem
		require.NoError(d.t, json.Unmarshal(out["Items"], &items))
		for _, it := range items {
			_, dup := got[it.PK.S]
			require.False(d.t, dup, "duplicate %s", it.PK.S)
			got[it.PK.S] = it.Num.N
		}
		if isNull(out["LastEvaluatedKey"]) {
			return got
		}
		in["ExclusiveStartKey"] = out["LastEvaluatedKey"]
	}
	d.t.Fatal("scan did not end")
	return nil
}

// TestDynalitePartialBatches drives BatchWriteItem and BatchGetItem through
// the proxy to a real dynalite, checks every response against what dynalite
// really stored, and resubmits the unprocessed part until nothing remains.
func TestDynalitePartialBatches(t *testing.T) {
	ddb := testenv.Dynalite(t)
	p := startProxy(t, ddb.URL, Config{Seed: 2026, Rules: []Rule{
		{Match: Op("BatchWriteItem", "BatchGetItem"), Fault: Fault{Kind: PartialBatch}, Rate: 0.5},
	}})
	d := ddbClient{t: t, c: newClient(t, true)}
	table := fmt.Sprintf("faultproxy-%d", time.Now().UnixNano())

	d.mustCall(p.URL(), "CreateTable", map[string]any{
		"TableName":            table,
		"AttributeDefinitions": []any{map[string]string{"AttributeName": "pk", "AttributeType": "S"}},
		"KeySchema":            []any{map[string]string{"AttributeName": "pk", "KeyType": "HASH"}},
		"BillingMode":          "PAY_PER_REQUEST",
	})
	t.Cleanup(func() { d.call(ddb.URL, "DeleteTable", map[string]string{"TableName": table}) })
	require.Eventually(t, func() bool {
		out := d.mustCall(p.URL(), "DescribeTable", map[string]string{"TableName": table})
		var desc struct{ TableStatus string }
		require.NoError(t, json.Unmarshal(out["Table"], &desc))
		return desc.TableStatus == "ACTIVE"
	}, 30*time.Second, 50*time.Millisecond)

	want := map[string]string{}
	var writes []any
	for i := range 25 {
		it := newItem(i)
		want[fmt.Sprintf("item-%02d", i)] = fmt.Sprintf("1234567890123456789012345678.%03d1", i)
		writes = append(writes, map[string]any{"PutRequest": map[string]any{"Item": it}})
	}

	// First round: what dynalite stored and what came back unprocessed are
	// exactly the 25 items sent, without overlap.
	out := d.mustCall(p.URL(), "BatchWriteItem", map[string]any{"RequestItems": map[string]any{table: writes}})
	pending := unprocessedWrites(t, out, table)
	stored := d.scanAll(ddb.URL, table)
	require.NotEmpty(t, pending, "rate 0.5 holds something back")
	require.NotEmpty(t, stored, "and forwards something")
	requireSplit(t, want, stored, pending)

	for round := 0; len(pending) > 0; round++ {
		require.Less(t, round, 50, "resubmission makes progress")
		out := d.mustCall(p.URL(), "BatchWriteItem", map[string]any{"RequestItems": map[string]any{table: pending}})
		pending = unprocessedWrites(t, out, table)
	}
	require.Equal(t, want, d.scanAll(ddb.URL, table), "every item stored, numbers exact")

	// BatchGetItem: the keys answered and the keys unprocessed split the request.
	var keys []any
	for i := range 25 {
		keys = append(keys, map[string]any{"pk": newItem(i)["pk"]})
	}
	entry := map[string]any{
		"Keys": keys, "ConsistentRead": true,
		"ProjectionExpression": "#k, num", "ExpressionAttributeNames": map[string]string{"#k": "pk"},
	}
	got := map[string]string{}
	for round := 0; ; round++ {
		require.Less(t, round, 50, "resubmission makes progress")
		out := d.mustCall(p.URL(), "BatchGetItem", map[string]any{"RequestItems": map[string]any{table: entry}})
		var responses map[string][]ddbItem
		require.NoError(t, json.Unmarshal(out["Responses"], &responses))
		for _, it := range responses[table] {
			_, dup := got[it.PK.S]
			require.False(t, dup, "duplicate %s", it.PK.S)
			got[it.PK.S] = it.Num.N
		}
		var un map[string]map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(out["UnprocessedKeys"], &un))
		if len(un) == 0 {
			break
		}
		require.Len(t, un, 1)
		var left []any
		require.NoError(t, json.Unmarshal(un[table]["Keys"], &left))
		require.Equal(t, `"#k, num"`, string(un[table]["ProjectionExpression"]))
		require.Equal(t, `true`, string(un[table]["ConsistentRead"]))
		if round == 0 {
			require.NotEmpty(t, left)
			require.Len(t, got, 25-len(left), "answered + unprocessed = requested")
		}
		entry["Keys"] = left
	}
	require.Equal(t, want, got)

	st := p.Stats()
	require.Positive(t, st.ByOperation["BatchWriteItem"].Injected[PartialBatch])
	require.Positive(t, st.ByOperation["BatchGetItem"].Injected[PartialBatch])
}

// unprocessedWrites returns the UnprocessedItems of table, checking that no
// other table appears.
func unprocessedWrites(t *testing.T, out map[string]json.RawMessage, table string) []any {
	t.Helper()
	var un map[string][]any
	require.NoError(t, json.Unmarshal(out["UnprocessedItems"], &un))
	for k := range un {
		require.Equal(t, table, k)
	}
	return un[table]
}

// requireSplit checks that stored (pk → num) and the pending put requests
// are disjoint and together are want.
func requireSplit(t *testing.T, want, stored map[string]string, pending []any) {
	t.Helper()
	all := map[string]string{}
	for k, v := range stored {
		all[k] = v
	}
	for _, w := range pending {
		raw, err := json.Marshal(w)
		require.NoError(t, err)
		var pr struct{ PutRequest struct{ Item ddbItem } }
		require.NoError(t, json.Unmarshal(raw, &pr))
		k := pr.PutRequest.Item.PK.S
		_, dup := all[k]
		require.False(t, dup, "%s both stored and unprocessed, or unprocessed twice", k)
		all[k] = pr.PutRequest.Item.Num.N
	}
	require.Equal(t, want, all)
}

// TestDynaliteThrottleAndReset checks that errors injected in front of a real
// backend leave it untouched, and that Reset with Forward does reach it.
func TestDynaliteThrottleAndReset(t *testing.T) {
	ddb := testenv.Dynalite(t)
	p := startProxy(t, ddb.URL, Config{Rules: []Rule{{Match: Op("CreateTable"), Fault: Fault{Kind: Throttle}, Rate: 1}}})
	d := ddbClient{t: t, c: newClient(t, false)}
	table := fmt.Sprintf("faultproxy-thr-%d", time.Now().UnixNano())
	create := map[string]any{
		"TableName":            table,
		"AttributeDefinitions": []any{map[string]string{"AttributeName": "pk", "AttributeType": "S"}},
		"KeySchema":            []any{map[string]string{"AttributeName": "pk", "KeyType": "HASH"}},
		"BillingMode":          "PAY_PER_REQUEST",
	}
	status, out := d.call(p.URL(), "CreateTable", create)
	require.Equal(t, 400, status)
	require.JSONEq(t, `"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"`, string(out["__type"]))
	tables := d.mustCall(ddb.URL, "ListTables", map[string]any{})
	require.NotContains(t, string(tables["TableNames"]), table, "a throttled request never reaches the backend")

	// Reset after forwarding: the client sees a dropped connection, the table exists.
	require.NoError(t, p.SetConfig(Config{Rules: []Rule{{Match: Op("CreateTable"), Fault: Fault{Kind: Reset, Forward: true}, Rate: 1}}}))
	res := do(t, d.c, d.request(p.URL(), "CreateTable", create))
	require.True(t, isConnError(res.err), "got %v", res.err)
	t.Cleanup(func() { d.call(ddb.URL, "DeleteTable", map[string]string{"TableName": table}) })
	var names []string
	require.NoError(t, json.Unmarshal(d.mustCall(ddb.URL, "ListTables", map[string]any{})["TableNames"], &names))
	require.True(t, slices.Contains(names, table), "tables: %s", strings.Join(names, ","))
}

// signV4 signs r for S3 with SigV4 (headers, payload hash of body), for the
// Host the request is sent with.
func signV4(r *http.Request, body []byte, region, access, secret string, now time.Time) {
	amzDate := now.UTC().Format("20060102T150405Z")
	day := amzDate[:8]
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	r.Header.Set("X-Amz-Date", amzDate)
	r.Header.Set("X-Amz-Content-Sha256", payload)
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	canonical := strings.Join([]string{
		r.Method,
		r.URL.EscapedPath(),
		r.URL.RawQuery, // the tests use none or already sorted, encoded ones
		"host:" + host + "\nx-amz-content-sha256:" + payload + "\nx-amz-date:" + amzDate + "\n",
		"host;x-amz-content-sha256;x-amz-date",
		payload,
	}, "\n")
	scope := day + "/" + region + "/s3/aws4_request"
	creq := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(creq[:])
	mac := func(key []byte, s string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(s))
		return h.Sum(nil)
	}
	key := mac(mac(mac(mac([]byte("AWS4"+secret), day), region), "s3"), "aws4_request")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+access+"/"+scope+
		", SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="+hex.EncodeToString(mac(key, toSign)))
}

// TestVersityHostIsKept signs S3 requests for the proxy's address: versitygw
// verifies SigV4, so they pass only because the proxy keeps the client's Host.
func TestVersityHostIsKept(t *testing.T) {
	s3 := testenv.Versity(t)
	p := startProxy(t, s3.URL, Config{})
	c := newClient(t, false)
	bucket := fmt.Sprintf("faultproxy-%d", time.Now().UnixNano()%1e9)
	send := func(base, method, path string, body []byte) result {
		r, err := http.NewRequest(method, base+path, bytes.NewReader(body))
		require.NoError(t, err)
		signV4(r, body, s3.Region, s3.AccessKey, s3.SecretKey, time.Now())
		return do(t, c, r)
	}

	res := send(p.URL(), "PUT", "/"+bucket, nil)
	require.NoError(t, res.err)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	content := bytes.Repeat([]byte("faultproxy "), 1000)
	res = send(p.URL(), "PUT", "/"+bucket+"/dir/key.txt", content)
	require.NoError(t, res.err)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	res = send(p.URL(), "GET", "/"+bucket+"/dir/key.txt", nil)
	require.NoError(t, res.err)
	require.Equal(t, http.StatusOK, res.status)
	require.Equal(t, content, res.body)
	t.Cleanup(func() {
		send(s3.URL, "DELETE", "/"+bucket+"/dir/key.txt", nil)
		send(s3.URL, "DELETE", "/"+bucket, nil)
	})

	t.Run("truncated download", func(t *testing.T) {
		p2 := startProxy(t, s3.URL, Config{Rules: []Rule{{Match: Matcher{Method: "GET", PathPrefix: "/" + bucket + "/"}, Fault: Fault{Kind: Truncate}, Rate: 1}}})
		res := send(p2.URL(), "GET", "/"+bucket+"/dir/key.txt", nil)
		require.ErrorIs(t, res.err, io.ErrUnexpectedEOF)
		require.Equal(t, http.StatusOK, res.status)
		require.Equal(t, content[:len(content)/2], res.body)
	})

	t.Run("rewritten host breaks the signature", func(t *testing.T) {
		p2 := startProxy(t, s3.URL, Config{RewriteHost: true})
		res := send(p2.URL(), "GET", "/"+bucket+"/dir/key.txt", nil)
		require.NoError(t, res.err)
		require.Equal(t, http.StatusForbidden, res.status, "%s", res.body)
		require.Contains(t, string(res.body), "SignatureDoesNotMatch")
	})
}

// TestMotoQueryProtocol sends SQS query requests through the proxy to moto.
func TestMotoQueryProtocol(t *testing.T) {
	moto := testenv.Moto(t)
	p := startProxy(t, moto.URL, Config{Rules: []Rule{{Match: Op("GetQueueAttributes"), Fault: Fault{Kind: Throttle}, Rate: 1}}})
	c := newClient(t, false)
	queue := fmt.Sprintf("faultproxy-%d", time.Now().UnixNano())
	form := func(vals ...string) *http.Request {
		v := url.Values{"Version": {"2012-11-05"}}
		for i := 0; i < len(vals); i += 2 {
			v.Set(vals[i], vals[i+1])
		}
		r, err := http.NewRequest("POST", p.URL()+"/", strings.NewReader(v.Encode()))
		require.NoError(t, err)
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+moto.AccessKey+"/20260101/"+moto.Region+"/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc")
		r.Header.Set("X-Amz-Date", "20260101T000000Z")
		return r
	}
	res := doOK(t, c, form("Action", "CreateQueue", "QueueName", queue))
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var created struct {
		URL string `xml:"CreateQueueResult>QueueUrl"`
	}
	require.NoError(t, xml.Unmarshal(res.body, &created))
	require.Contains(t, created.URL, queue)
	t.Cleanup(func() { do(t, c, form("Action", "DeleteQueue", "QueueUrl", created.URL)) })

	res = doOK(t, c, form("Action", "GetQueueAttributes", "QueueUrl", created.URL, "AttributeName.1", "All"))
	require.Equal(t, 400, res.status)
	e := parseError(t, res)
	require.Equal(t, errorReply{Type: "Sender", Code: "Throttling", Message: "Rate exceeded", RequestID: e.RequestID}, e)

	st := p.Stats()
	require.Equal(t, int64(1), st.ByOperation["CreateQueue"].Forwarded)
	require.Equal(t, int64(1), st.ByOperation["GetQueueAttributes"].Injected[Throttle])
}
