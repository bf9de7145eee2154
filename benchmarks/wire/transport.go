package wire

import (
	"io"
	"net/http"
	"strconv"
	"strings"
)

// cannedDoer answers every request with the same status, headers and body, after reading the
// request body as a real transport would. It is what both SDKs send through.
type cannedDoer struct {
	status int
	header http.Header
	body   string
}

func newCanned(contentType, body string) *cannedDoer {
	// Content-Length as net/http's client reports it: in the header and the field.
	h := http.Header{"Content-Type": {contentType}, "X-Amzn-Requestid": {"REQ1"}, "Content-Length": {strconv.Itoa(len(body))}}
	return &cannedDoer{status: 200, header: h, body: body}
}

// Do implements aws-sdk-go-v2's HTTPClient.
func (c *cannedDoer) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return c.response(), nil
}

// RoundTrip implements http.RoundTripper.
func (c *cannedDoer) RoundTrip(req *http.Request) (*http.Response, error) { return c.Do(req) }

func (c *cannedDoer) response() *http.Response {
	return &http.Response{StatusCode: c.status, Header: c.header.Clone(), Body: io.NopCloser(strings.NewReader(c.body)), ContentLength: int64(len(c.body))}
}
