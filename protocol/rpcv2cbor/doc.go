// Package rpcv2cbor is the codec of the Smithy RPC v2 CBOR protocol ("smithy-rpc-v2-cbor"
// in models): every operation is a POST to /service/<ServiceName>/operation/<OperationName>
// with a CBOR map (RFC 8949) as its body, and answers with one.
//
// The CBOR encoder and decoder are the package's own and are driven by the compiled shapes:
// requests are appended straight from the input values, and responses are read once into
// output documents of the usual Go types (structures map[string]any, lists []any, maps
// map[string]any, strings, int64, float64, bool, time.Time, []byte), with no generic
// intermediate tree. Timestamps travel as tag 1 epoch seconds, blobs as byte strings,
// bigInteger as integers or bignums (tags 2 and 3), bigDecimal as decimal fractions (tag 4).
// The decoder accepts every encoding a server may choose: indefinite-length strings, arrays
// and maps, integers of any width, half, single and double precision floats. It bounds
// nesting and never trusts a length prefix for an allocation.
//
// A Codec is made by [New] (or by package codecs for a service whose model lists this
// protocol first) and is safe for concurrent use.
package rpcv2cbor
