package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/aioaws/aioaws/benchmarks/cannedserver"
)

// The ceiling: a raw net/http client sending requests built once per operation with a fixed
// body and a signed-looking Authorization header. Each send clones the request, gives it a
// fresh body reader, and reads and closes the response body. No serializing, signing or
// parsing: what is left is net/http and the network.

var raw struct {
	once sync.Once
	hc   *http.Client
}

func rawClient() *http.Client {
	raw.once.Do(func() {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tuneTransport(tr)
		tr.DisableCompression = true
		raw.hc = &http.Client{Transport: tr}
		atExit(tr.CloseIdleConnections)
	})
	return raw.hc
}

const (
	rawGetItemBody = `{"TableName":"users","Key":{"pk":{"S":"user#000001"},"sk":{"S":"profile"}}}`
	rawPutItemBody = `{"TableName":"users","Item":{"pk":{"S":"user#000001"},"sk":{"S":"profile"},"name":{"S":"Ada Lovelace"},"email":{"S":"ada1@example.com"},` +
		`"age":{"N":"36"},"score":{"N":"1234.5"},"active":{"BOOL":true},"tags":{"SS":["math","poetry","engines"]},` +
		`"address":{"M":{"city":{"S":"London"},"zip":{"S":"W1"}}},"history":{"L":[{"N":"1"},{"N":"2"},{"N":"3"}]},"avatar":{"B":"iVBORw0KGgoAAAANSUhEUg=="}}}`
	rawDate      = "20261101T120000Z"
	rawSignature = "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
)

// rawRequest builds the request once; send clones it per call.
func rawRequest(url, method, path, service string, body []byte, header map[string]string) (*http.Request, error) {
	req, err := http.NewRequest(method, url+path, nil)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	signed := "host;x-amz-date"
	req.Header.Set("X-Amz-Date", rawDate)
	req.Header.Set("User-Agent", "raw-net-http/1.0")
	if service == "s3" {
		req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
		signed = "host;x-amz-content-sha256;x-amz-date"
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if body != nil {
		req.ContentLength = int64(len(body))
		signed = "content-length;content-type;" + signed
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+accessKey+"/20261101/"+region+"/"+service+"/aws4_request, SignedHeaders="+signed+", "+rawSignature)
	return req, nil
}

// rawCall sends a clone of req with body and passes the response to check, then closes it.
func rawCall(req *http.Request, body []byte, check func(resp *http.Response, deep bool) error) call {
	hc := rawClient()
	return func(deep bool) error {
		r := req.Clone(context.Background())
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		resp, err := hc.Do(r)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			return fmt.Errorf("%s %s: %s: %s", req.Method, req.URL.Path, resp.Status, b)
		}
		return check(resp, deep)
	}
}

// rawExact checks that the response body is want.
func rawExact(want []byte) func(*http.Response, bool) error {
	return func(resp *http.Response, _ bool) error {
		var buf [1024]byte
		n, err := io.ReadFull(resp.Body, buf[:])
		if err != io.ErrUnexpectedEOF && err != io.EOF && err != nil {
			return err
		}
		if !bytes.Equal(buf[:n], want) {
			return fmt.Errorf("body %q, want %q", buf[:n], want)
		}
		return nil
	}
}

var rawOps = map[string]func(url string) (call, error){
	"GetItem": func(url string) (call, error) {
		body := []byte(rawGetItemBody)
		req, err := rawRequest(url, http.MethodPost, "/", "dynamodb", body, map[string]string{
			"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": cannedserver.TargetGet, "Accept-Encoding": "identity"})
		if err != nil {
			return nil, err
		}
		return rawCall(req, body, rawExact(cannedserver.GetItemBody())), nil
	},
	"PutItem": func(url string) (call, error) {
		body := []byte(rawPutItemBody)
		req, err := rawRequest(url, http.MethodPost, "/", "dynamodb", body, map[string]string{
			"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": cannedserver.TargetPut, "Accept-Encoding": "identity"})
		if err != nil {
			return nil, err
		}
		return rawCall(req, body, rawExact([]byte("{}"))), nil
	},
	"PutObject": func(url string) (call, error) {
		body := cannedserver.PutPayload()
		req, err := rawRequest(url, http.MethodPut, "/"+bucket+"/"+putKey, "s3", body, map[string]string{
			"Content-Type": "application/octet-stream"})
		if err != nil {
			return nil, err
		}
		return rawCall(req, body, func(resp *http.Response, _ bool) error {
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				return err
			}
			if etag := resp.Header.Get("ETag"); etag != cannedserver.PutETag() {
				return fmt.Errorf("PutObject: ETag %s", etag)
			}
			return nil
		}), nil
	},
	"GetObject": func(url string) (call, error) {
		req, err := rawRequest(url, http.MethodGet, "/"+bucket+"/"+getKey, "s3", nil, nil)
		if err != nil {
			return nil, err
		}
		size := strconv.Itoa(cannedserver.ObjectSize)
		return rawCall(req, nil, func(resp *http.Response, deep bool) error {
			if err := readObject(resp.Body, deep); err != nil {
				return err
			}
			if resp.Header.Get("ETag") != cannedserver.ObjectETag() || resp.Header.Get("Content-Length") != size {
				return fmt.Errorf("GetObject: ETag %s Content-Length %s", resp.Header.Get("ETag"), resp.Header.Get("Content-Length"))
			}
			return nil
		}), nil
	},
}
