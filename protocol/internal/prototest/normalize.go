// Package prototest holds what the codecs' tests share.
package prototest

import (
	"io"
	"math"
	"time"
)

// Normalize turns output documents into the JSON forms the protocol suites write, so values
// compare with reflect.DeepEqual: timestamps as epoch seconds, blobs and streams as strings
// (a stream is read to its end), int64 as float64, NaN and infinities spelled out.
func Normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Normalize(e)
		}
		return out
	case time.Time:
		return float64(x.UnixMilli()) / 1000
	case []byte:
		return string(x)
	case io.Reader:
		b, _ := io.ReadAll(x)
		return string(b)
	case int64:
		return float64(x)
	case float64:
		switch {
		case math.IsNaN(x):
			return "NaN"
		case math.IsInf(x, 1):
			return "Infinity"
		case math.IsInf(x, -1):
			return "-Infinity"
		}
		return x
	}
	return v
}
