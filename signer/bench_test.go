package signer_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/internal/checksum"
	"github.com/aioaws/aioaws/signer"
)

var benchCreds = aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}

// dynamoRequest is a DynamoDB-like POST with a 1 KiB JSON body and the headers an SDK sends.
func dynamoRequest(tb testing.TB) (*http.Request, []byte) {
	body := bytes.Repeat([]byte("x"), 1024)
	req, err := http.NewRequest("POST", "https://dynamodb.us-east-1.amazonaws.com/", bytes.NewReader(body))
	require.NoError(tb, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
	req.Header.Set("User-Agent", "aioaws/0.1 os/linux lang/go#1.26")
	req.Header.Set("Amz-Sdk-Invocation-Id", "3d2a1c6e-5f4b-4c1d-9e8f-0a1b2c3d4e5f")
	req.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
	return req, body
}

// BenchmarkSignHeaders signs a DynamoDB-like POST (1 KiB body) in its headers, with the
// payload given as bytes (how the client calls it), as a precomputed hash, or read back
// through GetBody.
func BenchmarkSignHeaders(b *testing.B) {
	s := new(signer.Signer)
	ctx := context.Background()
	req, body := dynamoRequest(b)
	sum := sha256.Sum256(body)
	variants := []struct {
		name string
		opts signer.Options
	}{
		{"payload-bytes", signer.Options{Payload: body}},
		{"payload-hash", signer.Options{PayloadHash: hex.EncodeToString(sum[:])}},
		{"getbody", signer.Options{}},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			opts := v.opts
			opts.Service, opts.Region = "dynamodb", "us-east-1"
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Sign(ctx, benchCreds, req, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPresign(b *testing.B) {
	s := new(signer.Signer)
	req, err := http.NewRequest("GET", "https://examplebucket.s3.us-east-1.amazonaws.com/some/key.txt", nil)
	require.NoError(b, err)
	opts := signer.Options{Service: "s3", Region: "us-east-1", DisableURIPathEscaping: true, UnsignedPayload: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Presign(context.Background(), benchCreds, req, time.Hour, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignStreaming measures the aws-chunked encoder's throughput over an 8 MiB body.
func BenchmarkSignStreaming(b *testing.B) {
	data := make([]byte, 8<<20)
	for _, v := range []struct {
		name string
		so   signer.StreamOptions
	}{
		{"signed", signer.StreamOptions{}},
		{"signed-crc32-trailer", signer.StreamOptions{Checksum: checksum.CRC32}},
		{"unsigned-crc64nvme-trailer", signer.StreamOptions{UnsignedChunks: true, Checksum: checksum.CRC64NVME}},
	} {
		b.Run(v.name, func(b *testing.B) {
			s := new(signer.Signer)
			opts := signer.Options{Service: "s3", Region: "us-east-1", DisableURIPathEscaping: true}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				req, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", bytes.NewReader(data))
				if err := s.SignStreaming(context.Background(), benchCreds, req, opts, v.so); err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, req.Body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestSignAllocs keeps header signing at two allocations (the string of the values the signer
// sets, and their slice) once the derived key is cached.
func TestSignAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	s := new(signer.Signer)
	req, body := dynamoRequest(t)
	opts := signer.Options{Service: "dynamodb", Region: "us-east-1", Payload: body, ContentSHA256Header: true}
	creds := benchCreds
	creds.SessionToken = "token"
	require.NoError(t, s.Sign(context.Background(), creds, req, opts))
	allocs := testing.AllocsPerRun(100, func() {
		if err := s.Sign(context.Background(), creds, req, opts); err != nil {
			t.Fatal(err)
		}
	})
	require.LessOrEqual(t, allocs, 2.0)
}
