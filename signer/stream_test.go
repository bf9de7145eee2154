package signer

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/internal/checksum"
	"github.com/aioaws/aioaws/internal/testenv"
)

// The chunked upload example of the S3 API reference ("Example: PUT Object" of "Transferring
// payload in multiple chunks"): 66560 bytes of 'a' in chunks of 64 KiB.
var (
	exampleCreds = aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	exampleTime  = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
)

const (
	exampleSeed   = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
	exampleChunk1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
	exampleChunk2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
	exampleFinal  = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
	// The trailer "first:1st", "second:2nd", "third:3rd" chained onto exampleFinal, as the AWS
	// CRT signer's tests give it.
	exampleTrailer = "df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c"
)

func TestSignStreamingS3Example(t *testing.T) {
	data := bytes.Repeat([]byte("a"), 66560)
	req, err := http.NewRequest("PUT", "https://s3.amazonaws.com/examplebucket/chunkObject.txt", bytes.NewReader(data))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	req.Header.Set("Content-Length", "0") // present, so it is set to the encoded length and signed, as in the example
	opts := Options{Service: "s3", Region: "us-east-1", Time: exampleTime, DisableURIPathEscaping: true}
	require.NoError(t, new(Signer).SignStreaming(context.Background(), exampleCreds, req, opts, StreamOptions{ChunkSize: 65536}))

	require.Equal(t, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "+
		"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class, "+
		"Signature="+exampleSeed, req.Header.Get("Authorization"))
	require.Equal(t, int64(66824), req.ContentLength)
	require.Equal(t, "66824", req.Header.Get("Content-Length"))
	require.Equal(t, "66560", req.Header.Get("X-Amz-Decoded-Content-Length"))
	require.Equal(t, "aws-chunked", req.Header.Get("Content-Encoding"))
	require.Equal(t, StreamingSignedPayload, req.Header.Get("X-Amz-Content-Sha256"))
	require.Empty(t, req.Header.Get("X-Amz-Trailer"))

	want := "10000;chunk-signature=" + exampleChunk1 + "\r\n" + string(data[:65536]) + "\r\n" +
		"400;chunk-signature=" + exampleChunk2 + "\r\n" + string(data[:1024]) + "\r\n" +
		"0;chunk-signature=" + exampleFinal + "\r\n\r\n"
	got, err := io.ReadAll(iotest.OneByteReader(req.Body))
	require.NoError(t, err)
	require.Equal(t, want, string(got))
	require.NoError(t, req.Body.Close())

	// GetBody gives a fresh encoder producing the same bytes (for the transport's retries).
	again, err := req.GetBody()
	require.NoError(t, err)
	got2, err := io.ReadAll(again)
	require.NoError(t, err)
	require.Equal(t, want, string(got2))

	// Encoded bodies are not encoded twice.
	require.ErrorContains(t, new(Signer).SignStreaming(context.Background(), exampleCreds, req, opts, StreamOptions{}), "already aws-chunked")

	// The trailer signature chains onto the final chunk's.
	res := result{key: deriveKey(exampleCreds.SecretAccessKey, []byte("20130524"), "us-east-1", "s3"), scope: "20130524/us-east-1/s3/aws4_request"}
	appendAmzDate(res.amzDate[:0], exampleTime)
	cfg := newChunkConfig(&StreamOptions{ChunkSize: 65536}, &res)
	var prev [64]byte
	copy(prev[:], exampleFinal)
	sig := cfg.signTrailer(&prev, []byte("first:1st\nsecond:2nd\nthird:3rd\n"))
	require.Equal(t, exampleTrailer, hex.EncodeToString(sig[:]))
}

// decodedBody is what decodeChunked recovers.
type decodedBody struct {
	data     []byte
	trailers map[string]string
	chunks   int
}

// decodeChunked parses an aws-chunked body and, for a signed one, verifies the chain of chunk
// signatures and the trailer signature with crypto/hmac (independently of hmacSHA256).
func decodeChunked(body []byte, cfg *chunkConfig) (*decodedBody, error) {
	mac := func(sts string) string {
		h := hmac.New(sha256.New, cfg.key[:])
		h.Write([]byte(sts))
		return hex.EncodeToString(h.Sum(nil))
	}
	hexSum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	d := &decodedBody{trailers: map[string]string{}}
	prev := string(cfg.seed[:])
	for {
		line, rest, ok := bytes.Cut(body, []byte("\r\n"))
		if !ok {
			return nil, errors.New("unterminated chunk header")
		}
		body = rest
		sizeHex, sig, hasSig := strings.Cut(string(line), ";chunk-signature=")
		if hasSig != cfg.signed {
			return nil, fmt.Errorf("chunk header %q: signature presence %v, want %v", line, hasSig, cfg.signed)
		}
		size, err := strconv.ParseUint(sizeHex, 16, 31)
		if err != nil || strconv.FormatUint(size, 16) != sizeHex {
			return nil, fmt.Errorf("chunk size %q", sizeHex)
		}
		if int(size) > len(body) {
			return nil, errors.New("chunk longer than the body")
		}
		data := body[:size]
		body = body[size:]
		if cfg.signed {
			want := mac(string(cfg.chunkPrefix) + prev + "\n" + EmptyPayloadHash + "\n" + hexSum(data))
			if sig != want {
				return nil, fmt.Errorf("chunk %d: signature %s, want %s", d.chunks, sig, want)
			}
			prev = sig
		}
		if size == 0 {
			break
		}
		if !bytes.HasPrefix(body, []byte("\r\n")) {
			return nil, errors.New("no CRLF after chunk data")
		}
		body = body[2:]
		d.data = append(d.data, data...)
		d.chunks++
	}
	var canonical string
	for {
		line, rest, ok := bytes.Cut(body, []byte("\r\n"))
		if !ok {
			return nil, errors.New("unterminated trailer")
		}
		body = rest
		if len(line) == 0 {
			break
		}
		name, value, ok := strings.Cut(string(line), ":")
		if !ok {
			return nil, fmt.Errorf("trailer line %q", line)
		}
		if name == "x-amz-trailer-signature" {
			if !cfg.signed {
				return nil, errors.New("trailer signature in an unsigned body")
			}
			if want := mac(string(cfg.trailerPrefix) + prev + "\n" + hexSum([]byte(canonical))); value != want {
				return nil, fmt.Errorf("trailer signature %s, want %s", value, want)
			}
			d.trailers[name] = value
			continue
		}
		d.trailers[name] = value
		canonical += name + ":" + value + "\n"
	}
	if cfg.signed && canonical != "" && d.trailers["x-amz-trailer-signature"] == "" {
		return nil, errors.New("signed body without a trailer signature")
	}
	if len(body) != 0 {
		return nil, fmt.Errorf("%d bytes after the end", len(body))
	}
	return d, nil
}

func testChunkConfig(signed bool, chunkSize int, alg checksum.Algorithm) *chunkConfig {
	res := result{key: deriveKey("secret", []byte("20240101"), "us-east-1", "s3"), scope: "20240101/us-east-1/s3/aws4_request"}
	appendAmzDate(res.amzDate[:0], time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	res.signature = sha256.Sum256([]byte("seed"))
	so := StreamOptions{UnsignedChunks: !signed, Checksum: alg, ChunkSize: chunkSize}
	return newChunkConfig(&so, &res)
}

var fuzzAlgs = []checksum.Algorithm{"", checksum.CRC32, checksum.CRC32C, checksum.CRC64NVME, checksum.SHA1, checksum.SHA256}

// FuzzChunkedRoundTrip encodes data in small chunks, known or unknown length, signed or not,
// with each trailer, and decodes it back, checking the signatures, the trailer and the length
// EncodedLength predicts.
func FuzzChunkedRoundTrip(f *testing.F) {
	f.Add([]byte("Hello world"), uint8(3), uint8(0), true)
	f.Add([]byte(""), uint8(0), uint8(3), false)
	f.Add(bytes.Repeat([]byte{0, 1, 2}, 100), uint8(7), uint8(11), true)
	f.Fuzz(func(t *testing.T, data []byte, size, variant uint8, known bool) {
		chunkSize := int(size)%64 + 1
		signed := variant%2 == 0
		alg := fuzzAlgs[int(variant/2)%len(fuzzAlgs)]
		if !signed && alg == "" {
			alg = checksum.CRC32
		}
		cfg := testChunkConfig(signed, chunkSize, alg)
		declared := int64(len(data))
		if !known {
			declared = -1
		}
		enc := newChunkEncoder(io.NopCloser(iotest.HalfReader(bytes.NewReader(data))), cfg, declared)
		out, err := io.ReadAll(enc)
		require.NoError(t, err)
		require.Equal(t, encodedLength(int64(len(data)), chunkSize, signed, alg), int64(len(out)))
		d, err := decodeChunked(out, cfg)
		require.NoError(t, err)
		require.Equal(t, string(data), string(d.data))
		require.Equal(t, (len(data)+chunkSize-1)/chunkSize, d.chunks)
		if alg != "" {
			sum, err := checksum.Sum(alg, data)
			require.NoError(t, err)
			require.Equal(t, sum, d.trailers[alg.HeaderName()])
		} else {
			require.Empty(t, d.trailers)
		}
	})
}

func TestChunkEncoderDeclaredLength(t *testing.T) {
	cfg := testChunkConfig(true, 16, checksum.CRC32)
	tests := []struct {
		name     string
		body     string
		declared int64
		wantErr  string
	}{
		{"exact", "0123456789abcdefXYZ", 19, ""},
		{"short", "0123456789", 19, "short of its declared length"},
		{"long", "0123456789abcdefXYZ!", 19, "longer than its declared length"},
		{"long at a chunk boundary", "0123456789abcdef!", 16, "longer than its declared length"},
		{"empty", "", 0, ""},
		{"empty but not", "x", 0, "longer than its declared length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := io.ReadAll(newChunkEncoder(io.NopCloser(strings.NewReader(tt.body)), cfg, tt.declared))
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.wantErr)
			}
		})
	}

	// A failing source fails the read, for good.
	boom := errors.New("boom")
	enc := newChunkEncoder(io.NopCloser(iotest.ErrReader(boom)), cfg, -1)
	_, err := io.ReadAll(enc)
	require.ErrorIs(t, err, boom)
	_, err = enc.Read(make([]byte, 8))
	require.ErrorIs(t, err, boom)
}

func TestSignStreamingOptions(t *testing.T) {
	s := new(Signer)
	opts := Options{Service: "s3", Region: "us-east-1", Time: exampleTime, DisableURIPathEscaping: true}
	newReq := func(body io.Reader) *http.Request {
		req, err := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", body)
		require.NoError(t, err)
		return req
	}
	for _, so := range []StreamOptions{{ChunkSize: 100}, {ChunkSize: MaxChunkSize + 1}, {UnsignedChunks: true}, {Checksum: "XXHASH3"}} {
		require.Error(t, s.SignStreaming(context.Background(), exampleCreds, newReq(nil), opts, so), "%+v", so)
		require.Equal(t, int64(-1), EncodedLength(10, so))
	}

	// Unknown length: chunked transfer, no decoded length; the body is framed all the same.
	pr, pw := io.Pipe()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer pr.Close()
	wg.Go(func() {
		pw.Write(bytes.Repeat([]byte("z"), 20000))
		pw.Close()
	})
	req := newReq(pr)
	req.Header.Set("Content-Encoding", "gzip")
	so := StreamOptions{Checksum: checksum.CRC32C, ChunkSize: MinChunkSize}
	require.NoError(t, s.SignStreaming(context.Background(), exampleCreds, req, opts, so))
	require.Equal(t, int64(-1), req.ContentLength)
	require.Empty(t, req.Header.Values("X-Amz-Decoded-Content-Length"))
	require.Equal(t, "aws-chunked,gzip", req.Header.Get("Content-Encoding"))
	require.Equal(t, "x-amz-checksum-crc32c", req.Header.Get("X-Amz-Trailer"))
	require.Equal(t, StreamingSignedPayloadTrailer, req.Header.Get("X-Amz-Content-Sha256"))
	require.Nil(t, req.GetBody)
	out, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	require.Equal(t, encodedLength(20000, MinChunkSize, true, checksum.CRC32C), int64(len(out)))

	// Empty body: known length 0, and GetBody.
	req = newReq(nil)
	require.NoError(t, s.SignStreaming(context.Background(), exampleCreds, req, opts, StreamOptions{UnsignedChunks: true, Checksum: checksum.SHA256}))
	require.Equal(t, "0", req.Header.Get("X-Amz-Decoded-Content-Length"))
	require.Equal(t, StreamingUnsignedPayloadTrailer, req.Header.Get("X-Amz-Content-Sha256"))
	out, err = io.ReadAll(req.Body)
	require.NoError(t, err)
	require.Equal(t, "0\r\nx-amz-checksum-sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\r\n\r\n", string(out))
	require.Equal(t, int64(len(out)), req.ContentLength)
	b, err := req.GetBody()
	require.NoError(t, err)
	out2, _ := io.ReadAll(b)
	require.Equal(t, out, out2)
}

// TestConformanceChecksumStreaming runs the streaming vectors of checksums/ruby through the
// aws-chunked encoder (STREAMING-UNSIGNED-PAYLOAD-TRAILER): headers, and the trailer decoded
// from the body.
func TestConformanceChecksumStreaming(t *testing.T) {
	file := filepath.Join(testenv.ConformanceDir(t), "checksums", "ruby", "checksum_streaming_request.json")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var cases []struct {
		Documentation     string            `json:"documentation"`
		RequestPayload    string            `json:"requestPayload"`
		ChecksumAlgorithm string            `json:"checksumAlgorithm"`
		ExpectHeaders     map[string]string `json:"expectHeaders"`
		ExpectTrailers    map[string]string `json:"expectTrailers"`
	}
	require.NoError(t, json.Unmarshal(data, &cases))
	var passed, failed, skipped int
	for _, c := range cases {
		err := func() error {
			alg, err := checksum.ParseAlgorithm(c.ChecksumAlgorithm)
			if err != nil {
				return err
			}
			req, err := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", strings.NewReader(c.RequestPayload))
			if err != nil {
				return err
			}
			opts := Options{Service: "s3", Region: "us-east-1", Time: exampleTime, DisableURIPathEscaping: true}
			so := StreamOptions{UnsignedChunks: true, Checksum: alg}
			if err := new(Signer).SignStreaming(context.Background(), exampleCreds, req, opts, so); err != nil {
				return err
			}
			var cmp compare
			for name, want := range c.ExpectHeaders {
				cmp.check(name, req.Header.Get(name), want)
			}
			body, err := io.ReadAll(req.Body)
			if err != nil {
				return err
			}
			d, err := decodeChunked(body, testChunkConfig(false, DefaultChunkSize, alg))
			if err != nil {
				return err
			}
			cmp.check("payload", string(d.data), c.RequestPayload)
			for name, want := range c.ExpectTrailers {
				if alg == checksum.CRC64NVME && want != "OOJZ0D8xKts=" && c.RequestPayload == "Hello world" {
					if d.trailers[name] != "OOJZ0D8xKts=" {
						return fmt.Errorf("CRC64NVME trailer %s, want the standard OOJZ0D8xKts=", d.trailers[name])
					}
					return errSkip{"vector expects CRC64NVME " + want + ", which contradicts the CRC-64/NVME standard (OOJZ0D8xKts= for \"Hello world\")"}
				}
				cmp.check("trailer "+name, d.trailers[name], want)
			}
			return cmp.err()
		}()
		var skip errSkip
		switch {
		case err == nil:
			passed++
		case errors.As(err, &skip):
			skipped++
			t.Logf("%s: %v", c.Documentation, err)
		default:
			failed++
			t.Errorf("%s: %v", c.Documentation, err)
		}
	}
	fmt.Printf("CONFORMANCE suite=checksums-checksum_streaming_request-aws-chunked passed=%d failed=%d skipped=%d\n", passed, failed, skipped)
}
