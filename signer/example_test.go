package signer_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/signer"
)

// Sign a request in its headers, with a fixed clock: the get-vanilla case of the AWS SigV4
// test suite.
func ExampleSigner_Sign() {
	s := &signer.Signer{Now: func() time.Time { return time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC) }}
	creds := aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}

	req, err := http.NewRequest("GET", "https://example.amazonaws.com/", nil)
	if err != nil {
		panic(err)
	}
	if err := s.Sign(context.Background(), creds, req, signer.Options{Service: "service", Region: "us-east-1"}); err != nil {
		panic(err)
	}
	fmt.Println("X-Amz-Date:", req.Header.Get("X-Amz-Date"))
	fmt.Println("Authorization:", req.Header.Get("Authorization"))
	// Output:
	// X-Amz-Date: 20150830T123600Z
	// Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31
}

// Presign an S3 GET for a day: the presigned URL example of the S3 API reference.
func ExampleSigner_Presign() {
	creds := aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	req, err := http.NewRequest("GET", "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	if err != nil {
		panic(err)
	}
	opts := signer.Options{
		Service: "s3", Region: "us-east-1", Time: time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC),
		DisableURIPathEscaping: true, UnsignedPayload: true,
	}
	pre, err := new(signer.Signer).Presign(context.Background(), creds, req, 24*time.Hour, opts)
	if err != nil {
		panic(err)
	}
	fmt.Println(pre.Method, pre.URL)
	// Output:
	// GET https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404
}
