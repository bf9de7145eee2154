package wire

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/dynamodb"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
	"github.com/aioaws/aioaws/protocol/codecs"
	"github.com/aioaws/aioaws/signer"
)

// The aioaws side: validate, serialize, build the http.Request, sign, send through the same
// canned transport, parse. (The client layer will add endpoint resolution from the cache and
// retries around exactly this.)

type wirePath struct {
	svc      *models.Service
	op       *models.Operation
	codec    protocol.Codec
	endpoint *url.URL
	signing  signer.Options
	doer     *cannedDoer
	signer   signer.Signer
	creds    aws.Credentials
}

func newPath(b *testing.B, service, operation, endpoint, contentType, body string) *wirePath {
	svc, err := models.Load(service)
	if err != nil {
		b.Fatal(err)
	}
	op, _ := svc.Operation(operation)
	codec, err := codecs.For(svc)
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse(endpoint)
	p := &wirePath{svc: svc, op: op, codec: codec, endpoint: u, doer: newCanned(contentType, body),
		creds: aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "SECRET"}}
	p.signing = signer.Options{Service: svc.Metadata.SigningName, Region: "us-east-1"}
	if service == "s3" {
		p.signing.DisableURIPathEscaping = true
		p.signing.ContentSHA256Header = true
	}
	return p
}

// call runs the operation; with a non-nil out it parses straight into out (the typed API, as
// client.CallInto does) and returns a nil document.
func (p *wirePath) call(in, out any) (map[string]any, error) {
	if err := protocol.Validate(p.op, in); err != nil {
		return nil, err
	}
	preq, err := p.codec.Build(p.op, in)
	if err != nil {
		return nil, err
	}
	u := *p.endpoint
	u.Host = preq.HostPrefix + u.Host
	u.Path += preq.Path
	u.RawPath = u.Path
	u.RawQuery = preq.RawQuery
	req := &http.Request{Method: preq.Method, URL: &u, Header: preq.Header, Host: u.Host}
	opts := p.signing
	if preq.Body != nil {
		req.Body = io.NopCloser(bytes.NewReader(preq.Body))
		req.ContentLength = int64(len(preq.Body))
		opts.Payload = preq.Body
	}
	if err := p.signer.Sign(context.Background(), p.creds, req, opts); err != nil {
		return nil, err
	}
	resp, err := p.doer.Do(req)
	if err != nil {
		return nil, err
	}
	presp := &protocol.Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: resp.Body}
	if out != nil {
		return nil, protocol.ParseInto(p.codec, p.op, presp, out)
	}
	return p.codec.Parse(p.op, presp)
}

// Typed outputs, as a caller of client.CallInto declares them: the API's shapes with pointers
// for optional members, the way aws-sdk-go (v1) declared them (aws-sdk-go-v2's are generated
// with interfaces for unions).
type (
	AttributeValue struct {
		S, N       *string
		B          []byte
		BOOL, NULL *bool
		SS, NS     []*string
		BS         [][]byte
		M          map[string]*AttributeValue
		L          []*AttributeValue
	}
	GetItemOutput struct{ Item map[string]*AttributeValue }
	QueryOutput   struct {
		Items            []map[string]*AttributeValue
		Count            *int64
		ScannedCount     *int64
		LastEvaluatedKey map[string]*AttributeValue
	}
	Object struct {
		Key          *string
		LastModified *time.Time
		ETag         *string
		Size         *int64
		StorageClass *string
		Owner        *struct{ ID, DisplayName *string }
	}
	ListObjectsV2Output struct {
		Contents              []*Object
		IsTruncated           *bool
		KeyCount              *int32
		Name, Prefix          *string
		NextContinuationToken *string
	}
)

func ddbItem() map[string]any {
	return map[string]any{
		"pk": map[string]any{"S": "user#000001"}, "sk": map[string]any{"S": "profile"},
		"name": map[string]any{"S": "Ada Lovelace"}, "email": map[string]any{"S": "ada1@example.com"},
		"age": map[string]any{"N": "36"}, "score": map[string]any{"N": "1234.5"}, "active": map[string]any{"BOOL": true},
		"tags":    map[string]any{"SS": []string{"math", "poetry", "engines"}},
		"address": map[string]any{"M": map[string]any{"city": map[string]any{"S": "London"}, "zip": map[string]any{"S": "W1"}}},
		"history": map[string]any{"L": []any{map[string]any{"N": "1"}, map[string]any{"N": "2"}, map[string]any{"N": "3"}}},
		"avatar":  map[string]any{"B": []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")},
	}
}

// ourOps make each operation's call through one of the apis that applies to it (see there).
var ourOps = map[string]func(b *testing.B, api string) func() error{
	"GetItem": func(b *testing.B, api string) func() error {
		p := newPath(b, "dynamodb", "GetItem", "https://dynamodb.us-east-1.amazonaws.com", "application/x-amz-json-1.0", GetItemResponse())
		in := map[string]any{"TableName": "users", "Key": map[string]any{"pk": map[string]any{"S": "user#000001"}, "sk": map[string]any{"S": "profile"}}}
		return func() error {
			switch api {
			case "item":
				var out struct{ Item dynamodb.Item }
				if _, err := p.call(in, &out); err != nil {
					return err
				}
				if name, _ := out.Item["name"].S(); len(out.Item) != 11 || name != "Ada Lovelace" {
					b.Fatalf("aioaws GetItem parsed %+v", out)
				}
				return nil
			case "typed":
				var out GetItemOutput
				if _, err := p.call(in, &out); err != nil {
					return err
				}
				if len(out.Item) != 11 || *out.Item["name"].S != "Ada Lovelace" {
					b.Fatalf("aioaws GetItem parsed %+v", out)
				}
				return nil
			}
			out, err := p.call(in, nil)
			if err == nil && len(out["Item"].(map[string]any)) != 11 {
				b.Fatalf("aioaws GetItem parsed %v", out)
			}
			return err
		}
	},
	"PutItem": func(b *testing.B, api string) func() error {
		p := newPath(b, "dynamodb", "PutItem", "https://dynamodb.us-east-1.amazonaws.com", "application/x-amz-json-1.0", PutItemResponse())
		in := map[string]any{"TableName": "users", "Item": ddbItem()}
		return func() error {
			switch api {
			case "item":
				var out struct{ Attributes dynamodb.Item }
				_, err := p.call(in, &out)
				return err
			case "typed":
				var out struct{ Attributes map[string]*AttributeValue }
				_, err := p.call(in, &out)
				return err
			}
			_, err := p.call(in, nil)
			return err
		}
	},
	"Query": func(b *testing.B, api string) func() error {
		p := newPath(b, "dynamodb", "Query", "https://dynamodb.us-east-1.amazonaws.com", "application/x-amz-json-1.0", QueryResponse(25))
		in := map[string]any{"TableName": "users", "KeyConditionExpression": "pk = :pk",
			"ExpressionAttributeValues": map[string]any{":pk": map[string]any{"S": "user#000001"}}}
		return func() error {
			switch api {
			case "item":
				var out struct {
					Items            []dynamodb.Item
					Count            int
					LastEvaluatedKey dynamodb.Item
				}
				if _, err := p.call(in, &out); err != nil {
					return err
				}
				if len(out.Items) != 25 || len(out.Items[24]) != 11 {
					b.Fatalf("aioaws Query parsed %d items", len(out.Items))
				}
				return nil
			case "typed":
				var out QueryOutput
				if _, err := p.call(in, &out); err != nil {
					return err
				}
				if len(out.Items) != 25 || len(out.Items[24]) != 11 {
					b.Fatalf("aioaws Query parsed %d items", len(out.Items))
				}
				return nil
			}
			out, err := p.call(in, nil)
			if err == nil && len(out["Items"].([]any)) != 25 {
				b.Fatalf("aioaws Query parsed %d items", len(out["Items"].([]any)))
			}
			return err
		}
	},
	"ListObjectsV2": func(b *testing.B, api string) func() error {
		p := newPath(b, "s3", "ListObjectsV2", "https://s3.us-east-1.amazonaws.com", "application/xml", ListObjectsV2Response(1000))
		in := map[string]any{"Bucket": "bucket", "Prefix": "logs/"}
		return func() error {
			if api == "typed" {
				var out ListObjectsV2Output
				if _, err := p.call(in, &out); err != nil {
					return err
				}
				if len(out.Contents) != 1000 || out.Contents[999].Key == nil {
					b.Fatalf("aioaws ListObjectsV2 parsed %d keys", len(out.Contents))
				}
				return nil
			}
			out, err := p.call(in, nil)
			if err == nil && len(out["Contents"].([]any)) != 1000 {
				b.Fatalf("aioaws ListObjectsV2 parsed %d keys", len(out["Contents"].([]any)))
			}
			return err
		}
	},
}

var opNames = []string{"GetItem", "PutItem", "Query", "ListObjectsV2"}

// The aioaws APIs measured: "item" parses DynamoDB attribute values into dynamodb.Item (the
// type aioaws offers for them; aws-sdk-go-v2 has its own union types); "typed" into the
// output types above, declared by the caller; "doc" into output documents.
var apis = []string{"item", "typed", "doc"}

// applies reports whether api applies to operation op: "item" to DynamoDB's only.
func applies(op, api string) bool { return api != "item" || op != "ListObjectsV2" }

// BenchmarkWire runs each operation on both SDKs: go test -run XXX -bench Wire -benchmem
func BenchmarkWire(b *testing.B) {
	for _, name := range opNames {
		sides := map[string]func(*testing.B) func() error{"aws-sdk-go-v2": sdkOps[name]}
		order := []string{}
		for _, api := range apis {
			if applies(name, api) {
				sides["aioaws-"+api] = func(b *testing.B) func() error { return ourOps[name](b, api) }
				order = append(order, "aioaws-"+api)
			}
		}
		for _, side := range append(order, "aws-sdk-go-v2") {
			b.Run(name+"/"+side, func(b *testing.B) {
				call := sides[side](b)
				b.ReportAllocs()
				for b.Loop() {
					if err := call(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestWireRatios measures both SDKs in the same run and prints aioaws/aws-sdk-go-v2 ratios,
// for each aioaws API. Run: go test -run WireRatios -v ./wire
func TestWireRatios(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: benchmarks take a while (-short)")
	}
	bench := func(newCall func(*testing.B) func() error) testing.BenchmarkResult {
		return testing.Benchmark(func(b *testing.B) {
			call := newCall(b)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := call(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, name := range opNames {
		theirs := bench(sdkOps[name])
		for _, api := range apis {
			if !applies(name, api) {
				continue
			}
			ours := bench(func(b *testing.B) func() error { return ourOps[name](b, api) })
			if ours.N == 0 || theirs.N == 0 {
				t.Fatalf("%s: a benchmark failed", name)
			}
			t.Logf("WIRE op=%s api=%s aioaws=%dns/%dallocs/%dB aws-sdk-go-v2=%dns/%dallocs/%dB ratio_ns=%.2f ratio_allocs=%.2f",
				name, api, ours.NsPerOp(), ours.AllocsPerOp(), ours.AllocedBytesPerOp(), theirs.NsPerOp(), theirs.AllocsPerOp(), theirs.AllocedBytesPerOp(),
				float64(ours.NsPerOp())/float64(theirs.NsPerOp()), float64(ours.AllocsPerOp())/float64(theirs.AllocsPerOp()))
		}
	}
}
