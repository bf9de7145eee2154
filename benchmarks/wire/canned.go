// Package wire measures the wire layer — serialize, sign, parse — side by side with
// aws-sdk-go-v2 on the same canned responses, with no network: both sides hand their request
// to an in-memory transport that reads the body and answers from memory.
package wire

import (
	"fmt"
	"strings"
	"time"
)

// item11 is a DynamoDB item of 11 attributes of the usual kinds, as the wire carries it.
func item11(i int) string {
	return fmt.Sprintf(`{"pk":{"S":"user#%06d"},"sk":{"S":"profile"},"name":{"S":"Ada Lovelace"},"email":{"S":"ada%d@example.com"},`+
		`"age":{"N":"36"},"score":{"N":"1234.5"},"active":{"BOOL":true},"tags":{"SS":["math","poetry","engines"]},`+
		`"address":{"M":{"city":{"S":"London"},"zip":{"S":"W1"}}},"history":{"L":[{"N":"1"},{"N":"2"},{"N":"3"}]},"avatar":{"B":"iVBORw0KGgoAAAANSUhEUg=="}}`, i, i)
}

// GetItemResponse is a GetItem answer holding one 11-attribute item.
func GetItemResponse() string { return `{"Item":` + item11(1) + `}` }

// PutItemResponse is an empty PutItem answer.
func PutItemResponse() string { return `{}` }

// QueryResponse is a Query answer with n 11-attribute items and a LastEvaluatedKey.
func QueryResponse(n int) string {
	var b strings.Builder
	b.WriteString(`{"Count":`)
	fmt.Fprint(&b, n)
	b.WriteString(`,"ScannedCount":`)
	fmt.Fprint(&b, n)
	b.WriteString(`,"Items":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(item11(i))
	}
	b.WriteString(`],"LastEvaluatedKey":{"pk":{"S":"user#000001"},"sk":{"S":"profile"}}}`)
	return b.String()
}

// ListObjectsV2Response is a ListObjectsV2 answer with n keys.
func ListObjectsV2Response(n int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix>logs/</Prefix>`)
	fmt.Fprintf(&b, `<KeyCount>%d</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>`, n)
	mod := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for i := range n {
		fmt.Fprintf(&b, `<Contents><Key>logs/2026/11/01/app-%05d.log.gz</Key><LastModified>%s</LastModified><ETag>&quot;%032x&quot;</ETag><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType><Size>%d</Size><StorageClass>STANDARD</StorageClass></Contents>`,
			i, mod.Add(time.Duration(i)*time.Second).Format("2006-01-02T15:04:05.000Z"), i*7919, 1000+i)
	}
	b.WriteString(`</ListBucketResult>`)
	return b.String()
}
