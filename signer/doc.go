// Package signer implements AWS Signature Version 4 (SigV4, HMAC-SHA256) for HTTP requests:
//
//   - [Signer.Sign] signs a request in its headers (Authorization, X-Amz-Date,
//     X-Amz-Security-Token, X-Amz-Content-Sha256);
//   - [Signer.Presign] signs it in its query string and returns a URL that anyone can use
//     until it expires;
//   - [Signer.SignStreaming] signs an aws-chunked upload: the body is framed in chunks as it is
//     read, each chunk signed in a chain seeded by the header signature
//     (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), optionally followed by a trailing checksum, signed
//     (…-PAYLOAD-TRAILER) or not (STREAMING-UNSIGNED-PAYLOAD-TRAILER).
//
// What is signed is what net/http sends: the path as it goes on the wire (URL.Opaque, else
// URL.EscapedPath), encoded once more and normalized for every service but S3; for S3
// (Options.DisableURIPathEscaping) each segment of the decoded path encoded once, unnormalized,
// with the request made to send that encoding. The query is signed in its canonical form and
// the request sends that form. Every header present is signed except Authorization,
// User-Agent, X-Amzn-Trace-Id, Expect and Transfer-Encoding (and those of
// Options.UnsignedHeaders); Host comes from req.Host or the URL, without a default port;
// Content-Length is not signed unless it is set in req.Header.
//
// The payload hash comes from the caller when it knows it (Options.PayloadHash, Payload,
// UnsignedPayload), so that a streaming body is never read twice; otherwise the body is hashed
// through req.GetBody or by seeking it back.
//
// A [Signer] is safe for concurrent use and its zero value is ready; it caches derived signing
// keys (bounded) and uses no goroutines. Signing a request with headers allocates two small
// objects: the string holding every header value the signer sets, and their slice.
//
// The package is checked against the AWS SigV4 test suite (botocore's copy, and the
// double-encoding cases of smithy-rs), against the examples of the S3 documentation (header,
// presigned and chunked signatures) and against a versitygw S3 server, which verifies
// signatures.
package signer
