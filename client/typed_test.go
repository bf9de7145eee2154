package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/async"
	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/events"
	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/models"
)

// stubbedClient returns a client of service whose calls are answered by a Stubber, never sent.
func stubbedClient(t *testing.T, service string) (*client.Client, *events.Stubber) {
	t.Helper()
	svc, err := models.Load(service)
	require.NoError(t, err)
	registry := &events.Registry{}
	c, err := client.New(svc, client.Options{
		Region:      "us-east-1",
		Credentials: aws.StaticCredentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"},
		MaxAttempts: 1,
	}, func(o *client.Options) { o.Events = registry })
	require.NoError(t, err)
	t.Cleanup(c.Close)
	s := events.NewStubber(registry, service)
	s.Activate()
	t.Cleanup(s.Deactivate)
	return c, s
}

type AttributeValue struct {
	S    *string
	N    *string
	B    []byte
	BOOL *bool
	NULL *bool
	SS   []string
	L    []AttributeValue
	M    map[string]AttributeValue
}

type GetItemOutput struct {
	Item             map[string]AttributeValue
	ConsumedCapacity *struct {
		TableName     string
		CapacityUnits float64
	}
	ResponseMetadata struct {
		RequestID      string
		HTTPStatusCode int
		RetryAttempts  int
		HTTPHeaders    http.Header
	}
}

const getItemBody = `{
	"Item": {
		"pk": {"S": "user#1"},
		"age": {"N": "42"},
		"avatar": {"B": "iVBORw=="},
		"active": {"BOOL": true},
		"tags": {"SS": ["a", "b"]},
		"address": {"M": {"city": {"S": "Lyon"}, "rooms": {"L": [{"N": "1"}, {"NULL": true}]}}}
	},
	"ConsumedCapacity": {"TableName": "users", "CapacityUnits": 0.5}
}`

var getItemIn = map[string]any{"TableName": "users", "Key": map[string]any{"pk": map[string]any{"S": "user#1"}}}

func ptrTo[T any](v T) *T { return &v }

func wantItem() map[string]AttributeValue {
	return map[string]AttributeValue{
		"pk":     {S: ptrTo("user#1")},
		"age":    {N: ptrTo("42")},
		"avatar": {B: []byte{0x89, 'P', 'N', 'G'}},
		"active": {BOOL: ptrTo(true)},
		"tags":   {SS: []string{"a", "b"}},
		"address": {M: map[string]AttributeValue{
			"city":  {S: ptrTo("Lyon")},
			"rooms": {L: []AttributeValue{{N: ptrTo("1")}, {NULL: ptrTo(true)}}},
		}},
	}
}

func TestCallIntoGetItem(t *testing.T) {
	c, s := stubbedClient(t, "dynamodb")
	resp := events.StubResponse{Header: http.Header{"X-Amzn-Requestid": {"REQ1"}}, Body: []byte(getItemBody)}
	s.Add("GetItem", getItemIn, resp)
	s.Add("GetItem", getItemIn, resp)

	out, err := client.CallInto[GetItemOutput](t.Context(), c, "GetItem", getItemIn)
	require.NoError(t, err)
	require.Equal(t, wantItem(), out.Item)
	require.NotNil(t, out.ConsumedCapacity)
	require.Equal(t, "users", out.ConsumedCapacity.TableName)
	require.Equal(t, 0.5, out.ConsumedCapacity.CapacityUnits)
	require.Equal(t, "REQ1", out.ResponseMetadata.RequestID)
	require.Equal(t, 200, out.ResponseMetadata.HTTPStatusCode)
	require.Equal(t, 0, out.ResponseMetadata.RetryAttempts)
	require.Equal(t, "REQ1", out.ResponseMetadata.HTTPHeaders.Get("X-Amzn-Requestid"))

	// T may be a pointer to a struct.
	pout, err := client.CallInto[*GetItemOutput](t.Context(), c, "GetItem", getItemIn)
	require.NoError(t, err)
	require.NotNil(t, pout)
	require.Equal(t, wantItem(), pout.Item)
	require.NoError(t, s.AssertDone())
}

func TestCallIntoErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    map[string]any
		setup func(s *events.Stubber)
		check func(t *testing.T, err error)
	}{
		{
			name: "API error",
			in:   getItemIn,
			setup: func(s *events.Stubber) {
				s.AddError("GetItem", 400, []byte(`{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"no table"}`))
			},
			check: func(t *testing.T, err error) {
				var apiErr *aws.APIError
				require.ErrorAs(t, err, &apiErr)
				require.Equal(t, "ResourceNotFoundException", apiErr.Code)
				require.Equal(t, "no table", apiErr.Message)
				require.Equal(t, 400, apiErr.StatusCode)
			},
		},
		{
			name:  "validation error, nothing sent",
			in:    map[string]any{"TableName": "users"}, // Key missing
			setup: func(*events.Stubber) {},
			check: func(t *testing.T, err error) {
				var vErr *aws.ValidationError
				require.ErrorAs(t, err, &vErr)
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, s := stubbedClient(t, "dynamodb")
			tc.setup(s)
			out, err := client.CallInto[GetItemOutput](t.Context(), c, "GetItem", tc.in)
			tc.check(t, err)
			var opErr *client.OperationError
			require.ErrorAs(t, err, &opErr)
			require.Equal(t, "GetItem", opErr.Operation)
			require.Zero(t, out)
			var decErr *aws.DecodeError
			require.False(t, errors.As(err, &decErr))
			require.NoError(t, s.AssertDone())
		})
	}
}

func TestCallIntoDecodeError(t *testing.T) {
	c, s := stubbedClient(t, "dynamodb")
	s.Add("GetItem", nil, events.StubResponse{Body: []byte(`{"Item":{"pk":{"S":"x"}},"ConsumedCapacity":{"TableName":"t","CapacityUnits":1e300}}`)})
	type narrow struct {
		Item             map[string]map[string]string
		ConsumedCapacity struct{ CapacityUnits float32 }
	}
	out, err := client.CallInto[narrow](t.Context(), c, "GetItem", getItemIn)
	require.EqualError(t, err, "dynamodb GetItem: decode ConsumedCapacity.CapacityUnits: value 1e+300 overflows float32")
	var decErr *aws.DecodeError
	require.ErrorAs(t, err, &decErr)
	require.Equal(t, "ConsumedCapacity.CapacityUnits", decErr.Problems[0].Path)
	var opErr *client.OperationError
	require.ErrorAs(t, err, &opErr)
	require.Equal(t, map[string]map[string]string{"pk": {"S": "x"}}, out.Item, "what fits is decoded")
}

func TestGoInto(t *testing.T) {
	c, s := stubbedClient(t, "dynamodb")
	const n = 8
	for range n {
		s.Add("GetItem", nil, events.StubResponse{Body: []byte(getItemBody)})
	}
	futures := make([]*async.Future[GetItemOutput], n)
	for i := range futures {
		futures[i] = client.GoInto[GetItemOutput](t.Context(), c, "GetItem", getItemIn)
	}
	for _, f := range futures {
		out, err := f.Wait(t.Context())
		require.NoError(t, err)
		require.Equal(t, wantItem(), out.Item)
	}
	require.NoError(t, s.AssertDone())

	// An error reaches Wait; a cancelled ctx ends the call.
	s.AddError("GetItem", 400, []byte(`{"__type":"ResourceNotFoundException","message":"no table"}`))
	_, err := client.GoInto[GetItemOutput](t.Context(), c, "GetItem", getItemIn).Wait(t.Context())
	var apiErr *aws.APIError
	require.ErrorAs(t, err, &apiErr)

	// A call in flight ends when its ctx is cancelled: before-send waits here for the ctx.
	s.Deactivate()
	started := make(chan struct{})
	unregister := c.Options().Events.Register(events.BeforeSend+".dynamodb", func(ctx context.Context, _ *events.Event) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	defer unregister()
	ctx, cancel := context.WithCancel(t.Context())
	f := client.GoInto[GetItemOutput](ctx, c, "GetItem", getItemIn)
	<-started
	cancel()
	select {
	case <-f.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("GoInto did not end after cancel")
	}
	_, err = f.Wait(t.Context())
	require.ErrorIs(t, err, context.Canceled)
}

// closeTracker records whether the stream it wraps was closed.
type closeTracker struct {
	io.ReadCloser
	closed atomic.Bool
}

func (c *closeTracker) Close() error {
	c.closed.Store(true)
	return c.ReadCloser.Close()
}

func TestCallIntoStreamingBody(t *testing.T) {
	c, s := stubbedClient(t, "s3")
	in := map[string]any{"Bucket": "bucket", "Key": "key"}
	resp := events.StubResponse{
		Header: http.Header{"Content-Length": {"5"}, "Content-Type": {"text/plain"}, "Last-Modified": {"Mon, 06 May 2024 07:08:09 GMT"}},
		Body:   []byte("hello"),
	}
	// after-call sees the parsed output: wrap the body to see who closes it.
	var body *closeTracker
	defer c.Options().Events.Register(events.AfterCall+".s3.GetObject", func(_ context.Context, e *events.Event) error {
		body = &closeTracker{ReadCloser: e.Parsed["Body"].(io.ReadCloser)}
		e.Parsed["Body"] = body
		return nil
	})()

	type getObjectOutput struct {
		Body          io.ReadCloser
		ContentLength int64
		ContentType   string
		LastModified  time.Time
	}
	for _, tc := range []struct {
		name       string
		call       func(t *testing.T) error
		wantClosed bool
	}{
		{"moved to the struct", func(t *testing.T) error {
			out, err := client.CallInto[getObjectOutput](t.Context(), c, "GetObject", in)
			require.NoError(t, err)
			require.Equal(t, int64(5), out.ContentLength)
			require.Equal(t, "text/plain", out.ContentType)
			require.True(t, out.LastModified.Equal(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)))
			require.Same(t, body, out.Body, "the stream moved to the struct as is")
			require.False(t, body.closed.Load(), "the caller's to close")
			b, err := io.ReadAll(out.Body)
			require.NoError(t, err)
			require.Equal(t, "hello", string(b))
			return out.Body.Close()
		}, true},
		{"pointer T, embedded field", func(t *testing.T) error {
			type withBody struct{ Body io.Reader }
			out, err := client.CallInto[*struct{ withBody }](t.Context(), c, "GetObject", in)
			require.NoError(t, err)
			require.Same(t, body, out.Body)
			require.False(t, body.closed.Load())
			return body.Close()
		}, true},
		{"map T keeps the document", func(t *testing.T) error {
			out, err := client.CallInto[map[string]any](t.Context(), c, "GetObject", in)
			require.NoError(t, err)
			require.Same(t, body, out["Body"])
			require.False(t, body.closed.Load())
			return body.Close()
		}, true},
		{"no field for it: closed by CallInto", func(t *testing.T) error {
			out, err := client.CallInto[struct{ ContentLength int64 }](t.Context(), c, "GetObject", in)
			require.NoError(t, err)
			require.Equal(t, int64(5), out.ContentLength)
			return nil
		}, true},
		{"decode error: closed by CallInto", func(t *testing.T) error {
			_, err := client.CallInto[struct {
				Body        io.ReadCloser
				ContentType int
			}](t.Context(), c, "GetObject", in)
			require.EqualError(t, err, "s3 GetObject: decode ContentType: cannot decode string into int")
			var decErr *aws.DecodeError
			require.ErrorAs(t, err, &decErr)
			return nil
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body = nil
			s.Add("GetObject", in, resp)
			require.NoError(t, tc.call(t))
			require.NotNil(t, body)
			require.Equal(t, tc.wantClosed, body.closed.Load())
		})
	}
	require.NoError(t, s.AssertDone())
}

// TestCallIntoAgainstDynalite checks the fast path against a real server: typed Scan and
// DescribeTable outputs hold what decoding their documents gives.
func TestCallIntoAgainstDynalite(t *testing.T) {
	srv := testenv.Dynalite(t)
	ddb := newClient(t, "dynamodb", srv, "")
	createTable(t, ddb, "typed")
	for i := range 30 {
		call(t, ddb, "PutItem", map[string]any{"TableName": "typed", "Item": map[string]any{
			"pk":    map[string]any{"S": fmt.Sprintf("user#%02d", i)},
			"n":     map[string]any{"N": fmt.Sprint(i)},
			"tags":  map[string]any{"SS": []any{"a", "b"}},
			"blob":  map[string]any{"B": []byte{byte(i), 0xff}},
			"inner": map[string]any{"M": map[string]any{"ok": map[string]any{"BOOL": i%2 == 0}, "l": map[string]any{"L": []any{map[string]any{"NULL": true}}}}},
		}})
	}
	type scanOutput struct {
		Items            []map[string]*AttributeValue
		Count            int32
		ScannedCount     *int64
		ResponseMetadata struct{ RequestID string }
	}
	in := map[string]any{"TableName": "typed", "ConsistentRead": true}
	typed, err := client.CallInto[scanOutput](t.Context(), ddb, "Scan", in)
	require.NoError(t, err)
	var viaDoc scanOutput
	require.NoError(t, aws.Decode(call(t, ddb, "Scan", in), &viaDoc))
	require.Len(t, typed.Items, 30)
	require.EqualValues(t, 30, typed.Count)
	require.NotEmpty(t, typed.ResponseMetadata.RequestID)
	typed.ResponseMetadata, viaDoc.ResponseMetadata = struct{ RequestID string }{}, struct{ RequestID string }{}
	require.Equal(t, viaDoc, typed)

	type describeOutput struct {
		Table *struct {
			TableName        string
			CreationDateTime time.Time
			KeySchema        []struct{ AttributeName, KeyType string }
			ItemCount        int64
		}
	}
	desc, err := client.CallInto[describeOutput](t.Context(), ddb, "DescribeTable", map[string]any{"TableName": "typed"})
	require.NoError(t, err)
	require.Equal(t, "typed", desc.Table.TableName)
	require.False(t, desc.Table.CreationDateTime.IsZero())
	require.Equal(t, "pk", desc.Table.KeySchema[0].AttributeName)
}
