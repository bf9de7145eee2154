package retry

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
)

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

type codedErr string

func (e codedErr) Error() string     { return "coded " + string(e) }
func (e codedErr) ErrorCode() string { return string(e) }

func apiErr(code string, status int) *aws.APIError {
	return &aws.APIError{Code: code, StatusCode: status, Service: "dynamodb", Operation: "GetItem"}
}

func urlErr(err error) error {
	return &url.Error{Op: "Post", URL: "https://dynamodb.us-east-1.amazonaws.com/", Err: err}
}

func TestClassify(t *testing.T) {
	skewed := Response{ClockSkew: 10 * time.Minute}
	tests := []struct {
		name string
		err  error
		info Response
		want Class
	}{
		{"nil", nil, Response{}, NotRetryable},
		{"nil with 503", nil, Response{StatusCode: 503}, NotRetryable},
		{"plain error", errors.New("boom"), Response{}, NotRetryable},

		// Throttling.
		{"429 any code", apiErr("Whatever", 429), Response{}, Throttle},
		{"429 from info, no API error", errors.New("bad body"), Response{StatusCode: 429}, Throttle},
		{"wrapped throttle", fmt.Errorf("op: %w", apiErr("ThrottlingException", 400)), Response{}, Throttle},
		{"ErrorCode interface", codedErr("SlowDown"), Response{}, Throttle},

		// Transient.
		{"500", apiErr("", 500), Response{}, Transient},
		{"502", apiErr("BadGateway", 502), Response{}, Transient},
		{"503", apiErr("", 503), Response{}, Transient},
		{"504", apiErr("", 504), Response{}, Transient},
		{"503 from info", errors.New("unparseable body"), Response{StatusCode: 503}, Transient},
		{"501 client fault", apiErr("NotImplemented", 501), Response{}, NotRetryable},
		{"501 server fault", &aws.APIError{Code: "Custom", StatusCode: 501, Fault: "server"}, Response{}, Transient},
		{"server fault 4xx", &aws.APIError{Code: "Odd", StatusCode: 400, Fault: "server"}, Response{}, NotRetryable},
		{"status from APIError wins over info", apiErr("X", 400), Response{StatusCode: 503}, NotRetryable},
		{"status from info when APIError has none", apiErr("X", 0), Response{StatusCode: 503}, Transient},

		// Not retryable service errors.
		{"validation", apiErr("ValidationException", 400), Response{}, NotRetryable},
		{"conditional check", apiErr("ConditionalCheckFailedException", 400), Response{}, NotRetryable},
		{"access denied", apiErr("AccessDeniedException", 400), skewed, NotRetryable},
		{"API error wrapping EOF is the service's answer", fmt.Errorf("%w: %w", apiErr("Bad", 400), io.EOF), Response{}, NotRetryable},

		// Clock skew.
		{"skew code, skew known", apiErr("RequestTimeTooSkewed", 403), skewed, ClockSkew},
		{"skew code, client ahead", apiErr("SignatureDoesNotMatch", 403), Response{ClockSkew: -5 * time.Minute}, ClockSkew},
		{"skew code, skew small", apiErr("InvalidSignatureException", 400), Response{ClockSkew: time.Minute}, NotRetryable},
		{"skew code, skew unknown", apiErr("RequestExpired", 400), Response{}, NotRetryable},
		{"skew code at threshold", apiErr("AuthFailure", 401), Response{ClockSkew: ClockSkewThreshold}, NotRetryable},

		// Caller's context.
		{"canceled", context.Canceled, Response{}, NotRetryable},
		{"deadline", context.DeadlineExceeded, Response{}, NotRetryable},
		{"url error wrapping canceled", urlErr(context.Canceled), Response{}, NotRetryable},
		{"url error wrapping deadline", urlErr(context.DeadlineExceeded), Response{}, NotRetryable},
		{"per-attempt timeout", &AttemptTimeoutError{After: time.Second, Err: urlErr(context.DeadlineExceeded)}, Response{}, Timeout},
		{"wrapped per-attempt timeout", fmt.Errorf("send: %w", &AttemptTimeoutError{Err: context.DeadlineExceeded}), Response{}, Timeout},

		// Connections.
		{"connection refused", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), Response{}, Transient},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, Response{}, Transient},
		{"bare ECONNRESET", syscall.ECONNRESET, Response{}, Transient},
		{"broken pipe", fmt.Errorf("write: %w", syscall.EPIPE), Response{}, Transient},
		{"EOF", io.EOF, Response{}, Transient},
		{"unexpected EOF after headers", fmt.Errorf("reading body: %w", io.ErrUnexpectedEOF), Response{StatusCode: 200}, Transient},
		{"url error EOF", urlErr(io.EOF), Response{}, Transient},
		{"closed conn", net.ErrClosed, Response{}, Transient},
		{"http2 goaway", errors.New("http2: server sent GOAWAY and closed the connection"), Response{}, Transient},
		{"url error other", urlErr(errors.New("net/http: HTTP/1.x transport connection broken")), Response{}, Transient},

		// Timeouts.
		{"net timeout", urlErr(timeoutErr{}), Response{}, Timeout},
		{"deadline exceeded on conn", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, Response{}, Timeout},
		{"ETIMEDOUT", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ETIMEDOUT)}, Response{}, Timeout},
		{"dns timeout", &net.DNSError{Err: "timeout", Name: "x", IsTimeout: true}, Response{}, Timeout},

		// Permanent connection problems.
		{"no such host", urlErr(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}}), Response{}, NotRetryable},
		{"dns server failure", &net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}, Response{}, Transient},
		{"unknown authority", urlErr(x509.UnknownAuthorityError{}), Response{}, NotRetryable},
		{"bad hostname", urlErr(x509.HostnameError{Host: "x"}), Response{}, NotRetryable},
	}
	for _, code := range []string{
		"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
		"TooManyRequestsException", "ProvisionedThroughputExceededException",
		"TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
		"LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
		"EC2ThrottledException",
	} {
		tests = append(tests, struct {
			name string
			err  error
			info Response
			want Class
		}{"throttle code " + code, apiErr(code, 400), Response{}, Throttle})
	}
	for _, code := range []string{
		"RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure",
		"InternalServerError", "InternalServerException", "ServiceUnavailable",
		"ServiceUnavailableException", "IDPCommunicationError",
	} {
		tests = append(tests, struct {
			name string
			err  error
			info Response
			want Class
		}{"transient code " + code, apiErr(code, 400), Response{}, Transient})
	}
	for _, code := range []string{
		"RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException",
		"SignatureDoesNotMatch", "AuthFailure", "RequestInTheFuture",
	} {
		tests = append(tests, struct {
			name string
			err  error
			info Response
			want Class
		}{"skew code " + code, apiErr(code, 403), skewed, ClockSkew})
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Classify(tt.err, tt.info), "%v", tt.err)
		})
	}
}

func TestClassifyRealHTTPClientErrors(t *testing.T) {
	// A refused dial through a real http.Client: port 1 on loopback has no listener.
	resp, err := http.Get("http://127.0.0.1:1/")
	if resp != nil {
		resp.Body.Close()
		t.Skip("something listens on 127.0.0.1:1")
	}
	require.Equal(t, Transient, Classify(err, Response{}), "%v", err)

	// The caller's cancelled context through a real http.Client is never retried.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:1/", nil)
	resp, err = http.DefaultClient.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	require.Equal(t, NotRetryable, Classify(err, Response{}), "%v", err)
}

func TestClassString(t *testing.T) {
	require.Equal(t, "not retryable", NotRetryable.String())
	require.Equal(t, "transient", Transient.String())
	require.Equal(t, "throttle", Throttle.String())
	require.Equal(t, "timeout", Timeout.String())
	require.Equal(t, "clock skew", ClockSkew.String())
	require.Equal(t, "Class(42)", Class(42).String())
	require.False(t, NotRetryable.Retryable())
	require.True(t, Throttle.Retryable())
}
