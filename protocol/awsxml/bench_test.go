package awsxml

import (
	"fmt"
	"strings"
	"testing"
)

// listObjectsV2 is a ListObjectsV2 response body with n keys.
func listObjectsV2(n int) string {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><KeyCount>100</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>`)
	for i := range n {
		fmt.Fprintf(&sb, `<Contents><Key>dir/object-%04d.txt</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><ETag>&quot;0123456789abcdef&quot;</ETag><Size>%d</Size><StorageClass>STANDARD</StorageClass></Contents>`, i, i*100)
	}
	sb.WriteString(`</ListBucketResult>`)
	return sb.String()
}

func BenchmarkParseListObjectsV2(b *testing.B) {
	svc, c := load(b, "s3", RestXML)
	o := op(b, svc, "ListObjectsV2")
	body := listObjectsV2(100)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Parse(o, response(200, nil, body)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScan measures the scanner alone: the tokens of a document, its texts decoded.
func BenchmarkScan(b *testing.B) {
	body := []byte(listObjectsV2(100))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		s := scanner{data: body}
		for {
			tok, err := s.next()
			if err != nil {
				b.Fatal(err)
			}
			if tok == tokEOF {
				break
			}
			if tok == tokText {
				_ = s.textString()
			}
		}
	}
}

func BenchmarkBuildDeleteObjects(b *testing.B) {
	svc, c := load(b, "s3", RestXML)
	o := op(b, svc, "DeleteObjects")
	objects := make([]any, 100)
	for i := range objects {
		objects[i] = map[string]any{"Key": fmt.Sprintf("dir/object-%04d.txt", i)}
	}
	in := map[string]any{"Bucket": "b", "Delete": map[string]any{"Objects": objects, "Quiet": true}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Build(o, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildQuery(b *testing.B) {
	svc, c := load(b, "sns", Query)
	o := op(b, svc, "Publish")
	in := map[string]any{"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "hello world",
		"MessageAttributes": map[string]any{"a": map[string]any{"DataType": "String", "StringValue": "x"}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Build(o, in); err != nil {
			b.Fatal(err)
		}
	}
}
