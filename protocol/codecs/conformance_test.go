package codecs

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"github.com/aioaws/aioaws/protocol/internal/prototest"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// A suite file is a list of suites in botocore's protocol-test format (with or without ids).
type suite struct {
	Description    string            `json:"description"`
	Metadata       map[string]any    `json:"metadata"`
	Shapes         json.RawMessage   `json:"shapes"` // raw: member order matters
	ClientEndpoint string            `json:"clientEndpoint"`
	Cases          []json.RawMessage `json:"cases"`
}

type testCase struct {
	ID          string          `json:"id"`
	Description string          `json:"description"`
	Given       json.RawMessage `json:"given"`
	Params      map[string]any  `json:"params"`
	Serialized  *struct {
		Method         string            `json:"method"`
		URI            string            `json:"uri"`
		Body           *string           `json:"body"` // nil: not checked
		Headers        map[string]string `json:"headers"`
		RequireHeaders []string          `json:"requireHeaders"`
		ForbidHeaders  []string          `json:"forbidHeaders"`
		Host           string            `json:"host"`
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

// ignoreList is protocol-tests-ignore-list.json: suites skipped by description for every
// protocol, and case ids per protocol and direction.
type ignoreList struct {
	General struct {
		Input, Output struct {
			Suites []string `json:"suites"`
		}
	} `json:"general"`
	Protocols map[string]map[string]struct {
		Cases []string `json:"cases"`
	} `json:"protocols"`
}

func (l *ignoreList) skips(protocolName, direction, description, id string) bool {
	if l == nil {
		return false
	}
	general := l.General.Input.Suites
	if direction == "output" {
		general = l.General.Output.Suites
	}
	for _, s := range general {
		if s == description {
			return true
		}
	}
	for _, c := range l.Protocols[protocolName][direction].Cases {
		if c == id && id != "" {
			return true
		}
	}
	return false
}

// suiteDirs are the conformance protocol tests plus any directories in AIOAWS_PROTOCOL_SUITES.
func suiteDirs(t *testing.T) []string {
	dirs := []string{filepath.Join(testenv.ConformanceDir(t), "protocols")}
	for _, d := range filepath.SplitList(os.Getenv("AIOAWS_PROTOCOL_SUITES")) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

func TestConformanceProtocols(t *testing.T) {
	for _, dir := range suiteDirs(t) {
		var ignore *ignoreList
		if data, err := os.ReadFile(filepath.Join(dir, "protocol-tests-ignore-list.json")); err == nil {
			ignore = &ignoreList{}
			require.NoError(t, json.Unmarshal(data, ignore))
		}
		var files []string
		require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") && !strings.HasSuffix(p, "ignore-list.json") {
				files = append(files, p)
			}
			return err
		}))
		sort.Strings(files)
		for _, file := range files {
			rel, _ := filepath.Rel(dir, file)
			name := "protocols-" + strings.ReplaceAll(strings.TrimSuffix(rel, ".json"), string(filepath.Separator), "-")
			runSuiteFile(t, name, file, ignore)
		}
	}
}

func runSuiteFile(t *testing.T, name, file string, ignore *ignoreList) {
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var suites []suite
	require.NoError(t, json.Unmarshal(data, &suites), file)
	passed, failed, skipped := 0, 0, 0
	unsupported := map[string]bool{}
	for _, s := range suites {
		protocols := protocolsOf(s.Metadata)
		for i, raw := range s.Cases {
			var c testCase
			require.NoError(t, json.Unmarshal(raw, &c))
			direction := "output"
			if c.Serialized != nil {
				direction = "input"
			}
			label := c.ID
			if label == "" {
				label = fmt.Sprintf("%s #%d", s.Description, i)
			}
			if ignore.skips(protocols[0], direction, s.Description, c.ID) {
				skipped++
				continue
			}
			if !Supported(protocols[0]) {
				unsupported[protocols[0]] = true
				skipped++
				continue
			}
			if err := runCase(s, c, direction); err != nil {
				failed++
				t.Errorf("%s: %s (%s): %v", name, label, c.Description, err)
				continue
			}
			passed++
		}
	}
	fmt.Printf("CONFORMANCE suite=%s passed=%d failed=%d skipped=%d\n", name, passed, failed, skipped)
	for p := range unsupported {
		t.Logf("%s: protocol %s has no codec yet: its cases are counted as skipped", name, p)
	}
}

func protocolsOf(meta map[string]any) []string {
	var out []string
	if list, ok := meta["protocols"].([]any); ok {
		for _, p := range list {
			out = append(out, p.(string))
		}
	}
	if len(out) == 0 {
		out = []string{meta["protocol"].(string)}
	}
	return out
}

func runCase(s suite, c testCase, direction string) error {
	var given map[string]any
	if err := json.Unmarshal(c.Given, &given); err != nil {
		return err
	}
	opName, _ := given["name"].(string)
	meta, err := json.Marshal(s.Metadata)
	if err != nil {
		return err
	}
	name, _ := json.Marshal(opName)
	shapes := s.Shapes
	if len(shapes) == 0 {
		shapes = json.RawMessage("{}")
	}
	doc := []byte(`{"metadata":` + string(meta) + `,"shapes":` + string(shapes) + `,"operations":{` + string(name) + `:` + string(c.Given) + `}}`)
	svc, err := models.Parse("conformance", "suite", doc)
	if err != nil {
		return err
	}
	codec, err := For(svc)
	if err != nil {
		return err
	}
	op := svc.Operations[opName]
	if direction == "input" {
		return checkInput(codec, op, s, c)
	}
	return checkOutput(codec, op, c)
}

func checkInput(codec protocol.Codec, op *models.Operation, s suite, c testCase) error {
	var in any
	if c.Params != nil {
		in = c.Params
	}
	req, err := codec.Build(op, in)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	want := c.Serialized
	if want.Method != "" && req.Method != want.Method {
		return fmt.Errorf("method %s, want %s", req.Method, want.Method)
	}
	gotURI := req.Path
	if req.RawQuery != "" {
		gotURI += "?" + req.RawQuery
	}
	if !sameURI(gotURI, want.URI) {
		return fmt.Errorf("uri %q, want %q", gotURI, want.URI)
	}
	body := req.Body
	if req.BodyStream != nil {
		if body, err = io.ReadAll(req.BodyStream); err != nil {
			return err
		}
	}
	if len(body) > 0 && req.Header.Get("Content-Length") == "" {
		req.Header.Set("Content-Length", fmt.Sprint(len(body))) // what the HTTP layer sends
	}
	for k, v := range want.Headers {
		if got := strings.Join(req.Header.Values(k), ", "); got != v {
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
	if want.Host != "" {
		endpoint := s.ClientEndpoint
		if endpoint == "" {
			endpoint = "https://example.com"
		}
		u, err := url.Parse(endpoint)
		if err != nil {
			return err
		}
		host := req.HostPrefix + u.Host
		if host != want.Host {
			return fmt.Errorf("host %q, want %q", host, want.Host)
		}
	}
	if want.Body == nil {
		return nil
	}
	return sameBody(string(body), *want.Body, req.Header.Get("Content-Type"))
}

// sameURI compares paths exactly and query strings as multisets of decoded pairs.
func sameURI(got, want string) bool {
	gp, gq, _ := strings.Cut(got, "?")
	wp, wq, _ := strings.Cut(want, "?")
	if gp != wp {
		return false
	}
	return reflect.DeepEqual(queryPairs(gq), queryPairs(wq))
}

func queryPairs(q string) []string {
	var out []string
	for _, kv := range strings.Split(q, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		dk, err1 := url.PathUnescape(k)
		dv, err2 := url.PathUnescape(v)
		if err1 != nil || err2 != nil {
			out = append(out, kv)
			continue
		}
		out = append(out, dk+"="+dv)
	}
	sort.Strings(out)
	return out
}

func sameBody(got, want, contentType string) error {
	if strings.TrimSpace(got) == strings.TrimSpace(want) {
		return nil
	}
	if want == "" || got == "" {
		return fmt.Errorf("body %q, want %q", got, want)
	}
	trimmed := strings.TrimSpace(want)
	switch {
	case strings.Contains(contentType, "application/cbor"): // the suites write CBOR in base64
		return sameCBOR(got, want)
	case strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "["):
		var g, w any
		if err := json.Unmarshal([]byte(got), &g); err != nil {
			return fmt.Errorf("body is not JSON: %v: %s", err, got)
		}
		if err := json.Unmarshal([]byte(want), &w); err != nil {
			return err
		}
		if !reflect.DeepEqual(g, w) {
			return fmt.Errorf("body %s, want %s", got, want)
		}
		return nil
	case strings.HasPrefix(trimmed, "<"):
		g, err1 := canonicalXML(got)
		w, err2 := canonicalXML(want)
		if err1 != nil || err2 != nil || g != w {
			return fmt.Errorf("body %s, want %s", got, want)
		}
		return nil
	case strings.Contains(contentType, "x-www-form-urlencoded") || strings.Contains(want, "="):
		if !reflect.DeepEqual(queryPairs(strings.ReplaceAll(got, "+", "%20")), queryPairs(strings.ReplaceAll(want, "+", "%20"))) {
			return fmt.Errorf("form body %s, want %s", got, want)
		}
		return nil
	}
	return fmt.Errorf("body %q, want %q", got, want)
}

// sameCBOR compares a CBOR body with the base64 CBOR a suite expects, as decoded values:
// definite or indefinite lengths and any integer or float width compare equal when the
// values do. Its decoder is deliberately independent of the codec's.
func sameCBOR(got, want string) error {
	w, err := protocol.DecodeBase64(want)
	if err != nil {
		return fmt.Errorf("expected body is not base64: %v", err)
	}
	decode := func(b []byte) (any, error) {
		v, n, err := cborItem(b, 0, 0)
		if err == nil && n != len(b) {
			err = fmt.Errorf("%d bytes after the value", len(b)-n)
		}
		return v, err
	}
	gv, err := decode([]byte(got))
	if err != nil {
		return fmt.Errorf("body %x is not CBOR: %v", got, err)
	}
	wv, err := decode(w)
	if err != nil {
		return fmt.Errorf("expected body %x: %v", w, err)
	}
	if !reflect.DeepEqual(gv, wv) {
		return fmt.Errorf("body %v (%x), want %v (%x)", gv, got, wv, w)
	}
	return nil
}

// cborItem decodes the item at b[i:] into comparable values: every number a float64 (NaN
// and infinities spelled out), byte strings as "h'<hex>'" (raw at depth -1, for chunks),
// tags as {"tag": n, "value": v}.
func cborItem(b []byte, i, depth int) (any, int, error) {
	if depth > 64 || i >= len(b) {
		return nil, i, fmt.Errorf("truncated or too deep at %d", i)
	}
	major, info := b[i]>>5, b[i]&31
	i++
	var arg uint64
	switch {
	case info < 24:
		arg = uint64(info)
	case info <= 27:
		n := 1 << (info - 24)
		if i+n > len(b) {
			return nil, i, fmt.Errorf("truncated argument at %d", i)
		}
		for _, c := range b[i : i+n] {
			arg = arg<<8 | uint64(c)
		}
		i += n
	case info != 31 || major < 2 || major == 6:
		return nil, i, fmt.Errorf("bad additional info %d at %d", info, i-1)
	}
	indefinite := info == 31
	num := func(f float64) any {
		switch {
		case math.IsNaN(f):
			return "NaN"
		case math.IsInf(f, 1):
			return "Infinity"
		case math.IsInf(f, -1):
			return "-Infinity"
		}
		return f
	}
	switch major {
	case 0:
		return float64(arg), i, nil
	case 1:
		return -1 - float64(arg), i, nil
	case 2, 3:
		var s []byte
		for more := true; more; more = indefinite {
			n := arg
			if indefinite {
				if i < len(b) && b[i] == 0xff {
					i++
					break
				}
				chunk, next, err := cborItem(b, i, -1) // depth -1: the raw string
				if err != nil || b[i]>>5 != major || b[i]&31 == 31 {
					return nil, i, fmt.Errorf("bad chunk at %d", i)
				}
				s, i = append(s, chunk.(string)...), next
				continue
			}
			if uint64(len(b)-i) < n {
				return nil, i, fmt.Errorf("string past the end at %d", i)
			}
			s, i = append(s, b[i:i+int(n)]...), i+int(n)
		}
		if major == 2 && depth >= 0 {
			return fmt.Sprintf("h'%x'", s), i, nil
		}
		return string(s), i, nil
	case 4, 5:
		list, m := []any{}, map[string]any{}
		for k := uint64(0); indefinite || k < arg; k++ {
			if indefinite && i < len(b) && b[i] == 0xff {
				i++
				break
			}
			v, next, err := cborItem(b, i, depth+1)
			if err != nil {
				return nil, next, err
			}
			i = next
			if major == 4 {
				list = append(list, v)
				continue
			}
			val, next, err := cborItem(b, i, depth+1)
			if err != nil {
				return nil, next, err
			}
			m[fmt.Sprint(v)], i = val, next
		}
		if major == 4 {
			return list, i, nil
		}
		return m, i, nil
	case 6:
		v, next, err := cborItem(b, i, depth+1)
		return map[string]any{"tag": float64(arg), "value": v}, next, err
	}
	switch {
	case info == 20 || info == 21:
		return info == 21, i, nil
	case info == 22 || info == 23:
		return nil, i, nil
	case info == 25:
		exp, frac := int(arg>>10)&31, float64(arg&0x3ff)
		f := math.Ldexp(frac, -24)
		if exp == 31 && frac != 0 {
			f = math.NaN()
		} else if exp == 31 {
			f = math.Inf(1)
		} else if exp > 0 {
			f = math.Ldexp(frac+1024, exp-25)
		}
		if arg&0x8000 != 0 {
			f = -f
		}
		return num(f), i, nil
	case info == 26:
		return num(float64(math.Float32frombits(uint32(arg)))), i, nil
	case info == 27:
		return num(math.Float64frombits(arg)), i, nil
	}
	return nil, i, fmt.Errorf("unexpected simple value at %d", i-1)
}

// canonicalXML renders a document's elements, attributes and non-blank text, so documents that
// differ only in formatting compare equal. Element order counts, except among map entries:
// the suites list map entries in the order of their JSON params, which Go maps do not keep,
// so runs of sibling map entries (elements named "entry", or pairs whose first child is "key")
// are sorted.
func canonicalXML(doc string) (string, error) {
	dec := xml.NewDecoder(strings.NewReader(doc))
	root := &xmlNode{}
	stack := []*xmlNode{root}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		top := stack[len(stack)-1]
		switch x := tok.(type) {
		case xml.StartElement:
			attrs := make([]string, 0, len(x.Attr))
			for _, a := range x.Attr {
				attrs = append(attrs, a.Name.Space+":"+a.Name.Local+"="+a.Value)
			}
			sort.Strings(attrs)
			n := &xmlNode{name: x.Name.Local, attrs: strings.Join(attrs, " ")}
			top.children = append(top.children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.text += strings.TrimSpace(string(x))
		}
	}
	return root.String(), nil
}

type xmlNode struct {
	name, attrs, text string
	children          []*xmlNode
}

func (n *xmlNode) isMapEntry() bool {
	return n.name == "entry" || (len(n.children) == 2 && n.children[0].name == "key")
}

func (n *xmlNode) String() string {
	parts := make([]string, len(n.children))
	for i, c := range n.children {
		parts[i] = c.String()
	}
	for i := 0; i < len(n.children); {
		j := i
		for j < len(n.children) && n.children[j].name == n.children[i].name && n.children[j].isMapEntry() {
			j++
		}
		if j > i+1 {
			sort.Strings(parts[i:j])
		}
		i = max(j, i+1)
	}
	return "<" + n.name + " " + n.attrs + ">" + n.text + strings.Join(parts, "") + "</" + n.name + ">"
}

func checkOutput(codec protocol.Codec, op *models.Operation, c testCase) error {
	header := http.Header{}
	for k, v := range c.Response.Headers {
		header.Set(k, v)
	}
	body := c.Response.Body
	if codec.Protocol() == "smithy-rpc-v2-cbor" { // the suites write CBOR bodies in base64
		b, err := protocol.DecodeBase64(body)
		if err != nil {
			return err
		}
		body = string(b)
	}
	resp := &protocol.Response{StatusCode: c.Response.StatusCode, Header: header, Body: io.NopCloser(strings.NewReader(body))}
	if c.ErrorCode != "" || c.Error != nil {
		e := codec.ParseError(op, resp)
		if e.Code != c.ErrorCode {
			return fmt.Errorf("error code %q, want %q", e.Code, c.ErrorCode)
		}
		if c.ErrorMessage != nil && e.Message != *c.ErrorMessage {
			return fmt.Errorf("error message %q, want %q", e.Message, *c.ErrorMessage)
		}
		if c.Error != nil {
			got := prototest.Normalize(e.Fields)
			if got == nil {
				got = map[string]any{}
			}
			if !reflect.DeepEqual(got, prototest.Normalize(c.Error)) {
				return fmt.Errorf("error fields %v, want %v", got, c.Error)
			}
		}
		return nil
	}
	out, err := codec.Parse(op, resp)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	want := prototest.Normalize(c.Result)
	if want == nil {
		want = map[string]any{}
	}
	if got := prototest.Normalize(out); !reflect.DeepEqual(got, want) {
		return fmt.Errorf("result %v, want %v", got, want)
	}
	// The typed fast path must store what Decode stores from the document.
	for variant := range 2 {
		resp := &protocol.Response{StatusCode: c.Response.StatusCode, Header: header, Body: io.NopCloser(strings.NewReader(body))}
		if err := checkTyped(codec, op, resp, out, variant); err != nil {
			return fmt.Errorf("typed (variant %d): %w", variant, err)
		}
	}
	return nil
}
