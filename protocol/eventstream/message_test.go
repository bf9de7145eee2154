package eventstream_test

import (
	"bytes"
	"encoding/hex"
	"hash/crc32"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/protocol/eventstream"
)

// crcBitwise is CRC-32/IEEE computed bit by bit (reflected polynomial 0xEDB88320, initial
// and final XOR 0xFFFFFFFF), independently of hash/crc32's tables.
func crcBitwise(b []byte) uint32 {
	c := ^uint32(0)
	for _, x := range b {
		c ^= uint32(x)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xEDB88320
			} else {
				c >>= 1
			}
		}
	}
	return ^c
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func encode(t testing.TB, msgs ...eventstream.Message) []byte {
	t.Helper()
	var b []byte
	for _, m := range msgs {
		var err error
		b, err = eventstream.AppendMessage(b, m)
		require.NoError(t, err)
	}
	return b
}

func decodeAll(b []byte) ([]eventstream.Message, error) {
	d := eventstream.NewDecoder(bytes.NewReader(b))
	var out []eventstream.Message
	for {
		m, err := d.Decode()
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
}

// TestKnownAnswerHandBuilt lays out a message byte by byte from the specification and checks
// the checksums against values computed outside this package (Python's zlib.crc32 over the
// same bytes: prelude 0x0f09ebc3, message 0xf4f69f81), the bitwise CRC above and
// hash/crc32, then that the decoder reads it and the encoder writes exactly these bytes.
func TestKnownAnswerHandBuilt(t *testing.T) {
	headers := cat(
		[]byte{13}, []byte(":message-type"), []byte{7, 0, 5}, []byte("event"), // 22 bytes
		[]byte{11}, []byte(":event-type"), []byte{7, 0, 7}, []byte("Records"), // 22 bytes
	)
	require.Len(t, headers, 44)
	payload := []byte("a,b\n")
	prelude := []byte{0, 0, 0, 64, 0, 0, 0, 44} // total 12+44+4+4 = 64, headers 44
	const wantPreludeCRC, wantMessageCRC = 0x0f09ebc3, 0xf4f69f81

	require.Equal(t, uint32(wantPreludeCRC), crcBitwise(prelude))
	require.Equal(t, uint32(wantPreludeCRC), crc32.ChecksumIEEE(prelude))
	head := cat(prelude, []byte{0x0f, 0x09, 0xeb, 0xc3}, headers, payload)
	require.Equal(t, uint32(wantMessageCRC), crcBitwise(head))
	require.Equal(t, uint32(wantMessageCRC), crc32.ChecksumIEEE(head))
	wire := cat(head, []byte{0xf4, 0xf6, 0x9f, 0x81})
	require.Len(t, wire, 64)

	msgs, err := decodeAll(wire)
	require.ErrorIs(t, err, io.EOF)
	want := eventstream.Message{
		Headers: eventstream.Headers{
			{Name: ":message-type", Value: eventstream.StringValue("event")},
			{Name: ":event-type", Value: eventstream.StringValue("Records")},
		},
		Payload: payload,
	}
	require.Equal(t, []eventstream.Message{want}, msgs)
	require.Equal(t, wire, encode(t, want))
}

// TestKnownAnswerPublished decodes the two example messages published in the documentation
// of the Elixir event_stream package (hex.pm/packages/event_stream), produced by an
// independent implementation with Erlang's crc32.
func TestKnownAnswerPublished(t *testing.T) {
	noHeaders := cat([]byte{0, 0, 0, 30, 0, 0, 0, 0, 186, 242, 246, 138}, []byte(`{"foo": "bar"}`), []byte{174, 114, 88, 228})
	withHeader := cat([]byte{0, 0, 0, 62, 0, 0, 0, 32, 64, 93, 249, 70, 12}, []byte("content-type"), []byte{7, 0, 16},
		[]byte("application/json"), []byte(`{"foo": "bar"}`), []byte{111, 162, 191, 59})
	for _, tc := range []struct {
		wire []byte
		want eventstream.Message
	}{
		{noHeaders, eventstream.Message{Payload: []byte(`{"foo": "bar"}`)}},
		{withHeader, eventstream.Message{
			Headers: eventstream.Headers{{Name: "content-type", Value: eventstream.StringValue("application/json")}},
			Payload: []byte(`{"foo": "bar"}`),
		}},
	} {
		require.Equal(t, crcBitwise(tc.wire[:8]), be32(tc.wire[8:12]))
		require.Equal(t, crcBitwise(tc.wire[:len(tc.wire)-4]), be32(tc.wire[len(tc.wire)-4:]))
		msgs, err := decodeAll(tc.wire)
		require.ErrorIs(t, err, io.EOF)
		require.Equal(t, []eventstream.Message{tc.want}, msgs)
		require.Equal(t, tc.wire, encode(t, tc.want))
	}
}

// allTypesWire has one header of every type, laid out by hand (see the comments) with
// checksums from Python's zlib.crc32.
var allTypesWire = "0000007e" + "0000006c" + "67c4acb4" + // total 126, headers 108, prelude CRC
	"0174" + "00" + // "t" true
	"0166" + "01" + // "f" false
	"0462797465" + "02" + "fe" + // "byte" -2
	"0573686f7274" + "03" + "8000" + // "short" -32768
	"03696e74" + "04" + "7fffffff" + // "int" 2147483647
	"046c6f6e67" + "05" + "fffffffffffffffe" + // "long" -2
	"056279746573" + "06" + "0003" + "00ff10" + // "bytes" {0x00, 0xff, 0x10}
	"06737472696e67" + "07" + "0005" + "68c3a96c6c" + // "string" "héll"
	"0474696d65" + "08" + "0000018bcfe5687b" + // "time" 1700000000123 ms
	"0475756964" + "09" + "000102030405060708090a0b0c0d0e0f" + // "uuid" 00010203-...
	"7b7d" + // payload "{}"
	"25a80a9f" // message CRC

func allTypesMessage() eventstream.Message {
	var u [16]byte
	for i := range u {
		u[i] = byte(i)
	}
	return eventstream.Message{
		Headers: eventstream.Headers{
			{Name: "t", Value: eventstream.BoolValue(true)},
			{Name: "f", Value: eventstream.BoolValue(false)},
			{Name: "byte", Value: eventstream.ByteValue(-2)},
			{Name: "short", Value: eventstream.Int16Value(math.MinInt16)},
			{Name: "int", Value: eventstream.Int32Value(math.MaxInt32)},
			{Name: "long", Value: eventstream.Int64Value(-2)},
			{Name: "bytes", Value: eventstream.BytesValue([]byte{0, 0xff, 0x10})},
			{Name: "string", Value: eventstream.StringValue("héll")},
			{Name: "time", Value: eventstream.TimestampValue(time.UnixMilli(1700000000123))},
			{Name: "uuid", Value: eventstream.UUIDValue(u)},
		},
		Payload: []byte("{}"),
	}
}

func TestKnownAnswerAllTypes(t *testing.T) {
	wire, err := hex.DecodeString(allTypesWire)
	require.NoError(t, err)
	require.Len(t, wire, 126)
	require.Equal(t, crcBitwise(wire[:8]), be32(wire[8:12]))
	require.Equal(t, crcBitwise(wire[:122]), be32(wire[122:]))

	msgs, err := decodeAll(wire)
	require.ErrorIs(t, err, io.EOF)
	require.Equal(t, []eventstream.Message{allTypesMessage()}, msgs)
	require.Equal(t, wire, encode(t, allTypesMessage()))

	// The Go values and renderings of each type.
	hs := msgs[0].Headers
	var u [16]byte
	for i := range u {
		u[i] = byte(i)
	}
	for _, tc := range []struct {
		name  string
		typ   eventstream.HeaderType
		value any
		str   string
	}{
		{"t", eventstream.TypeBoolTrue, true, "true"},
		{"f", eventstream.TypeBoolFalse, false, "false"},
		{"byte", eventstream.TypeByte, int8(-2), "-2"},
		{"short", eventstream.TypeInt16, int16(math.MinInt16), "-32768"},
		{"int", eventstream.TypeInt32, int32(math.MaxInt32), "2147483647"},
		{"long", eventstream.TypeInt64, int64(-2), "-2"},
		{"bytes", eventstream.TypeBytes, []byte{0, 0xff, 0x10}, "AP8Q"},
		{"string", eventstream.TypeString, "héll", "héll"},
		{"time", eventstream.TypeTimestamp, time.Date(2023, 11, 14, 22, 13, 20, 123e6, time.UTC), "2023-11-14T22:13:20.123Z"},
		{"uuid", eventstream.TypeUUID, u, "00010203-0405-0607-0809-0a0b0c0d0e0f"},
	} {
		v, ok := hs.Get(tc.name)
		require.True(t, ok, tc.name)
		require.Equal(t, tc.typ, v.Type(), tc.name)
		require.Equal(t, tc.value, v.Value(), tc.name)
		require.Equal(t, tc.str, v.String(), tc.name)
	}
	_, ok := hs.Get("missing")
	require.False(t, ok)
}

func TestRoundTripEveryType(t *testing.T) {
	ts := time.Date(1969, 7, 20, 20, 17, 40, 999e6, time.UTC) // before the epoch: negative ms
	values := []eventstream.HeaderValue{
		eventstream.BoolValue(true), eventstream.BoolValue(false),
		eventstream.ByteValue(math.MinInt8), eventstream.ByteValue(math.MaxInt8), eventstream.ByteValue(0),
		eventstream.Int16Value(math.MinInt16), eventstream.Int16Value(math.MaxInt16),
		eventstream.Int32Value(math.MinInt32), eventstream.Int32Value(math.MaxInt32),
		eventstream.Int64Value(math.MinInt64), eventstream.Int64Value(math.MaxInt64),
		eventstream.BytesValue(nil), eventstream.BytesValue([]byte{0, 1, 2, 0xff}),
		eventstream.BytesValue(bytes.Repeat([]byte{7}, eventstream.MaxHeaderValueLen)),
		eventstream.StringValue(""), eventstream.StringValue("日本語 ✓"),
		eventstream.StringValue(strings.Repeat("x", eventstream.MaxHeaderValueLen)),
		eventstream.TimestampValue(ts), eventstream.TimestampValue(time.Unix(0, 0)),
		eventstream.TimestampValue(time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)),
		eventstream.UUIDValue([16]byte{0xde, 0xad, 0xbe, 0xef, 15: 1}), eventstream.UUIDValue([16]byte{}),
	}
	for i, v := range values {
		name := strings.Repeat("n", 1+i*11%eventstream.MaxHeaderNameLen)
		for _, payload := range [][]byte{nil, []byte("p"), bytes.Repeat([]byte{0xAB}, 70<<10)} {
			m := eventstream.Message{Headers: eventstream.Headers{{Name: name, Value: v}}, Payload: payload}
			msgs, err := decodeAll(encode(t, m))
			require.ErrorIs(t, err, io.EOF)
			require.Len(t, msgs, 1)
			got := msgs[0]
			require.Equal(t, m.Headers, got.Headers, "value %d (%s)", i, v.Type())
			require.Equal(t, len(payload), len(got.Payload))
			require.True(t, bytes.Equal(payload, got.Payload))
			require.NotNil(t, got.Payload, "payloads are never nil")
		}
	}
	// A name of the maximum length, many headers, and a timestamp's millisecond truncation.
	m := eventstream.Message{Headers: eventstream.Headers{
		{Name: strings.Repeat("N", eventstream.MaxHeaderNameLen), Value: eventstream.TimestampValue(ts.Add(456789))},
	}}
	for i := range 300 {
		m.Headers = append(m.Headers, eventstream.Header{Name: "h" + strings.Repeat("i", i%50), Value: eventstream.Int32Value(int32(i))})
	}
	msgs, err := decodeAll(encode(t, m, m))
	require.ErrorIs(t, err, io.EOF)
	require.Len(t, msgs, 2)
	require.Equal(t, m.Headers[1:], msgs[1].Headers[1:])
	require.Equal(t, ts, msgs[0].Headers[0].Value.Value(), "truncated to the millisecond")
}

func TestEncoder(t *testing.T) {
	var buf bytes.Buffer
	e := eventstream.NewEncoder(&buf)
	require.NoError(t, e.Encode(allTypesMessage()))
	require.NoError(t, e.Encode(eventstream.Message{Payload: []byte("second")}))
	msgs, err := decodeAll(buf.Bytes())
	require.ErrorIs(t, err, io.EOF)
	require.Len(t, msgs, 2)
	require.Equal(t, allTypesMessage(), msgs[0])
	require.Equal(t, []byte("second"), msgs[1].Payload)

	n := buf.Len()
	require.Error(t, e.Encode(eventstream.Message{Headers: eventstream.Headers{{Name: ""}}}))
	require.Equal(t, n, buf.Len(), "nothing written for an invalid message")

	require.ErrorIs(t, eventstream.NewEncoder(failWriter{}).Encode(eventstream.Message{}), io.ErrClosedPipe)
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestEncodeLimits(t *testing.T) {
	h := func(name string, v eventstream.HeaderValue) eventstream.Message {
		return eventstream.Message{Headers: eventstream.Headers{{Name: name, Value: v}}}
	}
	many := eventstream.Message{}
	for range eventstream.MaxHeadersSize/(3+eventstream.MaxHeaderValueLen) + 1 {
		many.Headers = append(many.Headers, eventstream.Header{Name: "k", Value: eventstream.StringValue(strings.Repeat("v", eventstream.MaxHeaderValueLen))})
	}
	for _, tc := range []struct {
		name string
		m    eventstream.Message
		msg  string
	}{
		{"empty name", h("", eventstream.BoolValue(true)), "name length 0"},
		{"long name", h(strings.Repeat("n", 256), eventstream.BoolValue(true)), "name length 256"},
		{"zero value", h("k", eventstream.HeaderValue{}), `header "k" has no value`},
		{"long string", h("k", eventstream.StringValue(strings.Repeat("v", eventstream.MaxHeaderValueLen+1))), "value of 32768 bytes"},
		{"long bytes", h("k", eventstream.BytesValue(make([]byte, eventstream.MaxHeaderValueLen+1))), "value of 32768 bytes"},
		{"header block", many, "header block exceeds the limit of 131072"},
		{"message", eventstream.Message{Payload: make([]byte, eventstream.MaxMessageSize-15)}, "message of 16777217 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := []byte("keep")
			out, err := eventstream.AppendMessage(dst, tc.m)
			require.ErrorContains(t, err, tc.msg)
			require.Equal(t, []byte("keep"), out)
		})
	}
	// The largest message is fine.
	out, err := eventstream.AppendMessage(nil, eventstream.Message{Payload: make([]byte, eventstream.MaxMessageSize-16)})
	require.NoError(t, err)
	require.Len(t, out, eventstream.MaxMessageSize)
}

func TestHeaderValueZeroAndTypes(t *testing.T) {
	var z eventstream.HeaderValue
	require.Equal(t, eventstream.TypeInvalid, z.Type())
	require.Nil(t, z.Value())
	require.Equal(t, "<invalid>", z.String())
	require.Equal(t, "invalid(255)", eventstream.TypeInvalid.String())
	require.Equal(t, "timestamp", eventstream.TypeTimestamp.String())
	// Values compare by content.
	require.True(t, eventstream.BytesValue([]byte("ab")) == eventstream.BytesValue([]byte("ab")))
	require.False(t, eventstream.StringValue("ab") == eventstream.BytesValue([]byte("ab")))
	// BytesValue copies its argument, and Value returns a fresh copy.
	b := []byte("ab")
	v := eventstream.BytesValue(b)
	b[0] = 'X'
	got := v.Value().([]byte)
	got[1] = 'Y'
	require.Equal(t, []byte("ab"), v.Value())
}
