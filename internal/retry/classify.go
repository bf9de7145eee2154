package retry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aioaws/aioaws/aws"
)

// Class is what a failed attempt says about trying again.
type Class uint8

const (
	// NotRetryable: the request itself is wrong, or the caller gave up (its context was
	// cancelled or passed its deadline). The error is returned as is.
	NotRetryable Class = iota
	// Transient: a server-side fault (HTTP 500, 502, 503, 504, a "server" fault, transient
	// error codes) or a failed connection. Backs off from Options.BaseDelay.
	Transient
	// Throttle: the service asked the client to slow down (throttling error codes, HTTP 429).
	// Backs off from Options.ThrottleBaseDelay, costs fewer quota tokens, and in adaptive
	// mode lowers the client's send rate.
	Throttle
	// Timeout: a connection or I/O timeout (a net.Error whose Timeout() is true, a dial or
	// read deadline, an [AttemptTimeoutError]). Retried like Transient.
	Timeout
	// ClockSkew: the service rejected the request's signing time and the response's Date
	// header shows the client clock off by more than [ClockSkewThreshold]. The client must
	// correct its signing clock by Response.ClockSkew before the retry; retried once per call.
	ClockSkew
)

func (c Class) String() string {
	switch c {
	case NotRetryable:
		return "not retryable"
	case Transient:
		return "transient"
	case Throttle:
		return "throttle"
	case Timeout:
		return "timeout"
	case ClockSkew:
		return "clock skew"
	}
	return "Class(" + strconv.Itoa(int(c)) + ")"
}

// Retryable reports whether c is any class other than NotRetryable.
func (c Class) Retryable() bool { return c != NotRetryable }

// ClockSkewThreshold is how far the client's signing clock must be from the server's clock
// (Response.ClockSkew) before a clock-skew error code is taken as caused by skew and retried.
// Four minutes, as in the AWS SDKs' clock skew correction (SigV4 allows five).
const ClockSkewThreshold = 4 * time.Minute

// throttleCodes are the error codes classified as [Throttle] (as is HTTP status 429).
var throttleCodes = set(
	"Throttling",
	"ThrottlingException",
	"ThrottledException",
	"RequestThrottledException",
	"TooManyRequestsException",
	"ProvisionedThroughputExceededException",
	"TransactionInProgressException",
	"RequestLimitExceeded",
	"BandwidthLimitExceeded",
	"LimitExceededException",
	"RequestThrottled",
	"SlowDown",
	"PriorRequestNotComplete",
	"EC2ThrottledException",
)

// transientCodes are the error codes classified as [Transient] whatever their HTTP status.
var transientCodes = set(
	"RequestTimeout",
	"RequestTimeoutException",
	"InternalError",
	"InternalFailure",
	"InternalServerError",
	"InternalServerException",
	"ServiceUnavailable",
	"ServiceUnavailableException",
	"IDPCommunicationError",
)

// clockSkewCodes are the error codes that may mean the request's signing time was off. Each is
// classified as [ClockSkew] only when the observed skew passes ClockSkewThreshold, since
// services also use them for signatures that are simply wrong.
var clockSkewCodes = set(
	"RequestTimeTooSkewed",
	"RequestExpired",
	"RequestInTheFuture",
	"InvalidSignatureException",
	"SignatureDoesNotMatch",
	"AuthFailure",
)

func set(codes ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(codes))
	for _, c := range codes {
		m[c] = struct{}{}
	}
	return m
}

// Classify tells what err, the error of one attempt, says about trying again; info is what
// the client knows of that attempt's HTTP response (zero if none came). The order of the rules:
//
//  1. nil, or the caller's context.Canceled / context.DeadlineExceeded: NotRetryable — unless
//     wrapped in an [AttemptTimeoutError] (the client's per-attempt timeout): Timeout.
//  2. A service error (an *aws.APIError, or any error with an ErrorCode() string method; its
//     status, or else info.StatusCode): a throttling code or HTTP 429 → Throttle; a clock-skew
//     code with |info.ClockSkew| > ClockSkewThreshold → ClockSkew; a transient code, HTTP
//     500/502/503/504, or Fault "server" with a 5xx status → Transient. Any other
//     *aws.APIError → NotRetryable: the service answered and meant it.
//  3. Connection failures: DNS "no such host" and TLS certificate errors → NotRetryable;
//     timeouts (net.Error Timeout(), os.ErrDeadlineExceeded, ETIMEDOUT) → Timeout; ECONNRESET,
//     ECONNREFUSED, ECONNABORTED, EPIPE, io.EOF and io.ErrUnexpectedEOF (the response was cut
//     short), *net.OpError, HTTP/2 GOAWAY and other *url.Error → Transient.
//  4. Anything else → NotRetryable.
//
// Classify is safe for concurrent use.
func Classify(err error, info Response) Class {
	if err == nil {
		return NotRetryable
	}
	var attemptTimeout *AttemptTimeoutError
	if errors.As(err, &attemptTimeout) {
		return Timeout
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return NotRetryable
	}

	status := info.StatusCode
	var code, fault string
	var apiErr *aws.APIError
	if errors.As(err, &apiErr) {
		code, fault = apiErr.Code, apiErr.Fault
		if apiErr.StatusCode != 0 {
			status = apiErr.StatusCode
		}
	} else {
		var coder interface{ ErrorCode() string }
		if errors.As(err, &coder) {
			code = coder.ErrorCode()
		}
	}
	if c := classifyResponse(code, status, fault, info.ClockSkew); c != NotRetryable {
		return c
	}
	if apiErr != nil {
		return NotRetryable
	}
	return classifyConnection(err)
}

func classifyResponse(code string, status int, fault string, skew time.Duration) Class {
	if _, ok := throttleCodes[code]; ok || status == 429 {
		return Throttle
	}
	if _, ok := clockSkewCodes[code]; ok && (skew > ClockSkewThreshold || skew < -ClockSkewThreshold) {
		return ClockSkew
	}
	if _, ok := transientCodes[code]; ok {
		return Transient
	}
	switch status {
	case 500, 502, 503, 504:
		return Transient
	}
	if fault == "server" && status >= 500 && status <= 599 {
		return Transient
	}
	return NotRetryable
}

func classifyConnection(err error) Class {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return NotRetryable
		case dnsErr.IsTimeout:
			return Timeout
		}
		return Transient // a resolver that failed to answer
	}
	if isCertificateError(err) {
		return NotRetryable
	}

	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, syscall.ETIMEDOUT) {
		return Timeout
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return Timeout
	}

	for _, target := range connectionErrors {
		if errors.Is(err, target) {
			return Transient
		}
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return Transient // dial, read or write failed
	}
	// net/http's HTTP/1 and HTTP/2 transports report these as untyped errors.
	msg := err.Error()
	for _, s := range connectionMessages {
		if strings.Contains(msg, s) {
			return Transient
		}
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return Transient // the round trip failed before a response
	}
	return NotRetryable
}

var connectionErrors = []error{
	syscall.ECONNRESET,
	syscall.ECONNREFUSED,
	syscall.ECONNABORTED,
	syscall.EPIPE,
	io.EOF,
	io.ErrUnexpectedEOF,
	net.ErrClosed,
}

var connectionMessages = []string{
	"connection reset",
	"broken pipe",
	"use of closed network connection",
	"server closed idle connection",
	"GOAWAY",
}

func isCertificateError(err error) bool {
	var verify *tls.CertificateVerificationError
	var authority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &authority) ||
		errors.As(err, &hostname) || errors.As(err, &invalid)
}
