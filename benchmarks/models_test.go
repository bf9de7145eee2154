// Package benchmarks measures aioaws side by side with aws-sdk-go-v2. Run from this folder:
//
//	go test -run XXX -bench . -benchmem ./...
package benchmarks

import (
	"testing"

	"github.com/aioaws/aioaws/models"
)

// BenchmarkModelLoad measures reading, decompressing and compiling one service model, as the
// first client of a service in a process pays it (aws-sdk-go-v2 has no equivalent cost: its
// models are compiled into code, which shows in binary size instead).
func BenchmarkModelLoad(b *testing.B) {
	for _, name := range []string{"dynamodb", "s3", "ec2"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := models.NewLoader().Load(name); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
