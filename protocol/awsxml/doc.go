// Package awsxml is the codec of the AWS XML protocols:
//
//   - "rest-xml" (S3, CloudFront, Route 53): REST bindings (URI, query string, headers,
//     host prefix) and an XML body, or a raw or streaming payload member;
//   - "query" (STS, SNS, IAM, legacy SQS and CloudWatch): every operation a POST of
//     "Action=Op&Version=..." form parameters, answered with <OpResponse><OpResult>;
//   - "ec2": query-style requests with EC2's key names and always-flattened lists, answered
//     with unwrapped documents.
//
// Requests are appended straight from the input values (map[string]any documents or
// structs) by walking plans compiled once per structure shape. A response body is read whole
// and scanned in place, token by token, guided by the output shape: values land in their Go
// types (timestamps as time.Time, blobs as []byte, integers as int64, floats as float64),
// strings share the body's memory unless entities must be decoded, and elements the shape
// does not name are skipped, never decoded into a generic tree. The scanner is as strict as
// encoding/xml, but rejects DOCTYPE declarations. Bodies are bounded by protocol.MaxBody and
// nesting by 256 levels; no input makes a parser panic.
//
// Errors: ParseError understands S3's bare <Error> document, the <ErrorResponse><Error>
// wrapper of the other rest-xml and query services and ec2's <Response><Errors><Error>; a
// body-less error (HEAD, 304) takes its code from the status ("NotFound"). Codes map to
// modeled error shapes by name or by their query error code, and the shape's members are
// decoded into the error's Fields. For rest-xml, Parse also turns S3's "200 OK with an
// <Error> document" into an *aws.APIError.
//
// Body ownership: for an output with a streaming payload (S3 GetObject's Body), Parse puts
// the response body itself in the output and the caller must close it; in every other case
// Parse and ParseError read and close the body.
//
// A Codec is safe for concurrent use; create one per service (package codecs does) and share
// it so that its plans are compiled once.
package awsxml
