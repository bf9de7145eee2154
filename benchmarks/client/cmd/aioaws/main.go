// Command aioaws is the aioaws side of the client binary-size comparison: it creates a
// DynamoDB and an S3 client and makes one GetItem and one GetObject call to the endpoint
// given as its argument (the canned server).
//
//	aioaws http://127.0.0.1:PORT
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/models"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: aioaws ENDPOINT_URL")
	}
	ctx := context.Background()
	opts := client.Options{
		Region:      "us-east-1",
		Endpoint:    os.Args[1],
		Credentials: aws.StaticCredentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
	}
	ddbModel, err := models.Load("dynamodb")
	if err != nil {
		log.Fatal(err)
	}
	s3Model, err := models.Load("s3")
	if err != nil {
		log.Fatal(err)
	}
	ddb, err := client.New(ddbModel, opts)
	if err != nil {
		log.Fatal(err)
	}
	defer ddb.Close()
	s3, err := client.New(s3Model, opts, func(o *client.Options) { o.S3.ForcePathStyle = true })
	if err != nil {
		log.Fatal(err)
	}
	defer s3.Close()

	item, err := ddb.Call(ctx, "GetItem", map[string]any{"TableName": "users",
		"Key": map[string]any{"pk": map[string]any{"S": "user#000001"}, "sk": map[string]any{"S": "profile"}}})
	if err != nil {
		log.Fatal(err)
	}
	obj, err := s3.Call(ctx, "GetObject", map[string]any{"Bucket": "bench", "Key": "objects/get-1m.bin"})
	if err != nil {
		log.Fatal(err)
	}
	body := obj["Body"].(io.ReadCloser)
	n, err := io.Copy(io.Discard, body)
	body.Close()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(item["Item"].(map[string]any)), "attributes;", n, "bytes")
}
