// Package transport is the pooled HTTP transport of aioaws: one tuned [net/http.Transport]
// behind a semaphore that bounds how many requests are in flight at once.
//
// It knows nothing of AWS: it sends [net/http.Request] values and returns
// [net/http.Response] values, and imports no other package of this module.
//
// # In-flight bound and queueing
//
// [Transport.Do] takes one of Options.MaxInFlight slots before it sends a request. When all
// slots are taken the request waits, first come first served (the Go runtime hands a freed
// slot of the channel semaphore to the longest-waiting sender). The wait honours the
// request's context: a caller whose context ends while queued gets an [*Error] with Op
// "queue" promptly, and no slot is taken or leaked. The idle-connection pool is sized to the
// same bound, so a burst of MaxInFlight requests finds warm connections on the next burst.
//
// # Body ownership
//
// The slot taken by Do is held until the response is finished with, which is when its Body is
// closed — not when it has been read to EOF. The contract is:
//
//   - On success, the response Body belongs to the caller, who must Close it exactly when
//     done with it, on every path (including after a read error or a cancelled context).
//     A body that is never closed holds its slot forever and, once MaxInFlight bodies are
//     leaked, every later Do waits.
//   - Closing the body first drains what is left of it, reading at most
//     Options.MaxDrainBytes+1 bytes (the extra byte lets a chunked body exactly MaxDrainBytes
//     long show its end): if the body ends within them, the HTTP/1.1 connection goes back to
//     the idle pool; a longer remainder is not read, and that connection is closed instead.
//     HTTP/2 bodies are not drained: closing one only resets its stream. Close then releases
//     the slot, exactly once; a second Close is a no-op. The drain reads are ended early by the request's context, so
//     a caller that does not want Close to wait on a slow server cancels the context first.
//   - On error, Do returns no response and has already released the slot. Like an
//     [net/http.RoundTripper], Do always closes the request Body, on success and on every
//     error, including a queue-wait failure (a caller that retries must give each attempt a
//     fresh or rewound body, for example through Request.GetBody).
//
// # Errors
//
// Every error from Do is an [*Error] whose Op tells a queue-wait failure ("queue": the context
// ended or the Transport was closed before a slot was free) from a send failure ("send": dial,
// TLS, write, or reading the response headers). The underlying error is kept in the chain, so
// errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
// errors.Is(err, ErrClosed) and errors.As with net or TLS error types all work.
//
// # Concurrency
//
// A [*Transport] is safe for concurrent use by any number of goroutines; its zero value is not
// usable, make one with [New]. The owner calls [Transport.Close] when done: it closes idle
// connections, lets requests already in flight finish (their connections are closed as they
// come back), fails queued requests and every later Do with [ErrClosed]. Transport starts no
// goroutine of its own; the goroutines net/http keeps per open connection end when those
// connections are closed.
package transport
