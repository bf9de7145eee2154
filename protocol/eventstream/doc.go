// Package eventstream reads and writes AWS event streams (content type
// application/vnd.amazon.eventstream), the framing that S3 SelectObjectContent, Kinesis
// SubscribeToShard, Lambda InvokeWithResponseStream, Bedrock and the streaming speech
// services use to carry a sequence of events in one HTTP body.
//
// It has two levels:
//
//   - Framing. A stream is a sequence of messages. Each message is a 12-byte prelude (total
//     length, headers length, CRC32 of those 8 bytes), a block of typed headers, a payload,
//     and a CRC32 of everything before it. All integers are big-endian and both checksums are
//     CRC32 IEEE (the gzip one). [Decoder] reads messages from an io.Reader, checking both
//     checksums and every length against the limits below before it allocates; [Encoder] and
//     [AppendMessage] write them.
//   - Events. [Reader] turns the messages of an operation's output event stream into events of
//     the model's event stream shape: the `:message-type` header says whether a message is an
//     event, a modeled exception or an error; `:event-type` names the member of the stream
//     union; members marked eventheader come from headers, the member marked eventpayload
//     gets the payload, and structure payloads are decoded by the protocol's codec through a
//     [PayloadDecoder]. Exceptions and errors come back from [Reader.Recv] as *aws.APIError.
//
// Limits (from the event stream specification): a message is at most [MaxMessageSize] bytes,
// its header block at most [MaxHeadersSize], a header name at most [MaxHeaderNameLen] bytes,
// and a string or byte-array header value at most [MaxHeaderValueLen] bytes. A stream that
// breaks any of them, or whose checksums do not match, fails with a *[DecodeError] that names
// the message index and the byte offset of the problem.
package eventstream
