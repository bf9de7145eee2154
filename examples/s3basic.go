package examples

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/aioaws/aioaws/client"
)

// S3Basic is aiobotocore's basic example: put an object, read its ACL, get it back, list the
// folder page by page, delete it.
func S3Basic(ctx context.Context, s3 *client.Client, bucket string, w io.Writer) error {
	key := "aiobotocore/dummy.bin"
	data := bytes.Repeat([]byte{1}, 1024)
	if _, err := s3.Call(ctx, "CreateBucket", map[string]any{"Bucket": bucket}); err != nil {
		return err
	}
	put, err := s3.Call(ctx, "PutObject", map[string]any{"Bucket": bucket, "Key": key, "Body": data})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "put %s/%s: ETag %v\n", bucket, key, put["ETag"])

	got, err := s3.Call(ctx, "GetObject", map[string]any{"Bucket": bucket, "Key": key})
	if err != nil {
		return err
	}
	body := got["Body"].(io.ReadCloser) // ours to close
	back, err := io.ReadAll(body)
	body.Close()
	if err != nil {
		return err
	}
	if !bytes.Equal(back, data) {
		return fmt.Errorf("got %d bytes back, not what was put", len(back))
	}
	fmt.Fprintf(w, "got %d bytes back, identical\n", len(back))

	var token any
	for page := 1; ; page++ {
		in := map[string]any{"Bucket": bucket, "Prefix": "aiobotocore/", "MaxKeys": 100}
		if token != nil {
			in["ContinuationToken"] = token
		}
		out, err := s3.Call(ctx, "ListObjectsV2", in)
		if err != nil {
			return err
		}
		contents, _ := out["Contents"].([]any)
		for _, c := range contents {
			obj := c.(map[string]any)
			fmt.Fprintf(w, "page %d: %v (%v bytes)\n", page, obj["Key"], obj["Size"])
		}
		if token = out["NextContinuationToken"]; token == nil {
			break
		}
	}
	if _, err := s3.Call(ctx, "DeleteObject", map[string]any{"Bucket": bucket, "Key": key}); err != nil {
		return err
	}
	fmt.Fprintf(w, "deleted %s/%s\n", bucket, key)
	_, err = s3.Call(ctx, "DeleteBucket", map[string]any{"Bucket": bucket})
	return err
}
