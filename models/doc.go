// Package models loads botocore-format service models and compiles them into immutable shape
// graphs: Load("dynamodb"), Lookup("states") (by name, service id, signing name or endpoint
// prefix), Services(). Each model is decompressed and compiled once, on first use.
//
// # Embedded models and build tags
//
// A default build embeds the models of every service (package models/data, about 3.6 MB).
// A program that uses a few services can embed only those: build it with the tag
// aioaws_minimal and one tag per service, BuildTag(service), which is "aioaws_" followed by
// the service name with every '-' replaced by '_':
//
//	go build -tags aioaws_minimal,aioaws_dynamodb,aioaws_s3,aioaws_acm_pca ./cmd/app
//
// Partitions, endpoints.json, the SDK default configuration and the index of all services
// are embedded in every build. In a minimal build, Services lists only the embedded services
// (plus those of AIOAWS_DATA_PATH), and loading any other service fails with an error that
// names the tag to add. The directories of AIOAWS_DATA_PATH (or NewLoader's arguments) are
// searched first in every build, so they can supply services a minimal build leaves out.
package models
