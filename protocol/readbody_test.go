package protocol_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/protocol"
)

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestReadBody(t *testing.T) {
	for _, tc := range []struct {
		name, length, body string
		reader             func(io.Reader) io.Reader
		want               string
		wantErr            error
	}{
		{name: "declared length", length: "11", body: "hello world", want: "hello world"},
		{name: "no length", body: "hello world", want: "hello world"},
		{name: "bad length", length: "x", body: "hello", want: "hello"},
		{name: "longer than declared", length: "3", body: "hello", want: "hello"},
		{name: "one byte at a time", length: "5", body: "hello", reader: iotest.OneByteReader, want: "hello"},
		{name: "truncated", length: "10", body: "hello", wantErr: io.ErrUnexpectedEOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r io.Reader = strings.NewReader(tc.body)
			if tc.reader != nil {
				r = tc.reader(r)
			}
			body := &closeRecorder{Reader: r}
			h := http.Header{}
			if tc.length != "" {
				h.Set("Content-Length", tc.length)
			}
			got, err := (&protocol.Response{StatusCode: 200, Header: h, Body: body}).ReadBody()
			require.True(t, body.closed, "the body is closed")
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got))
		})
	}
}
