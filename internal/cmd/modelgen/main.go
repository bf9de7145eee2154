// Command modelgen writes the compact service models that package models embeds.
//
// It reads a botocore data directory (by default the installed botocore's, found through
// python3; or -src DIR) and writes, for every service, the newest API version's service-2,
// paginators-1, waiters-2 and endpoint-rule-set-1 documents with all documentation stripped,
// plus partitions.json, endpoints.json, sdk-default-configuration.json, _retry.json and an index of the
// services. Every file is minified and gzipped; the output is deterministic (same input, same
// bytes). Each service model is compiled with models.Parse first, so a model that would not
// load is never embedded.
//
// The output directory is Go package data (imported by package models). shared_data.go embeds
// the shared files (every build); all_services.go embeds every service's directory, as one
// tree, in a default build (constraint `!aioaws_minimal`); and one file per service,
// <service>.go, embeds that service's directory in a minimal build that asks for it
// (`aioaws_minimal && <tag>`, the tag being models.BuildTag(service): aioaws_ and the name
// with '-' replaced by '_'). So -tags aioaws_minimal,aioaws_dynamodb embeds only DynamoDB,
// and a default build pays nothing for the per-service files.
//
//	go run ./internal/cmd/modelgen [-src DIR] [-out models/data]
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"io"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/aioaws/aioaws/models"
)

var (
	modelKinds  = []string{"service-2", "paginators-1", "waiters-2", "endpoint-rule-set-1"}
	globalFiles = []string{"partitions.json", "endpoints.json", "sdk-default-configuration.json", "_retry.json"}
	// serviceName is what a service directory must be called: its name is also a Go file name
	// and, through models.BuildTag, a build tag (letters, digits and '_' only).
	serviceName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
)

func main() {
	src := flag.String("src", "", "botocore data directory (default: the installed botocore's)")
	out := flag.String("out", "models/data", "output directory (replaced)")
	flag.Parse()
	log.SetFlags(0)
	if *src == "" {
		dir, err := installedBotocore()
		if err != nil {
			log.Fatalf("modelgen: %v (pass -src DIR)", err)
		}
		*src = dir
	}
	n, size, err := generate(*src, *out)
	if err != nil {
		log.Fatalf("modelgen: %v", err)
	}
	log.Printf("modelgen: %d services from %s → %s (%.2f MB compressed)", n, *src, *out, float64(size)/1e6)
}

func installedBotocore() (string, error) {
	out, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		return "", fmt.Errorf("cannot find the installed botocore: %w", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "data"), nil
}

// indexEntry is one line of index.json; models.ServiceInfo reads it.
type indexEntry struct {
	Name           string   `json:"name"`
	APIVersion     string   `json:"apiVersion"`
	ServiceID      string   `json:"serviceId"`
	EndpointPrefix string   `json:"endpointPrefix"`
	SigningName    string   `json:"signingName"`
	Protocols      []string `json:"protocols"`
}

// generate writes the package into a temporary directory beside out and then replaces out
// with it, so a failure leaves the previous package (which this command itself is built
// from, through package models) in place.
func generate(src, out string) (services int, size int64, err error) {
	tmp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+"-*") // ignored by go: starts with '.'
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(tmp) // nothing left to remove once renamed
	if services, size, err = generateInto(src, tmp); err != nil {
		return 0, 0, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return 0, 0, err
	}
	if err := os.RemoveAll(out); err != nil {
		return 0, 0, err
	}
	return services, size, os.Rename(tmp, out)
}

func generateInto(src, out string) (services int, size int64, err error) {
	entries, err := os.ReadDir(src)
	if err != nil {
		return 0, 0, err
	}
	write := func(rel string, data []byte) error {
		gz, err := gzipBytes(data)
		if err != nil {
			return err
		}
		size += int64(len(gz))
		p := filepath.Join(out, rel+".gz")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, gz, 0o644)
	}
	var index []indexEntry
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") {
			continue
		}
		if st, err := os.Stat(filepath.Join(src, name)); err != nil || !st.IsDir() { // follows symlinks
			continue
		}
		version, err := newestVersion(filepath.Join(src, name))
		if err != nil {
			return 0, 0, err
		}
		if version == "" {
			continue // e.g. a service directory holding only examples
		}
		if !serviceName.MatchString(name) {
			return 0, 0, fmt.Errorf("%s: a service name must be lower-case letters, digits and '-' (it names a Go file and a build tag)", name)
		}
		dir := filepath.Join(src, name, version)
		for _, kind := range modelKinds {
			raw, err := readMaybeGzip(filepath.Join(dir, kind+".json"))
			if errors.Is(err, fs.ErrNotExist) && kind != "service-2" {
				continue
			}
			if err != nil {
				return 0, 0, err
			}
			compact, err := stripDocs(raw)
			if err != nil {
				return 0, 0, fmt.Errorf("%s/%s/%s.json: %w", name, version, kind, err)
			}
			if kind == "service-2" {
				svc, err := models.Parse(name, filepath.Join(dir, kind+".json"), compact)
				if err != nil {
					return 0, 0, err
				}
				m := svc.Metadata
				protocols := m.Protocols
				if len(protocols) == 0 {
					protocols = []string{m.Protocol}
				}
				index = append(index, indexEntry{name, m.APIVersion, m.ServiceID, m.EndpointPrefix, m.SigningName, protocols})
			}
			if err := write(filepath.Join(name, version, kind+".json"), compact); err != nil {
				return 0, 0, err
			}
		}
		if err := writeGo(filepath.Join(out, name+".go"), serviceGo(name)); err != nil {
			return 0, 0, err
		}
	}
	for _, g := range globalFiles {
		raw, err := readMaybeGzip(filepath.Join(src, g))
		if err != nil {
			return 0, 0, err
		}
		compact, err := stripDocs(raw)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", g, err)
		}
		if err := write(g, compact); err != nil {
			return 0, 0, err
		}
	}
	readme := "Generated by internal/cmd/modelgen from botocore's data directory (Apache-2.0, see NOTICE).\nDo not edit; run `go generate ./models`.\n"
	if err := os.WriteFile(filepath.Join(out, "README.md"), []byte(readme), 0o644); err != nil {
		return 0, 0, err
	}
	sort.Slice(index, func(i, j int) bool { return index[i].Name < index[j].Name })
	idx, err := json.Marshal(index)
	if err != nil {
		return 0, 0, err
	}
	if err := write("index.json", idx); err != nil {
		return 0, 0, err
	}
	names := make([]string, len(index))
	for i, e := range index {
		names[i] = e.Name
	}
	if err := writeGo(filepath.Join(out, sharedGoFile), sharedGo()); err != nil {
		return 0, 0, err
	}
	return len(index), size, writeGo(filepath.Join(out, allGoFile), allGo(names))
}

// The files of package data besides <service>.go. Their names have a '_', which no service
// name has, so no service can take them.
const (
	sharedGoFile = "shared_data.go"  // package doc, the shared files, Service
	allGoFile    = "all_services.go" // a default build's single embed of every service
)

const generatedHeader = "// Code generated by internal/cmd/modelgen from botocore's data directory. DO NOT EDIT.\n\n"

// sharedGo is the Go file that embeds the files every build needs and finds the services.
func sharedGo() string {
	files := append([]string{"index.json.gz"}, globalFiles...)
	for i := range globalFiles {
		files[i+1] += ".gz"
	}
	return generatedHeader + `// Package data holds the compact service models that package models embeds: a botocore data
// directory (documentation stripped, every file minified and gzipped) written by
// internal/cmd/modelgen. Use package models; this package only carries the bytes.
//
// A default build embeds every service (` + allGoFile + `). A build with the tag
// aioaws_minimal embeds only the services named by their own tag: aioaws_ followed by the
// service name with every '-' replaced by '_' (models.BuildTag), e.g.
//
//	go build -tags aioaws_minimal,aioaws_dynamodb,aioaws_s3,aioaws_acm_pca
//
// Each service's file, <service>.go, embeds its directory under the constraint
// ` + "`aioaws_minimal && aioaws_<service>`" + `. The index of all services, partitions.json,
// endpoints.json, sdk-default-configuration.json and _retry.json are embedded in every build.
package data

import (
	"embed"
	"io/fs"
	"strings"
)

//go:embed ` + strings.Join(files, " ") + `
var shared embed.FS

var (
	// all holds every service's directory in a default build; nil in a minimal build.
	all fs.FS
	// services holds, in a minimal build, the tree of each service embedded, by name.
	services = map[string]fs.FS{}
)

// register is called by the init function of each <service>.go of a minimal build.
func register(name string, fsys embed.FS) { services[name] = fsys }

// Shared returns the files embedded in every build, at the root of the tree: index.json.gz
// (every service generated, embedded in this build or not) and
// ` + strings.Join(files[1:], ", ") + `.
func Shared() fs.FS { return shared }

// Service returns a tree that holds the named service's directory, with paths
// <service>/<api-version>/<model>.json.gz, or false when this build does not embed it.
func Service(name string) (fs.FS, bool) {
	if all == nil {
		fsys, ok := services[name]
		return fsys, ok
	}
	if !fs.ValidPath(name) || name == "." || strings.Contains(name, "/") {
		return nil, false
	}
	if st, err := fs.Stat(all, name); err != nil || !st.IsDir() {
		return nil, false
	}
	return all, true
}
`
}

// allGo is the Go file that embeds every service in a default build, as one tree.
func allGo(names []string) string {
	var b strings.Builder
	b.WriteString(generatedHeader + `//go:build !aioaws_minimal

package data

import "embed"

`)
	for _, name := range names {
		b.WriteString("//go:embed " + name + "\n")
	}
	b.WriteString(`var everyService embed.FS

func init() { all = everyService }
`)
	return b.String()
}

// serviceGo is the Go file that embeds one service in a minimal build that asks for it.
func serviceGo(name string) string {
	tag := models.BuildTag(name)
	return generatedHeader + `//go:build aioaws_minimal && ` + tag + `

package data

import "embed"

//go:embed ` + name + `
var ` + tag + ` embed.FS

func init() { register("` + name + `", ` + tag + `) }
`
}

// writeGo writes a generated Go file, gofmt-formatted.
func writeGo(path, src string) error {
	formatted, err := format.Source([]byte(src))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, formatted, 0o644)
}

// newestVersion returns the greatest API version directory that has a service-2 model.
func newestVersion(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	for i := len(entries) - 1; i >= 0; i-- {
		for _, f := range []string{"service-2.json", "service-2.json.gz"} {
			if _, err := os.Stat(filepath.Join(dir, entries[i].Name(), f)); err == nil {
				return entries[i].Name(), nil
			}
		}
	}
	return "", nil
}

func readMaybeGzip(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return data, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	f, err := os.Open(path + ".gz")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s.gz: %w", path, err)
	}
	return io.ReadAll(zr)
}

// gzipBytes compresses deterministically: no name, no modification time.
func gzipBytes(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// docKeys are dropped wherever their value is a string. A member or shape that happens to be
// named "documentation" has an object value and is kept.
var docKeys = map[string]bool{"documentation": true, "documentationUrl": true}

// stripDocs minifies a JSON document and drops documentation strings, keeping key order and
// the exact text of numbers.
func stripDocs(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out bytes.Buffer
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if err := copyValue(dec, &out, tok); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON document")
	}
	return out.Bytes(), nil
}

func copyValue(dec *json.Decoder, out *bytes.Buffer, tok json.Token) error {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			out.WriteByte('{')
			first := true
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				key := kt.(string)
				vt, err := dec.Token()
				if err != nil {
					return err
				}
				if _, isString := vt.(string); isString && docKeys[key] {
					continue
				}
				if !first {
					out.WriteByte(',')
				}
				first = false
				writeString(out, key)
				out.WriteByte(':')
				if err := copyValue(dec, out, vt); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil { // '}'
				return err
			}
			out.WriteByte('}')
		case '[':
			out.WriteByte('[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					out.WriteByte(',')
				}
				vt, err := dec.Token()
				if err != nil {
					return err
				}
				if err := copyValue(dec, out, vt); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil { // ']'
				return err
			}
			out.WriteByte(']')
		default:
			return fmt.Errorf("unexpected %v", t)
		}
	case string:
		writeString(out, t)
	case json.Number:
		out.WriteString(t.String())
	case bool:
		out.WriteString(fmt.Sprint(t))
	case nil:
		out.WriteString("null")
	}
	return nil
}

func writeString(out *bytes.Buffer, s string) {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)           // cannot fail for a string
	out.Truncate(out.Len() - 1) // Encode appends a newline
}
