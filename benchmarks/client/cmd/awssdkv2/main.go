// Command awssdkv2 is the aws-sdk-go-v2 side of the client binary-size comparison: it creates
// a DynamoDB and an S3 client and makes one GetItem and one GetObject call to the endpoint
// given as its argument (the canned server).
//
//	awssdkv2 http://127.0.0.1:PORT
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: awssdkv2 ENDPOINT_URL")
	}
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "")
	ddb := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(os.Args[1]), Credentials: creds})
	s3c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(os.Args[1]), Credentials: creds, UsePathStyle: true})

	item, err := ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("users"), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "user#000001"}, "sk": &types.AttributeValueMemberS{Value: "profile"}}})
	if err != nil {
		log.Fatal(err)
	}
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String("objects/get-1m.bin")})
	if err != nil {
		log.Fatal(err)
	}
	n, err := io.Copy(io.Discard, obj.Body)
	obj.Body.Close()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(item.Item), "attributes;", n, "bytes")
}
