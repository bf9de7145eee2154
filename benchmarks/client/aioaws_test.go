package client

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/benchmarks/cannedserver"
	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/dynamodb"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/transport"
)

// The aioaws side: one DynamoDB and one S3 client sharing one transport (as a session would),
// MaxInFlight 64, static credentials, endpoint_url set to the canned server.

var aio struct {
	once    sync.Once
	ddb, s3 *client.Client
	err     error
}

func aioawsClients(url string) (*client.Client, *client.Client, error) {
	aio.once.Do(func() {
		tr, err := transport.New(transport.Options{MaxInFlight: maxConns})
		if err != nil {
			aio.err = err
			return
		}
		atExit(tr.Close)
		opts := client.Options{
			Region:      region,
			Endpoint:    url,
			Credentials: aws.StaticCredentials{AccessKeyID: accessKey, SecretAccessKey: secretKey},
			Transport:   tr,
		}
		var ddbModel, s3Model *models.Service
		if ddbModel, aio.err = models.Load("dynamodb"); aio.err != nil {
			return
		}
		if s3Model, aio.err = models.Load("s3"); aio.err != nil {
			return
		}
		if aio.ddb, aio.err = client.New(ddbModel, opts); aio.err != nil {
			return
		}
		aio.s3, aio.err = client.New(s3Model, opts, func(o *client.Options) { o.S3.ForcePathStyle = true })
	})
	return aio.ddb, aio.s3, aio.err
}

// aioawsItem is the 11-attribute item PutItem writes (the same as the other clients').
func aioawsItem() map[string]any {
	s := func(v string) map[string]any { return map[string]any{"S": v} }
	n := func(v string) map[string]any { return map[string]any{"N": v} }
	return map[string]any{
		"pk": s("user#000001"), "sk": s("profile"), "name": s("Ada Lovelace"), "email": s("ada1@example.com"),
		"age": n("36"), "score": n("1234.5"), "active": map[string]any{"BOOL": true},
		"tags":    map[string]any{"SS": []any{"math", "poetry", "engines"}},
		"address": map[string]any{"M": map[string]any{"city": s("London"), "zip": s("W1")}},
		"history": map[string]any{"L": []any{n("1"), n("2"), n("3")}},
		"avatar":  map[string]any{"B": avatar},
	}
}

var aioawsOps = map[string]func(url string) (call, error){
	// Calls use the typed API, client.CallInto, as aws-sdk-go-v2's callers get typed outputs.
	"GetItem": func(url string) (call, error) {
		ddb, _, err := aioawsClients(url)
		if err != nil {
			return nil, err
		}
		in := map[string]any{"TableName": table, "Key": map[string]any{"pk": map[string]any{"S": "user#000001"}, "sk": map[string]any{"S": "profile"}}}
		return func(deep bool) error {
			out, err := client.CallInto[getItemOutput](context.Background(), ddb, "GetItem", in)
			if err != nil {
				return err
			}
			if len(out.Item) != 11 {
				return fmt.Errorf("GetItem: got %d attributes, want 11: %v", len(out.Item), out)
			}
			if deep {
				return checkAioawsItem(out.Item)
			}
			return nil
		}, nil
	},
	"PutItem": func(url string) (call, error) {
		ddb, _, err := aioawsClients(url)
		if err != nil {
			return nil, err
		}
		in := map[string]any{"TableName": table, "Item": aioawsItem()}
		return func(deep bool) error {
			out, err := client.CallInto[putItemOutput](context.Background(), ddb, "PutItem", in)
			if err == nil && deep && out.Attributes != nil {
				return fmt.Errorf("PutItem: unexpected output %v", out)
			}
			return err
		}, nil
	},
	"PutObject": func(url string) (call, error) {
		_, s3, err := aioawsClients(url)
		if err != nil {
			return nil, err
		}
		in := map[string]any{"Bucket": bucket, "Key": putKey, "Body": cannedserver.PutPayload(), "ContentType": "application/octet-stream"}
		return func(bool) error {
			out, err := client.CallInto[putObjectOutput](context.Background(), s3, "PutObject", in)
			if err != nil {
				return err
			}
			if out.ETag == nil || *out.ETag != cannedserver.PutETag() {
				return fmt.Errorf("PutObject: ETag %v, want %s", out.ETag, cannedserver.PutETag())
			}
			return nil
		}, nil
	},
	"GetObject": func(url string) (call, error) {
		_, s3, err := aioawsClients(url)
		if err != nil {
			return nil, err
		}
		in := map[string]any{"Bucket": bucket, "Key": getKey}
		return func(deep bool) error {
			out, err := s3.Call(context.Background(), "GetObject", in)
			if err != nil {
				return err
			}
			body, ok := out["Body"].(io.ReadCloser)
			if !ok {
				return fmt.Errorf("GetObject: Body is %T", out["Body"])
			}
			err = readObject(body, deep)
			if cerr := body.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if out["ETag"] != cannedserver.ObjectETag() || out["ContentLength"] != int64(cannedserver.ObjectSize) {
				return fmt.Errorf("GetObject: ETag %v ContentLength %v", out["ETag"], out["ContentLength"])
			}
			return nil
		}, nil
	},
}

// The typed outputs, declared the way a CallInto caller would: DynamoDB items as
// dynamodb.Item, the type aioaws offers for them.
type (
	getItemOutput   struct{ Item dynamodb.Item }
	putItemOutput   struct{ Attributes dynamodb.Item }
	putObjectOutput struct{ ETag *string }
)

// wantItem is the item the canned server answers GetItem with.
var wantItem = dynamodb.Item{
	"pk": dynamodb.S("user#000001"), "sk": dynamodb.S("profile"), "name": dynamodb.S("Ada Lovelace"), "email": dynamodb.S("ada1@example.com"),
	"age": dynamodb.N("36"), "score": dynamodb.N("1234.5"), "active": dynamodb.Bool(true),
	"tags":    dynamodb.SS("math", "poetry", "engines"),
	"address": dynamodb.M(dynamodb.Item{"city": dynamodb.S("London"), "zip": dynamodb.S("W1")}),
	"history": dynamodb.L(dynamodb.N("1"), dynamodb.N("2"), dynamodb.N("3")),
	"avatar":  dynamodb.B(avatar),
}

// checkAioawsItem compares a parsed GetItem item with what the server sent.
func checkAioawsItem(item dynamodb.Item) error {
	if !item.Equal(wantItem) {
		return fmt.Errorf("GetItem: got %v, want %v", item, wantItem)
	}
	return nil
}
