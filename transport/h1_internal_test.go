package transport

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// slowHead reads a head the general way: the status line, then textproto.
func slowHead(data []byte) (h head, consumed int, err error) {
	br := bufio.NewReader(bytes.NewReader(data))
	line, err := br.ReadSlice('\n')
	if err != nil {
		return h, 0, err
	}
	status := strings.TrimSuffix(string(line[:len(line)-1]), "\r")
	i, err := h.parseStatus(status)
	if err != nil {
		return h, 0, err
	}
	h.status = status[i:]
	hdr, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil {
		return h, 0, err
	}
	h.header = http.Header(hdr)
	return h, len(data) - br.Buffered(), nil
}

var headSeeds = []string{
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.1 200 OK\r\n\r\n",
	"HTTP/1.0 404 Not Found\nContent-Type: text/plain\n\n",
	"HTTP/1.1 200 OK\r\nx-amzn-RequestId: abc\r\nx-amz-crc32: 123\r\nX-Multi: a\r\nX-Multi:  b \r\n\r\n",
	"HTTP/1.1 200 OK\r\nFolded: a\r\n b\r\n\r\n",
	"HTTP/1.1 200 OK\r\n Leading: space\r\n\r\n",
	"HTTP/1.1 200 OK\r\nBad Key: v\r\n\r\n",
	"HTTP/1.1 200 OK\r\nKey: bad\x01value\r\n\r\n",
	"HTTP/1.1 200 OK\r\nKey: v\r\r\n\r\n",
	"HTTP/1.1 200 OK\r\n: empty key\r\n\r\n",
	"HTTP/1.1 200 OK\r\nnocolon\r\n\r\n",
	"HTTP/1.1 200\r\nA:\r\nB:\t\r\n\r\n",
	"HTTP/1.1  200  spaced\r\n\r\n",
	"HTTP/2.0 200 OK\r\n\r\n",
	"HTTP/1.1 20x OK\r\n\r\n",
	"\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n",
	"HTTP/1.1 200 OK\r\nUtf8: caf\xc3\xa9\r\n\r\n",
}

// FuzzParseHead checks parseHead against the general path (textproto): whatever parseHead
// accepts, the general path reads the same way, to the same byte.
func FuzzParseHead(f *testing.F) {
	for _, s := range headSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fast head
		size, complete := parseHead(data, &fast)
		if size == 0 {
			if !complete { // no blank line ends the head: the general path cannot read one either
				_, _, err := slowHead(data)
				require.Error(t, err, "parseHead found no whole head in %q", data)
			}
			return
		}
		slow, consumed, err := slowHead(data)
		require.NoError(t, err, "parseHead accepted %q", data)
		require.Equal(t, consumed, size)
		require.Equal(t, slow, fast)
	})
}

func TestParseHeadSeeds(t *testing.T) {
	for _, s := range headSeeds {
		var fast head
		size, complete := parseHead([]byte(s), &fast)
		slow, consumed, err := slowHead([]byte(s))
		if size > 0 {
			require.NoError(t, err, s)
			require.Equal(t, consumed, size, s)
			require.Equal(t, slow, fast, s)
		}
		t.Logf("%q: fast=%v complete=%v slow err=%v", s, size > 0, complete, err)
	}
	// The plain AWS head is parsed by the fast path, keys canonical.
	var h head
	size, _ := parseHead([]byte(headSeeds[3]), &h)
	require.Positive(t, size)
	require.Equal(t, http.Header{"X-Amzn-Requestid": {"abc"}, "X-Amz-Crc32": {"123"}, "X-Multi": {"a", "b"}}, h.header)
	require.Equal(t, "200 OK", h.status)
}

func TestCanonicalKey(t *testing.T) {
	for _, k := range []string{"content-type", "X-AMZN-REQUESTID", "x-amz-id-2", "Etag", "ETag", "a-b-c", "x_y", "1abc", strings.Repeat("ab-", 40)} {
		require.Equal(t, http.CanonicalHeaderKey(k), canonicalKey(k), k)
	}
	require.Zero(t, testing.AllocsPerRun(10, func() { canonicalKey("x-amzn-RequestId") }))
}

func TestHelpers(t *testing.T) {
	require.True(t, hasToken([]string{"keep-alive, Close"}, "close"))
	require.False(t, hasToken([]string{"closed"}, "close"))
	require.Equal(t, "[fe80::1]:80", removeZone("[fe80::1%en0]:80"))
	require.Equal(t, "example.com:80", removeZone("example.com:80"))
	require.Equal(t, "example.com:443", canonicalAddr("https", "example.com"))
	require.Equal(t, "example.com:80", canonicalAddr("http", "example.com"))
	require.Equal(t, "[::1]:443", canonicalAddr("https", "[::1]"))
	require.Equal(t, "[::1]:8443", canonicalAddr("https", "[::1]:8443"))
	require.True(t, validHost("s3.us-east-1.amazonaws.com:443"))
	require.True(t, validHost("[::1]:80"))
	require.False(t, validHost("a b"))
	require.False(t, validHost("a\r\nb"))
}

var responseSeeds = []string{
	"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-A\r\n\r\n5;x=y\r\nhello\r\n0\r\nX-A: b\r\n\r\n",
	"HTTP/1.1 200 OK\r\n\r\nuntil close",
	"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
	"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.1 200 OK\r\nFolded: a\r\n b\r\nContent-Length: 1\r\n\r\nx",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
}

// FuzzResponse reads arbitrary bytes as a response, head and body, as the engine does: it
// must end with a response or an error, never panic or hang.
func FuzzResponse(f *testing.F) {
	for _, s := range responseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		client, server := net.Pipe()
		go func() {
			server.Write(data)
			server.Close()
		}()
		defer client.Close()
		tr := &Transport{sem: make(chan struct{}, 1), done: make(chan struct{})}
		e := &engine{t: tr, pool: pool{maxIdle: 1}}
		c := newConn(connKey{}, client)
		var h head
		c.limitHead(true)
		_, err := c.readFinal(&h, false)
		c.limitHead(false)
		if err != nil {
			return
		}
		if h.code < 100 || h.code > 999 || h.header == nil {
			t.Fatalf("bad head %+v", h)
		}
		req, _ := http.NewRequest("GET", "http://example.com/", nil)
		b := &body{t: tr}
		resp, err := e.respond(c, nil, req, &h, b, true)
		if err != nil {
			return
		}
		n, err := io.Copy(io.Discard, resp.Body)
		if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
			t.Fatalf("read %d bytes of a %d-byte body", n, resp.ContentLength)
		}
		resp.Body.Close()
		e.pool.closeIdle(true)
	})
}
