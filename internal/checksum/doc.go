// Package checksum implements the checksums of AWS flexible checksums (S3's x-amz-checksum-*
// headers and trailers): CRC32 (IEEE), CRC32C (Castagnoli), CRC64NVME, SHA1 and SHA256, plus MD5
// for the Content-MD5 header.
//
// A checksum travels as the standard base64 encoding of the big-endian digest, in the header
// (or aws-chunked trailer) named by [Algorithm.HeaderName]. [Sum] and [Compute] produce that
// value; [NewReader] computes it while a request body streams (for a trailer, so the body is
// read once); [NewValidatingReader] checks a response body against the value the service sent
// and fails the read that reaches the end with a [*MismatchError] when they differ.
//
// CRC64NVME (the CRC-64/NVME of the NVM Express specification: reflected polynomial
// 0x9a6c9329ac4bc9b5, initial value and final XOR all ones) is implemented here, table-driven,
// slicing 8 bytes at a time; the others come from the standard library.
//
// Everything in this package is safe for concurrent use except the values it returns: a
// hash.Hash, a *Reader or a *ValidatingReader belongs to one goroutine at a time.
package checksum
