package client_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/events"
	"github.com/aioaws/aioaws/internal/testenv"
)

// onlyReader hides every method of a reader but Read: a stream that cannot seek.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// TestStreamingUploadTrailingChecksum uploads streams that cannot be rewound or hashed ahead
// of time: the client frames them aws-chunked, computes the checksum as they stream and sends
// it in a trailer, which versitygw verifies and stores.
func TestStreamingUploadTrailingChecksum(t *testing.T) {
	srv := testenv.Versity(t)
	var sent []http.Header
	reg := &events.Registry{}
	reg.Register(events.BeforeSend+".s3.PutObject", func(_ context.Context, e *events.Event) error {
		sent = append(sent, e.Request.Header.Clone())
		return nil
	})
	s3 := newClient(t, "s3", srv, "", func(o *client.Options) { o.S3.ForcePathStyle = true; o.Events = reg })
	call(t, s3, "CreateBucket", map[string]any{"Bucket": "trailers"})

	content := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320,000 bytes: several chunks
	sum := crc32.ChecksumIEEE(content)
	want := base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, sum))

	call(t, s3, "PutObject", map[string]any{"Bucket": "trailers", "Key": "asked", "ChecksumAlgorithm": "CRC32",
		"ContentLength": int64(len(content)), "Body": onlyReader{bytes.NewReader(content)}})
	require.Len(t, sent, 1)
	h := sent[0]
	require.Equal(t, "aws-chunked", h.Get("Content-Encoding"))
	require.Equal(t, "x-amz-checksum-crc32", h.Get("X-Amz-Trailer"))
	require.Equal(t, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", h.Get("X-Amz-Content-Sha256"), "plain HTTP: chunks are signed")
	require.Equal(t, "320000", h.Get("X-Amz-Decoded-Content-Length"))

	got := call(t, s3, "GetObject", map[string]any{"Bucket": "trailers", "Key": "asked", "ChecksumMode": "ENABLED"})
	body := got["Body"].(io.ReadCloser)
	data, err := io.ReadAll(body) // validated against the stored checksum as it is read
	require.NoError(t, err)
	require.NoError(t, body.Close())
	require.Equal(t, content, data)
	require.Equal(t, want, got["ChecksumCRC32"], "the server stored the trailing checksum")

	// Without an algorithm, a stream goes as an unsigned payload, with no trailer.
	call(t, s3, "PutObject", map[string]any{"Bucket": "trailers", "Key": "plain",
		"ContentLength": int64(len(content)), "Body": onlyReader{bytes.NewReader(content)}})
	require.Len(t, sent, 2)
	require.Empty(t, sent[1].Get("X-Amz-Trailer"))
	require.Equal(t, "UNSIGNED-PAYLOAD", sent[1].Get("X-Amz-Content-Sha256"))

	// A stream of unknown length fails before anything is sent: S3 needs the length.
	_, err = s3.Call(t.Context(), "PutObject", map[string]any{"Bucket": "trailers", "Key": "unknown",
		"ChecksumAlgorithm": "CRC32", "Body": onlyReader{strings.NewReader("data")}})
	require.ErrorContains(t, err, "the length of the PutObject body is unknown, and s3 needs it")
	require.Len(t, sent, 2, "nothing was sent")

	for _, key := range []string{"asked", "plain"} {
		call(t, s3, "DeleteObject", map[string]any{"Bucket": "trailers", "Key": key})
	}
	call(t, s3, "DeleteBucket", map[string]any{"Bucket": "trailers"})
}
