package client

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"

	"github.com/aioaws/aioaws/benchmarks/cannedserver"
)

// avatar is the binary attribute of the canned item (base64 in wire.GetItemResponse), also
// written by PutItem.
var avatar = func() []byte {
	b, err := base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUg==")
	if err != nil {
		panic(err)
	}
	return b
}()

// readObject reads a GetObject body to its end the same way for every client: io.Copy into
// io.Discard (pooled 8 KiB reads), or with deep, into memory to compare with what was served.
func readObject(body io.Reader, deep bool) error {
	if deep {
		got, err := io.ReadAll(body)
		if err != nil {
			return fmt.Errorf("GetObject: reading body: %w", err)
		}
		if !bytes.Equal(got, cannedserver.Object()) {
			return fmt.Errorf("GetObject: body differs from the object served (%d bytes)", len(got))
		}
		return nil
	}
	n, err := io.Copy(io.Discard, body)
	if err != nil {
		return fmt.Errorf("GetObject: reading body: %w", err)
	}
	if n != cannedserver.ObjectSize {
		return fmt.Errorf("GetObject: read %d bytes, want %d", n, cannedserver.ObjectSize)
	}
	return nil
}
