// Package aws holds the few types every layer of aioaws shares: credentials, the error types
// an operation returns, and document values. It imports only the standard library.
package aws
