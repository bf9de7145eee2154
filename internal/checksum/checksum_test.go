package checksum_test

import (
	"bytes"
	"errors"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/internal/checksum"
)

// The values of "Hello world" agree with the checksums/ruby conformance vectors (all but the two
// CRC64NVME ones that contradict the standard); the others were checked with independent tools
// (crc32, sha1sum, sha256sum, md5sum and CRC-64/NVME's published check value).
func TestSum(t *testing.T) {
	tests := []struct {
		alg   checksum.Algorithm
		in    string
		want  string
		wantN int
	}{
		{checksum.CRC32, "Hello world", "i9aeUg==", 8},
		{checksum.CRC32C, "Hello world", "crUfeA==", 8},
		{checksum.CRC64NVME, "Hello world", "OOJZ0D8xKts=", 12},
		{checksum.SHA1, "Hello world", "e1AsOh9IyGCa4hLN+2Od7jlnP14=", 28},
		{checksum.SHA256, "Hello world", "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=", 44},
		{checksum.MD5, "Hello world", "PiWWCnnbxptnTNTsZ6csYg==", 24},
		{checksum.CRC32, "", "AAAAAA==", 8},
		{checksum.CRC64NVME, "", "AAAAAAAAAAA=", 12},
		{checksum.SHA256, "", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", 44},
	}
	for _, tt := range tests {
		t.Run(string(tt.alg)+"/"+tt.in, func(t *testing.T) {
			got, err := checksum.Sum(tt.alg, []byte(tt.in))
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.wantN, tt.alg.EncodedLen())

			got, err = checksum.Compute(tt.alg, iotest.OneByteReader(strings.NewReader(tt.in)))
			require.NoError(t, err)
			require.Equal(t, tt.want, got)

			h, err := checksum.New(tt.alg)
			require.NoError(t, err)
			h.Write([]byte(tt.in))
			require.Equal(t, tt.want, checksum.Encode(h.Sum(nil)))
			require.Equal(t, tt.alg.Size(), h.Size())
		})
	}
}

func TestCRC64NVMECheckValue(t *testing.T) {
	// The check value of the CRC catalogue's CRC-64/NVME.
	require.Equal(t, uint64(0xae8b14860a799888), checksum.UpdateCRC64NVME(0, []byte("123456789")))
	h := checksum.NewCRC64NVME()
	h.Write([]byte("1234"))
	h.Write([]byte("56789"))
	require.Equal(t, uint64(0xae8b14860a799888), h.Sum64())
	h.Reset()
	require.Equal(t, uint64(0), h.Sum64())
}

// TestCRC64NVMEAgainstStdlib compares the slicing-by-8 code with hash/crc64's generic table
// code (which computes the same reflected CRC for any polynomial) on every length around the
// 8-byte stride and on incremental writes.
func TestCRC64NVMEAgainstStdlib(t *testing.T) {
	table := crc64.MakeTable(0x9a6c9329ac4bc9b5)
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 5000)
	for i := range buf {
		buf[i] = byte(rng.Uint32())
	}
	for n := 0; n <= 300; n++ {
		require.Equal(t, crc64.Checksum(buf[:n], table), checksum.UpdateCRC64NVME(0, buf[:n]), "length %d", n)
	}
	require.Equal(t, crc64.Checksum(buf, table), checksum.UpdateCRC64NVME(0, buf))
	for split := 0; split < 40; split++ {
		crc := checksum.UpdateCRC64NVME(0, buf[:split])
		crc = checksum.UpdateCRC64NVME(crc, buf[split:])
		require.Equal(t, crc64.Checksum(buf, table), crc, "split at %d", split)
	}
}

func TestParseAlgorithm(t *testing.T) {
	tests := []struct {
		in      string
		want    checksum.Algorithm
		wantErr bool
	}{
		{"CRC32", checksum.CRC32, false},
		{"crc32c", checksum.CRC32C, false},
		{"Crc32C", checksum.CRC32C, false},
		{"Crc64Nvme", checksum.CRC64NVME, false},
		{"sha1", checksum.SHA1, false},
		{"Sha256", checksum.SHA256, false},
		{"md5", checksum.MD5, false},
		{"Foo", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := checksum.ParseAlgorithm(tt.in)
			if tt.wantErr {
				require.ErrorIs(t, err, checksum.ErrUnknownAlgorithm)
				require.ErrorContains(t, err, `"`+tt.in+`"`)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	_, err := checksum.New("XXHASH64")
	require.ErrorIs(t, err, checksum.ErrUnknownAlgorithm)
	_, err = checksum.Sum("XXHASH64", nil)
	require.ErrorIs(t, err, checksum.ErrUnknownAlgorithm)
}

func TestHeaderName(t *testing.T) {
	tests := map[checksum.Algorithm]string{
		checksum.CRC32:     "x-amz-checksum-crc32",
		checksum.CRC32C:    "x-amz-checksum-crc32c",
		checksum.CRC64NVME: "x-amz-checksum-crc64nvme",
		checksum.SHA1:      "x-amz-checksum-sha1",
		checksum.SHA256:    "x-amz-checksum-sha256",
		checksum.MD5:       "x-amz-checksum-md5",
		"Foo":              "x-amz-checksum-foo",
	}
	for alg, want := range tests {
		require.Equal(t, want, alg.HeaderName())
	}
}

func TestIsCompositeAndResponseChecksum(t *testing.T) {
	require.True(t, checksum.IsComposite("i9aeUg==-3"))
	require.False(t, checksum.IsComposite("i9aeUg=="))
	require.False(t, checksum.IsComposite("i9aeUg==-"))
	require.False(t, checksum.IsComposite("ab-c"))

	h := http.Header{}
	h.Set("x-amz-checksum-crc32", "i9aeUg==")
	h.Set("x-amz-checksum-crc64nvme", "OOJZ0D8xKts=-2")
	h.Set("x-amz-checksum-sha256", "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=")
	alg, v, ok := checksum.ResponseChecksum(h, checksum.ResponsePriority)
	require.True(t, ok)
	require.Equal(t, checksum.CRC32, alg) // CRC64NVME is composite: skipped
	require.Equal(t, "i9aeUg==", v)
	_, _, ok = checksum.ResponseChecksum(http.Header{}, checksum.ResponsePriority)
	require.False(t, ok)
}

func TestReader(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789"), 10000)
	want, err := checksum.Sum(checksum.CRC32C, body)
	require.NoError(t, err)

	r, err := checksum.NewReader(iotest.HalfReader(bytes.NewReader(body)), checksum.CRC32C)
	require.NoError(t, err)
	require.Equal(t, checksum.CRC32C, r.Algorithm())
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	require.Equal(t, body, got)
	require.True(t, r.Done())
	require.Equal(t, want, r.Sum())

	_, err = checksum.NewReader(bytes.NewReader(nil), "nope")
	require.ErrorIs(t, err, checksum.ErrUnknownAlgorithm)
}

type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

func TestValidatingReader(t *testing.T) {
	tests := []struct {
		name     string
		expected string
		wantErr  bool
	}{
		{"match", "i9aeUg==", false},
		{"mismatch", "bm90LWEtY2hlY2tzdW0=", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &closeCounter{Reader: iotest.OneByteReader(strings.NewReader("Hello world"))}
			v, err := checksum.NewValidatingReader(body, checksum.CRC32, tt.expected)
			require.NoError(t, err)
			got, err := io.ReadAll(v)
			require.Equal(t, "Hello world", string(got)) // the bytes are delivered either way
			if !tt.wantErr {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, checksum.ErrMismatch)
				var me *checksum.MismatchError
				require.True(t, errors.As(err, &me))
				require.Equal(t, checksum.MismatchError{Algorithm: checksum.CRC32, Expected: tt.expected, Got: "i9aeUg=="}, *me)
				require.ErrorContains(t, err, "CRC32")
				require.ErrorContains(t, err, tt.expected)
				require.ErrorContains(t, err, "i9aeUg==")
				// The error is sticky.
				_, err2 := v.Read(make([]byte, 1))
				require.Equal(t, err, err2)
			}
			require.NoError(t, v.Close())
			require.Equal(t, 1, body.closed)
		})
	}
}

func BenchmarkCRC64NVME(b *testing.B) {
	for _, size := range []int{64, 1 << 10, 64 << 10, 1 << 20} {
		buf := make([]byte, size)
		b.Run(byteSize(size), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				checksum.UpdateCRC64NVME(0, buf)
			}
		})
	}
}

// BenchmarkCRC64NVMEStdlib is the baseline: hash/crc64 with a custom polynomial (it builds its
// slicing table on every call of 2 KiB or more, and goes byte by byte below).
func BenchmarkCRC64NVMEStdlib(b *testing.B) {
	table := crc64.MakeTable(0x9a6c9329ac4bc9b5)
	for _, size := range []int{64, 1 << 10, 64 << 10, 1 << 20} {
		buf := make([]byte, size)
		b.Run(byteSize(size), func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				crc64.Checksum(buf, table)
			}
		})
	}
}

func BenchmarkSum(b *testing.B) {
	buf := make([]byte, 64<<10)
	for _, alg := range []checksum.Algorithm{checksum.CRC32, checksum.CRC32C, checksum.CRC64NVME, checksum.SHA1, checksum.SHA256} {
		b.Run(string(alg), func(b *testing.B) {
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				checksum.Sum(alg, buf)
			}
		})
	}
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.Itoa(n>>20) + "MiB"
	case n >= 1<<10:
		return strconv.Itoa(n>>10) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}
