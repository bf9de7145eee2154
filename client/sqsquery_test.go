package client_test

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/events"
	"github.com/aioaws/aioaws/internal/emulator"
	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/models"
)

// TestSQSQueryProtocol runs one SQS scenario against moto over both protocols SQS has
// spoken: the query protocol of the models from before late 2023 (fetched by
// testenv.LegacyModel) and the JSON protocol of the embedded model. Each request is checked
// on the wire, so a client that quietly used the other protocol would fail.
func TestSQSQueryProtocol(t *testing.T) {
	srv := testenv.Moto(t)
	tests := []struct {
		name  string
		model func(t *testing.T) *models.Service
		// checkWire checks one request of operation op as sent.
		checkWire func(t *testing.T, op string, r sentRequest)
		// missingQueueCode is the error code of GetQueueUrl for a queue that does not exist.
		missingQueueCode string
	}{
		{
			name: "query",
			model: func(t *testing.T) *models.Service {
				svc := testenv.LegacyModel(t, "sqs", "2012-11-05")
				require.Equal(t, "query", svc.Metadata.Protocol)
				return svc
			},
			checkWire: func(t *testing.T, op string, r sentRequest) {
				require.True(t, strings.HasPrefix(r.contentType, "application/x-www-form-urlencoded"), "%s: Content-Type %q", op, r.contentType)
				require.Empty(t, r.target, "%s: X-Amz-Target", op)
				form, err := url.ParseQuery(r.body)
				require.NoError(t, err, "%s: body %q", op, r.body)
				require.Equal(t, op, form.Get("Action"), "%s: body %q", op, r.body)
				require.Equal(t, "2012-11-05", form.Get("Version"))
			},
			missingQueueCode: "AWS.SimpleQueueService.NonExistentQueue",
		},
		{
			name: "json",
			model: func(t *testing.T) *models.Service {
				svc, err := models.Load("sqs")
				require.NoError(t, err)
				require.Equal(t, "json", svc.Metadata.Protocol)
				return svc
			},
			checkWire: func(t *testing.T, op string, r sentRequest) {
				require.Equal(t, "application/x-amz-json-1.0", r.contentType, op)
				require.Equal(t, "AmazonSQS."+op, r.target)
				require.True(t, strings.HasPrefix(r.body, "{"), "%s: body %q", op, r.body)
			},
			// awsQueryCompatible: the query-era code, from the x-amzn-query-error header.
			missingQueueCode: "AWS.SimpleQueueService.NonExistentQueue",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := tt.model(t)
			wire := &wireLog{}
			reg := &events.Registry{}
			reg.Register("before-send.sqs", wire.record)
			sqs := newClientFor(t, svc, srv, func(o *client.Options) { o.Events = reg })
			testSQSScenario(t, sqs, wire, "aioaws-"+tt.name+"-jobs", tt.missingQueueCode)
			ops := wire.operations()
			require.Subset(t, ops, []string{"CreateQueue", "GetQueueUrl", "SendMessage", "SendMessageBatch",
				"ReceiveMessage", "DeleteMessage", "GetQueueAttributes", "ListQueues", "ListQueueTags", "DeleteQueue"})
			for _, op := range ops {
				for _, r := range wire.sent(op) {
					tt.checkWire(t, op, r)
				}
			}
			if tt.name == "query" {
				checkQueryForms(t, wire)
			}
		})
	}
}

// testSQSScenario walks a queue through its life with sqs; wire sees every request.
func testSQSScenario(t *testing.T, sqs *client.Client, wire *wireLog, name, missingQueueCode string) {
	// Maps in the input: queue attributes and tags.
	created := call(t, sqs, "CreateQueue", map[string]any{
		"QueueName":  name,
		"Attributes": map[string]any{"VisibilityTimeout": "45", "MessageRetentionPeriod": "3600"},
		"tags":       map[string]any{"team": "sdk", "env": "test"},
	})
	queueURL, _ := created["QueueUrl"].(string)
	require.True(t, strings.HasSuffix(queueURL, "/"+name), "QueueUrl %q", queueURL)
	t.Cleanup(func() { // the queue outlives a failed test otherwise; moto is shared
		_, _ = sqs.Call(context.WithoutCancel(t.Context()), "DeleteQueue", map[string]any{"QueueUrl": queueURL})
	})

	got := call(t, sqs, "GetQueueUrl", map[string]any{"QueueName": name})
	require.Equal(t, queueURL, got["QueueUrl"])

	tags := call(t, sqs, "ListQueueTags", map[string]any{"QueueUrl": queueURL})
	require.Equal(t, map[string]any{"team": "sdk", "env": "test"}, tags["Tags"])

	attrs := map[string]any{
		"color": map[string]any{"DataType": "String", "StringValue": "blue & grün <ok>"},
		"count": map[string]any{"DataType": "Number", "StringValue": "42"},
		"blob":  map[string]any{"DataType": "Binary", "BinaryValue": []byte{0, 1, 2, 0xfe, 0xff}},
	}
	bodies := map[string]map[string]any{ // body → the message attributes sent with it
		"hello, query & form=encoding ü": attrs,
		"batch one":                      {"count": map[string]any{"DataType": "Number", "StringValue": "-1.5"}},
		"batch two <xml/>":               nil,
	}

	sent := call(t, sqs, "SendMessage", map[string]any{
		"QueueUrl": queueURL, "MessageBody": "hello, query & form=encoding ü", "MessageAttributes": attrs,
	})
	require.NotEmpty(t, sent["MessageId"])
	require.Equal(t, md5Hex("hello, query & form=encoding ü"), sent["MD5OfMessageBody"])
	// moto computes this digest from the attributes it parsed: equal digests mean every
	// name, type and value arrived intact.
	require.Equal(t, messageAttributesMD5(t, attrs), sent["MD5OfMessageAttributes"])

	batch := call(t, sqs, "SendMessageBatch", map[string]any{"QueueUrl": queueURL, "Entries": []any{
		map[string]any{"Id": "b1", "MessageBody": "batch one", "MessageAttributes": bodies["batch one"]},
		map[string]any{"Id": "b2", "MessageBody": "batch two <xml/>"},
	}})
	require.Empty(t, batch["Failed"])
	successful, _ := batch["Successful"].([]any)
	require.Len(t, successful, 2, "%v", batch)
	for _, e := range successful {
		e := e.(map[string]any)
		body := map[string]string{"b1": "batch one", "b2": "batch two <xml/>"}[e["Id"].(string)]
		require.Equal(t, md5Hex(body), e["MD5OfMessageBody"], "entry %v", e["Id"])
		if e["Id"] == "b1" {
			require.Equal(t, messageAttributesMD5(t, bodies[body]), e["MD5OfMessageAttributes"])
		}
	}

	received := map[string]map[string]any{}
	deadline := time.Now().Add(10 * time.Second)
	for len(received) < len(bodies) && time.Now().Before(deadline) {
		out := call(t, sqs, "ReceiveMessage", map[string]any{
			"QueueUrl": queueURL, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 1,
			"AttributeNames": []any{"All"}, "MessageAttributeNames": []any{"All"},
		})
		msgs, _ := out["Messages"].([]any)
		for _, m := range msgs {
			m := m.(map[string]any)
			received[m["Body"].(string)] = m
		}
	}
	require.Len(t, received, len(bodies), "received %v", received)
	for body, m := range received {
		want, ok := bodies[body]
		require.True(t, ok, "unexpected body %q", body)
		require.NotEmpty(t, m["MessageId"])
		require.NotEmpty(t, m["ReceiptHandle"])
		require.Equal(t, md5Hex(body), m["MD5OfBody"], body)
		if want == nil {
			require.Empty(t, m["MessageAttributes"], body)
			require.Empty(t, m["MD5OfMessageAttributes"], body)
		} else {
			require.Equal(t, want, m["MessageAttributes"], body)
			require.Equal(t, messageAttributesMD5(t, want), m["MD5OfMessageAttributes"], body)
		}
		sys, _ := m["Attributes"].(map[string]any)
		require.Equal(t, "1", sys["ApproximateReceiveCount"], body)
		require.NotEmpty(t, sys["SentTimestamp"], body)
		call(t, sqs, "DeleteMessage", map[string]any{"QueueUrl": queueURL, "ReceiptHandle": m["ReceiptHandle"]})
	}

	qa := call(t, sqs, "GetQueueAttributes", map[string]any{"QueueUrl": queueURL, "AttributeNames": []any{"All"}})
	qattrs, _ := qa["Attributes"].(map[string]any)
	require.Equal(t, "45", qattrs["VisibilityTimeout"], "%v", qattrs)
	require.Equal(t, "3600", qattrs["MessageRetentionPeriod"])
	require.Equal(t, "0", qattrs["ApproximateNumberOfMessages"])
	require.True(t, strings.HasSuffix(qattrs["QueueArn"].(string), ":"+name), "QueueArn %v", qattrs["QueueArn"])

	list := call(t, sqs, "ListQueues", map[string]any{"QueueNamePrefix": name})
	require.Equal(t, []any{queueURL}, list["QueueUrls"])

	// A modeled error: the code and status as the protocol carries them.
	_, err := sqs.Call(t.Context(), "GetQueueUrl", map[string]any{"QueueName": name + "-missing"})
	var apiErr *aws.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	require.Equal(t, missingQueueCode, apiErr.Code, "%v", err)
	require.Equal(t, 400, apiErr.StatusCode)
	require.Equal(t, "sqs", apiErr.Service)
	require.Equal(t, "GetQueueUrl", apiErr.Operation)
	var opErr *client.OperationError
	require.True(t, errors.As(err, &opErr), "%v", err)
	require.Equal(t, "GetQueueUrl", opErr.Operation)

	call(t, sqs, "DeleteQueue", map[string]any{"QueueUrl": queueURL})
	_, err = sqs.Call(t.Context(), "GetQueueUrl", map[string]any{"QueueName": name})
	require.True(t, errors.As(err, &apiErr), "the queue is gone: %v", err)
	require.Equal(t, missingQueueCode, apiErr.Code)
}

// checkQueryForms checks how the query protocol spelled the maps and lists of the scenario.
func checkQueryForms(t *testing.T, wire *wireLog) {
	form := func(op string) url.Values {
		sent := wire.sent(op)
		require.NotEmpty(t, sent, op)
		f, err := url.ParseQuery(sent[0].body)
		require.NoError(t, err)
		return f
	}
	// Flattened maps: Attribute.N.Name / Attribute.N.Value, Tag.N.Key / Tag.N.Value.
	create := form("CreateQueue")
	require.Equal(t, map[string]string{"VisibilityTimeout": "45", "MessageRetentionPeriod": "3600"},
		formMap(t, create, "Attribute", "Name", "Value"))
	require.Equal(t, map[string]string{"team": "sdk", "env": "test"}, formMap(t, create, "Tag", "Key", "Value"))

	send := form("SendMessage")
	require.Equal(t, "hello, query & form=encoding ü", send.Get("MessageBody"))
	require.Equal(t, map[string]string{"color": "String", "count": "Number", "blob": "Binary"},
		formMap(t, send, "MessageAttribute", "Name", "Value.DataType"))
	require.Equal(t, map[string]string{"color": "blue & grün <ok>", "count": "42", "blob": ""},
		formMap(t, send, "MessageAttribute", "Name", "Value.StringValue"))
	require.Equal(t, map[string]string{"color": "", "count": "", "blob": base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0xfe, 0xff})},
		formMap(t, send, "MessageAttribute", "Name", "Value.BinaryValue"))

	// A flattened list of structures: SendMessageBatchRequestEntry.N.Id ...
	batch := form("SendMessageBatch")
	require.Equal(t, "b1", batch.Get("SendMessageBatchRequestEntry.1.Id"))
	require.Equal(t, "batch two <xml/>", batch.Get("SendMessageBatchRequestEntry.2.MessageBody"))
	require.Equal(t, "count", batch.Get("SendMessageBatchRequestEntry.1.MessageAttribute.1.Name"))

	// Flattened lists of strings with their own member names.
	recv := form("ReceiveMessage")
	require.Equal(t, "All", recv.Get("AttributeName.1"))
	require.Equal(t, "All", recv.Get("MessageAttributeName.1"))
	require.Equal(t, "10", recv.Get("MaxNumberOfMessages"))
}

// formMap collects the entries prefix.N.key → prefix.N.value of a query form (1-based N,
// contiguous); a missing value is "".
func formMap(t *testing.T, form url.Values, prefix, key, value string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for i := 1; ; i++ {
		n := prefix + "." + strconv.Itoa(i) + "."
		k, ok := form[n+key]
		if !ok {
			break
		}
		out[k[0]] = form.Get(n + value)
	}
	return out
}

// sentRequest is what the wire log keeps of one request.
type sentRequest struct{ contentType, target, body string }

// wireLog records each request at before-send. It is safe for concurrent use.
type wireLog struct {
	mu   sync.Mutex
	byOp map[string][]sentRequest
}

func (w *wireLog) record(_ context.Context, e *events.Event) error {
	r := sentRequest{contentType: e.Request.Header.Get("Content-Type"), target: e.Request.Header.Get("X-Amz-Target")}
	if e.Request.GetBody != nil { // a copy: the body itself is still to be sent
		rc, err := e.Request.GetBody()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		r.body = string(b)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.byOp == nil {
		w.byOp = map[string][]sentRequest{}
	}
	w.byOp[e.Operation] = append(w.byOp[e.Operation], r)
	return nil
}

func (w *wireLog) operations() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	ops := make([]string, 0, len(w.byOp))
	for op := range w.byOp {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	return ops
}

func (w *wireLog) sent(op string) []sentRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]sentRequest(nil), w.byOp[op]...)
}

// newClientFor is newClient for a model that is not (or not only) the embedded one.
func newClientFor(t *testing.T, svc *models.Service, srv *emulator.Server, optFns ...func(*client.Options)) *client.Client {
	t.Helper()
	c, err := client.New(svc, client.Options{
		Region:      srv.Region,
		Endpoint:    srv.URL,
		Credentials: aws.StaticCredentials{AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey},
	}, optFns...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// messageAttributesMD5 is SQS's digest of message attributes: for each attribute in name
// order, the name, the data type, a transport byte (1 for string values, 2 for binary) and
// the value, each string length-prefixed (4 bytes, big-endian).
func messageAttributesMD5(t *testing.T, attrs map[string]any) string {
	t.Helper()
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names)
	h := md5.New()
	put := func(b []byte) {
		_ = binary.Write(h, binary.BigEndian, uint32(len(b)))
		h.Write(b)
	}
	for _, name := range names {
		v := attrs[name].(map[string]any)
		put([]byte(name))
		put([]byte(v["DataType"].(string)))
		if b, ok := v["BinaryValue"].([]byte); ok {
			h.Write([]byte{2})
			put(b)
		} else {
			h.Write([]byte{1})
			put([]byte(v["StringValue"].(string)))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
