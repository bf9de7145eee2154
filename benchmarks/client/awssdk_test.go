package client

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/aioaws/aioaws/benchmarks/cannedserver"
	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The aws-sdk-go-v2 side: real DynamoDB and S3 clients with their default pipelines (retries,
// DynamoDB's x-amz-crc32 check, S3's default request checksum), sharing one HTTP client whose
// idle pool is sized as the aioaws one; BaseEndpoint is the canned server, S3 is path-style.

var sdk struct {
	once sync.Once
	ddb  *dynamodb.Client
	s3   *s3.Client
}

func sdkClients(url string) (*dynamodb.Client, *s3.Client) {
	sdk.once.Do(func() {
		hc := awshttp.NewBuildableClient().WithTransportOptions(tuneTransport)
		creds := credentials.NewStaticCredentialsProvider(accessKey, secretKey, "")
		sdk.ddb = dynamodb.New(dynamodb.Options{Region: region, BaseEndpoint: aws.String(url), Credentials: creds, HTTPClient: hc})
		sdk.s3 = s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(url), Credentials: creds, HTTPClient: hc, UsePathStyle: true})
		atExit(func() { hc.GetTransport().CloseIdleConnections() })
	})
	return sdk.ddb, sdk.s3
}

func sdkItem() map[string]ddbtypes.AttributeValue {
	s := func(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberS{Value: v} }
	n := func(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberN{Value: v} }
	return map[string]ddbtypes.AttributeValue{
		"pk": s("user#000001"), "sk": s("profile"), "name": s("Ada Lovelace"), "email": s("ada1@example.com"),
		"age": n("36"), "score": n("1234.5"), "active": &ddbtypes.AttributeValueMemberBOOL{Value: true},
		"tags":    &ddbtypes.AttributeValueMemberSS{Value: []string{"math", "poetry", "engines"}},
		"address": &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{"city": s("London"), "zip": s("W1")}},
		"history": &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{n("1"), n("2"), n("3")}},
		"avatar":  &ddbtypes.AttributeValueMemberB{Value: avatar},
	}
}

// Inputs are built once and shared, as on the aioaws side (the SDK only reads them), except
// PutObject's, whose Body reader is consumed by each call.
var sdkOps = map[string]func(url string) (call, error){
	"GetItem": func(url string) (call, error) {
		ddb, _ := sdkClients(url)
		in := &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: "user#000001"}, "sk": &ddbtypes.AttributeValueMemberS{Value: "profile"}}}
		return func(deep bool) error {
			out, err := ddb.GetItem(context.Background(), in)
			if err != nil {
				return err
			}
			if len(out.Item) != 11 {
				return fmt.Errorf("GetItem: got %d attributes, want 11", len(out.Item))
			}
			if deep {
				return checkSDKItem(out.Item)
			}
			return nil
		}, nil
	},
	"PutItem": func(url string) (call, error) {
		ddb, _ := sdkClients(url)
		in := &dynamodb.PutItemInput{TableName: aws.String(table), Item: sdkItem()}
		return func(bool) error {
			_, err := ddb.PutItem(context.Background(), in)
			return err
		}, nil
	},
	"PutObject": func(url string) (call, error) {
		_, s3c := sdkClients(url)
		payload := cannedserver.PutPayload()
		return func(bool) error {
			out, err := s3c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(putKey),
				Body: bytes.NewReader(payload), ContentType: aws.String("application/octet-stream")})
			if err != nil {
				return err
			}
			if aws.ToString(out.ETag) != cannedserver.PutETag() {
				return fmt.Errorf("PutObject: ETag %v, want %s", aws.ToString(out.ETag), cannedserver.PutETag())
			}
			return nil
		}, nil
	},
	"GetObject": func(url string) (call, error) {
		_, s3c := sdkClients(url)
		in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(getKey)}
		return func(deep bool) error {
			out, err := s3c.GetObject(context.Background(), in)
			if err != nil {
				return err
			}
			err = readObject(out.Body, deep)
			if cerr := out.Body.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if aws.ToString(out.ETag) != cannedserver.ObjectETag() || aws.ToInt64(out.ContentLength) != cannedserver.ObjectSize {
				return fmt.Errorf("GetObject: ETag %v ContentLength %v", aws.ToString(out.ETag), aws.ToInt64(out.ContentLength))
			}
			return nil
		}, nil
	},
}

// checkSDKItem compares a parsed GetItem item with what the server sent.
func checkSDKItem(item map[string]ddbtypes.AttributeValue) error {
	want := sdkItem()
	for name, w := range want {
		if got := fmt.Sprintf("%#v", item[name]); got != fmt.Sprintf("%#v", w) {
			switch g := item[name].(type) {
			case *ddbtypes.AttributeValueMemberM, *ddbtypes.AttributeValueMemberL:
				if fmt.Sprint(flattenSDK(g)) == fmt.Sprint(flattenSDK(w)) {
					continue
				}
			}
			return fmt.Errorf("GetItem: %s = %s, want %#v", name, got, w)
		}
	}
	return nil
}

// flattenSDK renders nested attribute values by value (pointers differ).
func flattenSDK(v ddbtypes.AttributeValue) any {
	switch v := v.(type) {
	case *ddbtypes.AttributeValueMemberM:
		m := map[string]any{}
		for k, e := range v.Value {
			m[k] = flattenSDK(e)
		}
		return m
	case *ddbtypes.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = flattenSDK(e)
		}
		return l
	case *ddbtypes.AttributeValueMemberS:
		return "S:" + v.Value
	case *ddbtypes.AttributeValueMemberN:
		return "N:" + v.Value
	}
	return fmt.Sprintf("%#v", v)
}
