package checksum

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
)

// Algorithm names a checksum algorithm as AWS spells it in the x-amz-sdk-checksum-algorithm
// header and in service models: "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256".
type Algorithm string

// The flexible checksum algorithms, and MD5 (for Content-MD5).
const (
	CRC32     Algorithm = "CRC32"
	CRC32C    Algorithm = "CRC32C"
	CRC64NVME Algorithm = "CRC64NVME"
	SHA1      Algorithm = "SHA1"
	SHA256    Algorithm = "SHA256"
	// MD5 is not a flexible checksum of the SDKs; it exists here for the Content-MD5 header
	// (see ContentMD5) that some operations require.
	MD5 Algorithm = "MD5"
)

// ResponsePriority is the order in which a response's checksums are preferred when it carries
// several: the fastest first, as the AWS SDKs do.
var ResponsePriority = []Algorithm{CRC64NVME, CRC32C, CRC32, SHA1, SHA256}

// ErrUnknownAlgorithm is returned (wrapped) for an algorithm this package does not implement.
var ErrUnknownAlgorithm = errors.New("checksum: unknown algorithm")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ParseAlgorithm returns the Algorithm named by s, whatever its case ("crc32c", "Crc32C",
// "CRC32C" all give CRC32C), or an error wrapping ErrUnknownAlgorithm.
func ParseAlgorithm(s string) (Algorithm, error) {
	for _, a := range [...]Algorithm{CRC32, CRC32C, CRC64NVME, SHA1, SHA256, MD5} {
		if strings.EqualFold(s, string(a)) {
			return a, nil
		}
	}
	return "", unknown(Algorithm(s))
}

func unknown(a Algorithm) error {
	return &unknownError{a}
}

type unknownError struct{ a Algorithm }

func (e *unknownError) Error() string { return "checksum: unknown algorithm " + quote(string(e.a)) }
func (e *unknownError) Unwrap() error { return ErrUnknownAlgorithm }

func quote(s string) string { return `"` + s + `"` }

// HeaderName returns the header (or trailer) that carries a checksum of a:
// "x-amz-checksum-" followed by the lowercase name, e.g. "x-amz-checksum-crc32c". It works for
// names this package does not implement, so that a checksum the caller computed itself can be
// sent under its name.
func (a Algorithm) HeaderName() string {
	switch a {
	case CRC32:
		return "x-amz-checksum-crc32"
	case CRC32C:
		return "x-amz-checksum-crc32c"
	case CRC64NVME:
		return "x-amz-checksum-crc64nvme"
	case SHA1:
		return "x-amz-checksum-sha1"
	case SHA256:
		return "x-amz-checksum-sha256"
	case MD5:
		return "x-amz-checksum-md5"
	}
	return "x-amz-checksum-" + strings.ToLower(string(a))
}

// Size returns the length in bytes of a's digest, or 0 for an unknown algorithm.
func (a Algorithm) Size() int {
	switch a {
	case CRC32, CRC32C:
		return 4
	case CRC64NVME:
		return 8
	case SHA1:
		return sha1.Size
	case SHA256:
		return sha256.Size
	case MD5:
		return md5.Size
	}
	return 0
}

// EncodedLen returns the length of the base64 value of a's checksum (what HeaderName carries),
// or 0 for an unknown algorithm.
func (a Algorithm) EncodedLen() int {
	return base64.StdEncoding.EncodedLen(a.Size())
}

// New returns a new hash computing a's checksum. Its Sum is the big-endian digest; Encode it
// for a header. The hash belongs to the caller and is not safe for concurrent use.
func New(a Algorithm) (hash.Hash, error) {
	switch a {
	case CRC32:
		return crc32.NewIEEE(), nil
	case CRC32C:
		return crc32.New(castagnoli), nil
	case CRC64NVME:
		return NewCRC64NVME(), nil
	case SHA1:
		return sha1.New(), nil
	case SHA256:
		return sha256.New(), nil
	case MD5:
		return md5.New(), nil
	}
	return nil, unknown(a)
}

// Encode returns the base64 (standard, padded) encoding of a digest, the form of checksum
// headers.
func Encode(digest []byte) string {
	return base64.StdEncoding.EncodeToString(digest)
}

// Sum returns the base64 checksum of p with a.
func Sum(a Algorithm, p []byte) (string, error) {
	var buf [sha256.Size]byte
	switch a {
	case CRC32:
		return Encode(be32(buf[:0], crc32.ChecksumIEEE(p))), nil
	case CRC32C:
		return Encode(be32(buf[:0], crc32.Checksum(p, castagnoli))), nil
	case CRC64NVME:
		return Encode(be64(buf[:0], UpdateCRC64NVME(0, p))), nil
	case SHA1:
		s := sha1.Sum(p)
		return Encode(s[:]), nil
	case SHA256:
		s := sha256.Sum256(p)
		return Encode(s[:]), nil
	case MD5:
		s := md5.Sum(p)
		return Encode(s[:]), nil
	}
	return "", unknown(a)
}

// Compute reads r to its end and returns its base64 checksum with a. It does not close r.
func Compute(a Algorithm, r io.Reader) (string, error) {
	h, err := New(a)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return Encode(h.Sum(nil)), nil
}

// ContentMD5 returns the value of a Content-MD5 header for p: the base64 MD5 digest.
func ContentMD5(p []byte) string {
	s := md5.Sum(p)
	return Encode(s[:])
}

// IsComposite reports whether a checksum value sent by S3 is a checksum of part checksums
// ("<base64>-<parts>", for objects uploaded in parts): such a value is not a checksum of the
// body and cannot be validated against it.
func IsComposite(value string) bool {
	i := strings.LastIndexByte(value, '-')
	if i < 0 || i == len(value)-1 {
		return false
	}
	for _, c := range value[i+1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ResponseChecksum returns the first algorithm of candidates (in that order; see
// ResponsePriority) whose header h carries with a value that can be validated, with that value.
// It reports false when there is none.
func ResponseChecksum(h http.Header, candidates []Algorithm) (Algorithm, string, bool) {
	for _, a := range candidates {
		if v := h.Get(a.HeaderName()); v != "" && !IsComposite(v) {
			return a, v, true
		}
	}
	return "", "", false
}

func be32(b []byte, v uint32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func be64(b []byte, v uint64) []byte {
	return append(b, byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32),
		byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}
