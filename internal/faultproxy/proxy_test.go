package faultproxy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name    string
		target  string
		cfg     Config
		wantErr string
	}{
		{name: "ok", target: "http://127.0.0.1:1", cfg: Config{Rules: []Rule{{Fault: Fault{Kind: Throttle}, Rate: 1}}}},
		{name: "trailing slash", target: "http://127.0.0.1:1/"},
		{name: "no scheme", target: "127.0.0.1:1", wantErr: "target"},
		{name: "path", target: "http://127.0.0.1:1/x", wantErr: "base URL"},
		{name: "ftp", target: "ftp://127.0.0.1:1", wantErr: "base URL"},
		{name: "unknown kind", target: "http://127.0.0.1:1", cfg: Config{Rules: []Rule{{Fault: Fault{Kind: "boom"}}}}, wantErr: `unknown fault kind "boom"`},
		{name: "missing kind", target: "http://127.0.0.1:1", cfg: Config{Rules: []Rule{{Rate: 1}}}, wantErr: "unknown fault kind"},
		{name: "rate above 1", target: "http://127.0.0.1:1", cfg: Config{Rules: []Rule{{Fault: Fault{Kind: Reset}, Rate: 1.5}}}, wantErr: "rate 1.5"},
		{name: "negative rate", target: "http://127.0.0.1:1", cfg: Config{Rules: []Rule{{Fault: Fault{Kind: Reset}, Rate: -0.1}}}, wantErr: "rate -0.1"},
		{name: "bad status", target: "http://127.0.0.1:1", cfg: Config{Rules: []Rule{{Fault: Fault{Kind: Throttle, Status: 42}}}}, wantErr: "status 42"},
		{name: "max below min", target: "http://127.0.0.1:1", cfg: Config{Rules: []Rule{{Fault: Fault{Kind: Latency, Delay: time.Second, MaxDelay: time.Millisecond}}}}, wantErr: "max delay"},
		{name: "negative bytes", target: "http://127.0.0.1:1", cfg: Config{Rules: []Rule{{Fault: Fault{Kind: Truncate, Bytes: -1}}}}, wantErr: "negative"},
		{name: "negative max body", target: "http://127.0.0.1:1", cfg: Config{MaxBodyBytes: -1}, wantErr: "MaxBodyBytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.target, tt.cfg)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.NoError(t, p.Close())
		})
	}
}

func TestSetConfigKeepsOldOnError(t *testing.T) {
	be := newBackend(t, nil)
	p := startProxy(t, be.URL, Config{Rules: []Rule{{Fault: Fault{Kind: Throttle}, Rate: 1}}})
	require.Error(t, p.SetConfig(Config{Rules: []Rule{{Fault: Fault{Kind: Throttle}, Rate: 2}}}))
	res := doOK(t, newClient(t, true), restReq(t, "GET", p.URL(), "/b/k", ""))
	require.Equal(t, http.StatusServiceUnavailable, res.status, "the throttling config is still in force")
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name    string
		req     func(t *testing.T) *http.Request
		proto   protocol
		service string
		op, key string
		dynamo  bool
		batch   batchOp
	}{
		{
			name: "dynamodb batch write",
			req: func(t *testing.T) *http.Request {
				return jsonReq(t, "http://x", "DynamoDB_20120810.BatchWriteItem", "{}")
			},
			proto: protoJSON, service: "DynamoDB_20120810", op: "BatchWriteItem", key: "BatchWriteItem", dynamo: true, batch: batchWrite,
		},
		{
			name: "dynamodb batch get",
			req: func(t *testing.T) *http.Request {
				return jsonReq(t, "http://x", "DynamoDB_20120810.BatchGetItem", "{}")
			},
			proto: protoJSON, service: "DynamoDB_20120810", op: "BatchGetItem", key: "BatchGetItem", dynamo: true, batch: batchGet,
		},
		{
			name: "other json service",
			req: func(t *testing.T) *http.Request {
				return jsonReq(t, "http://x", "Kinesis_20131202.PutRecords", "{}")
			},
			proto: protoJSON, service: "Kinesis_20131202", op: "PutRecords", key: "PutRecords",
		},
		{
			name: "batch name of another service",
			req: func(t *testing.T) *http.Request {
				return jsonReq(t, "http://x", "AmazonSSM.BatchGetItem", "{}")
			},
			proto: protoJSON, service: "AmazonSSM", op: "BatchGetItem", key: "BatchGetItem",
		},
		{
			name: "query form body",
			req: func(t *testing.T) *http.Request {
				return queryReq(t, "http://x", "SendMessage")
			},
			proto: protoQuery, op: "SendMessage", key: "SendMessage",
		},
		{
			name: "query in URL",
			req: func(t *testing.T) *http.Request {
				return restReq(t, "GET", "http://x", "/?Action=DescribeInstances&Version=2016-11-15", "")
			},
			proto: protoQuery, op: "DescribeInstances", key: "DescribeInstances",
		},
		{
			name: "form without action",
			req: func(t *testing.T) *http.Request {
				r := restReq(t, "POST", "http://x", "/", "a=b")
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return r
			},
			proto: protoREST, key: "POST",
		},
		{
			name: "rest put",
			req: func(t *testing.T) *http.Request {
				return restReq(t, "PUT", "http://x", "/bucket/key", "data")
			},
			proto: protoREST, key: "PUT",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.req(t)
			var before []byte
			if r.Body != nil {
				before, _ = io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(before))
			}
			info := classify(r, DefaultMaxBodyBytes)
			require.Equal(t, reqInfo{proto: tt.proto, service: tt.service, op: tt.op, dynamo: tt.dynamo, batch: tt.batch, key: tt.key}, info)
			if r.Body != nil {
				after, err := io.ReadAll(r.Body)
				require.NoError(t, err)
				require.Equal(t, string(before), string(after), "the body is intact after classification")
			}
		})
	}
}

func TestClassifyLargeFormStaysIntact(t *testing.T) {
	body := "Action=SendMessage&MessageBody=" + strings.Repeat("x", 100)
	r := restReq(t, "POST", "http://x", "/", body)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.ContentLength = -1 // unknown: must be read to find out
	info := classify(r, 10)
	require.Equal(t, protoREST, info.proto, "too large to look at")
	got, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	require.Equal(t, body, string(got))
}

func TestForwardingIsTransparent(t *testing.T) {
	be := newBackend(t, nil)
	p := startProxy(t, be.URL, Config{})
	c := newClient(t, true)

	t.Run("method path query headers body", func(t *testing.T) {
		r := restReq(t, "PUT", p.URL(), "/bucket/a%2Fb%20c+d?uploads&prefix=x%2Fy", "payload")
		r.Host = "bucket.s3.example.com:9000"
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
		r.Header.Set("X-Amz-Date", "20260101T000000Z")
		r.Header.Set("Connection", "X-Hop")
		r.Header.Set("X-Hop", "drop me")
		r.Header.Set("Keep-Alive", "timeout=5")
		r.Header.Set("Proxy-Authorization", "secret")
		r.Header["User-Agent"] = []string{""} // sends none
		res := doOK(t, c, r)
		require.Equal(t, http.StatusOK, res.status)
		require.Equal(t, "echo", res.header.Get("X-Backend"))
		var e echo
		require.NoError(t, json.Unmarshal(res.body, &e))
		require.Equal(t, "PUT", e.Method)
		require.Equal(t, "/bucket/a%2Fb%20c+d", e.RawPath, "the escaped path is kept byte for byte")
		require.Equal(t, "uploads&prefix=x%2Fy", e.Query)
		require.Equal(t, "bucket.s3.example.com:9000", e.Host, "the client's Host is kept")
		require.Equal(t, "AWS4-HMAC-SHA256 Credential=x", e.Header.Get("Authorization"))
		require.Equal(t, "20260101T000000Z", e.Header.Get("X-Amz-Date"))
		require.Equal(t, "payload", e.Body)
		require.Equal(t, int64(7), e.ContentLength)
		for _, h := range []string{"X-Hop", "Keep-Alive", "Proxy-Authorization", "User-Agent", "X-Forwarded-For"} {
			require.Empty(t, e.Header.Values(h), h)
		}
	})

	t.Run("rewrite host", func(t *testing.T) {
		p2 := startProxy(t, be.URL, Config{RewriteHost: true})
		r := restReq(t, "GET", p2.URL(), "/x", "")
		r.Host = "elsewhere.example"
		var e echo
		require.NoError(t, json.Unmarshal(doOK(t, c, r).body, &e))
		require.Equal(t, strings.TrimPrefix(be.URL, "http://"), e.Host)
	})

	t.Run("query form body", func(t *testing.T) {
		r := queryReq(t, p.URL(), "SendMessage")
		var e echo
		require.NoError(t, json.Unmarshal(doOK(t, c, r).body, &e))
		require.Equal(t, "Action=SendMessage&QueueName=q&Version=2012-11-05", e.Body)
	})

	t.Run("chunked request body", func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() {
			_, _ = pw.Write([]byte("part1-"))
			_, _ = pw.Write([]byte("part2"))
			_ = pw.Close()
		}()
		r, err := http.NewRequest("PUT", p.URL()+"/b/k", pr)
		require.NoError(t, err)
		var e echo
		require.NoError(t, json.Unmarshal(doOK(t, c, r).body, &e))
		require.Equal(t, "part1-part2", e.Body)
		require.Equal(t, []string{"chunked"}, e.TransferEncoding)
	})

	t.Run("no content type is not sniffed", func(t *testing.T) {
		raw := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = nil
			w.Header().Set("X-Amz-Crc32", "123")
			_, _ = io.WriteString(w, "<html>hello</html>")
		})
		p2 := startProxy(t, raw.URL, Config{})
		res := doOK(t, c, restReq(t, "GET", p2.URL(), "/", ""))
		require.Empty(t, res.header.Values("Content-Type"))
		require.Equal(t, "123", res.header.Get("X-Amz-Crc32"))
		require.Equal(t, "<html>hello</html>", string(res.body))
	})

	t.Run("target down", func(t *testing.T) {
		dead := newBackend(t, nil)
		dead.Close()
		p2 := startProxy(t, dead.URL, Config{})
		res := doOK(t, c, restReq(t, "GET", p2.URL(), "/", ""))
		require.Equal(t, http.StatusBadGateway, res.status)
		require.Contains(t, string(res.body), "faultproxy: target")
	})
}

// TestStreamsLargeBodies moves 32 MiB each way through the proxy.
func TestStreamsLargeBodies(t *testing.T) {
	const size = 32 << 20
	be := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "PUT" {
			h := sha256.New()
			n, err := io.Copy(h, r.Body)
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			_, _ = fmt.Fprintf(w, "%d %x", n, h.Sum(nil))
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(size))
		_, _ = io.Copy(w, io.LimitReader(zeros{}, size))
	})
	p := startProxy(t, be.URL, Config{})
	c := newClient(t, true)

	r, err := http.NewRequest("PUT", p.URL()+"/b/big", io.LimitReader(zeros{}, size))
	require.NoError(t, err)
	r.ContentLength = size
	res := doOK(t, c, r)
	sum := sha256.Sum256(make([]byte, size))
	require.Equal(t, fmt.Sprintf("%d %s", size, hex.EncodeToString(sum[:])), string(res.body))

	resp, err := c.Get(p.URL() + "/b/big")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, int64(size), resp.ContentLength)
	n, err := io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	require.Equal(t, int64(size), n)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// errorReply is an error response in any of the three formats.
type errorReply struct {
	Type, Code, Message, RequestID string
}

func parseError(t *testing.T, res result) errorReply {
	t.Helper()
	ct := res.header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/x-amz-json"):
		var j struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		require.NoError(t, json.Unmarshal(res.body, &j))
		require.Equal(t, j.Type, res.header.Get("x-amzn-ErrorType"))
		return errorReply{Code: j.Type, Message: j.Message, RequestID: res.header.Get("x-amzn-RequestId")}
	case ct == "text/xml":
		var x struct {
			XMLName xml.Name `xml:"ErrorResponse"`
			Error   struct {
				Type, Code, Message string
			}
			RequestID string `xml:"RequestId"`
		}
		require.NoError(t, xml.Unmarshal(res.body, &x))
		require.Equal(t, x.RequestID, res.header.Get("x-amzn-RequestId"))
		return errorReply{Type: x.Error.Type, Code: x.Error.Code, Message: x.Error.Message, RequestID: x.RequestID}
	case ct == "application/xml":
		var x struct {
			XMLName   xml.Name `xml:"Error"`
			Code      string
			Message   string
			RequestID string `xml:"RequestId"`
		}
		require.NoError(t, xml.Unmarshal(res.body, &x))
		require.Equal(t, x.RequestID, res.header.Get("x-amz-request-id"))
		return errorReply{Code: x.Code, Message: x.Message, RequestID: x.RequestID}
	}
	t.Fatalf("unexpected content type %q", ct)
	return errorReply{}
}

func TestErrorFaults(t *testing.T) {
	const ddbThrottle = "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"
	tests := []struct {
		name       string
		fault      Fault
		req        func(t *testing.T, base string) *http.Request
		status     int
		ct         string
		want       errorReply // RequestID only checked non-empty
		retryAfter string
	}{
		{
			name:  "dynamodb throttle",
			fault: Fault{Kind: Throttle},
			req: func(t *testing.T, base string) *http.Request {
				return jsonReq(t, base, "DynamoDB_20120810.BatchWriteItem", `{}`)
			},
			status: 400, ct: "application/x-amz-json-1.0",
			want: errorReply{Code: ddbThrottle, Message: "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."},
		},
		{
			name:  "json 1.1 throttle",
			fault: Fault{Kind: Throttle},
			req: func(t *testing.T, base string) *http.Request {
				r := jsonReq(t, base, "Kinesis_20131202.PutRecords", `{}`)
				r.Header.Set("Content-Type", "application/x-amz-json-1.1")
				return r
			},
			status: 400, ct: "application/x-amz-json-1.1",
			want: errorReply{Code: "ThrottlingException", Message: "Rate exceeded"},
		},
		{
			name:  "query throttle",
			fault: Fault{Kind: Throttle},
			req: func(t *testing.T, base string) *http.Request {
				return queryReq(t, base, "SendMessage")
			},
			status: 400, ct: "text/xml",
			want: errorReply{Type: "Sender", Code: "Throttling", Message: "Rate exceeded"},
		},
		{
			name:  "rest throttle",
			fault: Fault{Kind: Throttle},
			req: func(t *testing.T, base string) *http.Request {
				return restReq(t, "PUT", base, "/bucket/key", "data")
			},
			status: 503, ct: "application/xml",
			want: errorReply{Code: "SlowDown", Message: "Please reduce your request rate."},
		},
		{
			name:  "throttle overrides and retry-after",
			fault: Fault{Kind: Throttle, Status: 429, Code: "TooManyRequestsException", Message: "calm down", RetryAfter: 1500 * time.Millisecond},
			req: func(t *testing.T, base string) *http.Request {
				return jsonReq(t, base, "Lambda.Invoke", `{}`)
			},
			status: 429, ct: "application/x-amz-json-1.0",
			want:       errorReply{Code: "TooManyRequestsException", Message: "calm down"},
			retryAfter: "1500",
		},
		{
			name:  "dynamodb internal error",
			fault: Fault{Kind: ServerError},
			req: func(t *testing.T, base string) *http.Request {
				return jsonReq(t, base, "DynamoDB_20120810.GetItem", `{}`)
			},
			status: 500, ct: "application/x-amz-json-1.0",
			want: errorReply{Code: "com.amazonaws.dynamodb.v20120810#InternalServerError", Message: "We encountered an internal error. Please try again."},
		},
		{
			name:  "json internal failure",
			fault: Fault{Kind: ServerError},
			req: func(t *testing.T, base string) *http.Request {
				return jsonReq(t, base, "AmazonSQS.SendMessage", `{}`)
			},
			status: 500, ct: "application/x-amz-json-1.0",
			want: errorReply{Code: "InternalFailure", Message: "We encountered an internal error. Please try again."},
		},
		{
			name:  "dynamodb unavailable",
			fault: Fault{Kind: ServerError, Status: 503},
			req: func(t *testing.T, base string) *http.Request {
				return jsonReq(t, base, "DynamoDB_20120810.GetItem", `{}`)
			},
			status: 503, ct: "application/x-amz-json-1.0",
			want: errorReply{Code: "com.amazonaws.dynamodb.v20120810#ServiceUnavailable", Message: "Service is unavailable. Please try again."},
		},
		{
			name:  "query unavailable",
			fault: Fault{Kind: ServerError, Status: 503, RetryAfter: 200 * time.Microsecond},
			req: func(t *testing.T, base string) *http.Request {
				return queryReq(t, base, "ReceiveMessage")
			},
			status: 503, ct: "text/xml",
			want:       errorReply{Type: "Receiver", Code: "ServiceUnavailable", Message: "Service is unavailable. Please try again."},
			retryAfter: "1",
		},
		{
			name:  "rest internal error",
			fault: Fault{Kind: ServerError},
			req: func(t *testing.T, base string) *http.Request {
				return restReq(t, "GET", base, "/bucket/key", "")
			},
			status: 500, ct: "application/xml",
			want: errorReply{Code: "InternalError", Message: "We encountered an internal error. Please try again."},
		},
		{
			name:  "rest unavailable with code override",
			fault: Fault{Kind: ServerError, Status: 503, Code: "ServiceUnavailable", Message: "<&>"},
			req: func(t *testing.T, base string) *http.Request {
				return restReq(t, "GET", base, "/bucket/key", "")
			},
			status: 503, ct: "application/xml",
			want: errorReply{Code: "ServiceUnavailable", Message: "<&>"},
		},
	}
	c := newClient(t, true)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := newBackend(t, nil)
			p := startProxy(t, be.URL, Config{Rules: []Rule{{Fault: tt.fault, Rate: 1}}})
			res := doOK(t, c, tt.req(t, p.URL()))
			require.Equal(t, tt.status, res.status)
			require.Equal(t, tt.ct, res.header.Get("Content-Type"))
			require.Equal(t, strconv.Itoa(len(res.body)), res.header.Get("Content-Length"))
			got := parseError(t, res)
			require.NotEmpty(t, got.RequestID)
			got.RequestID = ""
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.retryAfter, res.header.Get("x-amz-retry-after"))
			if strings.HasPrefix(tt.want.Code, "com.amazonaws.dynamodb") {
				require.Equal(t, strconv.FormatUint(uint64(crc32.ChecksumIEEE(res.body)), 10), res.header.Get("x-amz-crc32"))
			}
			require.Zero(t, be.hits.Load(), "nothing is forwarded")
			require.Equal(t, int64(1), p.Stats().Injected[tt.fault.Kind])
		})
	}
}

func TestMatcher(t *testing.T) {
	throttle := Fault{Kind: Throttle}
	tests := []struct {
		name      string
		match     Matcher
		req       func(t *testing.T, base string) *http.Request
		throttled bool
	}{
		{"zero matcher matches all", Matcher{}, func(t *testing.T, b string) *http.Request { return restReq(t, "GET", b, "/x", "") }, true},
		{"json op", Op("BatchWriteItem"), func(t *testing.T, b string) *http.Request {
			return jsonReq(t, b, "DynamoDB_20120810.BatchWriteItem", "{}")
		}, true},
		{"json other op", Op("BatchWriteItem"), func(t *testing.T, b string) *http.Request {
			return jsonReq(t, b, "DynamoDB_20120810.GetItem", "{}")
		}, false},
		{"one of several ops", Op("PutItem", "GetItem"), func(t *testing.T, b string) *http.Request {
			return jsonReq(t, b, "DynamoDB_20120810.GetItem", "{}")
		}, true},
		{"query op", Op("SendMessage"), func(t *testing.T, b string) *http.Request { return queryReq(t, b, "SendMessage") }, true},
		{"rest never matches an op", Op("PutObject"), func(t *testing.T, b string) *http.Request {
			return restReq(t, "PUT", b, "/bucket/key", "x")
		}, false},
		{"method and prefix", Matcher{Method: "put", PathPrefix: "/bucket/"}, func(t *testing.T, b string) *http.Request {
			return restReq(t, "PUT", b, "/bucket/key", "x")
		}, true},
		{"method differs", Matcher{Method: "PUT", PathPrefix: "/bucket/"}, func(t *testing.T, b string) *http.Request {
			return restReq(t, "GET", b, "/bucket/key", "")
		}, false},
		{"prefix differs", Matcher{Method: "PUT", PathPrefix: "/bucket/"}, func(t *testing.T, b string) *http.Request {
			return restReq(t, "PUT", b, "/other/key", "x")
		}, false},
	}
	be := newBackend(t, nil)
	c := newClient(t, true)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startProxy(t, be.URL, Config{Rules: []Rule{{Match: tt.match, Fault: throttle, Rate: 1}}})
			res := doOK(t, c, tt.req(t, p.URL()))
			require.Equal(t, tt.throttled, res.status != http.StatusOK, "status %d", res.status)
		})
	}
}

func isConnError(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.EPIPE)
}

func TestReset(t *testing.T) {
	tests := []struct {
		name    string
		fault   Fault
		body    string
		wantHit bool
	}{
		{name: "before reading", fault: Fault{Kind: Reset}, body: `{"a":1}`},
		{name: "after reading the body", fault: Fault{Kind: Reset, ReadBody: true}, body: strings.Repeat("x", 1<<20)},
		{name: "after forwarding", fault: Fault{Kind: Reset, Forward: true}, body: `{"a":1}`, wantHit: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := newBackend(t, nil)
			p := startProxy(t, be.URL, Config{Rules: []Rule{{Match: Op("PutItem"), Fault: tt.fault, Rate: 1}}})
			c := newClient(t, false)
			res := do(t, c, jsonReq(t, p.URL(), "DynamoDB_20120810.PutItem", tt.body))
			require.Error(t, res.err)
			require.True(t, isConnError(res.err), "a connection error, got %v", res.err)
			require.Zero(t, res.status)
			require.Equal(t, tt.wantHit, be.hits.Load() == 1)
			st := p.Stats()
			require.Equal(t, int64(1), st.Injected[Reset])
			require.Equal(t, int64(1), st.ByOperation["PutItem"].Injected[Reset])

			// The proxy keeps serving.
			res = doOK(t, c, jsonReq(t, p.URL(), "DynamoDB_20120810.GetItem", `{}`))
			require.Equal(t, http.StatusOK, res.status)
		})
	}
}

// TestResetIsRST checks, below net/http, that the connection ends with an RST.
func TestResetIsRST(t *testing.T) {
	be := newBackend(t, nil)
	p := startProxy(t, be.URL, Config{Rules: []Rule{{Fault: Fault{Kind: Reset}, Rate: 1}}})
	conn, err := netDial(p.URL())
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	n, err := conn.Read(make([]byte, 100))
	require.Zero(t, n, "no response byte")
	require.ErrorIs(t, err, syscall.ECONNRESET)
}

func TestLatency(t *testing.T) {
	be := newBackend(t, nil)
	c := newClient(t, true)

	t.Run("fixed", func(t *testing.T) {
		p := startProxy(t, be.URL, Config{Rules: []Rule{{Fault: Fault{Kind: Latency, Delay: 150 * time.Millisecond}, Rate: 1}}})
		start := time.Now()
		res := doOK(t, c, restReq(t, "GET", p.URL(), "/", ""))
		require.Equal(t, http.StatusOK, res.status)
		require.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
		require.Equal(t, int64(1), p.Stats().Injected[Latency])
	})

	t.Run("uniform range", func(t *testing.T) {
		p := startProxy(t, be.URL, Config{Seed: 3, Rules: []Rule{{Fault: Fault{Kind: Latency, Delay: 20 * time.Millisecond, MaxDelay: 60 * time.Millisecond}, Rate: 1}}})
		for range 5 {
			start := time.Now()
			doOK(t, c, restReq(t, "GET", p.URL(), "/", ""))
			require.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)
		}
		// The draws themselves: all in range and not all equal.
		st := &state{cfg: Config{Seed: 3, Rules: []Rule{{Fault: Fault{Kind: Latency, Delay: 20 * time.Millisecond, MaxDelay: 60 * time.Millisecond}, Rate: 1}}}}
		seen := map[time.Duration]bool{}
		for range 50 {
			r := restReq(t, "GET", "http://x", "/", "")
			cl := &call{r: r, st: st, rng: st.next()}
			d, rule := cl.plan()
			require.Nil(t, rule)
			require.GreaterOrEqual(t, d, 20*time.Millisecond)
			require.LessOrEqual(t, d, 60*time.Millisecond)
			seen[d] = true
		}
		require.Greater(t, len(seen), 10)
	})

	t.Run("combines with another fault", func(t *testing.T) {
		p := startProxy(t, be.URL, Config{Rules: []Rule{
			{Fault: Fault{Kind: Latency, Delay: 100 * time.Millisecond}, Rate: 1},
			{Fault: Fault{Kind: Throttle}, Rate: 1},
		}})
		start := time.Now()
		res := doOK(t, c, restReq(t, "GET", p.URL(), "/", ""))
		require.Equal(t, http.StatusServiceUnavailable, res.status)
		require.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
		st := p.Stats()
		require.Equal(t, map[Kind]int64{Latency: 1, Throttle: 1}, st.Injected)
	})

	// A client that gives up must free the handler long before the delay ends.
	cancels := []struct {
		name string
		req  func(t *testing.T, base string) *http.Request
	}{
		{"no body", func(t *testing.T, b string) *http.Request { return restReq(t, "GET", b, "/", "") }},
		{"small body", func(t *testing.T, b string) *http.Request {
			return jsonReq(t, b, "DynamoDB_20120810.BatchWriteItem", `{"RequestItems":{}}`)
		}},
	}
	for _, tt := range cancels {
		t.Run("client cancels/"+tt.name, func(t *testing.T) {
			p := startProxy(t, be.URL, Config{Rules: []Rule{{Fault: Fault{Kind: Latency, Delay: time.Minute}, Rate: 1}}})
			hits := be.hits.Load()
			res := do(t, newClient(t, false), withTimeout(t, tt.req(t, p.URL()), 200*time.Millisecond))
			require.Error(t, res.err)
			require.Eventually(t, func() bool { return p.Stats().InFlight == 0 }, 5*time.Second, 10*time.Millisecond)
			require.Equal(t, hits, be.hits.Load(), "nothing forwarded")
		})
	}

	t.Run("close cancels", func(t *testing.T) {
		p, err := New(be.URL, Config{Rules: []Rule{{Fault: Fault{Kind: Latency, Delay: time.Minute}, Rate: 1}}})
		require.NoError(t, err)
		url, err := p.Start()
		require.NoError(t, err)
		errc := make(chan error, 1)
		cl := newClient(t, false)
		go func() {
			res := do(t, cl, restReq(t, "GET", url, "/", ""))
			errc <- res.err
		}()
		require.Eventually(t, func() bool { return p.Stats().InFlight == 1 }, 5*time.Second, 5*time.Millisecond)
		start := time.Now()
		require.NoError(t, p.Close())
		require.Less(t, time.Since(start), 5*time.Second)
		require.Error(t, <-errc)
	})
}

func TestTruncate(t *testing.T) {
	body := strings.Repeat("0123456789", 100) // 1000 bytes
	fixed := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Header().Set("ETag", `"abc"`)
		_, _ = io.WriteString(w, body)
	})
	chunked := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		for i := range 10 {
			_, _ = io.WriteString(w, body[i*100:(i+1)*100])
			http.NewResponseController(w).Flush()
		}
	})
	empty := newBackend(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	tests := []struct {
		name     string
		target   string
		bytes    int64
		wantLen  int64 // Content-Length the client sees
		wantBody int   // bytes the client reads
		wantCut  bool
	}{
		{name: "half by default", target: fixed.URL, wantLen: 1000, wantBody: 500, wantCut: true},
		{name: "fixed prefix", target: fixed.URL, bytes: 10, wantLen: 1000, wantBody: 10, wantCut: true},
		{name: "never the whole body", target: fixed.URL, bytes: 5000, wantLen: 1000, wantBody: 999, wantCut: true},
		{name: "chunked", target: chunked.URL, bytes: 250, wantLen: -1, wantBody: 250, wantCut: true},
		{name: "nothing to cut", target: empty.URL, wantLen: 0, wantBody: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startProxy(t, tt.target, Config{Rules: []Rule{{Fault: Fault{Kind: Truncate, Bytes: tt.bytes}, Rate: 1}}})
			resp, err := newClient(t, false).Get(p.URL() + "/b/k")
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, tt.wantLen, resp.ContentLength)
			got, err := io.ReadAll(resp.Body)
			require.Len(t, got, tt.wantBody)
			if !tt.wantCut {
				require.NoError(t, err)
				require.Zero(t, p.Stats().Injected[Truncate])
				return
			}
			require.ErrorIs(t, err, io.ErrUnexpectedEOF)
			require.Equal(t, body[:tt.wantBody], string(got))
			require.Equal(t, int64(1), p.Stats().Injected[Truncate])
			if tt.target == fixed.URL {
				require.Equal(t, `"abc"`, resp.Header.Get("ETag"))
			}
		})
	}
}

// outcome summarises a response for determinism checks.
func outcome(res result) string {
	if res.err != nil {
		return "error"
	}
	return strconv.Itoa(res.status)
}

func TestSeededDeterminism(t *testing.T) {
	be := newBackend(t, nil)
	cfg := func(seed int64) Config {
		return Config{Seed: seed, Rules: []Rule{
			{Match: Op("GetItem"), Fault: Fault{Kind: Throttle}, Rate: 0.3},
			{Fault: Fault{Kind: ServerError}, Rate: 0.2},
			{Match: Matcher{Method: "PUT"}, Fault: Fault{Kind: Reset}, Rate: 0.2},
			{Match: Matcher{Method: "GET"}, Fault: Fault{Kind: Truncate}, Rate: 0.2},
		}}
	}
	run := func(p *Proxy) []string {
		c := newClient(t, false)
		var out []string
		for i := range 60 {
			var r *http.Request
			switch i % 3 {
			case 0:
				r = jsonReq(t, p.URL(), "DynamoDB_20120810.GetItem", `{}`)
			case 1:
				r = restReq(t, "PUT", p.URL(), "/b/k", "data")
			default:
				r = restReq(t, "GET", p.URL(), "/b/k", "")
			}
			out = append(out, outcome(do(t, c, r)))
		}
		return out
	}
	a := startProxy(t, be.URL, cfg(42))
	b := startProxy(t, be.URL, cfg(42))
	other := startProxy(t, be.URL, cfg(7))
	first := run(a)
	require.Equal(t, first, run(b), "same seed, same faults")
	require.NotEqual(t, first, run(other), "another seed, other faults")
	require.Equal(t, a.Stats().Injected, b.Stats().Injected)
	require.Contains(t, first, "200")
	require.Contains(t, first, "error")
	require.Contains(t, first, "400")

	// SetConfig restarts the numbering: the same seed replays the stream.
	require.NoError(t, a.SetConfig(cfg(42)))
	require.Equal(t, first, run(a))
}

func TestStats(t *testing.T) {
	be := newBackend(t, nil)
	p := startProxy(t, be.URL, Config{Rules: []Rule{
		{Match: Op("Query"), Fault: Fault{Kind: Latency, Delay: time.Millisecond}, Rate: 1},
		{Match: Op("GetItem"), Fault: Fault{Kind: Throttle}, Rate: 1},
		{Match: Matcher{Method: "PUT"}, Fault: Fault{Kind: ServerError}, Rate: 1},
		{Match: Op("SendMessage"), Fault: Fault{Kind: Throttle}, Rate: 0}, // never fires
	}})
	c := newClient(t, true)
	require.Equal(t, Stats{Counts: Counts{Injected: map[Kind]int64{}}, ByOperation: map[string]Counts{}}, p.Stats())
	doOK(t, c, jsonReq(t, p.URL(), "DynamoDB_20120810.GetItem", `{}`))
	doOK(t, c, jsonReq(t, p.URL(), "DynamoDB_20120810.GetItem", `{}`))
	doOK(t, c, jsonReq(t, p.URL(), "DynamoDB_20120810.Query", `{}`))
	doOK(t, c, restReq(t, "PUT", p.URL(), "/b/k", "x"))
	doOK(t, c, restReq(t, "GET", p.URL(), "/b/k", ""))
	doOK(t, c, queryReq(t, p.URL(), "SendMessage"))

	st := p.Stats()
	require.Equal(t, Counts{Requests: 6, Forwarded: 3, Injected: map[Kind]int64{Throttle: 2, ServerError: 1, Latency: 1}}, st.Counts)
	require.Equal(t, map[string]Counts{
		"GetItem":     {Requests: 2, Injected: map[Kind]int64{Throttle: 2}},
		"Query":       {Requests: 1, Forwarded: 1, Injected: map[Kind]int64{Latency: 1}},
		"PUT":         {Requests: 1, Injected: map[Kind]int64{ServerError: 1}},
		"GET":         {Requests: 1, Forwarded: 1, Injected: map[Kind]int64{}},
		"SendMessage": {Requests: 1, Forwarded: 1, Injected: map[Kind]int64{}},
	}, st.ByOperation)
	require.Zero(t, st.InFlight)

	// Snapshots are copies.
	st.Injected[Throttle] = 100
	require.Equal(t, int64(2), p.Stats().Injected[Throttle])
}

// TestConcurrent hammers one proxy from many goroutines while its config is
// swapped; run with -race.
func TestConcurrent(t *testing.T) {
	be := newBackend(t, nil)
	cfgs := []Config{
		{Seed: 1, Rules: []Rule{{Fault: Fault{Kind: Throttle}, Rate: 0.3}, {Fault: Fault{Kind: Truncate}, Rate: 0.2}}},
		{Seed: 2, Rules: []Rule{{Fault: Fault{Kind: Reset}, Rate: 0.2}, {Fault: Fault{Kind: Latency, MaxDelay: 5 * time.Millisecond}, Rate: 0.5}}},
		{Seed: 3, Rules: []Rule{{Fault: Fault{Kind: PartialBatch}, Rate: 0.5}}},
	}
	p := startProxy(t, be.URL, cfgs[0])
	c := newClient(t, false)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				var r *http.Request
				if (w+i)%2 == 0 {
					r = jsonReq(t, p.URL(), "DynamoDB_20120810.BatchWriteItem", `{"RequestItems":{"t":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}},{"PutRequest":{"Item":{"pk":{"S":"b"}}}}]}}`)
				} else {
					r = restReq(t, "PUT", p.URL(), "/b/k", "data")
				}
				res := do(t, c, r)
				if res.err != nil && !isConnError(res.err) {
					t.Errorf("unexpected error: %v", res.err)
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 30 {
			if err := p.SetConfig(cfgs[i%len(cfgs)]); err != nil {
				t.Error(err)
			}
			time.Sleep(2 * time.Millisecond)
		}
	})
	wg.Wait()
	st := p.Stats()
	require.Equal(t, int64(workers*each), st.Requests)
	require.Zero(t, st.InFlight)
}

func TestLifecycle(t *testing.T) {
	be := newBackend(t, nil)
	t.Run("start twice", func(t *testing.T) {
		p := startProxy(t, be.URL, Config{})
		_, err := p.Start()
		require.ErrorContains(t, err, "already started")
	})
	t.Run("close without start, twice", func(t *testing.T) {
		p, err := New(be.URL, Config{})
		require.NoError(t, err)
		require.Empty(t, p.URL())
		require.NoError(t, p.Close())
		require.NoError(t, p.Close())
		_, err = p.Start()
		require.ErrorIs(t, err, ErrClosed)
	})
	t.Run("refuses after close", func(t *testing.T) {
		p, err := New(be.URL, Config{})
		require.NoError(t, err)
		url, err := p.Start()
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"))
		require.Equal(t, url, p.URL())
		require.NoError(t, p.Close())
		_, err = newClient(t, false).Get(url + "/")
		require.Error(t, err)
	})
}

// TestCloseLeavesNoGoroutines runs every fault, then checks that Close took
// every goroutine of the proxy with it.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	be := httptestServer(echoHandler)
	tr := &http.Transport{Proxy: nil}
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	p, err := New(be.URL, Config{})
	require.NoError(t, err)
	url, err := p.Start()
	require.NoError(t, err)
	for _, k := range []Kind{Throttle, ServerError, Reset, Latency, Truncate, PartialBatch} {
		f := Fault{Kind: k, Delay: time.Millisecond}
		require.NoError(t, p.SetConfig(Config{Rules: []Rule{{Fault: f, Rate: 1}}}))
		for range 3 {
			_ = do(t, c, jsonReq(t, url, "DynamoDB_20120810.BatchWriteItem", `{"RequestItems":{"t":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}},{"PutRequest":{"Item":{"pk":{"S":"b"}}}}]}}`))
			_ = do(t, c, restReq(t, "GET", url, "/b/k", ""))
		}
	}
	// A request still waiting when Close comes.
	require.NoError(t, p.SetConfig(Config{Rules: []Rule{{Fault: Fault{Kind: Latency, Delay: time.Minute}, Rate: 1}}}))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = do(t, c, restReq(t, "GET", url, "/", ""))
	}()
	require.Eventually(t, func() bool { return p.Stats().InFlight == 1 }, 5*time.Second, 5*time.Millisecond)
	require.NoError(t, p.Close())
	<-done
	tr.CloseIdleConnections()
	be.Close()
	goleak.VerifyNone(t, ignore)
}
