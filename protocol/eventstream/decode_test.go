package eventstream_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"runtime"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/protocol/eventstream"
)

// frame builds a message around a raw header block and payload with correct checksums, so
// that the header parser sees exactly these bytes.
func frame(headers, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(16+len(headers)+len(payload)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(headers)))
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	b = append(append(b, headers...), payload...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// prelude builds just a prelude with a correct checksum.
func prelude(total, headers uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, total)
	b = binary.BigEndian.AppendUint32(b, headers)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

func decodeErr(t *testing.T, err error) *eventstream.DecodeError {
	t.Helper()
	var de *eventstream.DecodeError
	require.ErrorAs(t, err, &de)
	return de
}

func sampleStream(t testing.TB) ([]byte, []int) {
	msgs := []eventstream.Message{
		allTypesMessage(),
		{Payload: []byte("second message payload")},
		{Headers: eventstream.Headers{{Name: ":message-type", Value: eventstream.StringValue("event")}}},
	}
	var wire []byte
	var ends []int
	for _, m := range msgs {
		wire = append(wire, encode(t, m)...)
		ends = append(ends, len(wire))
	}
	return wire, ends
}

func TestDecodeSticksAfterError(t *testing.T) {
	wire, _ := sampleStream(t)
	wire[len(wire)-1] ^= 1
	d := eventstream.NewDecoder(bytes.NewReader(wire))
	for range 2 {
		_, err := d.Decode()
		require.NoError(t, err)
	}
	_, err := d.Decode()
	require.ErrorIs(t, err, eventstream.ErrChecksum)
	_, err2 := d.Decode()
	require.Same(t, err, err2)

	d = eventstream.NewDecoder(bytes.NewReader(nil))
	_, err = d.Decode()
	require.Equal(t, io.EOF, err)
	_, err = d.Decode()
	require.Equal(t, io.EOF, err)
}

// TestCorruptEveryByte flips each byte of each message: a flip in the prelude is a prelude
// checksum error at the message's byte 8, any other a message checksum error at its last 4.
func TestCorruptEveryByte(t *testing.T) {
	wire, ends := sampleStream(t)
	start := 0
	for i, end := range ends {
		for off := start; off < end; off++ {
			bad := bytes.Clone(wire)
			bad[off] ^= 0x5A
			msgs, err := decodeAll(bad)
			require.Len(t, msgs, i, "offset %d", off)
			require.ErrorIs(t, err, eventstream.ErrChecksum, "offset %d", off)
			de := decodeErr(t, err)
			require.Equal(t, i, de.Message)
			if off-start < 12 {
				require.Equal(t, int64(start+8), de.Offset, "offset %d", off)
				require.Contains(t, de.Error(), "prelude checksum mismatch")
			} else {
				require.Equal(t, int64(end-4), de.Offset, "offset %d", off)
				require.Contains(t, de.Error(), "message checksum mismatch")
			}
		}
		start = end
	}
}

// TestTruncateEveryByte cuts the stream at every offset: at a message boundary the decoder
// ends cleanly with io.EOF, anywhere else with io.ErrUnexpectedEOF at the cut, whatever the
// reader's chunking.
func TestTruncateEveryByte(t *testing.T) {
	wire, ends := sampleStream(t)
	readers := map[string]func([]byte) io.Reader{
		"whole":   func(b []byte) io.Reader { return bytes.NewReader(b) },
		"onebyte": func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
		"dataerr": func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) },
	}
	for name, mk := range readers {
		for cut := 0; cut <= len(wire); cut++ {
			msgs, err := decodeAllFrom(mk(wire[:cut]))
			complete := 0
			for _, e := range ends {
				if e <= cut {
					complete++
				}
			}
			require.Len(t, msgs, complete, "%s cut %d", name, cut)
			if cut == 0 || (complete > 0 && ends[complete-1] == cut) {
				require.Equal(t, io.EOF, err, "%s cut %d", name, cut)
				continue
			}
			require.ErrorIs(t, err, io.ErrUnexpectedEOF, "%s cut %d", name, cut)
			de := decodeErr(t, err)
			require.Equal(t, int64(cut), de.Offset, "%s cut %d", name, cut)
			require.Equal(t, complete, de.Message)
			require.Contains(t, de.Error(), "stream ends inside the")
		}
	}
}

func decodeAllFrom(r io.Reader) ([]eventstream.Message, error) {
	d := eventstream.NewDecoder(r)
	var out []eventstream.Message
	for {
		m, err := d.Decode()
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
}

func TestReaderError(t *testing.T) {
	wire, _ := sampleStream(t)
	boom := errors.New("connection reset")
	_, err := decodeAllFrom(io.MultiReader(bytes.NewReader(wire[:20]), iotest.ErrReader(boom)))
	require.ErrorIs(t, err, boom)
	de := decodeErr(t, err)
	require.Equal(t, int64(20), de.Offset)
	require.Contains(t, de.Error(), "reading the header block: connection reset")
}

// allocated returns the bytes allocated while fn runs.
// allocated reports the bytes fn allocates: the least of three runs, so an allocation by
// another goroutine (the runtime, the test framework) during one run does not count.
func allocated(fn func()) uint64 {
	least := uint64(math.MaxUint64)
	for range 3 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		fn()
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
	}
	return least
}

func TestLengthLimits(t *testing.T) {
	for _, tc := range []struct {
		name   string
		wire   []byte
		cause  error
		offset int64
		msg    string
	}{
		{"total too small", prelude(15, 0), eventstream.ErrMalformed, 0, "total length 15 is less than the minimum 16"},
		{"total zero", prelude(0, 0), eventstream.ErrMalformed, 0, "total length 0"},
		{"total too large", prelude(16<<20+1, 0), eventstream.ErrTooLarge, 0, "total length 16777217 exceeds the limit of 16777216"},
		{"total max uint32", prelude(0xFFFFFFFF, 0xFFFFFFFF), eventstream.ErrTooLarge, 0, "total length 4294967295"},
		{"headers too large", prelude(1<<20, 128<<10+1), eventstream.ErrTooLarge, 4, "headers length 131073 exceeds the limit of 131072"},
		{"headers overrun total", prelude(100, 85), eventstream.ErrMalformed, 4, "headers length 85 exceeds the 84 bytes that total length 100 leaves"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Behind a valid message, so the offsets are relative to its end.
			first := encode(t, eventstream.Message{Payload: []byte("ok")})
			wire := append(bytes.Clone(first), tc.wire...)
			wire = append(wire, make([]byte, 1<<10)...) // some bytes, far fewer than declared
			var msgs []eventstream.Message
			var err error
			n := allocated(func() { msgs, err = decodeAll(wire) })
			require.Len(t, msgs, 1)
			require.ErrorIs(t, err, tc.cause)
			de := decodeErr(t, err)
			require.Equal(t, 1, de.Message)
			require.Equal(t, int64(len(first))+tc.offset, de.Offset)
			require.Contains(t, de.Error(), tc.msg)
			require.Less(t, n, uint64(64<<10), "rejected before allocating")
		})
	}
}

// TestDeclaredButNotSent: a prelude that declares the largest message, followed by little,
// costs memory in proportion to what arrived.
func TestDeclaredButNotSent(t *testing.T) {
	wire := append(prelude(eventstream.MaxMessageSize, 0), make([]byte, 100<<10)...)
	var err error
	n := allocated(func() { _, err = decodeAll(wire) })
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.Equal(t, int64(len(wire)), decodeErr(t, err).Offset)
	require.Less(t, n, uint64(1<<20))

	// The same with the largest header block.
	wire = append(prelude(eventstream.MaxMessageSize, eventstream.MaxHeadersSize), make([]byte, 100)...)
	n = allocated(func() { _, err = decodeAll(wire) })
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	// The header block is read whole; the slack (32 KiB) is far below the 16 MiB declared.
	require.LessOrEqual(t, n, uint64(eventstream.MaxHeadersSize+32<<10))
}

func TestLargestMessage(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), (eventstream.MaxMessageSize-16)/16)
	m := eventstream.Message{Payload: payload}
	msgs, err := decodeAllFrom(iotest.HalfReader(bytes.NewReader(encode(t, m))))
	require.Equal(t, io.EOF, err)
	require.Len(t, msgs, 1)
	require.True(t, bytes.Equal(payload, msgs[0].Payload))
}

func TestHeaderErrors(t *testing.T) {
	str := func(s string) []byte { return append([]byte{7, 0, byte(len(s))}, s...) }
	long := append([]byte{1, 'k', 6, 0x80, 0x00}, make([]byte, 0x8000)...)
	for _, tc := range []struct {
		name   string
		hdr    []byte
		cause  error
		offset int // within the header block
		msg    string
	}{
		{"empty name", []byte{0, 7, 0, 0}, eventstream.ErrMalformed, 0, "header 0: empty name"},
		{"name overruns", []byte{5, 'a', 'b'}, eventstream.ErrMalformed, 0, "header 0: name of 5 bytes overruns the header block (2 bytes left)"},
		{"no type", cat([]byte{1, 'a'}, str("x"), []byte{2, 'b', 'c'}), eventstream.ErrMalformed, 6, `header 1: "bc" has no value type`},
		{"unknown type", []byte{1, 'a', 10}, eventstream.ErrMalformed, 0, `header 0: "a" has unknown value type 10`},
		{"type 255", []byte{1, 'a', 255}, eventstream.ErrMalformed, 0, "unknown value type 255"},
		{"int32 short", []byte{1, 'a', 4, 0, 0, 0}, eventstream.ErrMalformed, 0, `"a" (int32) value of 4 bytes overruns the header block (3 bytes left)`},
		{"uuid short", append([]byte{1, 'u', 9}, make([]byte, 15)...), eventstream.ErrMalformed, 0, `"u" (uuid) value of 16 bytes`},
		{"timestamp short", []byte{1, 't', 8, 0}, eventstream.ErrMalformed, 0, `"t" (timestamp) value of 8 bytes`},
		{"string length cut", []byte{1, 's', 7, 0}, eventstream.ErrMalformed, 0, `"s" (string) value length overruns the header block`},
		{"string overruns", []byte{1, 's', 7, 0, 5, 'a'}, eventstream.ErrMalformed, 0, `"s" (string) value of 5 bytes overruns the header block (1 bytes left)`},
		{"bytes too long", long, eventstream.ErrTooLarge, 0, `"k" (bytes) value length 32768 exceeds the limit of 32767`},
		{"second header", cat([]byte{1, 'a'}, str("ok"), []byte{1, 'b', 3, 0}), eventstream.ErrMalformed, 7, `header 1: "b" (int16) value of 2 bytes overruns`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first := encode(t, allTypesMessage())
			wire := cat(first, frame(tc.hdr, []byte("payload")))
			msgs, err := decodeAll(wire)
			require.Len(t, msgs, 1)
			require.ErrorIs(t, err, tc.cause)
			de := decodeErr(t, err)
			require.Equal(t, 1, de.Message)
			require.Equal(t, int64(len(first)+12+tc.offset), de.Offset)
			require.Contains(t, de.Error(), tc.msg)
			require.Contains(t, de.Error(), "eventstream: message 1, byte ")
		})
	}
}

// TestPayloadNotAliased: a decoded message stays intact while later messages are decoded.
func TestPayloadNotAliased(t *testing.T) {
	a := eventstream.Message{Headers: eventstream.Headers{{Name: "h", Value: eventstream.BytesValue([]byte("AAAA"))}}, Payload: []byte("first")}
	b := eventstream.Message{Headers: eventstream.Headers{{Name: "h", Value: eventstream.BytesValue([]byte("BBBB"))}}, Payload: []byte("other")}
	d := eventstream.NewDecoder(bytes.NewReader(encode(t, a, b)))
	m1, err := d.Decode()
	require.NoError(t, err)
	_, err = d.Decode()
	require.NoError(t, err)
	require.Equal(t, a, m1)
}

func BenchmarkDecode(b *testing.B) {
	m := eventstream.Message{
		Headers: eventstream.Headers{
			{Name: ":message-type", Value: eventstream.StringValue("event")},
			{Name: ":event-type", Value: eventstream.StringValue("Records")},
			{Name: ":content-type", Value: eventstream.StringValue("application/octet-stream")},
		},
		Payload: bytes.Repeat([]byte("a,b,c\n"), 1000),
	}
	wire := encode(b, m)
	d := eventstream.NewDecoder(&cycle{b: wire})
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Decode(); err != nil {
			b.Fatal(err)
		}
	}
}

// cycle reads b over and over.
type cycle struct {
	b   []byte
	off int
}

func (c *cycle) Read(p []byte) (int, error) {
	n := copy(p, c.b[c.off:])
	c.off = (c.off + n) % len(c.b)
	return n, nil
}
