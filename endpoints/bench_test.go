package endpoints

import (
	"testing"

	"github.com/aioaws/aioaws/models"
)

type benchCase struct {
	name, service, op string
	cfg               *Config
	input             map[string]any
}

var benchCases = []benchCase{
	{"S3GetObject", "s3", "GetObject", &Config{Region: "us-west-2"},
		map[string]any{"Bucket": "amzn-s3-demo-bucket", "Key": "photos/2026/01/cat.jpg"}},
	{"DynamoDBGetItem", "dynamodb", "GetItem", &Config{Region: "us-east-1"},
		map[string]any{"TableName": "Music", "Key": map[string]any{"Artist": map[string]any{"S": "No One You Know"}}}},
}

func benchResolver(b *testing.B, service string) *Resolver {
	b.Helper()
	svc, err := models.Load(service)
	if err != nil {
		b.Fatal(err)
	}
	r, err := ForService(svc)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkResolveUncached evaluates the rules for every call (RuleSet.Resolve on bound
// parameters): the cost of a cache miss.
func BenchmarkResolveUncached(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			r := benchResolver(b, bc.service)
			p, err := r.Params(bc.cfg, bc.op, bc.input)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.RuleSet().Resolve(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkResolveCached is the per-call path of a client: bind the parameters from the
// config and the operation input, then hit the cache.
func BenchmarkResolveCached(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			r := benchResolver(b, bc.service)
			if _, err := r.ResolveOperation(bc.cfg, bc.op, bc.input); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.ResolveOperation(bc.cfg, bc.op, bc.input); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkResolveCachedParallel is BenchmarkResolveCached from GOMAXPROCS goroutines at
// once, all on the same entry.
func BenchmarkResolveCachedParallel(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			r := benchResolver(b, bc.service)
			if _, err := r.ResolveOperation(bc.cfg, bc.op, bc.input); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := r.ResolveOperation(bc.cfg, bc.op, bc.input); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkCompile compiles the S3 rule set (the largest).
func BenchmarkCompile(b *testing.B) {
	svc, err := models.Load("s3")
	if err != nil {
		b.Fatal(err)
	}
	data, err := svc.EndpointRuleSet()
	if err != nil {
		b.Fatal(err)
	}
	parts, err := DefaultPartitions()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(data, parts); err != nil {
			b.Fatal(err)
		}
	}
}
