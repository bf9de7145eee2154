package retry

import (
	"fmt"
	"time"
)

// QuotaError is returned by [Attempts.After] when the error was retryable and attempts were
// left, but the client-side retry quota (a token bucket shared by every call of the client) had
// too few tokens for another attempt. No request was refused by AWS for this reason: the client
// chose not to retry, to avoid adding load while many calls fail. Err is the last attempt's error.
type QuotaError struct {
	Err error
}

func (e *QuotaError) Error() string {
	return "retry quota exhausted: the client, not AWS, refused to retry: " + errText(e.Err)
}

// Unwrap returns the last attempt's error.
func (e *QuotaError) Unwrap() error { return e.Err }

// AttemptsError is returned by [Attempts.After] when the error was retryable but the call has
// used all of its attempts (Options.MaxAttempts). Err is the last attempt's error.
type AttemptsError struct {
	Attempts int // attempts made, the first included
	Err      error
}

func (e *AttemptsError) Error() string {
	unit := "attempts"
	if e.Attempts == 1 {
		unit = "attempt"
	}
	return fmt.Sprintf("gave up after %d %s: %s", e.Attempts, unit, errText(e.Err))
}

// Unwrap returns the last attempt's error.
func (e *AttemptsError) Unwrap() error { return e.Err }

// AttemptTimeoutError marks an error as caused by the client's own per-attempt timeout while
// the caller's context was still live. The client wraps the transport's error in it, so that
// [Classify] reports [Timeout] (and the call is retried) instead of treating the
// context.DeadlineExceeded inside as the caller giving up, which is never retried.
type AttemptTimeoutError struct {
	After time.Duration // the per-attempt timeout that expired; zero if unknown
	Err   error
}

func (e *AttemptTimeoutError) Error() string {
	if e.After > 0 {
		return fmt.Sprintf("attempt timed out after %v: %s", e.After, errText(e.Err))
	}
	return "attempt timed out: " + errText(e.Err)
}

// Unwrap returns the transport's error.
func (e *AttemptTimeoutError) Unwrap() error { return e.Err }

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
