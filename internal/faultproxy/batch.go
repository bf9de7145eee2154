package faultproxy

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// maxBatchResponse caps the backend response of a partial batch, which the
// proxy must read whole to merge into it (DynamoDB's own limit is 16 MB).
const maxBatchResponse = 64 << 20

// batchSplit is a DynamoDB batch request cut in two: the part forwarded and
// the part held back.
type batchSplit struct {
	forward []byte // the request body to forward; nil if everything is held back
	held    int    // number of write requests or keys held back
	// merge adds the held-back part to the body of a successful response.
	merge func(resp []byte) ([]byte, error)
	// local is the whole response when everything is held back.
	local func() []byte
}

var errNotBatch = errors.New("not a well-formed batch request")

// decodeObject decodes a JSON object into its raw members, which keeps every
// value (numbers included) byte for byte.
func decodeObject(data []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errNotBatch // "null"
	}
	return m, nil
}

// encode marshals v without HTML escaping (raw members are copied as they are,
// only compacted).
func encode(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only raw messages that were decoded before are encoded here.
		panic(fmt.Sprintf("faultproxy: re-encoding decoded JSON: %v", err))
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// choose draws, for n items in order, which are held back (each with
// probability rate); unless allowAll, it releases one of them if all were.
func choose(rng *rand.Rand, n int, rate float64, allowAll bool) ([]bool, int) {
	hold := make([]bool, n)
	held := 0
	for i := range hold {
		if rng.Float64() < rate {
			hold[i] = true
			held++
		}
	}
	if held == n && n > 0 && !allowAll {
		hold[rng.IntN(n)] = false
		held--
	}
	return hold, held
}

// splitWrite splits a BatchWriteItem request:
// {"RequestItems":{"Table":[{"PutRequest":{...}}|{"DeleteRequest":{...}},...]},...}.
// Tables are visited in sorted order and requests in order, so that the draws
// are reproducible.
func splitWrite(body []byte, rng *rand.Rand, rate float64, allowAll bool) (*batchSplit, error) {
	top, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	var items map[string][]json.RawMessage
	if err := json.Unmarshal(top["RequestItems"], &items); err != nil || len(items) == 0 {
		return nil, errNotBatch
	}
	tables := slices.Sorted(maps.Keys(items))
	n := 0
	for _, t := range tables {
		if len(items[t]) == 0 {
			return nil, errNotBatch
		}
		n += len(items[t])
	}
	hold, nHeld := choose(rng, n, rate, allowAll)
	fwd := map[string][]json.RawMessage{}
	held := map[string][]json.RawMessage{}
	i := 0
	for _, t := range tables {
		for _, it := range items[t] {
			if hold[i] {
				held[t] = append(held[t], it)
			} else {
				fwd[t] = append(fwd[t], it)
			}
			i++
		}
	}
	s := &batchSplit{held: nHeld}
	if len(fwd) > 0 {
		top["RequestItems"] = encode(fwd)
		s.forward = encode(top)
	}
	s.local = func() []byte {
		return encode(map[string]any{"UnprocessedItems": held})
	}
	s.merge = func(resp []byte) ([]byte, error) {
		out, err := decodeObject(resp)
		if err != nil {
			return nil, err
		}
		un := map[string][]json.RawMessage{}
		if raw := out["UnprocessedItems"]; !isNull(raw) {
			if err := json.Unmarshal(raw, &un); err != nil {
				return nil, fmt.Errorf("UnprocessedItems: %w", err)
			}
		}
		for t, its := range held {
			un[t] = append(un[t], its...)
		}
		out["UnprocessedItems"] = encode(un)
		return encode(out), nil
	}
	return s, nil
}

// splitGet splits a BatchGetItem request:
// {"RequestItems":{"Table":{"Keys":[...],"ProjectionExpression":...},...},...}.
// A held-back table entry keeps every member of the original but Keys.
func splitGet(body []byte, rng *rand.Rand, rate float64, allowAll bool) (*batchSplit, error) {
	top, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	var tablesIn map[string]map[string]json.RawMessage
	if err := json.Unmarshal(top["RequestItems"], &tablesIn); err != nil || len(tablesIn) == 0 {
		return nil, errNotBatch
	}
	tables := slices.Sorted(maps.Keys(tablesIn))
	keys := make(map[string][]json.RawMessage, len(tables))
	n := 0
	for _, t := range tables {
		var ks []json.RawMessage
		if tablesIn[t] == nil {
			return nil, errNotBatch
		}
		if err := json.Unmarshal(tablesIn[t]["Keys"], &ks); err != nil || len(ks) == 0 {
			return nil, errNotBatch
		}
		keys[t] = ks
		n += len(ks)
	}
	hold, nHeld := choose(rng, n, rate, allowAll)
	fwd := map[string]map[string]json.RawMessage{}
	held := map[string]map[string]json.RawMessage{}
	i := 0
	for _, t := range tables {
		var f, h []json.RawMessage
		for _, k := range keys[t] {
			if hold[i] {
				h = append(h, k)
			} else {
				f = append(f, k)
			}
			i++
		}
		if len(f) > 0 {
			fwd[t] = withKeys(tablesIn[t], f)
		}
		if len(h) > 0 {
			held[t] = withKeys(tablesIn[t], h)
		}
	}
	s := &batchSplit{held: nHeld}
	if len(fwd) > 0 {
		top["RequestItems"] = encode(fwd)
		s.forward = encode(top)
	}
	s.local = func() []byte {
		return encode(map[string]any{
			"Responses":       map[string]any{},
			"UnprocessedKeys": held,
		})
	}
	s.merge = func(resp []byte) ([]byte, error) {
		out, err := decodeObject(resp)
		if err != nil {
			return nil, err
		}
		un := map[string]map[string]json.RawMessage{}
		if raw := out["UnprocessedKeys"]; !isNull(raw) {
			if err := json.Unmarshal(raw, &un); err != nil {
				return nil, fmt.Errorf("UnprocessedKeys: %w", err)
			}
		}
		for t, entry := range held {
			prev, ok := un[t]
			if !ok || prev == nil {
				un[t] = entry
				continue
			}
			var ks, more []json.RawMessage
			if !isNull(prev["Keys"]) {
				if err := json.Unmarshal(prev["Keys"], &ks); err != nil {
					return nil, fmt.Errorf("UnprocessedKeys.%s.Keys: %w", t, err)
				}
			}
			_ = json.Unmarshal(entry["Keys"], &more) // encoded by withKeys
			un[t] = withKeys(prev, append(ks, more...))
		}
		out["UnprocessedKeys"] = encode(un)
		return encode(out), nil
	}
	return s, nil
}

// withKeys returns a copy of a BatchGetItem table entry with Keys replaced.
func withKeys(entry map[string]json.RawMessage, keys []json.RawMessage) map[string]json.RawMessage {
	out := maps.Clone(entry)
	out["Keys"] = encode(keys)
	return out
}

// partial handles a DynamoDB batch request under a PartialBatch rule.
func (c *call) partial(rule *Rule) {
	limit := c.st.cfg.MaxBodyBytes
	if c.r.ContentLength > limit {
		c.tooLarge(limit)
		return
	}
	body, err := io.ReadAll(io.LimitReader(c.r.Body, limit+1))
	if err != nil {
		reset(c.w) // the client's body broke off: nobody to answer
		return
	}
	if int64(len(body)) > limit {
		c.tooLarge(limit)
		return
	}
	var s *batchSplit
	if c.info.batch == batchWrite {
		s, err = splitWrite(body, c.rng, rule.Rate, rule.Fault.AllowAll)
	} else {
		s, err = splitGet(body, c.rng, rule.Rate, rule.Fault.AllowAll)
	}
	if err != nil || s.held == 0 {
		// Malformed (the target will say so) or nothing drawn: pass through.
		c.forwardBody(bytes.NewReader(body), int64(len(body)))
		return
	}
	c.p.stats.injected(c.info.key, PartialBatch, int64(s.held))
	if s.forward == nil {
		h := c.w.Header()
		h.Set("Content-Type", jsonContentType(c.r))
		h.Set("x-amzn-RequestId", requestID(c.rng))
		c.writeBody(http.StatusOK, s.local(), true)
		return
	}

	resp, err := c.roundTrip(bytes.NewReader(s.forward), int64(len(s.forward)))
	if err != nil {
		c.badGateway(err)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// The whole request failed: the client resubmits everything anyway.
		c.writeHeader(resp)
		_, _ = io.Copy(c.w, resp.Body)
		return
	}
	merged, err := readMerge(resp, s)
	if err != nil {
		if c.r.Context().Err() != nil {
			reset(c.w)
			return
		}
		apiError{status: http.StatusBadGateway, code: "faultproxy#MergeFailed",
			message: "faultproxy: cannot merge held-back items into the response: " + err.Error(),
		}.write(c.w, c.r, &c.info, requestID(c.rng))
		return
	}
	copyHeader(c.w.Header(), resp.Header)
	c.w.Header().Del("Content-Encoding")
	c.w.Header().Del("Content-Length")
	_, crc := resp.Header["X-Amz-Crc32"]
	c.writeBody(http.StatusOK, merged, crc)
}

// readMerge reads a successful batch response (decoding gzip) and merges the
// held-back part into it.
func readMerge(resp *http.Response, s *batchSplit) ([]byte, error) {
	var r io.Reader = resp.Body
	switch enc := strings.ToLower(resp.Header.Get("Content-Encoding")); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBatchResponse+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxBatchResponse {
		return nil, fmt.Errorf("response exceeds %d bytes", maxBatchResponse)
	}
	return s.merge(data)
}

// writeBody writes a complete JSON response, with an x-amz-crc32 header (as
// DynamoDB sends) if crc.
func (c *call) writeBody(status int, body []byte, crc bool) {
	h := c.w.Header()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if crc {
		h.Set("x-amz-crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	}
	c.w.WriteHeader(status)
	_, _ = c.w.Write(body)
}

// jsonContentType is the request's AWS JSON content type, the response's too.
func jsonContentType(r *http.Request) string {
	if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/x-amz-json-") {
		return ct
	}
	return "application/x-amz-json-1.0"
}

func (c *call) tooLarge(limit int64) {
	apiError{status: http.StatusRequestEntityTooLarge, code: "RequestEntityTooLarge", sender: true,
		message: fmt.Sprintf("faultproxy: batch request body exceeds %d bytes", limit),
	}.write(c.w, c.r, &c.info, requestID(c.rng))
}
