package rpcv2cbor

import (
	"bytes"
	"github.com/aioaws/aioaws/protocol/internal/prototest"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

// sample builds a value of shape s with every member set (to a bounded depth; one member of a
// union), for round trips through the real models.
func sample(s *models.Shape, depth int) any {
	switch s.Type {
	case models.Structure:
		if s.Document {
			return map[string]any{"doc": []any{"x", 1.5}}
		}
		out := map[string]any{}
		if depth > 4 {
			return out
		}
		for _, m := range s.Members {
			out[m.Name] = sample(m.Shape, depth+1)
			if s.Union {
				break
			}
		}
		return out
	case models.List:
		return []any{sample(s.Member.Shape, depth+1), sample(s.Member.Shape, depth+1)}
	case models.Map:
		return map[string]any{"k1": sample(s.Value.Shape, depth+1), "k2": sample(s.Value.Shape, depth+1)}
	case models.String:
		if len(s.Enum) > 0 {
			return s.Enum[len(s.Enum)-1]
		}
		return "välue"
	case models.Boolean:
		return true
	case models.Byte, models.Short, models.Integer, models.Long, models.BigInteger:
		return int64(-300)
	case models.Float:
		return 0.15625
	case models.Double, models.BigDecimal:
		return 1e-300
	case models.Timestamp:
		return time.Date(2026, 2, 3, 4, 5, 6, 789e6, time.UTC)
	case models.Blob:
		return []byte{0, 0xff}
	}
	return nil
}

// TestEmbeddedModelsRoundTrip sends a value through every operation of every embedded
// service that prefers this protocol: the input encodes, and the output, encoded the same
// way, decodes back to itself.
func TestEmbeddedModelsRoundTrip(t *testing.T) {
	infos, err := models.Services()
	require.NoError(t, err)
	services, ops := 0, 0
	for _, info := range infos {
		if len(info.Protocols) == 0 || info.Protocols[0] != ProtocolName {
			continue
		}
		services++
		svc, err := models.Load(info.Name)
		require.NoError(t, err)
		c := New(svc)
		for _, name := range svc.OperationNames() {
			op := svc.Operations[name]
			ops++
			if op.Input != nil {
				in := sample(op.Input, 0).(map[string]any)
				for _, m := range op.Input.Members { // host labels must be valid DNS labels
					if m.HostLabel {
						in[m.Name] = "label"
					}
				}
				req, err := c.Build(op, in)
				require.NoError(t, err, "%s.%s", info.Name, name)
				require.Equal(t, "/service/"+svc.Metadata.TargetPrefix+"/operation/"+name, req.Path)
			}
			if op.Output == nil {
				continue
			}
			want := sample(op.Output, 0).(map[string]any)
			body, err := encodeOutput(c, op, want)
			require.NoError(t, err, "%s.%s", info.Name, name)
			out, err := c.Parse(op, &protocol.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))})
			require.NoError(t, err, "%s.%s", info.Name, name)
			require.True(t, reflect.DeepEqual(prototest.Normalize(want), prototest.Normalize(out)), "%s.%s:\n%v\n%v", info.Name, name, want, out)
		}
	}
	t.Logf("%d services, %d operations", services, ops)
	require.GreaterOrEqual(t, services, 5, "embedded services preferring %s", ProtocolName)
}
