package events_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/events"
)

// send does what the client does around before-send: emit, then use e.Response if a
// handler set it. It returns the response body, or the handler's error.
func send(t *testing.T, r *events.Registry, service, op string, params any) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "https://"+service+".us-east-1.amazonaws.com/", nil)
	require.NoError(t, err)
	e := &events.Event{Name: events.BeforeSend, Service: service, Operation: op, Params: params, Request: req, Attempt: 1}
	if err := r.Emit(context.Background(), e); err != nil {
		return nil, nil, err
	}
	require.NotNil(t, e.Response, "stubber did not answer")
	defer e.Response.Body.Close()
	body, err := io.ReadAll(e.Response.Body)
	require.NoError(t, err)
	require.Same(t, req, e.Response.Request)
	return e.Response, body, nil
}

func TestStubberInOrder(t *testing.T) {
	var r events.Registry
	s := events.NewStubber(&r, "dynamodb")
	s.Add("PutItem", map[string]any{"TableName": "t", "Item": map[string]any{"id": map[string]any{"S": "1"}}},
		events.StubResponse{Body: []byte(`{}`)})
	s.Add("GetItem", map[string]any{"TableName": "t", "Key": events.Any},
		events.StubResponse{Header: http.Header{"X-Amzn-Requestid": {"r1"}}, Body: []byte(`{"Item":{"id":{"S":"1"}}}`)})
	s.AddError("GetItem", 400, []byte(`{"__type":"ResourceNotFoundException","message":"no table"}`))
	require.Error(t, s.AssertDone())

	s.Activate()
	s.Activate() // idempotent
	require.Equal(t, 1, r.Len())
	defer s.Deactivate()

	resp, body, err := send(t, &r, "dynamodb", "PutItem", map[string]any{"TableName": "t", "Item": map[string]any{"id": map[string]any{"S": "1"}}})
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "200 OK", resp.Status)
	require.Equal(t, "{}", string(body))

	resp, body, err = send(t, &r, "dynamodb", "GetItem", map[string]any{"TableName": "t", "Key": map[string]any{"id": map[string]any{"S": "1"}}})
	require.NoError(t, err)
	require.Equal(t, "r1", resp.Header.Get("X-Amzn-RequestId"))
	require.Equal(t, `{"Item":{"id":{"S":"1"}}}`, string(body))
	require.Equal(t, int64(len(body)), resp.ContentLength)

	resp, body, err = send(t, &r, "dynamodb", "GetItem", map[string]any{"TableName": "other"})
	require.NoError(t, err)
	require.Equal(t, 400, resp.StatusCode)
	require.Contains(t, string(body), "ResourceNotFoundException")

	require.NoError(t, s.AssertDone())

	// Other services are not stubbed.
	e := &events.Event{Name: events.BeforeSend, Service: "s3", Operation: "GetObject"}
	require.NoError(t, r.Emit(context.Background(), e))
	require.Nil(t, e.Response)
}

func TestStubberUnexpectedCall(t *testing.T) {
	var r events.Registry
	s := events.NewStubber(&r, "sqs")
	s.Activate()
	defer s.Deactivate()
	_, _, err := send(t, &r, "sqs", "SendMessage", nil)
	require.ErrorIs(t, err, events.ErrUnexpectedCall)
	require.EqualError(t, err, "events: stubber: unexpected call: sqs.SendMessage: no expectation left")
}

func TestStubberOperationMismatch(t *testing.T) {
	var r events.Registry
	s := events.NewStubber(&r, "dynamodb")
	s.Add("GetItem", nil, events.StubResponse{Body: []byte(`{}`)})
	s.Activate()
	defer s.Deactivate()

	_, _, err := send(t, &r, "dynamodb", "PutItem", nil)
	require.ErrorIs(t, err, events.ErrStubMismatch)
	require.EqualError(t, err, "events: stubber: call does not match the next expectation: dynamodb: expected operation GetItem, got PutItem")

	// The expectation stays queued.
	err = s.AssertDone()
	require.ErrorIs(t, err, events.ErrExpectationsLeft)
	require.EqualError(t, err, "events: stubber: expectations left: dynamodb: 1 not consumed: GetItem")

	_, _, err = send(t, &r, "dynamodb", "GetItem", map[string]any{"anything": 1})
	require.NoError(t, err)
	require.NoError(t, s.AssertDone())
}

func TestStubberParamsMismatch(t *testing.T) {
	tests := []struct {
		name      string
		want, got any
		msg       string
	}{
		{"value", map[string]any{"TableName": "t"}, map[string]any{"TableName": "u"}, "params differ at TableName"},
		{"missing", map[string]any{"TableName": "t", "Limit": 10}, map[string]any{"TableName": "t"}, "params differ at Limit"},
		{"extra", map[string]any{"TableName": "t"}, map[string]any{"TableName": "t", "Limit": 10}, "params differ at Limit"},
		{"nested", map[string]any{"Key": map[string]any{"id": map[string]any{"S": "1"}}}, map[string]any{"Key": map[string]any{"id": map[string]any{"N": "1"}}}, "params differ at Key.id.N"},
		{"list", map[string]any{"L": []any{"a", "b"}}, map[string]any{"L": []any{"a", "c"}}, "params differ at L[1]"},
		{"list length", map[string]any{"L": []any{"a"}}, map[string]any{"L": []any{"a", "c"}}, "params differ at L:"},
		{"type", map[string]any{"TableName": "t"}, struct{ TableName string }{"t"}, "params differ at the top level"},
		{"struct", struct{ TableName string }{"t"}, struct{ TableName string }{"u"}, "params differ at the top level"},
		{"int vs int64", map[string]any{"Limit": 10}, map[string]any{"Limit": int64(10)}, "params differ at Limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r events.Registry
			s := events.NewStubber(&r, "dynamodb")
			s.Add("Query", tt.want, events.StubResponse{})
			s.Activate()
			defer s.Deactivate()
			_, _, err := send(t, &r, "dynamodb", "Query", tt.got)
			require.ErrorIs(t, err, events.ErrStubMismatch)
			require.Contains(t, err.Error(), "dynamodb.Query: "+tt.msg)
			require.Error(t, s.AssertDone())
		})
	}
}

func TestStubberParamsMatch(t *testing.T) {
	type input struct {
		TableName string
		Limit     int
	}
	tests := []struct {
		name      string
		want, got any
	}{
		{"equal maps", map[string]any{"TableName": "t", "Limit": 10}, map[string]any{"Limit": 10, "TableName": "t"}},
		{"any value", map[string]any{"TableName": "t", "ExclusiveStartKey": events.Any}, map[string]any{"TableName": "t", "ExclusiveStartKey": map[string]any{"id": 1}}},
		{"any in list", map[string]any{"L": []any{events.Any, "b"}}, map[string]any{"L": []any{42, "b"}}},
		{"struct", input{"t", 10}, input{"t", 10}},
		{"pointer to struct", &input{"t", 10}, &input{"t", 10}},
		{"any top level", events.Any, input{"t", 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r events.Registry
			s := events.NewStubber(&r, "dynamodb")
			s.Add("Query", tt.want, events.StubResponse{})
			s.Activate()
			defer s.Deactivate()
			_, _, err := send(t, &r, "dynamodb", "Query", tt.got)
			require.NoError(t, err)
			require.NoError(t, s.AssertDone())
		})
	}
}

func TestStubberAddFunc(t *testing.T) {
	var r events.Registry
	s := events.NewStubber(&r, "s3")
	s.AddFunc("GetObject", func(p any) bool { return p.(map[string]any)["Bucket"] == "b" }, events.StubResponse{Body: []byte("data")})
	s.AddFunc("GetObject", nil, events.StubResponse{Body: []byte("any")})
	s.Activate()
	defer s.Deactivate()

	_, _, err := send(t, &r, "s3", "GetObject", map[string]any{"Bucket": "other"})
	require.ErrorIs(t, err, events.ErrStubMismatch)
	require.Contains(t, err.Error(), "params rejected by the matcher")

	_, body, err := send(t, &r, "s3", "GetObject", map[string]any{"Bucket": "b"})
	require.NoError(t, err)
	require.Equal(t, "data", string(body))
	_, body, err = send(t, &r, "s3", "GetObject", nil)
	require.NoError(t, err)
	require.Equal(t, "any", string(body))
	require.NoError(t, s.AssertDone())
}

func TestStubberDeactivate(t *testing.T) {
	var r events.Registry
	s := events.NewStubber(&r, "sqs")
	s.Add("SendMessage", nil, events.StubResponse{})
	s.Activate()
	s.Deactivate()
	s.Deactivate() // idempotent
	require.Equal(t, 0, r.Len())
	require.False(t, r.Has(events.BeforeSend, "sqs", "SendMessage"))

	// Queue kept; reactivation answers it.
	s.Activate()
	_, _, err := send(t, &r, "sqs", "SendMessage", nil)
	require.NoError(t, err)
	require.NoError(t, s.AssertDone())
	s.Deactivate()
}

func TestStubberResponsesIndependent(t *testing.T) {
	// Each call gets its own body and header copy; mutating one does not affect the queued data.
	var r events.Registry
	s := events.NewStubber(&r, "sqs")
	resp := events.StubResponse{Header: http.Header{"A": {"1"}}, Body: []byte("x")}
	s.Add("ReceiveMessage", nil, resp)
	s.Add("ReceiveMessage", nil, resp)
	s.Activate()
	defer s.Deactivate()
	r1, _, err := send(t, &r, "sqs", "ReceiveMessage", nil)
	require.NoError(t, err)
	r1.Header.Set("A", "changed")
	r2, body, err := send(t, &r, "sqs", "ReceiveMessage", nil)
	require.NoError(t, err)
	require.Equal(t, "1", r2.Header.Get("A"))
	require.Equal(t, "x", string(body))
}

func TestStubberConcurrent(t *testing.T) {
	var r events.Registry
	s := events.NewStubber(&r, "dynamodb")
	const n = 200
	for range n {
		s.Add("GetItem", map[string]any{"TableName": "t"}, events.StubResponse{Body: []byte(`{}`)})
	}
	s.Activate()
	defer s.Deactivate()

	var wg sync.WaitGroup
	errs := make(chan error, n+10)
	for range n + 10 { // 10 too many
		wg.Go(func() {
			e := &events.Event{Name: events.BeforeSend, Service: "dynamodb", Operation: "GetItem", Params: map[string]any{"TableName": "t"}}
			if err := r.Emit(context.Background(), e); err != nil {
				errs <- err
				return
			}
			if e.Response == nil || e.Response.StatusCode != 200 {
				errs <- errors.New("no response")
			}
			_ = e.Response.Body.Close()
		})
	}
	wg.Wait()
	close(errs)
	var unexpected int
	for err := range errs {
		require.ErrorIs(t, err, events.ErrUnexpectedCall)
		unexpected++
	}
	require.Equal(t, 10, unexpected)
	require.NoError(t, s.AssertDone())
}

func TestNewStubberPanics(t *testing.T) {
	var r events.Registry
	require.Panics(t, func() { events.NewStubber(nil, "s3") })
	require.Panics(t, func() { events.NewStubber(&r, "") })
	require.Panics(t, func() { events.NewStubber(&r, "s3.GetObject") })
	require.Panics(t, func() { events.NewStubber(&r, "*") })
}
