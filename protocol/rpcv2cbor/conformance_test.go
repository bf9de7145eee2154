package rpcv2cbor

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
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

// The protocol suites, run here against the codec directly. Their CBOR bodies are base64 in
// both directions; the shared runner in protocol/codecs compares request bodies the same way.
type protocolSuite struct {
	Description string            `json:"description"`
	Metadata    map[string]any    `json:"metadata"`
	Shapes      map[string]any    `json:"shapes"`
	Cases       []json.RawMessage `json:"cases"`
}

type protocolCase struct {
	ID         string          `json:"id"`
	Given      json.RawMessage `json:"given"`
	Params     map[string]any  `json:"params"`
	Serialized *struct {
		Method         string            `json:"method"`
		URI            string            `json:"uri"`
		Body           string            `json:"body"`
		Headers        map[string]string `json:"headers"`
		RequireHeaders []string          `json:"requireHeaders"`
		ForbidHeaders  []string          `json:"forbidHeaders"`
	} `json:"serialized"`
	Response *struct {
		StatusCode int               `json:"status_code"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	} `json:"response"`
	Result       map[string]any `json:"result"`
	ErrorCode    string         `json:"errorCode"`
	ErrorMessage *string        `json:"errorMessage"`
	Error        map[string]any `json:"error"`
}

func TestProtocolSuites(t *testing.T) {
	dir := filepath.Join(testenv.ConformanceDir(t), "protocols")
	var ignore struct {
		Protocols map[string]map[string]struct {
			Cases []string `json:"cases"`
		} `json:"protocols"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "protocol-tests-ignore-list.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &ignore))
	for _, direction := range []string{"input", "output"} {
		files, err := filepath.Glob(filepath.Join(dir, direction, "smithy-rpc-v2-cbor*.json"))
		require.NoError(t, err)
		require.NotEmpty(t, files)
		for _, file := range files {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			var suites []protocolSuite
			require.NoError(t, json.Unmarshal(data, &suites))
			passed, skipped := 0, 0
			for _, s := range suites {
				for _, raw := range s.Cases {
					var c protocolCase
					require.NoError(t, json.Unmarshal(raw, &c))
					if slices.Contains(ignore.Protocols[ProtocolName][direction].Cases, c.ID) {
						skipped++
						continue
					}
					if err := runProtocolCase(s, c); err != nil {
						t.Errorf("%s: %s: %v", filepath.Base(file), c.ID, err)
						continue
					}
					passed++
				}
			}
			t.Logf("%s/%s: passed=%d skipped=%d", direction, filepath.Base(file), passed, skipped)
		}
	}
}

func runProtocolCase(s protocolSuite, c protocolCase) error {
	var given map[string]any
	if err := json.Unmarshal(c.Given, &given); err != nil {
		return err
	}
	opName, _ := given["name"].(string)
	if opName == "" {
		opName = "Operation"
		given["name"] = opName
	}
	doc, err := json.Marshal(map[string]any{"metadata": s.Metadata, "shapes": s.Shapes, "operations": map[string]any{opName: given}})
	if err != nil {
		return err
	}
	svc, err := models.Parse("conformance", "suite", doc)
	if err != nil {
		return err
	}
	codec := New(svc)
	op := svc.Operations[opName]
	if want := c.Serialized; want != nil {
		var in any
		if c.Params != nil {
			in = c.Params
		}
		req, err := codec.Build(op, in)
		if err != nil {
			return err
		}
		if req.Method != want.Method || req.Path != want.URI {
			return fmt.Errorf("%s %s, want %s %s", req.Method, req.Path, want.Method, want.URI)
		}
		if len(req.Body) > 0 {
			req.Header.Set("Content-Length", fmt.Sprint(len(req.Body)))
		}
		for k, v := range want.Headers {
			if got := req.Header.Get(k); got != v {
				return fmt.Errorf("header %s: %q, want %q", k, got, v)
			}
		}
		for _, k := range want.RequireHeaders {
			if req.Header.Get(k) == "" {
				return fmt.Errorf("header %s missing", k)
			}
		}
		for _, k := range want.ForbidHeaders {
			if req.Header.Get(k) != "" {
				return fmt.Errorf("header %s must not be sent", k)
			}
		}
		wantBody, err := base64.StdEncoding.DecodeString(want.Body)
		if err != nil {
			return err
		}
		return sameCBOR(req.Body, wantBody)
	}
	body, err := base64.StdEncoding.DecodeString(c.Response.Body)
	if err != nil {
		return err
	}
	header := http.Header{}
	for k, v := range c.Response.Headers {
		header.Set(k, v)
	}
	resp := &protocol.Response{StatusCode: c.Response.StatusCode, Header: header, Body: io.NopCloser(bytes.NewReader(body))}
	if c.ErrorCode != "" || c.Error != nil {
		e := codec.ParseError(op, resp)
		if e.Code != c.ErrorCode {
			return fmt.Errorf("error code %q, want %q", e.Code, c.ErrorCode)
		}
		if c.ErrorMessage != nil && e.Message != *c.ErrorMessage {
			return fmt.Errorf("error message %q, want %q", e.Message, *c.ErrorMessage)
		}
		if c.Error != nil && !reflect.DeepEqual(normalize(orEmpty(e.Fields)), normalize(c.Error)) {
			return fmt.Errorf("error fields %v, want %v", e.Fields, c.Error)
		}
		return nil
	}
	out, err := codec.Parse(op, resp)
	if err != nil {
		return err
	}
	if got, want := normalize(out), normalize(orEmpty(c.Result)); !reflect.DeepEqual(got, want) {
		return fmt.Errorf("result %v, want %v", got, want)
	}
	return nil
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// sameCBOR compares two bodies as decoded values (definite or indefinite lengths, any
// integer or float width); both empty is equal.
func sameCBOR(got, want []byte) error {
	if len(got) == 0 || len(want) == 0 {
		if len(got) == len(want) {
			return nil
		}
		return fmt.Errorf("body %x, want %x", got, want)
	}
	decode := func(b []byte) (any, error) {
		r := &reader{data: b}
		v, err := r.any()
		if err == nil {
			err = r.end()
		}
		return normalize(v), err
	}
	g, err := decode(got)
	if err != nil {
		return fmt.Errorf("body %x: %v", got, err)
	}
	w, err := decode(want)
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(g, w) {
		return fmt.Errorf("body %v (%x), want %v (%x)", g, got, w, want)
	}
	return nil
}

// normalize turns values into the forms the suites write: timestamps as epoch seconds,
// blobs as strings, every number as float64, NaN and infinities spelled out.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case time.Time:
		return float64(x.UnixMilli()) / 1000
	case []byte:
		return string(x)
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
