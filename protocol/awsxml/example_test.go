package awsxml_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
	"github.com/aioaws/aioaws/protocol/awsxml"
)

func Example() {
	svc, err := models.Load("sts")
	if err != nil {
		panic(err)
	}
	c := awsxml.New(svc, awsxml.Query)
	op, _ := svc.Operation("GetCallerIdentity")

	req, err := c.Build(op, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(req.Method, req.Path, string(req.Body))

	body := `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`
	out, err := c.Parse(op, &protocol.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))})
	if err != nil {
		panic(err)
	}
	fmt.Println(out["Account"], out["Arn"])

	apiErr := c.ParseError(op, &protocol.Response{StatusCode: 403, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(
		`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`))})
	fmt.Println(apiErr.Code, apiErr.Fault, apiErr.RequestID)
	// Output:
	// POST / Action=GetCallerIdentity&Version=2011-06-15
	// 123456789012 arn:aws:iam::123456789012:user/alice
	// InvalidClientTokenId client r-1
}
