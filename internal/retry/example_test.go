package retry_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/internal/retry"
)

// A client's call loop: the service throttles twice, the second time asking for 1.5 s through
// x-amz-retry-after, then answers.
func Example() {
	r := retry.New(retry.Options{
		Rand: func() float64 { return 0.5 }, // fixed jitter for the example
		Sleep: func(_ context.Context, d time.Duration) error {
			fmt.Println("sleep", d)
			return nil
		},
	})

	responses := []struct {
		err  error
		info retry.Response
	}{
		{&aws.APIError{Code: "ThrottlingException", StatusCode: 400}, retry.Response{StatusCode: 400}},
		{&aws.APIError{Code: "ThrottlingException", StatusCode: 400},
			retry.Response{StatusCode: 400, Header: http.Header{"X-Amz-Retry-After": {"1500"}}}},
		{nil, retry.Response{StatusCode: 200}},
	}

	ctx := context.Background()
	a := r.Begin()
	for i := 0; ; i++ {
		if err := a.BeforeAttempt(ctx); err != nil {
			fmt.Println(err)
			return
		}
		resp := responses[i]
		d, stop := a.After(resp.err, resp.info)
		if stop != nil {
			fmt.Println(stop)
			return
		}
		if d == 0 {
			fmt.Printf("done after %d attempts: err=%v, quota %d\n", a.Attempt(), resp.err, r.QuotaAvailable())
			return
		}
		fmt.Printf("attempt %d: %s, retry in %v\n", a.Attempt(), a.LastClass(), d)
		if err := a.Wait(ctx, d); err != nil {
			fmt.Println(err)
			return
		}
	}
	// Output:
	// attempt 1: throttle, retry in 500ms
	// sleep 500ms
	// attempt 2: throttle, retry in 1.5s
	// sleep 1.5s
	// done after 3 attempts: err=<nil>, quota 495
}

// When the retry quota is empty the error says that the client, not AWS, refused.
func ExampleQuotaError() {
	r := retry.New(retry.Options{QuotaSize: 10})
	a := r.Begin()
	_, stop := a.After(&aws.APIError{Code: "InternalError", StatusCode: 500, Service: "sqs", Operation: "SendMessage"}, retry.Response{})
	fmt.Println(stop)
	var qe *retry.QuotaError
	fmt.Println(errors.As(stop, &qe))
	// Output:
	// retry quota exhausted: the client, not AWS, refused to retry: sqs SendMessage: api error InternalError (HTTP 500)
	// true
}
