// Package retry decides whether, and when, a failed AWS call is tried again: the standard and
// adaptive retry modes of the AWS SDKs, with their 2026 behaviour (separate backoff bases for
// throttling and transient errors, x-amz-retry-after, the 14/5-token retry quota).
//
// # Shape
//
// A client makes one [Retryer] with [New]; it holds what the client's calls share: the retry
// quota and, in adaptive mode, the rate limiter. Each call gets its own [Attempts] from
// [Retryer.Begin], with a fresh backoff built for that call, and drives it:
// [Attempts.BeforeAttempt] before each attempt (waits only in adaptive mode), [Attempts.After]
// with each attempt's outcome (returns the delay before the next attempt, or why there is
// none), [Attempts.Wait] to sleep that delay. A Retryer is safe for concurrent use and starts
// no goroutine; an Attempts belongs to one call. The clock, the sleep and the jitter source
// are Options, so tests run on fake time.
//
// # What is retried
//
// [Classify] sorts an attempt's error into a [Class]:
//   - Throttle: error codes Throttling, ThrottlingException, ThrottledException,
//     RequestThrottledException, TooManyRequestsException, ProvisionedThroughputExceededException,
//     TransactionInProgressException, RequestLimitExceeded, BandwidthLimitExceeded,
//     LimitExceededException, RequestThrottled, SlowDown, PriorRequestNotComplete,
//     EC2ThrottledException, and HTTP 429.
//   - Transient: RequestTimeout, RequestTimeoutException, InternalError, InternalFailure,
//     InternalServerError, InternalServerException, ServiceUnavailable(Exception),
//     IDPCommunicationError; HTTP 500, 502, 503, 504; an *aws.APIError with Fault "server" and
//     a 5xx status; connection failures (reset, refused, broken pipe, EOF before the response
//     was complete, *net.OpError, *url.Error, HTTP/2 GOAWAY).
//   - Timeout: connection and I/O timeouts, and [AttemptTimeoutError] (the client's own
//     per-attempt timeout). Retried like Transient.
//   - ClockSkew: RequestTimeTooSkewed, RequestExpired, RequestInTheFuture,
//     InvalidSignatureException, SignatureDoesNotMatch, AuthFailure — only when the response's
//     Date header shows the client's signing clock more than [ClockSkewThreshold] (4 minutes)
//     off (Response.ClockSkew), since these codes also mean a plainly wrong signature. The
//     client corrects its signer by that skew; one such retry per call.
//   - NotRetryable: everything else, including the caller's own context.Canceled and
//     context.DeadlineExceeded, DNS "no such host" and TLS certificate errors.
//
// # When
//
// The n-th attempt's failure is followed, if retried, by a wait of
//
//	rand · min(base · 2^(n−1), MaxBackoff)
//
// ("full jitter", rand in [0,1), MaxBackoff applied before the jitter), where base is
// ThrottleBaseDelay (1 s) after a throttling error and BaseDelay (50 ms) otherwise; MaxBackoff
// is 20 s. DynamoDB ("dynamodb", "dynamodbstreams" in Options.Service) uses 25 ms and 4
// attempts. If the response has an x-amz-retry-after header (an integer of milliseconds), the
// wait is that value kept within [computed wait, computed wait + 5 s]; an invalid value is
// ignored. MaxAttempts (3) counts the first attempt; 1 disables retries.
//
// # Retry quota
//
// Every mode keeps a token bucket per Retryer, 500 tokens. A retry takes 14 tokens (after a
// transient error or a timeout) or 5 (after a throttling error); when the bucket lacks them,
// the call stops with a [*QuotaError] that says the client, not AWS, refused. A call that
// succeeds at once gives back 1 token; one that succeeds after retrying gives back what its
// last retry took. So a healthy client keeps its quota full and one facing an outage stops
// amplifying load after about 35 retries. A long-polling call ([Attempts.SetLongPolling])
// refused by the quota still gets its backoff delay, so a polling loop does not spin.
//
// # Adaptive mode
//
// Adaptive mode adds the SDKs' client-side rate limiter, shared by the client's calls: a token
// bucket that is off until the first throttling response, then refills at a rate set by CUBIC
// congestion control — on a throttle, 0.7 × min(measured send rate, current rate); on any
// other response, 0.4·(t−K)³ + Wmax, t seconds since the last throttle, Wmax the rate then,
// K = ∛(Wmax·0.3/0.4) — never more than twice the measured send rate (smoothed over
// half-second buckets, weight 0.8) nor less than 0.5 requests a second. BeforeAttempt waits for
// a token, honouring ctx.
//
// # Legacy mode
//
// Legacy is the standard machinery with botocore's legacy defaults: 5 attempts and a 1 s base
// for every error class (DynamoDB: 10 attempts, 50 ms).
//
// # Sources, and the choices where they differ
//
//   - AWS SDKs and Tools Reference Guide, "Retry behavior" (the 2026 page, behind
//     AWS_NEW_RETRIES_2026 until it becomes the default):
//     https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
//   - "Announcing updated retry behavior for AWS SDKs and Tools":
//     https://aws.amazon.com/blogs/developer/announcing-updated-retry-behavior-for-aws-sdks-and-tools/
//     and the per-SDK announcements, e.g. https://github.com/aws/aws-sdk-go-v2/issues/3416
//   - aws-sdk-go-v2 "Add preview of changes for standard retry mode behind flag":
//     https://github.com/aws/aws-sdk-go-v2/pull/3400 (costs 14/5, 50 ms/1 s bases, MaxBackoff
//     before jitter, x-amz-retry-after clamped to [t, t+5 s], DynamoDB 25 ms and 4 attempts);
//     smithy-rs "Implement retry behavior 2.1": https://github.com/smithy-lang/smithy-rs/pull/4638;
//     aws-cli/botocore: https://github.com/aws/aws-cli/pull/10342 (long-polling backoff).
//   - Adaptive mode: botocore retries/adaptive.py, retries/bucket.py, retries/throttling.py and
//     aws-sdk-go-v2 aws/retry/adaptive_ratelimit.go (CUBIC constants, measured rate).
//   - Clock skew: aws-sdk-go-v2 aws/retry (clock-skew codes retried only past a 4-minute skew).
//   - Full jitter: https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/
//
// Older material (the pre-2026 reference page, the JavaScript SDK's constants, the first brief
// of this package) gives a retry cost of 5, a timeout cost of 10, a 1 s (or 100 ms) base for
// every error and no x-amz-retry-after. The newest AWS reference documents win: costs 14
// (transient and timeout alike) and 5 (throttle), bases 50 ms and 1 s, and x-amz-retry-after
// bounded by [computed, computed+5 s] rather than by MaxBackoff. The older costs remain
// available through Options (RetryCost, TimeoutRetryCost, ThrottleRetryCost).
package retry
