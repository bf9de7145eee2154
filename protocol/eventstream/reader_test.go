package eventstream_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol/eventstream"
)

// xmlStub decodes a flat XML structure (<Root><Member>text</Member>...</Root>), enough for
// S3 Select's Stats and Progress payloads. The real codec is the protocol's.
func xmlStub(s *models.Shape, p []byte) (map[string]any, error) {
	if !bytes.Contains(p, []byte("</")) {
		return nil, errors.New("not XML")
	}
	out := map[string]any{}
	for _, m := range regexp.MustCompile(`<(\w+)>([^<]*)</(\w+)>`).FindAllSubmatch(p, -1) {
		mem, ok := s.MemberNamed(string(m[1]))
		if !ok || string(m[1]) != string(m[3]) {
			continue
		}
		switch mem.Shape.Type {
		case models.Long, models.Integer:
			n, err := strconv.ParseInt(string(m[2]), 10, 64)
			if err != nil {
				return nil, err
			}
			out[mem.Name] = n
		default:
			out[mem.Name] = string(m[2])
		}
	}
	return out, nil
}

// jsonStub decodes a JSON object of strings, integers and lists of strings.
func jsonStub(s *models.Shape, p []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(p))
	d.UseNumber()
	var raw map[string]any
	if err := d.Decode(&raw); err != nil {
		return nil, err
	}
	out := map[string]any{}
	for k, v := range raw {
		mem, ok := s.MemberNamed(k)
		if !ok {
			continue
		}
		switch x := v.(type) {
		case json.Number:
			n, err := x.Int64()
			if err != nil {
				return nil, err
			}
			out[mem.Name] = n
		default:
			out[mem.Name] = x
		}
	}
	return out, nil
}

func str(s string) eventstream.HeaderValue { return eventstream.StringValue(s) }

func event(typ string, payload []byte, more ...eventstream.Header) eventstream.Message {
	return eventstream.Message{
		Headers: append(eventstream.Headers{{Name: ":message-type", Value: str("event")}, {Name: ":event-type", Value: str(typ)}}, more...),
		Payload: payload,
	}
}

// body is an io.ReadCloser that records Close.
type body struct {
	io.Reader
	closed atomic.Int32
	err    error
}

func (b *body) Close() error { b.closed.Add(1); return b.err }

func newBody(t testing.TB, msgs ...eventstream.Message) *body {
	return &body{Reader: bytes.NewReader(encode(t, msgs...))}
}

func selectStream(t *testing.T) *models.Shape {
	t.Helper()
	svc, err := models.Load("s3")
	require.NoError(t, err)
	op, ok := svc.Operation("SelectObjectContent")
	require.True(t, ok)
	require.NotNil(t, op.Output.Payload)
	require.Equal(t, "Payload", op.Output.Payload.Name)
	s := op.Output.Payload.Shape
	require.Equal(t, "SelectObjectContentEventStream", s.Name)
	require.True(t, s.EventStream)
	// The traits the Reader relies on, as the model compiler parsed them.
	for _, name := range []string{"Records", "Stats", "Progress", "Cont", "End"} {
		m, ok := s.MemberNamed(name)
		require.True(t, ok, name)
		require.True(t, m.Shape.Event, name)
	}
	rec, _ := s.MemberNamed("Records")
	p, ok := rec.Shape.MemberNamed("Payload")
	require.True(t, ok)
	require.True(t, p.EventPayload)
	require.Equal(t, models.Blob, p.Shape.Type)
	return s
}

func TestS3SelectObjectContent(t *testing.T) {
	stream := selectStream(t)
	octet := eventstream.Header{Name: ":content-type", Value: str("application/octet-stream")}
	xml := eventstream.Header{Name: ":content-type", Value: str("text/xml")}
	b := newBody(t,
		event("Records", []byte("a,1\nb,2\n"), octet),
		event("Records", []byte("c,3\n"), octet),
		event("Cont", nil),
		event("Progress", []byte(`<?xml version="1.0" encoding="UTF-8"?><Progress><BytesScanned>512</BytesScanned><BytesProcessed>512</BytesProcessed><BytesReturned>12</BytesReturned></Progress>`), xml),
		event("Stats", []byte(`<?xml version="1.0" encoding="UTF-8"?><Stats><BytesScanned>1024</BytesScanned><BytesProcessed>1024</BytesProcessed><BytesReturned>24</BytesReturned></Stats>`), xml),
		event("SomethingNew", []byte("ignored")),
		event("End", nil),
	)
	r := eventstream.NewReader(b, stream, xmlStub)
	var got []eventstream.Event
	for {
		ev, err := r.Recv()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		got = append(got, ev)
	}
	require.Equal(t, []eventstream.Event{
		{Type: "Records", Value: map[string]any{"Payload": []byte("a,1\nb,2\n")}},
		{Type: "Records", Value: map[string]any{"Payload": []byte("c,3\n")}},
		{Type: "Cont", Value: map[string]any{}},
		{Type: "Progress", Value: map[string]any{"Details": map[string]any{"BytesScanned": int64(512), "BytesProcessed": int64(512), "BytesReturned": int64(12)}}},
		{Type: "Stats", Value: map[string]any{"Details": map[string]any{"BytesScanned": int64(1024), "BytesProcessed": int64(1024), "BytesReturned": int64(24)}}},
		{Type: "SomethingNew"},
		{Type: "End", Value: map[string]any{}},
	}, got)
	_, err := r.Recv()
	require.Equal(t, io.EOF, err, "EOF is sticky")
	require.Zero(t, b.closed.Load(), "the Reader does not close on its own")
	require.NoError(t, r.Close())
	require.NoError(t, r.Close())
	require.Equal(t, int32(1), b.closed.Load())
}

func TestS3SelectEventsIterator(t *testing.T) {
	stream := selectStream(t)
	msgs := []eventstream.Message{event("Records", []byte("x")), event("Records", []byte("y")), event("End", nil)}

	var payloads []string
	r := eventstream.NewReader(newBody(t, msgs...), stream, nil)
	for ev, err := range r.Events() {
		require.NoError(t, err)
		if ev.Type == "Records" {
			payloads = append(payloads, string(ev.Value["Payload"].([]byte)))
		}
	}
	require.Equal(t, []string{"x", "y"}, payloads)
	require.NoError(t, r.Close())

	// Breaking out early, then resuming with Recv.
	r = eventstream.NewReader(newBody(t, msgs...), stream, nil)
	for range r.Events() {
		break
	}
	ev, err := r.Recv()
	require.NoError(t, err)
	require.Equal(t, []byte("y"), ev.Value["Payload"])
	require.NoError(t, r.Close())

	// An error ends the iteration after being yielded once.
	wire := encode(t, msgs...)
	wire[len(wire)-1] ^= 1
	r = eventstream.NewReader(&body{Reader: bytes.NewReader(wire)}, stream, nil)
	var errs []error
	n := 0
	for ev, err := range r.Events() {
		if err != nil {
			errs = append(errs, err)
			require.Equal(t, eventstream.Event{}, ev)
			continue
		}
		n++
	}
	require.Equal(t, 2, n)
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], eventstream.ErrChecksum)
	require.NoError(t, r.Close())
}

func TestS3SelectErrorMessage(t *testing.T) {
	stream := selectStream(t)
	r := eventstream.NewReader(newBody(t,
		event("Records", []byte("x")),
		eventstream.Message{Headers: eventstream.Headers{
			{Name: ":message-type", Value: str("error")},
			{Name: ":error-code", Value: str("InternalError")},
			{Name: ":error-message", Value: str("We encountered an internal error.")},
		}},
		event("Records", []byte("never read")),
	), stream, nil)
	defer r.Close()
	_, err := r.Recv()
	require.NoError(t, err)
	_, err = r.Recv()
	var ae *aws.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "InternalError", ae.Code)
	require.Equal(t, "We encountered an internal error.", ae.Message)
	_, err2 := r.Recv()
	require.Same(t, err, err2, "errors are final")
}

// streamModel is a small service whose event stream uses every trait: eventheader members of
// each header-compatible type, string and structure eventpayloads, a body-decoded event and a
// modeled exception.
const streamModel = `{
  "version": "2.0",
  "metadata": {"apiVersion": "2024-01-01", "endpointPrefix": "streamtest", "protocol": "rest-json",
               "serviceId": "StreamTest", "signatureVersion": "v4", "uid": "streamtest-2024-01-01"},
  "operations": {
    "Subscribe": {"name": "Subscribe", "http": {"method": "POST", "requestUri": "/"},
                  "output": {"shape": "SubscribeOutput"}, "errors": [{"shape": "ThrottledException"}]}
  },
  "shapes": {
    "SubscribeOutput": {"type": "structure", "members": {"Stream": {"shape": "TickStream"}}, "payload": "Stream"},
    "TickStream": {"type": "structure", "eventstream": true, "members": {
      "Tick": {"shape": "TickEvent"},
      "Note": {"shape": "NoteEvent"},
      "Data": {"shape": "DataEvent"},
      "Throttled": {"shape": "ThrottledException"},
      "ServerFault": {"shape": "ServerFault"}
    }},
    "TickEvent": {"type": "structure", "event": true, "members": {
      "Seq": {"shape": "Long", "eventheader": true},
      "Small": {"shape": "Integer", "eventheader": true},
      "Tiny": {"shape": "Byte", "eventheader": true},
      "Ok": {"shape": "Boolean", "eventheader": true},
      "Name": {"shape": "String", "eventheader": true},
      "Id": {"shape": "String", "eventheader": true},
      "At": {"shape": "Timestamp", "eventheader": true},
      "Tag": {"shape": "Blob", "eventheader": true},
      "Count": {"shape": "Integer"},
      "Labels": {"shape": "StringList"}
    }},
    "NoteEvent": {"type": "structure", "event": true, "members": {
      "Text": {"shape": "String", "eventpayload": true},
      "Lang": {"shape": "String", "eventheader": true}
    }},
    "DataEvent": {"type": "structure", "event": true, "members": {
      "Detail": {"shape": "Detail", "eventpayload": true}
    }},
    "Detail": {"type": "structure", "members": {"Size": {"shape": "Long"}, "Kind": {"shape": "String"}}},
    "ThrottledException": {"type": "structure", "exception": true, "error": {"httpStatusCode": 429, "senderFault": true},
      "members": {"message": {"shape": "String"}, "RetryAfterSeconds": {"shape": "Integer"}}},
    "ServerFault": {"type": "structure", "exception": true, "fault": true, "members": {"Message": {"shape": "String"}}},
    "StringList": {"type": "list", "member": {"shape": "String"}},
    "Long": {"type": "long"},
    "Integer": {"type": "integer"},
    "Byte": {"type": "byte"},
    "Boolean": {"type": "boolean"},
    "String": {"type": "string"},
    "Timestamp": {"type": "timestamp"},
    "Blob": {"type": "blob"}
  }
}`

func tickStream(t *testing.T) *models.Shape {
	t.Helper()
	svc, err := models.Parse("streamtest", "streamtest.json", []byte(streamModel))
	require.NoError(t, err)
	op, _ := svc.Operation("Subscribe")
	s := op.Output.Payload.Shape
	require.True(t, s.EventStream)
	tick, _ := s.MemberNamed("Tick")
	seq, _ := tick.Shape.MemberNamed("Seq")
	require.True(t, seq.EventHeader, "eventheader parsed from the model")
	th, _ := s.MemberNamed("Throttled")
	require.True(t, th.Shape.Exception)
	return s
}

func TestEventTraits(t *testing.T) {
	stream := tickStream(t)
	at := time.Date(2024, 5, 6, 7, 8, 9, 10e6, time.UTC)
	id := [16]byte{0x12, 0x34, 15: 0xff}
	r := eventstream.NewReader(newBody(t,
		event("Tick", []byte(`{"Count": 3, "Labels": ["a", "b"], "Seq": 999, "Unknown": 1}`),
			eventstream.Header{Name: "Seq", Value: eventstream.Int64Value(1 << 40)},
			eventstream.Header{Name: "Small", Value: eventstream.Int32Value(-7)},
			eventstream.Header{Name: "Tiny", Value: eventstream.ByteValue(-1)},
			eventstream.Header{Name: "Ok", Value: eventstream.BoolValue(true)},
			eventstream.Header{Name: "Name", Value: str("tick")},
			eventstream.Header{Name: "Id", Value: eventstream.UUIDValue(id)},
			eventstream.Header{Name: "At", Value: eventstream.TimestampValue(at)},
			eventstream.Header{Name: "Tag", Value: eventstream.BytesValue([]byte{1, 2})},
			eventstream.Header{Name: "NotModeled", Value: str("ignored")},
		),
		event("Tick", nil, eventstream.Header{Name: "Ok", Value: eventstream.BoolValue(false)}, eventstream.Header{Name: "Small", Value: eventstream.Int16Value(300)}),
		event("Note", []byte("hello, world"), eventstream.Header{Name: "Lang", Value: str("en")}),
		event("Note", nil),
		event("Data", []byte(`{"Size": 42, "Kind": "k"}`)),
		event("Data", nil),
	), stream, jsonStub)
	defer r.Close()

	var got []eventstream.Event
	for ev, err := range r.Events() {
		require.NoError(t, err)
		got = append(got, ev)
	}
	require.Equal(t, []eventstream.Event{
		{Type: "Tick", Value: map[string]any{
			"Count": int64(3), "Labels": []any{"a", "b"},
			"Seq": int64(1 << 40), "Small": int64(-7), "Tiny": int64(-1), "Ok": true, "Name": "tick",
			"Id": "12340000-0000-0000-0000-0000000000ff", "At": at, "Tag": []byte{1, 2},
		}},
		{Type: "Tick", Value: map[string]any{"Ok": false, "Small": int64(300)}},
		{Type: "Note", Value: map[string]any{"Text": "hello, world", "Lang": "en"}},
		{Type: "Note", Value: map[string]any{"Text": ""}},
		{Type: "Data", Value: map[string]any{"Detail": map[string]any{"Size": int64(42), "Kind": "k"}}},
		{Type: "Data", Value: map[string]any{"Detail": map[string]any{}}},
	}, got)
}

func TestExceptions(t *testing.T) {
	stream := tickStream(t)
	exc := func(typ string, payload string) eventstream.Message {
		return eventstream.Message{
			Headers: eventstream.Headers{{Name: ":message-type", Value: str("exception")}, {Name: ":exception-type", Value: str(typ)}},
			Payload: []byte(payload),
		}
	}
	for _, tc := range []struct {
		name string
		msg  eventstream.Message
		want aws.APIError
	}{
		{"modeled", exc("Throttled", `{"message": "slow down", "RetryAfterSeconds": 5}`), aws.APIError{
			Code: "Throttled", Message: "slow down", Fault: "client",
			Fields: map[string]any{"message": "slow down", "RetryAfterSeconds": int64(5)},
		}},
		{"by shape name", exc("ThrottledException", `{"message": "m"}`), aws.APIError{
			Code: "ThrottledException", Message: "m", Fault: "client", Fields: map[string]any{"message": "m"},
		}},
		{"fault", exc("ServerFault", `{"Message": "oops"}`), aws.APIError{
			Code: "ServerFault", Message: "oops", Fault: "server", Fields: map[string]any{"Message": "oops"},
		}},
		{"empty payload", exc("ServerFault", ""), aws.APIError{Code: "ServerFault", Fault: "server", Fields: map[string]any{}}},
		{"unmodeled", exc("BrandNewException", " {\"message\": \"new\"}\n"), aws.APIError{Code: "BrandNewException", Message: `{"message": "new"}`}},
		{"unmodeled binary", exc("Odd", "\xff\xfe"), aws.APIError{Code: "Odd"}},
		{"error without message", eventstream.Message{Headers: eventstream.Headers{
			{Name: ":message-type", Value: str("error")}, {Name: ":error-code", Value: str("InternalFailure")},
		}}, aws.APIError{Code: "InternalFailure"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := eventstream.NewReader(newBody(t, event("Note", []byte("first")), tc.msg), stream, jsonStub)
			defer r.Close()
			_, err := r.Recv()
			require.NoError(t, err)
			ev, err := r.Recv()
			require.Equal(t, eventstream.Event{}, ev)
			var ae *aws.APIError
			require.ErrorAs(t, err, &ae)
			require.Equal(t, tc.want, *ae)
		})
	}
}

func TestReaderMalformed(t *testing.T) {
	stream := tickStream(t)
	mt := func(v eventstream.HeaderValue, more ...eventstream.Header) eventstream.Message {
		return eventstream.Message{Headers: append(eventstream.Headers{{Name: ":message-type", Value: v}}, more...)}
	}
	decodeFails := func(*models.Shape, []byte) (map[string]any, error) { return nil, errors.New("bad json") }
	for _, tc := range []struct {
		name   string
		msg    eventstream.Message
		decode eventstream.PayloadDecoder
		cause  error
		text   string
	}{
		{"no message type", eventstream.Message{}, nil, eventstream.ErrMalformed, "missing :message-type header"},
		{"message type not string", mt(eventstream.Int32Value(1)), nil, eventstream.ErrMalformed, ":message-type header has type int32, want string"},
		{"unknown message type", mt(str("gossip")), nil, eventstream.ErrMalformed, `unknown :message-type "gossip"`},
		{"no event type", mt(str("event")), nil, eventstream.ErrMalformed, "missing :event-type header"},
		{"empty event type", mt(str("event"), eventstream.Header{Name: ":event-type", Value: str("")}), nil, eventstream.ErrMalformed, "empty :event-type header"},
		{"no exception type", mt(str("exception")), nil, eventstream.ErrMalformed, "missing :exception-type header"},
		{"no error code", mt(str("error")), nil, eventstream.ErrMalformed, "missing :error-code header"},
		{"header type mismatch", event("Tick", nil, eventstream.Header{Name: "Seq", Value: str("1")}), nil, eventstream.ErrMalformed,
			"header Seq of type string cannot fill member TickEvent.Seq (long)"},
		{"timestamp from int", event("Tick", nil, eventstream.Header{Name: "At", Value: eventstream.Int64Value(1)}), nil, eventstream.ErrMalformed,
			"header At of type int64 cannot fill member TickEvent.At (timestamp)"},
		{"no decoder", event("Data", []byte(`{}`)), nil, nil, "message 1: no PayloadDecoder to decode the DataEvent.Detail payload"},
		{"no decoder for body", event("Tick", []byte(`{}`)), nil, nil, "no PayloadDecoder to decode the TickEvent payload"},
		{"decoder fails", event("Data", []byte(`{`)), decodeFails, nil, "decoding the DataEvent.Detail payload: bad json"},
		{"exception decoder fails", eventstream.Message{Headers: eventstream.Headers{
			{Name: ":message-type", Value: str("exception")}, {Name: ":exception-type", Value: str("Throttled")},
		}, Payload: []byte("{")}, decodeFails, nil, "decoding the ThrottledException payload: bad json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := encode(t, event("Note", []byte("first")))
			r := eventstream.NewReader(&body{Reader: bytes.NewReader(cat(first, encode(t, tc.msg)))}, stream, tc.decode)
			defer r.Close()
			_, err := r.Recv()
			require.NoError(t, err)
			_, err = r.Recv()
			require.ErrorContains(t, err, tc.text)
			if tc.cause != nil {
				require.ErrorIs(t, err, tc.cause)
			}
			var de *eventstream.DecodeError
			if errors.As(err, &de) {
				require.Equal(t, 1, de.Message)
				require.Equal(t, int64(len(first)), de.Offset)
			}
			_, err2 := r.Recv()
			require.Same(t, err, err2)
		})
	}
}

func TestNewReaderBadShape(t *testing.T) {
	stream := tickStream(t)
	tick, _ := stream.MemberNamed("Tick")
	for _, tc := range []struct {
		shape *models.Shape
		msg   string
	}{
		{nil, "nil stream shape"},
		{tick.Shape, "shape TickEvent is not an event stream"},
	} {
		b := newBody(t, event("Tick", nil))
		r := eventstream.NewReader(b, tc.shape, nil)
		_, err := r.Recv()
		require.ErrorContains(t, err, tc.msg)
		require.NoError(t, r.Close())
		require.Equal(t, int32(1), b.closed.Load())
	}
}

// TestCloseUnblocksRecv: Close from another goroutine ends a Recv that waits for the rest of
// a message.
func TestCloseUnblocksRecv(t *testing.T) {
	stream := tickStream(t)
	pr, pw := io.Pipe()
	r := eventstream.NewReader(pr, stream, nil)
	done := make(chan error, 1)
	go func() {
		_, err := r.Recv()
		done <- err
	}()
	wire := encode(t, event("Note", []byte("hello")))
	_, err := pw.Write(wire[:20]) // returns once Recv has read these bytes
	require.NoError(t, err)
	select {
	case err := <-done:
		t.Fatalf("Recv returned early: %v", err)
	case <-time.After(10 * time.Millisecond):
	}
	require.NoError(t, r.Close())
	require.ErrorIs(t, <-done, eventstream.ErrClosed)
	_, err = r.Recv()
	require.ErrorIs(t, err, eventstream.ErrClosed)
	_, err = pw.Write(wire[20:])
	require.ErrorIs(t, err, io.ErrClosedPipe)

	// Recv after Close, and Close's error from the body.
	b := newBody(t, event("Note", nil))
	b.err = fmt.Errorf("close failed")
	r = eventstream.NewReader(b, stream, nil)
	require.EqualError(t, r.Close(), "close failed")
	require.EqualError(t, r.Close(), "close failed")
	require.Equal(t, int32(1), b.closed.Load())
	_, err = r.Recv()
	require.ErrorIs(t, err, eventstream.ErrClosed)
}

// FuzzReader feeds a Reader of the test model's event stream two messages framed with valid
// checksums around fuzzed header blocks and payloads, so that the fuzzer explores the event
// logic rather than the checksums: every Recv ends in an event, io.EOF, an *aws.APIError or
// a *DecodeError, and nothing panics.
func FuzzReader(f *testing.F) {
	split := func(m eventstream.Message) ([]byte, []byte) {
		b := encode(f, m)
		n := int(binary.BigEndian.Uint32(b[4:8]))
		return b[12 : 12+n], m.Payload
	}
	seeds := []eventstream.Message{
		event("Tick", []byte(`{"Count": 1, "Labels": ["x"]}`), eventstream.Header{Name: "Seq", Value: eventstream.Int64Value(5)},
			eventstream.Header{Name: "At", Value: eventstream.TimestampValue(time.UnixMilli(1))},
			eventstream.Header{Name: "Id", Value: eventstream.UUIDValue([16]byte{1})},
			eventstream.Header{Name: "Tag", Value: eventstream.BytesValue([]byte{1})},
			eventstream.Header{Name: "Ok", Value: eventstream.BoolValue(true)},
			eventstream.Header{Name: "Tiny", Value: eventstream.ByteValue(1)},
			eventstream.Header{Name: "Small", Value: eventstream.Int16Value(1)}),
		event("Note", []byte("text"), eventstream.Header{Name: "Lang", Value: str("en")}),
		event("Data", []byte(`{"Size": 1}`)),
		{Headers: eventstream.Headers{{Name: ":message-type", Value: str("exception")}, {Name: ":exception-type", Value: str("Throttled")}}, Payload: []byte(`{"message": "m"}`)},
		{Headers: eventstream.Headers{{Name: ":message-type", Value: str("error")}, {Name: ":error-code", Value: str("E")}}},
	}
	for i, m := range seeds {
		h1, p1 := split(m)
		h2, p2 := split(seeds[(i+1)%len(seeds)])
		f.Add(h1, p1, h2, p2)
	}
	svc, err := models.Parse("streamtest", "streamtest.json", []byte(streamModel))
	if err != nil {
		f.Fatal(err)
	}
	op, _ := svc.Operation("Subscribe")
	stream := op.Output.Payload.Shape
	f.Fuzz(func(t *testing.T, h1, p1, h2, p2 []byte) {
		if len(h1) > eventstream.MaxHeadersSize || len(h2) > eventstream.MaxHeadersSize {
			return
		}
		in := cat(frame(h1, p1), frame(h2, p2))
		r := eventstream.NewReader(&body{Reader: bytes.NewReader(in)}, stream, jsonStub)
		defer r.Close()
		for range 3 {
			ev, err := r.Recv()
			var ae *aws.APIError
			var de *eventstream.DecodeError
			switch {
			case err == nil:
				if ev.Type == "" {
					t.Fatal("event without a type")
				}
				continue
			case err == io.EOF, errors.As(err, &ae), errors.As(err, &de):
			default:
				t.Fatalf("unexpected error %v (%T)", err, err)
			}
			return
		}
		t.Fatal("more events than messages")
	})
}
