package checksum_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/internal/checksum"
	"github.com/aioaws/aioaws/internal/testenv"
)

// rubyCase is one vector of the checksums/ruby files; which fields are set tells the kind.
type rubyCase struct {
	Documentation     string            `json:"documentation"`
	RequestPayload    *string           `json:"requestPayload"`
	ResponsePayload   *string           `json:"responsePayload"`
	ChecksumAlgorithm string            `json:"checksumAlgorithm"`
	ChecksumValue     string            `json:"checksumValue"`
	ExpectHeaders     map[string]string `json:"expectHeaders"`
	ForbidHeaders     []string          `json:"forbidHeaders"`
	ExpectTrailers    map[string]string `json:"expectTrailers"`
	ResponseHeaders   map[string]string `json:"responseHeaders"`
	Expect            *struct {
		Kind               string `json:"kind"`
		CalculatedChecksum string `json:"calculatedChecksum"`
	} `json:"expect"`
}

// errSkip marks a vector that is not run, with the reason.
type errSkip struct{ reason string }

func (e errSkip) Error() string { return "skipped: " + e.reason }

// standardHelloWorldCRC64NVME is CRC-64/NVME("Hello world"), as checksum_provided.json and
// checksum_response.json give it and as follows from the algorithm's published check value.
const standardHelloWorldCRC64NVME = "OOJZ0D8xKts="

// checkKnownBadVector skips a vector that expects a CRC64NVME of "Hello world" other than the
// standard one (checksum_request.json and checksum_streaming_request.json say "uc8X9yrZrD4="),
// after making sure this package computes the standard value.
func checkKnownBadVector(alg checksum.Algorithm, payload, want string) error {
	if alg != checksum.CRC64NVME || payload != "Hello world" || want == standardHelloWorldCRC64NVME {
		return nil
	}
	got, err := checksum.Sum(alg, []byte(payload))
	if err != nil {
		return err
	}
	if got != standardHelloWorldCRC64NVME {
		return fmt.Errorf("CRC64NVME(%q) = %s, want the standard %s", payload, got, standardHelloWorldCRC64NVME)
	}
	return errSkip{fmt.Sprintf("vector expects CRC64NVME %s for %q, which contradicts the CRC-64/NVME standard "+
		"(check value 0xae8b14860a799888; the other files and this package give %s)", want, payload, got)}
}

func runRubyCase(c rubyCase) error {
	switch {
	case c.ResponsePayload != nil:
		return runResponseCase(c)
	case c.ExpectTrailers != nil:
		return runStreamingCase(c)
	case c.ChecksumValue != "":
		return runProvidedCase(c)
	case c.RequestPayload != nil:
		return runRequestCase(c)
	}
	return errors.New("vector of unknown kind")
}

// runRequestCase: the SDK computes the checksum of the payload and sends it in
// x-amz-checksum-<alg>, with the modeled algorithm member (x-amz-request-algorithm in the
// vectors' test operation) holding the algorithm's canonical name.
func runRequestCase(c rubyCase) error {
	alg, err := checksum.ParseAlgorithm(c.ChecksumAlgorithm)
	if err != nil {
		return err
	}
	sum, err := checksum.Sum(alg, []byte(*c.RequestPayload))
	if err != nil {
		return err
	}
	for name, want := range c.ExpectHeaders {
		switch {
		case name == "x-amz-request-algorithm":
			if string(alg) != want {
				return fmt.Errorf("algorithm name %q, want %q", alg, want)
			}
		case name == alg.HeaderName():
			if err := checkKnownBadVector(alg, *c.RequestPayload, want); err != nil {
				return err
			}
			if sum != want {
				return fmt.Errorf("%s = %s, want %s", name, sum, want)
			}
		default:
			return fmt.Errorf("unexpected expected header %q (checksum header is %q)", name, alg.HeaderName())
		}
	}
	return nil
}

// runProvidedCase: a checksum the caller computed is sent as is, under the header its
// algorithm names, even for an algorithm this package does not know.
func runProvidedCase(c rubyCase) error {
	alg, err := checksum.ParseAlgorithm(c.ChecksumAlgorithm)
	if err != nil {
		alg = checksum.Algorithm(c.ChecksumAlgorithm) // forward compatibility: unknown names pass through
	} else {
		// A known algorithm: the provided value must also be what this package computes.
		sum, err := checksum.Sum(alg, []byte(*c.RequestPayload))
		if err != nil {
			return err
		}
		if sum != c.ChecksumValue {
			return fmt.Errorf("provided %s %s, computed %s", alg, c.ChecksumValue, sum)
		}
	}
	sent := http.Header{}
	sent.Set(alg.HeaderName(), c.ChecksumValue)
	for name, want := range c.ExpectHeaders {
		if got := sent.Get(name); got != want {
			return fmt.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
	for _, name := range c.ForbidHeaders {
		if _, ok := sent[http.CanonicalHeaderKey(name)]; ok {
			return fmt.Errorf("forbidden header %s sent", name)
		}
	}
	return nil
}

// runResponseCase: the body is validated against the response's checksum header while read.
func runResponseCase(c rubyCase) error {
	alg, err := checksum.ParseAlgorithm(c.ChecksumAlgorithm)
	if err != nil {
		return err
	}
	h := http.Header{}
	for k, v := range c.ResponseHeaders {
		h.Set(k, v)
	}
	got, expected, ok := checksum.ResponseChecksum(h, checksum.ResponsePriority)
	if !ok || got != alg {
		return fmt.Errorf("ResponseChecksum found %q (%v), want %s", got, ok, alg)
	}
	vr, err := checksum.NewValidatingReader(io.NopCloser(iotest.HalfReader(strings.NewReader(*c.ResponsePayload))), alg, expected)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(vr)
	if string(body) != *c.ResponsePayload {
		return fmt.Errorf("body %q, want %q", body, *c.ResponsePayload)
	}
	switch c.Expect.Kind {
	case "success":
		return err
	case "failure":
		var me *checksum.MismatchError
		if !errors.As(err, &me) {
			return fmt.Errorf("error %v, want a *MismatchError", err)
		}
		if me.Got != c.Expect.CalculatedChecksum || me.Expected != expected || me.Algorithm != alg {
			return fmt.Errorf("mismatch %+v, want got %s, expected %s", *me, c.Expect.CalculatedChecksum, expected)
		}
		return nil
	}
	return fmt.Errorf("unknown expectation %q", c.Expect.Kind)
}

// runStreamingCase: the checksum is computed while the body streams and goes in the trailer
// that x-amz-trailer names. Content-Encoding: aws-chunked is the framing's business; the signer
// package runs these vectors through its aws-chunked encoder as well.
func runStreamingCase(c rubyCase) error {
	alg, err := checksum.ParseAlgorithm(c.ChecksumAlgorithm)
	if err != nil {
		return err
	}
	r, err := checksum.NewReader(iotest.OneByteReader(strings.NewReader(*c.RequestPayload)), alg)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if !bytes.Equal(body, []byte(*c.RequestPayload)) || !r.Done() {
		return errors.New("the reader changed or did not finish the body")
	}
	for name, want := range c.ExpectHeaders {
		switch name {
		case "x-amz-trailer":
			if alg.HeaderName() != want {
				return fmt.Errorf("trailer name %q, want %q", alg.HeaderName(), want)
			}
		case "content-encoding": // checked by the signer's aws-chunked run of these vectors
		default:
			return fmt.Errorf("unexpected expected header %q", name)
		}
	}
	for name, want := range c.ExpectTrailers {
		if name != alg.HeaderName() {
			return fmt.Errorf("unexpected trailer %q", name)
		}
		if err := checkKnownBadVector(alg, *c.RequestPayload, want); err != nil {
			return err
		}
		if r.Sum() != want {
			return fmt.Errorf("trailer %s = %s, want %s", name, r.Sum(), want)
		}
	}
	return nil
}

func TestConformanceRuby(t *testing.T) {
	dir := filepath.Join(testenv.ConformanceDir(t), "checksums", "ruby")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no vectors in %s", dir)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			var cases []rubyCase
			require.NoError(t, json.Unmarshal(data, &cases))
			var passed, failed, skipped int
			for _, c := range cases {
				var skip errSkip
				switch err := runRubyCase(c); {
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
			fmt.Printf("CONFORMANCE suite=checksums-%s passed=%d failed=%d skipped=%d\n", name, passed, failed, skipped)
		})
	}
}
