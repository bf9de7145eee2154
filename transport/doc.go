// Package transport is the pooled HTTP transport of aioaws: its own HTTP/1.1 client (or, with
// Options.HTTP2, a tuned [net/http.Transport]) behind a semaphore that bounds how many
// requests are in flight at once.
//
// It knows nothing of AWS: it sends [net/http.Request] values and returns
// [net/http.Response] values, and imports no other package of this module.
//
// # The HTTP/1.1 engine
//
// By default requests are sent by the package's own HTTP/1.1 client, built for CPU per call.
// It writes the request and reads the response head on the goroutine that called Do, and the
// response body is read from the connection on the goroutine that reads the body. It starts
// no goroutine: none per connection, none per request. (When a request's context ends while
// the request holds a connection, a [context.AfterFunc] callback sets a past deadline on the
// connection, so blocked I/O returns at once with an error matching the context's error.)
//
// Connections are pooled per scheme, host and proxy, most recently used first, at most
// Options.MaxIdleConnsPerHost idle per key; one idle longer than Options.IdleConnTimeout is
// closed when it is next found (there are no timers). A connection goes back to the pool the
// moment its response body has been read to its end (by the caller, or by the drain of
// Close), before the body is closed, if: the response is HTTP/1.1 (or HTTP/1.0 with
// "Connection: keep-alive"), neither request nor response asked for "Connection: close", the
// body was delimited by Content-Length or chunked encoding, no I/O on it was interrupted
// (context, ResponseHeaderTimeout), and the server sent nothing after the response. Closing
// a body before its end, or a read error, closes the connection. A body is an [io.WriterTo]:
// io.Copy from it reads the connection 64 KiB at a time.
//
// A pooled connection the server closed while it was idle shows up as EOF, a reset or a
// broken pipe before any byte of the response. Such a request is sent once more on a new
// connection when it can be replayed: no body, [net/http.NoBody], or Request.GetBody set
// (which gives the new body); otherwise Do fails saying so. As with net/http, a request the
// server read and then dropped without answering may thus reach it twice.
//
// Requests are framed as net/http frames them (Content-Length, chunked encoding for a body
// of unknown length, "Content-Length: 0" for a POST, PUT or PATCH without body,
// Request.TransferEncoding, Request.Trailer, Request.Close), with these differences: no
// User-Agent or Accept-Encoding is added, header fields go in map order, an invalid Host is
// an error (not sent empty), and a GET, HEAD or DELETE with ContentLength 0 and a body is
// probed by a blocking one-byte read (net/http gives up after 200ms). "Expect: 100-continue"
// sends the head, waits up to [ExpectContinueTimeout] for the go-ahead, and returns a final
// answer that comes instead without sending the body (and without reusing the connection).
// Responses: 1xx interim responses are skipped, 101 Switching Protocols is an error, the head
// (status line and header fields) is bounded to 1 MiB, and a response with both
// Transfer-Encoding and Content-Length, differing Content-Lengths or an unsupported
// Transfer-Encoding is refused.
//
// Over TLS the engine uses the configuration of Options.TLSConfig and Options.CABundle with
// ServerName set to the request's host (unless set) and NextProtos set to "http/1.1": it
// never speaks HTTP/2. The handshake is bounded by Options.TLSHandshakeTimeout and by the
// request's context. An http:// proxy from Options.Proxy (consulted per request) is used
// directly: absolute-form requests for http targets, a CONNECT tunnel (Proxy-Authorization
// from the proxy URL's user info) for https ones. Requests through any other proxy (https://,
// socks5://), CONNECT requests and requests to a host name that is not ASCII are sent through
// net/http.Transport instead, as are all requests with Options.HTTP2.
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
//     the slot, exactly once; a second Close is a no-op. The drain reads are ended early by
//     the request's context, so a caller that does not want Close to wait on a slow server
//     cancels the context first.
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
// goroutine of its own; for requests sent through net/http.Transport, the goroutines
// net/http keeps per open connection end when those connections are closed.
//
// A response body is for one reader at a time, like any [io.Reader]; Close may be called from
// any goroutine, also while a Read is blocked: on an engine connection that is not at its end,
// Close closes the connection, which ends the Read.
package transport
