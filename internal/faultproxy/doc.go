// Package faultproxy is a fault-injecting HTTP reverse proxy for tests and
// benchmarks. It listens on 127.0.0.1 in front of an emulator (moto, dynalite,
// versitygw) or any other server and injects faults at configurable, seeded
// rates, so that retries, backoff and the resubmission of unprocessed batch
// items can be exercised against a real backend.
//
//	p, err := faultproxy.New(dynaliteURL, faultproxy.Config{
//		Seed: 1,
//		Rules: []faultproxy.Rule{
//			{Match: faultproxy.Op("BatchWriteItem"), Fault: faultproxy.Fault{Kind: faultproxy.Throttle}, Rate: 0.1},
//			{Fault: faultproxy.Fault{Kind: faultproxy.PartialBatch}, Rate: 0.5},
//		},
//	})
//	url, err := p.Start()
//	defer p.Close()
//	// point the client's endpoint at url
//
// # Forwarding
//
// Requests are forwarded to the target with their method, path and query
// exactly as received, every header except the hop-by-hop ones, and the Host
// header the client sent (SigV4 signs it; see [Config.RewriteHost]). The proxy
// adds nothing (no X-Forwarded-For, no User-Agent). Request and response bodies
// are streamed; only DynamoDB batch requests under a PartialBatch rule, and
// query-protocol form bodies (to find their Action), are read into memory, up to
// [Config.MaxBodyBytes]; a delayed request with a known body of at most 1 MiB is
// read before its delay, so that a client that gives up is noticed. Response
// trailers are not forwarded. The connection to the client is HTTP/1.1.
//
// # Faults on the wire
//
// A request's protocol decides how errors look: AWS JSON if it has an
// X-Amz-Target header, query if it has an Action parameter (form body or URL),
// REST (S3 and the like) otherwise.
//
//   - Throttle answers without forwarding. AWS JSON: HTTP 400,
//     {"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":...}
//     for DynamoDB (X-Amz-Target prefix DynamoDB_), __type "ThrottlingException"
//     for other services, with the request's content type and x-amzn-RequestId
//     and x-amzn-ErrorType headers (and x-amz-crc32 for DynamoDB). Query: HTTP
//     400 text/xml <ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>
//     <Message>Rate exceeded</Message></Error><RequestId>..</RequestId></ErrorResponse>.
//     REST: HTTP 503 application/xml <Error><Code>SlowDown</Code><Message>Please
//     reduce your request rate.</Message><RequestId>..</RequestId></Error> with an
//     x-amz-request-id header. [Fault.Status], [Fault.Code] and [Fault.Message]
//     override; [Fault.RetryAfter] adds x-amz-retry-after (milliseconds).
//   - ServerError answers in the same formats with HTTP 500 (code InternalError;
//     InternalServerError for DynamoDB, InternalFailure for other AWS JSON
//     services) or, with Status 503, ServiceUnavailable (query Type Receiver).
//   - Reset closes the client connection with a TCP RST (SO_LINGER 0) before
//     any response byte: the client sees ECONNRESET or EOF. Optionally after
//     reading the request body ([Fault.ReadBody]) or after forwarding the request
//     and discarding the answer ([Fault.Forward]: the operation takes effect).
//   - Latency waits before the request is handled further (fixed, or uniform in
//     [Delay, MaxDelay]); it stops waiting, and answers nothing, when the client
//     goes away or the proxy closes. Latency combines with the other faults.
//   - Truncate forwards the request, sends the real status and headers
//     (Content-Length of the full body included) but only a prefix of the body,
//     then closes the connection: the client reads io.ErrUnexpectedEOF.
//   - PartialBatch, for DynamoDB BatchWriteItem and BatchGetItem, which no
//     emulator ever answers partially: it holds back a seeded random subset of
//     the write requests (or keys) of RequestItems, forwards only the rest
//     (re-encoded body, Content-Length fixed, every header kept: signatures are
//     not recomputed, so the target must not verify them), and merges the
//     held-back part into the response's UnprocessedItems (or UnprocessedKeys,
//     with each table's ProjectionExpression, ConsistentRead, ... kept), then
//     fixes Content-Length and x-amz-crc32. Tables left empty are dropped from the
//     forwarded request; if everything is held back (only with
//     [Fault.AllowAll]) the proxy answers {"UnprocessedItems":{...}} or
//     {"Responses":{},"UnprocessedKeys":{...}} itself. JSON values are copied
//     byte for byte, so numbers are never rounded.
//
// # Randomness
//
// Each request draws from its own generator derived from [Config.Seed] and the
// request's arrival number, so a sequential request stream sees the same faults
// with the same seed, and concurrent requests need no shared lock.
//
// # Lifetime
//
// A [Proxy] is safe for concurrent use. [Proxy.SetConfig] swaps the rules while
// serving. [Proxy.Close] stops everything the proxy started and waits for it, so
// tests that check for goroutine leaks pass after it returns.
package faultproxy
