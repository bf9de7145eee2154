package checksum

import (
	"errors"
	"hash"
	"io"
)

// ErrMismatch is matched (errors.Is) by every *MismatchError.
var ErrMismatch = errors.New("checksum mismatch")

// MismatchError reports a body whose checksum is not the one announced for it.
type MismatchError struct {
	Algorithm Algorithm
	Expected  string // the base64 value announced (e.g. the response header)
	Got       string // the base64 value computed over the bytes read
}

func (e *MismatchError) Error() string {
	return "checksum: " + string(e.Algorithm) + " mismatch: expected " + quote(e.Expected) +
		", computed " + quote(e.Got) + " over the body"
}

// Is makes errors.Is(err, ErrMismatch) true.
func (e *MismatchError) Is(target error) bool { return target == ErrMismatch }

// Reader passes the bytes of another reader through while computing their checksum, so that a
// body can be streamed once and its checksum sent after it (in an aws-chunked trailer).
// A Reader is used by one goroutine at a time; its zero value is not usable.
type Reader struct {
	r    io.Reader
	alg  Algorithm
	h    hash.Hash
	done bool
}

// NewReader returns a Reader over r computing a's checksum. It does not take ownership of r.
func NewReader(r io.Reader, a Algorithm) (*Reader, error) {
	h, err := New(a)
	if err != nil {
		return nil, err
	}
	return &Reader{r: r, alg: a, h: h}, nil
}

// Read reads from the underlying reader and adds what it read to the checksum.
func (r *Reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.h.Write(p[:n])
	if err == io.EOF {
		r.done = true
	}
	return n, err
}

// Algorithm returns the algorithm of the checksum.
func (r *Reader) Algorithm() Algorithm { return r.alg }

// Done reports whether the underlying reader has returned io.EOF, i.e. whether Sum covers the
// whole body.
func (r *Reader) Done() bool { return r.done }

// Sum returns the base64 checksum of the bytes read so far.
func (r *Reader) Sum() string { return Encode(r.h.Sum(nil)) }

// ValidatingReader passes a response body through while computing its checksum and, when the
// body ends, compares it with the expected value: the read that reaches the end returns a
// *MismatchError instead of io.EOF if they differ (the bytes of that read are still
// delivered). A body that is not read to its end is not validated.
//
// It is used by one goroutine at a time; Close may be called from another, as for any
// response body. Whoever owns the ValidatingReader must Close it, which closes the body.
type ValidatingReader struct {
	rc       io.ReadCloser
	alg      Algorithm
	expected string
	h        hash.Hash
	err      error // sticky: the result of reaching the end
}

// NewValidatingReader returns a ValidatingReader over rc that expects the base64 checksum
// expected with a. It takes ownership of rc. A composite value (see IsComposite) cannot be
// validated: the caller should not wrap the body for it.
func NewValidatingReader(rc io.ReadCloser, a Algorithm, expected string) (*ValidatingReader, error) {
	h, err := New(a)
	if err != nil {
		return nil, err
	}
	return &ValidatingReader{rc: rc, alg: a, expected: expected, h: h}, nil
}

// Read reads the body; see ValidatingReader.
func (v *ValidatingReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.rc.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF {
		if got := Encode(v.h.Sum(nil)); got != v.expected {
			err = &MismatchError{Algorithm: v.alg, Expected: v.expected, Got: got}
		}
		v.err = err
	}
	return n, err
}

// Close closes the body.
func (v *ValidatingReader) Close() error { return v.rc.Close() }
