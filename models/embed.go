package models

import (
	"embed"
	"io/fs"
)

// The compact models written by internal/cmd/modelgen: a botocore data directory with the
// documentation stripped and every file gzipped. Nothing is decompressed until used.
//
//go:generate go run ../internal/cmd/modelgen -out data
//go:embed all:data
var embedded embed.FS

var embeddedSource = func() *source {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // unreachable: "data" is a valid path
	}
	return newSource("embedded", sub, true)
}()
