// Package client compares whole client calls — aioaws, aws-sdk-go-v2 and a raw net/http
// client sending pre-built requests (the ceiling) — against a local canned-response server
// (benchmarks/cannedserver) running in a child process, so that the CPU time measured in this
// process is the client's alone.
//
// Operations: DynamoDB GetItem and PutItem, S3 PutObject (1 KiB) and GetObject (1 MiB), each
// at concurrency 1 and 64. Each benchmark reports ops/s, cpu-ns/op (this process's user+system
// CPU time over the timed loop, from getrusage), allocs/op and B/op, plus the server's CPU per
// op and the most requests it saw in flight at once.
//
//	go test -run XXX -bench Client -benchtime 2s            # the raw benchmarks
//	go test -run TestClientRatios -v -client.rounds 3       # the ratio table and goal summary
//	go test -run TestClientBinarySize -v                    # DynamoDB+S3 program sizes
//
// The code is all in _test files, apart from the two programs under cmd/ used for the binary
// size comparison.
package client
