package endpoints_test

import (
	"fmt"

	"github.com/aioaws/aioaws/endpoints"
	"github.com/aioaws/aioaws/models"
)

func Example() {
	cfg := &endpoints.Config{Region: "us-east-1"}

	ddb, err := models.Load("dynamodb")
	if err != nil {
		panic(err)
	}
	r, err := endpoints.ForService(ddb)
	if err != nil {
		panic(err)
	}
	ep, err := r.ResolveOperation(cfg, "GetItem", map[string]any{"TableName": "Music"})
	if err != nil {
		panic(err)
	}
	fmt.Println(ep.URL)

	s3, err := models.Load("s3")
	if err != nil {
		panic(err)
	}
	r, err = endpoints.ForService(s3)
	if err != nil {
		panic(err)
	}
	in := map[string]any{"Bucket": "amzn-s3-demo-bucket", "Key": "photos/cat.jpg"}
	ep, err = r.ResolveOperation(&endpoints.Config{Region: "us-west-2"}, "GetObject", in)
	if err != nil {
		panic(err)
	}
	fmt.Println(ep.URL)
	for _, s := range ep.AuthSchemes() {
		fmt.Println(s.Name, s.SigningName, s.SigningRegion, s.DisableDoubleEncoding)
	}

	// The same bucket with path-style addressing forced.
	cfg = &endpoints.Config{Region: "us-west-2", S3: endpoints.S3Config{ForcePathStyle: true}}
	ep, err = r.ResolveOperation(cfg, "GetObject", in)
	if err != nil {
		panic(err)
	}
	fmt.Println(ep.URL)
	// Output:
	// https://dynamodb.us-east-1.amazonaws.com
	// https://amzn-s3-demo-bucket.s3.us-west-2.amazonaws.com
	// sigv4 s3 us-west-2 true
	// https://s3.us-west-2.amazonaws.com/amzn-s3-demo-bucket
}

// A rule error is a *endpoints.RuleError carrying the rule's message.
func ExampleRuleError() {
	ddb, err := models.Load("dynamodb")
	if err != nil {
		panic(err)
	}
	r, err := endpoints.ForService(ddb)
	if err != nil {
		panic(err)
	}
	cfg := &endpoints.Config{Region: "us-east-1", UseFIPS: true, Endpoint: "https://localhost:8000"}
	_, err = r.ResolveOperation(cfg, "ListTables", nil)
	fmt.Println(err)
	// Output:
	// endpoints: Invalid Configuration: FIPS and custom endpoint are not supported
}
