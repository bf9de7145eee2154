package eventstream

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"testing"
	"time"
)

// seedMessages has every header type, empty and non-empty payloads.
func seedMessages() []Message {
	return []Message{
		{},
		{Payload: []byte(`{"foo": "bar"}`)},
		{Headers: Headers{
			{Name: ":message-type", Value: StringValue("event")},
			{Name: ":event-type", Value: StringValue("Records")},
			{Name: ":content-type", Value: StringValue("application/octet-stream")},
		}, Payload: []byte("a,b\n")},
		{Headers: Headers{
			{Name: "t", Value: BoolValue(true)},
			{Name: "f", Value: BoolValue(false)},
			{Name: "b", Value: ByteValue(-3)},
			{Name: "s", Value: Int16Value(-300)},
			{Name: "i", Value: Int32Value(70000)},
			{Name: "l", Value: Int64Value(-1 << 40)},
			{Name: "y", Value: BytesValue([]byte{0, 1, 0xff})},
			{Name: "str", Value: StringValue("héllo")},
			{Name: "ts", Value: TimestampValue(time.UnixMilli(1700000000123))},
			{Name: "u", Value: UUIDValue([16]byte{1, 2, 3, 15: 4})},
		}, Payload: []byte("payload")},
	}
}

// FuzzDecode feeds arbitrary streams to the Decoder: it must end with io.EOF or a
// *DecodeError, never panic, never return more payload than it was given, and what it
// accepts must re-encode to exactly the input (the format has one encoding per message).
func FuzzDecode(f *testing.F) {
	var all []byte
	for _, m := range seedMessages() {
		b, err := AppendMessage(nil, m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		all = append(all, b...)
	}
	f.Add(all)
	f.Add(all[:len(all)-1])
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		// Random bytes rarely carry valid checksums; decode them as they are and with the
		// checksums fixed, so that lengths and header blocks are explored too.
		checkDecode(t, in)
		checkDecode(t, fixChecksums(in))
	})
}

// fixChecksums returns a copy of in with the prelude and message checksums of each message
// recomputed, walking the stream by its declared lengths as far as they fit.
func fixChecksums(in []byte) []byte {
	b := bytes.Clone(in)
	for off := 0; len(b)-off >= preludeLen; {
		p := b[off:]
		binary.BigEndian.PutUint32(p[8:12], crc32.ChecksumIEEE(p[:8]))
		total := int(binary.BigEndian.Uint32(p[0:4]))
		if total < minMessageSize || total > len(p) {
			break
		}
		binary.BigEndian.PutUint32(p[total-4:total], crc32.ChecksumIEEE(p[:total-4]))
		off += total
	}
	return b
}

func checkDecode(t *testing.T, in []byte) {
	d := NewDecoder(bytes.NewReader(in))
	var out []byte
	payload := 0
	for {
		m, err := d.Decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v (%T) is not a *DecodeError", err, err)
			}
			if de.Offset < 0 || de.Offset > int64(len(in)) {
				t.Fatalf("offset %d outside the %d-byte input", de.Offset, len(in))
			}
			return
		}
		payload += len(m.Payload)
		if payload > len(in) {
			t.Fatalf("%d payload bytes from a %d-byte input", payload, len(in))
		}
		out, err = AppendMessage(out, m)
		if err != nil {
			t.Fatalf("decoded message does not re-encode: %v", err)
		}
	}
	if !bytes.Equal(in, out) {
		t.Fatalf("re-encoding differs:\n in %x\nout %x", in, out)
	}
}

// FuzzHeaders feeds arbitrary header blocks to the header parser: an error names a position
// inside the block; an accepted block re-encodes to exactly the input.
func FuzzHeaders(f *testing.F) {
	for _, m := range seedMessages() {
		b, err := appendHeaders(nil, m.Headers)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{1, 'k', 7, 0x7f, 0xff})
	f.Add([]byte{0, 0, 0})
	f.Add([]byte{3, 'a', 'b', 'c', 9})
	f.Fuzz(func(t *testing.T, in []byte) {
		hs, err := decodeHeaders(in)
		if err != nil {
			var he *headerError
			if !errors.As(err, &he) || he.pos < 0 || he.pos >= len(in) || he.err == nil {
				t.Fatalf("bad error %#v for %x", err, in)
			}
			return
		}
		if len(hs) > len(in)/3 {
			t.Fatalf("%d headers from %d bytes", len(hs), len(in))
		}
		out, err := appendHeaders(nil, hs)
		if err != nil && len(in) <= MaxHeadersSize {
			t.Fatalf("decoded headers do not re-encode: %v", err)
		}
		if err == nil && !bytes.Equal(in, out) {
			t.Fatalf("re-encoding differs:\n in %x\nout %x", in, out)
		}
	})
}
