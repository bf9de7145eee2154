package wire

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The aws-sdk-go-v2 side: a real client whose HTTP client is the canned transport, so one
// call is its whole pipeline (serialize, sign, send, parse) minus the network.

func sdkDynamoDB(body string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", ""),
		HTTPClient:  newCanned("application/x-amz-json-1.0", body),
	})
}

func sdkS3(body string) *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", ""),
		HTTPClient:   newCanned("application/xml", body),
		UsePathStyle: true,
	})
}

func sdkItem() map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{
		"pk":      &ddbtypes.AttributeValueMemberS{Value: "user#000001"},
		"sk":      &ddbtypes.AttributeValueMemberS{Value: "profile"},
		"name":    &ddbtypes.AttributeValueMemberS{Value: "Ada Lovelace"},
		"email":   &ddbtypes.AttributeValueMemberS{Value: "ada1@example.com"},
		"age":     &ddbtypes.AttributeValueMemberN{Value: "36"},
		"score":   &ddbtypes.AttributeValueMemberN{Value: "1234.5"},
		"active":  &ddbtypes.AttributeValueMemberBOOL{Value: true},
		"tags":    &ddbtypes.AttributeValueMemberSS{Value: []string{"math", "poetry", "engines"}},
		"address": &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{"city": &ddbtypes.AttributeValueMemberS{Value: "London"}, "zip": &ddbtypes.AttributeValueMemberS{Value: "W1"}}},
		"history": &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{&ddbtypes.AttributeValueMemberN{Value: "1"}, &ddbtypes.AttributeValueMemberN{Value: "2"}, &ddbtypes.AttributeValueMemberN{Value: "3"}}},
		"avatar":  &ddbtypes.AttributeValueMemberB{Value: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")},
	}
}

func sdkKey() map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "user#000001"}, "sk": &ddbtypes.AttributeValueMemberS{Value: "profile"}}
}

var sdkOps = map[string]func(b *testing.B) func() error{
	"GetItem": func(b *testing.B) func() error {
		c := sdkDynamoDB(GetItemResponse())
		return func() error {
			out, err := c.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("users"), Key: sdkKey()})
			if err == nil && len(out.Item) != 11 {
				b.Fatalf("aws-sdk-go-v2 GetItem parsed %d attributes", len(out.Item))
			}
			return err
		}
	},
	"PutItem": func(b *testing.B) func() error {
		c := sdkDynamoDB(PutItemResponse())
		return func() error {
			_, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("users"), Item: sdkItem()})
			return err
		}
	},
	"Query": func(b *testing.B) func() error {
		c := sdkDynamoDB(QueryResponse(25))
		return func() error {
			out, err := c.Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String("users"),
				KeyConditionExpression:    aws.String("pk = :pk"),
				ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":pk": &ddbtypes.AttributeValueMemberS{Value: "user#000001"}}})
			if err == nil && len(out.Items) != 25 {
				b.Fatalf("aws-sdk-go-v2 Query parsed %d items", len(out.Items))
			}
			return err
		}
	},
	"ListObjectsV2": func(b *testing.B) func() error {
		c := sdkS3(ListObjectsV2Response(1000))
		return func() error {
			out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("bucket"), Prefix: aws.String("logs/")})
			if err == nil && len(out.Contents) != 1000 {
				b.Fatalf("aws-sdk-go-v2 ListObjectsV2 parsed %d keys", len(out.Contents))
			}
			return err
		}
	},
}
