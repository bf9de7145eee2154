package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/async"
	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/events"
	"github.com/aioaws/aioaws/internal/emulator"
	"github.com/aioaws/aioaws/internal/faultproxy"
	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/transport"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// newClient returns a client of service pointed at an emulator (or a proxy in front of one).
func newClient(t *testing.T, service string, srv *emulator.Server, endpoint string, optFns ...func(*client.Options)) *client.Client {
	t.Helper()
	svc, err := models.Load(service)
	require.NoError(t, err)
	if endpoint == "" {
		endpoint = srv.URL
	}
	c, err := client.New(svc, client.Options{
		Region:      srv.Region,
		Endpoint:    endpoint,
		Credentials: aws.StaticCredentials{AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey},
	}, optFns...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func call(t *testing.T, c *client.Client, op string, in any) map[string]any {
	t.Helper()
	out, err := c.Call(t.Context(), op, in)
	require.NoError(t, err, op)
	return out
}

func createTable(t *testing.T, ddb *client.Client, table string) {
	t.Helper()
	call(t, ddb, "CreateTable", map[string]any{
		"TableName":            table,
		"AttributeDefinitions": []any{map[string]any{"AttributeName": "pk", "AttributeType": "S"}},
		"KeySchema":            []any{map[string]any{"AttributeName": "pk", "KeyType": "HASH"}},
		"BillingMode":          "PAY_PER_REQUEST",
	})
	require.Eventually(t, func() bool {
		out, err := ddb.Call(t.Context(), "DescribeTable", map[string]any{"TableName": table})
		return err == nil && out["Table"].(map[string]any)["TableStatus"] == "ACTIVE"
	}, 10*time.Second, 20*time.Millisecond)
}

func TestDynamoDB(t *testing.T) {
	for _, emu := range []struct {
		name string
		srv  func(testing.TB) *emulator.Server
	}{{"dynalite", testenv.Dynalite}, {"moto", testenv.Moto}} {
		t.Run(emu.name, func(t *testing.T) {
			ddb := newClient(t, "dynamodb", emu.srv(t), "")
			createTable(t, ddb, "users-"+emu.name)
			item := map[string]any{"pk": map[string]any{"S": "u1"}, "n": map[string]any{"N": "42"}, "b": map[string]any{"B": []byte{0, 1, 2}},
				"l": map[string]any{"L": []any{map[string]any{"S": "x"}, map[string]any{"BOOL": true}}}}
			call(t, ddb, "PutItem", map[string]any{"TableName": "users-" + emu.name, "Item": item})
			out := call(t, ddb, "GetItem", map[string]any{"TableName": "users-" + emu.name, "Key": map[string]any{"pk": map[string]any{"S": "u1"}}, "ConsistentRead": true})
			require.Equal(t, item, out["Item"])
			md := out["ResponseMetadata"].(map[string]any)
			require.Equal(t, int64(200), md["HTTPStatusCode"])
			require.NotEmpty(t, md["RequestId"])

			q := call(t, ddb, "Query", map[string]any{"TableName": "users-" + emu.name, "KeyConditionExpression": "pk = :pk",
				"ExpressionAttributeValues": map[string]any{":pk": map[string]any{"S": "u1"}}})
			require.Equal(t, int64(1), q["Count"])

			// A modeled error comes back as *aws.APIError inside the operation error.
			_, err := ddb.Call(t.Context(), "GetItem", map[string]any{"TableName": "missing-table", "Key": map[string]any{"pk": map[string]any{"S": "u1"}}})
			var apiErr *aws.APIError
			require.True(t, errors.As(err, &apiErr), "%v", err)
			require.Equal(t, "ResourceNotFoundException", apiErr.Code)
			require.Equal(t, 400, apiErr.StatusCode)
			var opErr *client.OperationError
			require.True(t, errors.As(err, &opErr))
			require.Equal(t, "GetItem", opErr.Operation)

			call(t, ddb, "DeleteTable", map[string]any{"TableName": "users-" + emu.name})
		})
	}
}

func TestValidationFailsBeforeSending(t *testing.T) {
	srv := testenv.Dynalite(t)
	var sent atomic.Int64
	ddb := newClient(t, "dynamodb", srv, "", func(o *client.Options) { o.OnTrace = func(tr *client.Trace) { sent.Add(int64(tr.Attempts)) } })
	_, err := ddb.Call(t.Context(), "GetItem", map[string]any{"TableName": "t", "Key": map[string]any{"pk": map[string]any{"S": 1}}})
	var ve *aws.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	require.Equal(t, []aws.Problem{{Path: "TableName", Msg: "length 1 below minimum 3"}, {Path: "Key.pk.S", Msg: "got int, want string"}}[1:], ve.Problems[len(ve.Problems)-1:])
	require.Zero(t, sent.Load(), "nothing was sent")

	_, err = ddb.Call(t.Context(), "GetItems", nil)
	require.ErrorContains(t, err, `unknown operation "GetItems" of dynamodb`)
}

func TestS3(t *testing.T) {
	srv := testenv.Versity(t)
	s3 := newClient(t, "s3", srv, "", func(o *client.Options) { o.S3.ForcePathStyle = true })
	call(t, s3, "CreateBucket", map[string]any{"Bucket": "demo"})
	keys := []string{"plain.txt", "with space/ü ni+code=%.bin"}
	for i, key := range keys {
		var body any = []byte(strings.Repeat("x", 1000+i))
		if i == 1 {
			body = bytes.NewReader([]byte(strings.Repeat("y", 1001))) // a seekable stream
		}
		call(t, s3, "PutObject", map[string]any{"Bucket": "demo", "Key": key, "Body": body, "ContentType": "text/plain", "Metadata": map[string]any{"k": "v"}})
	}
	list := call(t, s3, "ListObjectsV2", map[string]any{"Bucket": "demo"})
	require.Len(t, list["Contents"], 2)

	got := call(t, s3, "GetObject", map[string]any{"Bucket": "demo", "Key": keys[1]})
	body := got["Body"].(io.ReadCloser)
	data, err := io.ReadAll(body)
	require.NoError(t, err)
	require.NoError(t, body.Close())
	require.Equal(t, strings.Repeat("y", 1001), string(data))
	require.Equal(t, map[string]any{"k": "v"}, got["Metadata"])

	// DeleteObjects requires a checksum: the client adds Content-MD5.
	del := call(t, s3, "DeleteObjects", map[string]any{"Bucket": "demo", "Delete": map[string]any{"Objects": []any{map[string]any{"Key": keys[0]}, map[string]any{"Key": keys[1]}}}})
	require.Len(t, del["Deleted"], 2)

	_, err = s3.Call(t.Context(), "GetObject", map[string]any{"Bucket": "demo", "Key": "gone"})
	var apiErr *aws.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	require.Equal(t, "NoSuchKey", apiErr.Code)
	call(t, s3, "DeleteBucket", map[string]any{"Bucket": "demo"})
}

func TestQueryEC2RestJSONAndJSONServices(t *testing.T) {
	srv := testenv.Moto(t)
	sts := newClient(t, "sts", srv, "")
	id := call(t, sts, "GetCallerIdentity", nil)
	require.NotEmpty(t, id["Account"])

	sns := newClient(t, "sns", srv, "")
	topic := call(t, sns, "CreateTopic", map[string]any{"Name": "events"})
	require.Contains(t, topic["TopicArn"], ":events")

	iam := newClient(t, "iam", srv, "")
	call(t, iam, "CreateUser", map[string]any{"UserName": "ada"})
	users := call(t, iam, "ListUsers", nil)
	require.NotEmpty(t, users["Users"])

	ec2 := newClient(t, "ec2", srv, "")
	vpc := call(t, ec2, "CreateVpc", map[string]any{"CidrBlock": "10.1.0.0/16"})
	require.NotEmpty(t, vpc["Vpc"].(map[string]any)["VpcId"])

	sqs := newClient(t, "sqs", srv, "")
	q := call(t, sqs, "CreateQueue", map[string]any{"QueueName": "jobs"})
	require.Contains(t, q["QueueUrl"], "jobs")
	queues := call(t, sqs, "ListQueues", nil)
	require.Contains(t, fmt.Sprint(queues["QueueUrls"]), "jobs")
	call(t, sqs, "DeleteQueue", map[string]any{"QueueUrl": q["QueueUrl"]})

	kinesis := newClient(t, "kinesis", srv, "")
	call(t, kinesis, "CreateStream", map[string]any{"StreamName": "clicks", "ShardCount": 1})
	streams := call(t, kinesis, "ListStreams", nil)
	require.Contains(t, streams["StreamNames"], "clicks")

	lambda := newClient(t, "lambda", srv, "")
	fns := call(t, lambda, "ListFunctions", nil)
	require.Contains(t, fns, "Functions")
}

func TestRetriesThroughFaultProxy(t *testing.T) {
	srv := testenv.Dynalite(t)
	direct := newClient(t, "dynamodb", srv, "")
	createTable(t, direct, "retries")
	for _, fault := range []faultproxy.Kind{faultproxy.Throttle, faultproxy.ServerError, faultproxy.Reset} {
		t.Run(string(fault), func(t *testing.T) {
			p, err := faultproxy.New(srv.URL, faultproxy.Config{Seed: 7, Rules: []faultproxy.Rule{{Match: faultproxy.Op("GetItem"), Fault: faultproxy.Fault{Kind: fault}, Rate: 0.5}}})
			require.NoError(t, err)
			url, err := p.Start()
			require.NoError(t, err)
			defer p.Close()
			var slept atomic.Int64 // throttles back off from a 1 s base: record the delays instead of sleeping them
			ddb := newClient(t, "dynamodb", srv, url, func(o *client.Options) {
				o.MaxAttempts = 10
				o.Sleep = func(ctx context.Context, d time.Duration) error { slept.Add(int64(d)); return ctx.Err() }
			})
			retried := int64(0)
			for range 20 {
				out, err := ddb.Call(t.Context(), "GetItem", map[string]any{"TableName": "retries", "Key": map[string]any{"pk": map[string]any{"S": "none"}}})
				require.NoError(t, err)
				retried += out["ResponseMetadata"].(map[string]any)["RetryAttempts"].(int64)
			}
			require.Positive(t, retried, "faults were injected and retried")
			require.Positive(t, p.Stats().Injected[fault])
			require.Positive(t, slept.Load(), "every retry waited its backoff")
		})
	}
}

func TestCancelReturnsPromptly(t *testing.T) {
	srv := testenv.Dynalite(t)
	p, err := faultproxy.New(srv.URL, faultproxy.Config{Rules: []faultproxy.Rule{{Fault: faultproxy.Fault{Kind: faultproxy.Latency, Delay: 5 * time.Second}, Rate: 1}}})
	require.NoError(t, err)
	url, err := p.Start()
	require.NoError(t, err)
	defer p.Close()
	tr, err := transport.New(transport.Options{MaxInFlight: 4})
	require.NoError(t, err)
	defer tr.Close()
	ddb := newClient(t, "dynamodb", srv, url, func(o *client.Options) { o.Transport = tr })
	ctx, cancel := context.WithCancel(t.Context())
	fut := ddb.Go(ctx, "ListTables", nil)
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	cancel()
	_, err = fut.Wait(t.Context())
	require.ErrorIs(t, err, context.Canceled)
	require.Less(t, time.Since(start), 50*time.Millisecond)
	require.Eventually(t, func() bool { return tr.InFlight() == 0 }, time.Second, 5*time.Millisecond, "the connection slot was freed")
}

func TestManyFuturesOverFewConnections(t *testing.T) {
	srv := testenv.Dynalite(t)
	tr, err := transport.New(transport.Options{MaxInFlight: 64})
	require.NoError(t, err)
	defer tr.Close()
	ddb := newClient(t, "dynamodb", srv, "", func(o *client.Options) { o.Transport = tr })
	createTable(t, ddb, "fanout")
	n := 10000
	if testing.Short() {
		n = 500
	}
	futures := make([]*async.Future[map[string]any], n)
	for i := range futures {
		futures[i] = ddb.Go(t.Context(), "GetItem", map[string]any{"TableName": "fanout", "Key": map[string]any{"pk": map[string]any{"S": fmt.Sprint(i)}}})
	}
	outs, err := async.All(t.Context(), futures...)
	require.NoError(t, err)
	require.Len(t, outs, n)
	st := tr.Stats()
	require.LessOrEqual(t, st.ConnsOpened, uint64(64), "at most 64 connections carried them")
	require.Equal(t, 0, st.InFlight)
}

func TestS3ResponseChecksumValidation(t *testing.T) {
	srv := testenv.Versity(t)
	s3 := newClient(t, "s3", srv, "", func(o *client.Options) { o.S3.ForcePathStyle = true })
	call(t, s3, "CreateBucket", map[string]any{"Bucket": "sums"})
	defer call(t, s3, "DeleteBucket", map[string]any{"Bucket": "sums"})
	data := []byte(strings.Repeat("checksummed ", 1000))
	call(t, s3, "PutObject", map[string]any{"Bucket": "sums", "Key": "k", "Body": data, "ChecksumAlgorithm": "CRC32"})
	defer call(t, s3, "DeleteObject", map[string]any{"Bucket": "sums", "Key": "k"})

	got := call(t, s3, "GetObject", map[string]any{"Bucket": "sums", "Key": "k", "ChecksumMode": "ENABLED"})
	require.NotEmpty(t, got["ChecksumCRC32"], "the server returned the checksum it stored")
	body := got["Body"].(io.ReadCloser)
	back, err := io.ReadAll(body)
	require.NoError(t, err, "the body matched its checksum")
	require.NoError(t, body.Close())
	require.Equal(t, data, back)

	// A body that does not match its checksum is an error at EOF: corrupt the header the
	// server sent, as a broken proxy would, through a response-received handler.
	s3bad := newClient(t, "s3", srv, "", func(o *client.Options) {
		o.S3.ForcePathStyle = true
		o.Events = &events.Registry{}
		o.Events.Register("response-received.s3.GetObject", func(_ context.Context, e *events.Event) error {
			e.Response.Header.Set("X-Amz-Checksum-Crc32", "AAAAAA==")
			return nil
		})
	})
	got = call(t, s3bad, "GetObject", map[string]any{"Bucket": "sums", "Key": "k", "ChecksumMode": "ENABLED"})
	body = got["Body"].(io.ReadCloser)
	_, err = io.ReadAll(body)
	require.ErrorContains(t, err, "CRC32")
	body.Close()
}
