package rpcv2cbor

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// decoderVector is one case of cbor/botocore: hex input and either the expected item in a
// tagged form ({"uint": 1}, {"list": [...]}, {"float32": bits}, ...) or error: true.
type decoderVector struct {
	Description string          `json:"description"`
	Input       string          `json:"input"`
	Expect      json.RawMessage `json:"expect"`
	Error       bool            `json:"error"`
}

// TestConformanceCBORDecoder runs the botocore CBOR decoder vectors through the reader: the
// item's heads, strings, containers and floats must decode exactly as expected (vectors.go
// builds the tagged form from the reader's own primitives), the generic decoder and the
// skipper must accept exactly the same inputs, and every error vector must be refused by all
// three.
func TestConformanceCBORDecoder(t *testing.T) {
	dir := filepath.Join(testenv.ConformanceDir(t), "cbor", "botocore")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		var vectors []decoderVector
		require.NoError(t, json.Unmarshal(data, &vectors))
		passed, failed := 0, 0
		for _, v := range vectors {
			if err := checkVector(v); err != nil {
				failed++
				t.Errorf("%s: %s (%s): %v", filepath.Base(file), v.Description, v.Input, err)
				continue
			}
			passed++
		}
		fmt.Printf("CONFORMANCE suite=cbor-%s passed=%d failed=%d skipped=0\n", strings.TrimSuffix(filepath.Base(file), ".json"), passed, failed)
	}
}

func checkVector(v decoderVector) error {
	in, err := hex.DecodeString(v.Input)
	if err != nil {
		return err
	}
	whole := func(fn func(r *reader) error) error {
		r := &reader{data: in}
		if err := fn(r); err != nil {
			return err
		}
		return r.end()
	}
	var got any
	errTree := whole(func(r *reader) (err error) { got, err = taggedItem(r); return err })
	errAny := whole(func(r *reader) error { _, err := r.any(); return err })
	errSkip := whole(func(r *reader) error { return r.skip() })
	if v.Error {
		if errTree == nil || errAny == nil || errSkip == nil {
			return fmt.Errorf("accepted a malformed item (tagged %v, any %v, skip %v)", errTree, errAny, errSkip)
		}
		return nil
	}
	for _, err := range []error{errTree, errAny, errSkip} {
		if err != nil {
			return err
		}
	}
	dec := json.NewDecoder(bytes.NewReader(v.Expect))
	dec.UseNumber()
	var want any
	if err := dec.Decode(&want); err != nil {
		return err
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("got %v, want %v", got, want)
	}
	return nil
}

// taggedItem decodes one item into the vectors' tagged form using the reader's primitives.
func taggedItem(r *reader) (any, error) {
	h, err := r.next()
	if err != nil {
		return nil, err
	}
	num := func(s string) json.Number { return json.Number(s) }
	one := func(k string, v any) map[string]any { return map[string]any{k: v} }
	switch h.major {
	case majorUint:
		return one("uint", num(fmt.Sprint(h.arg))), nil
	case majorNegint:
		n := new(big.Int).SetUint64(h.arg)
		return one("negint", num(n.Neg(n.Add(n, big.NewInt(1))).String())), nil
	case majorBytes, majorText:
		b, err := r.str(h)
		if err != nil {
			return nil, err
		}
		if h.major == majorText {
			return one("string", string(b)), nil
		}
		list := []any{}
		for _, c := range b {
			list = append(list, num(fmt.Sprint(c)))
		}
		return one("bytestring", list), nil
	case majorArray, majorMap:
		per := 1
		if h.major == majorMap {
			per = 2
		}
		n, err := r.items(h, per)
		if err != nil {
			return nil, err
		}
		list, m := []any{}, map[string]any{}
		for i := 0; ; i++ {
			ok, err := r.more(n, i)
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			if per == 2 {
				k, err := r.text()
				if err != nil {
					return nil, err
				}
				if m[k], err = taggedItem(r); err != nil {
					return nil, err
				}
				continue
			}
			item, err := taggedItem(r)
			if err != nil {
				return nil, err
			}
			list = append(list, item)
		}
		if per == 2 {
			return one("map", m), nil
		}
		return one("list", list), nil
	case majorTag:
		v, err := taggedItem(r)
		if err != nil {
			return nil, err
		}
		return one("tag", map[string]any{"id": num(fmt.Sprint(h.arg)), "value": v}), nil
	}
	switch h.info {
	case 20, 21:
		return one("bool", h.info == 21), nil
	case 22:
		return one("null", map[string]any{}), nil
	case 23:
		return one("undefined", map[string]any{}), nil
	case 25:
		return one("float16", num(fmt.Sprint(h.arg))), nil
	case 26:
		return one("float32", num(fmt.Sprint(h.arg))), nil
	case 27:
		return one("float64", num(fmt.Sprint(h.arg))), nil
	}
	return nil, r.simple(h)
}
