package models

import (
	"io/fs"
	"strings"
	"sync"

	"github.com/aioaws/aioaws/models/data"
)

// The compact models written by internal/cmd/modelgen into package data: a botocore data
// directory with the documentation stripped and every file gzipped; every service in a
// default build, only those named by their build tags in a minimal one (see BuildTag).
// Nothing is decompressed until used.
//
//go:generate go run ../internal/cmd/modelgen -out data
var embeddedSource = newEmbeddedSource(data.Shared(), data.Service)

// BuildTag returns the build tag that embeds the named service in a minimal build (one made
// with the tag aioaws_minimal): "aioaws_" followed by the service name with every '-' replaced
// by '_'. BuildTag("dynamodb") is "aioaws_dynamodb", BuildTag("acm-pca") is "aioaws_acm_pca".
func BuildTag(service string) string {
	return "aioaws_" + strings.ReplaceAll(service, "-", "_")
}

// newEmbeddedSource returns the source of the embedded models: shared holds the files every
// build embeds (index.json.gz, the catalog of every service generated, and the global files);
// service returns the tree of a service this build embeds.
func newEmbeddedSource(shared fs.FS, service func(string) (fs.FS, bool)) *source {
	s := newSource("embedded", embeddedFS{shared, service}, true)
	s.catalog = sync.OnceValues(func() ([]ServiceInfo, error) {
		file, data, err := s.read("index.json")
		if err != nil {
			return nil, err
		}
		return parseIndex(file, data)
	})
	s.embeds = func(name string) bool {
		_, ok := service(name)
		return ok
	}
	return s
}

// embeddedFS joins the shared files and the embedded services into one botocore-layout tree:
// a path whose first element names an embedded service is opened in that service's tree,
// any other in the shared files. Reading the root lists only the shared files; the index
// lists the services.
type embeddedFS struct {
	shared  fs.FS
	service func(string) (fs.FS, bool)
}

func (e embeddedFS) Open(name string) (fs.File, error) {
	first, _, _ := strings.Cut(name, "/")
	if fsys, ok := e.service(first); ok {
		return fsys.Open(name)
	}
	return e.shared.Open(name)
}
