// Package examples ports aiobotocore's example programs to aioaws. Each example takes clients
// that are already configured (cmd/demo points them at local emulators) and writes what it
// does to w.
package examples
