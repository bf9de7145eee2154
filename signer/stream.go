package signer

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/internal/checksum"
)

// Chunk sizes of aws-chunked bodies.
const (
	DefaultChunkSize = 64 << 10
	MinChunkSize     = 8 << 10 // S3's minimum for every chunk but the last
	MaxChunkSize     = 16 << 20
)

// StreamOptions configure SignStreaming. The zero value signs every chunk, with no trailer,
// in chunks of DefaultChunkSize.
type StreamOptions struct {
	// UnsignedChunks sends STREAMING-UNSIGNED-PAYLOAD-TRAILER: the headers are signed, the
	// chunks are not (the integrity of the body rests on TLS and the trailing checksum, which
	// is then required). Otherwise every chunk is signed: STREAMING-AWS4-HMAC-SHA256-PAYLOAD,
	// or STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER with a Checksum, whose trailer is signed too.
	UnsignedChunks bool
	// Checksum, if set, is computed while the body streams and sent in a trailer named in
	// X-Amz-Trailer (e.g. x-amz-checksum-crc32).
	Checksum checksum.Algorithm
	// ChunkSize is the size of every chunk but the last, from MinChunkSize to MaxChunkSize;
	// 0 means DefaultChunkSize. The encoder buffers one chunk.
	ChunkSize int
}

func (so *StreamOptions) check() error {
	if so.ChunkSize == 0 {
		so.ChunkSize = DefaultChunkSize
	}
	if so.ChunkSize < MinChunkSize || so.ChunkSize > MaxChunkSize {
		return fmt.Errorf("signer: chunk size %d is out of [%d, %d]", so.ChunkSize, MinChunkSize, MaxChunkSize)
	}
	if so.Checksum != "" {
		if _, err := checksum.New(so.Checksum); err != nil {
			return err
		}
	} else if so.UnsignedChunks {
		return errors.New("signer: unsigned chunks need a trailing checksum (StreamOptions.Checksum)")
	}
	return nil
}

// payload returns the payload hash value that announces the framing.
func (so *StreamOptions) payload() string {
	switch {
	case so.UnsignedChunks:
		return StreamingUnsignedPayloadTrailer
	case so.Checksum != "":
		return StreamingSignedPayloadTrailer
	}
	return StreamingSignedPayload
}

const (
	sigExt       = ";chunk-signature="
	trailerSigHd = "x-amz-trailer-signature:"
	crlf         = "\r\n"
)

// EncodedLength returns the length of the aws-chunked encoding of a body of decodedLength
// bytes with so, or -1 when decodedLength is negative (unknown), or for invalid options.
func EncodedLength(decodedLength int64, so StreamOptions) int64 {
	if decodedLength < 0 || so.check() != nil {
		return -1
	}
	return encodedLength(decodedLength, so.ChunkSize, !so.UnsignedChunks, so.Checksum)
}

func encodedLength(decodedLength int64, chunkSize int, signed bool, alg checksum.Algorithm) int64 {
	frame := func(size int64) int64 {
		n := int64(len(strconv.FormatInt(size, 16))) + 2*int64(len(crlf)) + size
		if signed {
			n += int64(len(sigExt)) + 2*sha256.Size
		}
		return n
	}
	size := int64(chunkSize)
	n := decodedLength / size * frame(size)
	if rem := decodedLength % size; rem > 0 {
		n += frame(rem)
	}
	n += frame(0) - int64(len(crlf)) // the final chunk has no data and no CRLF after it
	if alg != "" {
		n += int64(len(alg.HeaderName())+1+alg.EncodedLen()) + int64(len(crlf))
		if signed {
			n += int64(len(trailerSigHd)) + 2*sha256.Size + int64(len(crlf))
		}
	}
	return n + int64(len(crlf))
}

// SignStreaming signs req for an aws-chunked upload (S3 PutObject and UploadPart) and replaces
// its body with an encoder that frames the original body in chunks as it is read, so that a
// body of any size streams through a buffer of one chunk.
//
// The length of the body is req.ContentLength; a zero ContentLength with a body other than nil
// or http.NoBody means unknown (as for net/http). When the length is known, SignStreaming sets
// X-Amz-Decoded-Content-Length, and ContentLength to the encoded length (a Content-Length
// entry of req.Header, if present, is updated to match and signed); the encoder then fails a
// read if the body turns out shorter or longer. When it is unknown, ContentLength becomes -1
// (the transport sends Transfer-Encoding: chunked) and X-Amz-Decoded-Content-Length is not
// sent: S3 requires it, so an unknown length suits only services that accept that.
//
// It also sets Content-Encoding (aws-chunked first), X-Amz-Trailer when a checksum is
// trailed, and X-Amz-Content-Sha256 (the streaming payload value), then signs the headers as
// Sign does with opts (whose payload fields are ignored). The signature of the headers seeds
// the chain of chunk signatures.
//
// The new body owns the original: closing it closes the original. When req.GetBody is set (or
// the body is empty), it is replaced by a function that returns a fresh encoder over a fresh
// body, producing the same bytes. SignStreaming must be given the request with its original
// body: it refuses one it has already encoded. ctx is not used after SignStreaming returns.
func (s *Signer) SignStreaming(ctx context.Context, creds aws.Credentials, req *http.Request, opts Options, so StreamOptions) error {
	if err := so.check(); err != nil {
		return err
	}
	if _, ok := req.Body.(*chunkEncoder); ok {
		return errors.New("signer: the request body is already aws-chunked")
	}
	decoded := req.ContentLength
	body := req.Body
	if body == nil || body == http.NoBody {
		body, decoded = http.NoBody, 0
	} else if decoded == 0 {
		decoded = -1
	}
	encoded := EncodedLength(decoded, so)

	h := req.Header
	if h == nil {
		h = make(http.Header)
		req.Header = h
	}
	switch ce := h.Get("Content-Encoding"); {
	case ce == "":
		h.Set("Content-Encoding", "aws-chunked")
	case !hasToken(ce, "aws-chunked"):
		h.Set("Content-Encoding", "aws-chunked,"+ce)
	}
	if decoded >= 0 {
		h.Set("X-Amz-Decoded-Content-Length", strconv.FormatInt(decoded, 10))
	} else {
		h.Del("X-Amz-Decoded-Content-Length")
	}
	if so.Checksum != "" {
		h.Set("X-Amz-Trailer", so.Checksum.HeaderName())
	} else {
		h.Del("X-Amz-Trailer")
	}
	if _, ok := h["Content-Length"]; ok {
		if encoded >= 0 {
			h.Set("Content-Length", strconv.FormatInt(encoded, 10))
		} else {
			h.Del("Content-Length")
		}
	}

	opts.PayloadHash, opts.UnsignedPayload, opts.Payload = so.payload(), false, nil
	opts.ContentSHA256Header = true
	res := result{wantScope: true}
	if err := s.sign(ctx, creds, req, &opts, headerMode, 0, &res); err != nil {
		return err
	}

	cfg := newChunkConfig(&so, &res)
	req.Body = newChunkEncoder(body, cfg, decoded)
	req.ContentLength = encoded
	switch getBody := req.GetBody; {
	case getBody != nil:
		req.GetBody = func() (io.ReadCloser, error) {
			b, err := getBody()
			if err != nil {
				return nil, err
			}
			return newChunkEncoder(b, cfg, decoded), nil
		}
	case body == http.NoBody:
		req.GetBody = func() (io.ReadCloser, error) { return newChunkEncoder(http.NoBody, cfg, 0), nil }
	}
	return nil
}

// hasToken reports whether the comma-separated list v has token t.
func hasToken(v, t string) bool {
	for rest := v; rest != ""; {
		var item string
		item, rest, _ = strings.Cut(rest, ",")
		if strings.EqualFold(strings.TrimSpace(item), t) {
			return true
		}
	}
	return false
}

// chunkConfig is what every encoder of one signed request shares; it is immutable.
type chunkConfig struct {
	signed        bool
	chunkSize     int
	alg           checksum.Algorithm
	key           [sha256.Size]byte
	seed          [2 * sha256.Size]byte // hex seed signature
	chunkPrefix   []byte                // "AWS4-HMAC-SHA256-PAYLOAD\n<date>\n<scope>\n"
	trailerPrefix []byte                // "AWS4-HMAC-SHA256-TRAILER\n<date>\n<scope>\n"
}

func newChunkConfig(so *StreamOptions, res *result) *chunkConfig {
	cfg := &chunkConfig{signed: !so.UnsignedChunks, chunkSize: so.ChunkSize, alg: so.Checksum, key: res.key}
	appendHex(cfg.seed[:0], res.signature[:])
	prefix := func(alg string) []byte {
		b := make([]byte, 0, len(alg)+len(res.amzDate)+len(res.scope)+3)
		b = append(b, alg...)
		b = append(b, '\n')
		b = append(b, res.amzDate[:]...)
		b = append(b, '\n')
		b = append(b, res.scope...)
		return append(b, '\n')
	}
	cfg.chunkPrefix = prefix("AWS4-HMAC-SHA256-PAYLOAD")
	cfg.trailerPrefix = prefix("AWS4-HMAC-SHA256-TRAILER")
	return cfg
}

// headroom is the space kept before a chunk's data for its header line.
const headroom = 16 + len(sigExt) + 2*sha256.Size + len(crlf)

// chunkEncoder frames a body as aws-chunked while it is read. Read belongs to one goroutine;
// Close may be called from another (as the HTTP transport may), and only closes the source.
type chunkEncoder struct {
	cfg       *chunkConfig
	src       io.ReadCloser
	remaining int64 // bytes still due from src; -1: unknown
	buf       []byte
	prev      [2 * sha256.Size]byte // hex signature of the previous chunk
	sum       hash.Hash
	pending   []byte // framed bytes not yet returned
	srcDone   bool   // src is exhausted
	final     bool   // the final chunk (and trailer) is in pending
	err       error  // sticky
}

func newChunkEncoder(src io.ReadCloser, cfg *chunkConfig, decoded int64) *chunkEncoder {
	e := &chunkEncoder{cfg: cfg, src: src, remaining: decoded, prev: cfg.seed}
	if cfg.alg != "" {
		e.sum, _ = checksum.New(cfg.alg) // checked by StreamOptions.check
	}
	size := cfg.chunkSize
	if decoded >= 0 && decoded < int64(size) {
		size = int(decoded) // a small body needs no full chunk buffer
	}
	e.buf = make([]byte, headroom+max(size, 512)+len(crlf))
	return e
}

// Read returns the next bytes of the encoding.
func (e *chunkEncoder) Read(p []byte) (int, error) {
	for len(e.pending) == 0 {
		if e.err != nil {
			return 0, e.err
		}
		if e.final {
			e.err = io.EOF
			continue
		}
		if err := e.next(); err != nil {
			e.err = err
		}
	}
	n := copy(p, e.pending)
	e.pending = e.pending[n:]
	return n, nil
}

// Close closes the original body.
func (e *chunkEncoder) Close() error { return e.src.Close() }

// next reads the next chunk of the source and frames it, or frames the end.
func (e *chunkEncoder) next() error {
	if e.srcDone {
		e.finish()
		return nil
	}
	want := e.cfg.chunkSize
	if e.remaining >= 0 && int64(want) > e.remaining {
		want = int(e.remaining)
	}
	data := e.buf[headroom : headroom+want]
	n, err := io.ReadFull(e.src, data)
	data = data[:n]
	switch {
	case err == nil:
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		if e.remaining >= 0 && int64(n) < e.remaining {
			return fmt.Errorf("signer: aws-chunked body: the body ended %d bytes short of its declared length: %w",
				e.remaining-int64(n), io.ErrUnexpectedEOF)
		}
		e.srcDone = true
	default:
		return err
	}
	if e.remaining >= 0 {
		e.remaining -= int64(n)
		if e.remaining == 0 && !e.srcDone {
			// The declared length is reached: the body must end here.
			var one [1]byte
			m, err := io.ReadFull(e.src, one[:])
			switch {
			case m > 0:
				return errors.New("signer: aws-chunked body: the body is longer than its declared length")
			case err != io.EOF:
				return err
			}
			e.srcDone = true
		}
	}
	if n == 0 {
		e.finish()
		return nil
	}
	if e.sum != nil {
		e.sum.Write(data)
	}
	var hdrArr [headroom]byte
	hdr := strconv.AppendInt(hdrArr[:0], int64(n), 16)
	if e.cfg.signed {
		e.signChunk(data)
		hdr = append(hdr, sigExt...)
		hdr = append(hdr, e.prev[:]...)
	}
	hdr = append(hdr, crlf...)
	start := headroom - len(hdr)
	copy(e.buf[start:], hdr)
	end := headroom + n
	e.buf[end], e.buf[end+1] = '\r', '\n'
	e.pending = e.buf[start : end+2]
	return nil
}

// signChunk chains the signature of a chunk of data onto prev.
func (e *chunkEncoder) signChunk(data []byte) {
	var stsArr [384]byte
	sts := append(stsArr[:0], e.cfg.chunkPrefix...)
	sts = append(sts, e.prev[:]...)
	sts = append(sts, '\n')
	sts = append(sts, EmptyPayloadHash...)
	sts = append(sts, '\n')
	sum := sha256.Sum256(data)
	sts = appendHex(sts, sum[:])
	sig := hmacSHA256(e.cfg.key[:], sts)
	appendHex(e.prev[:0], sig[:])
}

// signTrailer returns the signature of the trailing headers in canonical form (each
// "name:value\n"), chained onto prev, the final chunk's signature.
func (cfg *chunkConfig) signTrailer(prev *[2 * sha256.Size]byte, canonical []byte) [sha256.Size]byte {
	sum := sha256.Sum256(canonical)
	var stsArr [384]byte
	sts := append(stsArr[:0], cfg.trailerPrefix...)
	sts = append(sts, prev[:]...)
	sts = append(sts, '\n')
	sts = appendHex(sts, sum[:])
	return hmacSHA256(cfg.key[:], sts)
}

// finish frames the final, empty chunk and the trailer.
func (e *chunkEncoder) finish() {
	out := e.buf[:0]
	out = append(out, '0')
	if e.cfg.signed {
		e.signChunk(nil)
		out = append(out, sigExt...)
		out = append(out, e.prev[:]...)
	}
	out = append(out, crlf...)
	if e.sum != nil {
		lineStart := len(out)
		out = append(out, e.cfg.alg.HeaderName()...)
		out = append(out, ':')
		var digest [sha256.Size]byte
		out = append(out, checksum.Encode(e.sum.Sum(digest[:0]))...)
		line := out[lineStart:]
		if e.cfg.signed {
			// The trailer's canonical form is "name:value\n".
			var canon [128]byte
			sig := e.cfg.signTrailer(&e.prev, append(append(canon[:0], line...), '\n'))
			out = append(out, crlf...)
			out = append(out, trailerSigHd...)
			out = appendHex(out, sig[:])
		}
		out = append(out, crlf...)
	}
	out = append(out, crlf...)
	e.pending = out
	e.final = true
}
