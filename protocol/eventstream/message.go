package eventstream

import (
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"time"
)

// Limits of the event stream format.
const (
	// MaxMessageSize is the largest total length of one message, prelude and checksums included.
	MaxMessageSize = 16 << 20
	// MaxHeadersSize is the largest header block of one message.
	MaxHeadersSize = 128 << 10
	// MaxHeaderNameLen is the longest header name (its length is one byte on the wire).
	MaxHeaderNameLen = 255
	// MaxHeaderValueLen is the longest string or byte-array header value (a signed 16-bit length).
	MaxHeaderValueLen = 1<<15 - 1

	preludeLen     = 12 // total length, headers length, prelude CRC
	minMessageSize = preludeLen + 4
)

// Message is one frame of an event stream. A Message returned by a [Decoder] belongs to the
// caller: nothing in it is reused by later calls.
type Message struct {
	Headers Headers
	Payload []byte
}

// Header is one typed header of a message.
type Header struct {
	Name  string
	Value HeaderValue
}

// Headers is a message's header list, in wire order.
type Headers []Header

// Get returns the value of the first header with the given name (names are case-sensitive).
func (hs Headers) Get(name string) (HeaderValue, bool) {
	for _, h := range hs {
		if h.Name == name {
			return h.Value, true
		}
	}
	return HeaderValue{}, false
}

// HeaderType is the wire type of a header value.
type HeaderType uint8

// The ten header value types, with their wire codes.
const (
	TypeBoolTrue  HeaderType = 0 // boolean true, no value bytes
	TypeBoolFalse HeaderType = 1 // boolean false, no value bytes
	TypeByte      HeaderType = 2 // int8
	TypeInt16     HeaderType = 3
	TypeInt32     HeaderType = 4
	TypeInt64     HeaderType = 5
	TypeBytes     HeaderType = 6 // byte array with a 2-byte length
	TypeString    HeaderType = 7 // UTF-8 string with a 2-byte length
	TypeTimestamp HeaderType = 8 // int64 milliseconds since the Unix epoch
	TypeUUID      HeaderType = 9 // 16 bytes

	// TypeInvalid is the type of the zero HeaderValue, which cannot be encoded.
	TypeInvalid HeaderType = 0xFF
)

var typeNames = [...]string{"bool", "bool", "byte", "int16", "int32", "int64", "bytes", "string", "timestamp", "uuid"}

func (t HeaderType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "invalid(" + strconv.Itoa(int(t)) + ")"
}

// HeaderValue is a typed header value. It is an immutable, comparable value; make one with
// [BoolValue], [ByteValue], [Int16Value], [Int32Value], [Int64Value], [BytesValue],
// [StringValue], [TimestampValue] or [UUIDValue]. The zero HeaderValue has type
// [TypeInvalid].
type HeaderValue struct {
	typ uint8  // wire type + 1, so that the zero value is invalid
	num int64  // bool (0/1), byte, int16, int32, int64, timestamp (ms)
	str string // string, byte array, uuid (16 bytes)
}

// BoolValue returns a boolean header value (wire type 0 for true, 1 for false).
func BoolValue(v bool) HeaderValue {
	if v {
		return HeaderValue{typ: uint8(TypeBoolTrue) + 1, num: 1}
	}
	return HeaderValue{typ: uint8(TypeBoolFalse) + 1}
}

// ByteValue returns a one-byte integer header value.
func ByteValue(v int8) HeaderValue { return HeaderValue{typ: uint8(TypeByte) + 1, num: int64(v)} }

// Int16Value returns a 16-bit integer header value.
func Int16Value(v int16) HeaderValue { return HeaderValue{typ: uint8(TypeInt16) + 1, num: int64(v)} }

// Int32Value returns a 32-bit integer header value.
func Int32Value(v int32) HeaderValue { return HeaderValue{typ: uint8(TypeInt32) + 1, num: int64(v)} }

// Int64Value returns a 64-bit integer header value.
func Int64Value(v int64) HeaderValue { return HeaderValue{typ: uint8(TypeInt64) + 1, num: v} }

// BytesValue returns a byte-array header value; v is copied.
func BytesValue(v []byte) HeaderValue { return HeaderValue{typ: uint8(TypeBytes) + 1, str: string(v)} }

// StringValue returns a string header value.
func StringValue(v string) HeaderValue { return HeaderValue{typ: uint8(TypeString) + 1, str: v} }

// TimestampValue returns a timestamp header value. The wire carries milliseconds since the
// epoch, so t is truncated to the millisecond.
func TimestampValue(t time.Time) HeaderValue {
	return HeaderValue{typ: uint8(TypeTimestamp) + 1, num: t.UnixMilli()}
}

// UUIDValue returns a UUID header value.
func UUIDValue(v [16]byte) HeaderValue {
	return HeaderValue{typ: uint8(TypeUUID) + 1, str: string(v[:])}
}

// Type returns the value's wire type, or TypeInvalid for the zero HeaderValue.
func (v HeaderValue) Type() HeaderType {
	if v.typ == 0 {
		return TypeInvalid
	}
	return HeaderType(v.typ - 1)
}

// Value returns the Go value: bool, int8, int16, int32, int64, []byte (a fresh copy),
// string, time.Time (UTC) or [16]byte by type; nil for the zero HeaderValue.
func (v HeaderValue) Value() any {
	switch v.Type() {
	case TypeBoolTrue, TypeBoolFalse:
		return v.num != 0
	case TypeByte:
		return int8(v.num)
	case TypeInt16:
		return int16(v.num)
	case TypeInt32:
		return int32(v.num)
	case TypeInt64:
		return v.num
	case TypeBytes:
		return []byte(v.str)
	case TypeString:
		return v.str
	case TypeTimestamp:
		return v.time()
	case TypeUUID:
		var u [16]byte
		copy(u[:], v.str)
		return u
	}
	return nil
}

func (v HeaderValue) time() time.Time { return time.UnixMilli(v.num).UTC() }

// String returns a string value as is, and renders the others: "true", decimal integers,
// base64 byte arrays, RFC 3339 timestamps with milliseconds, canonical UUIDs.
func (v HeaderValue) String() string {
	switch v.Type() {
	case TypeBoolTrue, TypeBoolFalse:
		return strconv.FormatBool(v.num != 0)
	case TypeByte, TypeInt16, TypeInt32, TypeInt64:
		return strconv.FormatInt(v.num, 10)
	case TypeBytes:
		return base64.StdEncoding.EncodeToString([]byte(v.str))
	case TypeString:
		return v.str
	case TypeTimestamp:
		return v.time().Format("2006-01-02T15:04:05.000Z07:00")
	case TypeUUID:
		h := hex.EncodeToString([]byte(v.str))
		return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
	}
	return "<invalid>"
}
