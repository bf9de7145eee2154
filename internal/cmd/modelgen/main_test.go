package main

import (
	"bytes"
	"compress/gzip"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/models"
)

const tinyService = `{"version":"2.0","documentation":"The tiny service.",
"metadata":{"apiVersion":"2030-01-01","endpointPrefix":"tiny","protocol":"json","jsonVersion":"1.0","serviceId":"Tiny","signatureVersion":"v4","targetPrefix":"Tiny"},
"operations":{"Ping":{"name":"Ping","http":{"method":"POST","requestUri":"/"},"input":{"shape":"In"},"documentation":"<p>Pings &amp; more</p>","documentationUrl":"https://example.invalid"}},
"shapes":{"In":{"type":"structure","members":{"documentation":{"shape":"S","documentation":"kept: a member named documentation"},"Zeta":{"shape":"N"},"Alpha":{"shape":"S"}}},
"S":{"type":"string","pattern":"^[<>&]*$"},"N":{"type":"long","max":9223372036854775807}}}`

// sourceDir assembles a botocore-layout directory from some conformance models (linked, not
// copied; symlinks must be followed) plus a tiny service with tricky documentation.
func sourceDir(t *testing.T) string {
	conf := filepath.Join(testenv.ConformanceDir(t), "models")
	src := t.TempDir()
	entries, err := os.ReadDir(conf)
	require.NoError(t, err)
	subset := map[string]bool{"dynamodb": true, "s3": true, "sqs": true, "sts": true, "lambda": true, "stepfunctions": true, "cloudwatch": true, "iam": true}
	for _, e := range entries {
		if subset[e.Name()] {
			require.NoError(t, os.Symlink(filepath.Join(conf, e.Name()), filepath.Join(src, e.Name())))
		}
	}
	for _, g := range globalFiles {
		if _, err := os.Stat(filepath.Join(conf, "_global", g)); err == nil {
			require.NoError(t, os.Symlink(filepath.Join(conf, "_global", g), filepath.Join(src, g)))
		} else {
			require.NoError(t, os.WriteFile(filepath.Join(src, g), []byte(`{"documentation":"x","v":1}`), 0o644))
		}
	}
	require.NoError(t, os.MkdirAll(filepath.Join(src, "tiny", "2030-01-01"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "tiny", "2030-01-01", "service-2.json"), []byte(tinyService), 0o644))
	return src
}

func readTree(t *testing.T, dir string) map[string][]byte {
	files := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		files[strings.TrimPrefix(p, dir)] = data
		return err
	}))
	return files
}

func gunzip(t *testing.T, data []byte) string {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	out, err := io.ReadAll(zr)
	require.NoError(t, err)
	return string(out)
}

func TestGenerateIsDeterministicAndFaithful(t *testing.T) {
	src := sourceDir(t)
	out1, out2 := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	n, size, err := generate(src, out1)
	require.NoError(t, err)
	require.Equal(t, 9, n, "8 conformance services and tiny")
	require.Positive(t, size)
	_, _, err = generate(src, out2)
	require.NoError(t, err)
	require.Equal(t, readTree(t, out1), readTree(t, out2), "same input, same bytes")

	tiny := gunzip(t, readTree(t, out1)["/tiny/2030-01-01/service-2.json.gz"])
	require.NotContains(t, tiny, "Pings")
	require.NotContains(t, tiny, "documentationUrl")
	require.NotContains(t, tiny, "The tiny service")
	require.Contains(t, tiny, `"members":{"documentation":{"shape":"S"},"Zeta":{"shape":"N"},"Alpha":{"shape":"S"}}`, "member order kept, member named documentation kept")
	require.Contains(t, tiny, `"pattern":"^[<>&]*$"`, "no HTML escaping")
	require.Contains(t, tiny, `"max":9223372036854775807`, "numbers verbatim")

	// The generated directory loads like the source, service by service.
	gen, orig := models.NewLoader(out1), models.NewLoader(src)
	dirs, err := os.ReadDir(out1)
	require.NoError(t, err)
	loaded := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		name := d.Name()
		loaded++
		a, err := gen.Load(name)
		require.NoError(t, err)
		b, err := orig.Load(name)
		require.NoError(t, err)
		require.Equal(t, b.Metadata, a.Metadata, name)
		require.Equal(t, b.OperationNames(), a.OperationNames(), name)
		require.Len(t, a.Shapes, len(b.Shapes), name)
		pa, err := a.Paginators()
		require.NoError(t, err)
		pb, err := b.Paginators()
		require.NoError(t, err)
		require.Equal(t, pb, pa, name)
		wa, err := a.Waiters()
		require.NoError(t, err)
		wb, err := b.Waiters()
		require.NoError(t, err)
		require.Equal(t, wb, wa, name)
	}
	require.Equal(t, n, loaded)
}

// TestGenerateWritesPackageData checks the Go files of package data: one per service, each
// embedding its directory in a minimal build with its tag, one that embeds them all in a
// default build, and one for the shared files.
func TestGenerateWritesPackageData(t *testing.T) {
	out := filepath.Join(t.TempDir(), "data")
	n, _, err := generate(sourceDir(t), out)
	require.NoError(t, err)
	goFiles, err := filepath.Glob(filepath.Join(out, "*.go"))
	require.NoError(t, err)
	require.Len(t, goFiles, n+2, "one file per service, "+sharedGoFile+" and "+allGoFile)

	fset := token.NewFileSet()
	for _, path := range goFiles {
		src, err := os.ReadFile(path)
		require.NoError(t, err)
		formatted, err := format.Source(src)
		require.NoError(t, err, path)
		require.Equal(t, string(formatted), string(src), "%s is gofmt-formatted", path)
		f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
		require.NoError(t, err, path)
		require.Equal(t, "data", f.Name.Name)
		require.True(t, ast.IsGenerated(f), "%s is marked generated", path)
	}

	shared, err := os.ReadFile(filepath.Join(out, sharedGoFile))
	require.NoError(t, err)
	require.Contains(t, string(shared), "//go:embed index.json.gz partitions.json.gz endpoints.json.gz sdk-default-configuration.json.gz _retry.json.gz\n")
	require.NotContains(t, string(shared), "//go:build", "the shared files are in every build")

	all, err := os.ReadFile(filepath.Join(out, allGoFile))
	require.NoError(t, err)
	require.Contains(t, string(all), "//go:build !aioaws_minimal\n")
	require.Contains(t, string(all), "//go:embed cloudwatch\n//go:embed dynamodb\n//go:embed iam\n//go:embed lambda\n//go:embed s3\n//go:embed sqs\n//go:embed stepfunctions\n//go:embed sts\n//go:embed tiny\nvar everyService embed.FS\n",
		"every service, sorted")

	tiny, err := os.ReadFile(filepath.Join(out, "tiny.go"))
	require.NoError(t, err)
	require.Contains(t, string(tiny), "//go:build aioaws_minimal && aioaws_tiny\n")
	require.Contains(t, string(tiny), "//go:embed tiny\nvar aioaws_tiny embed.FS\n")
	require.Contains(t, string(tiny), `register("tiny", aioaws_tiny)`)
	for _, name := range []string{"dynamodb", "s3", "stepfunctions"} {
		src, err := os.ReadFile(filepath.Join(out, name+".go"))
		require.NoError(t, err)
		require.Contains(t, string(src), "//go:build aioaws_minimal && "+models.BuildTag(name)+"\n")
	}
}

func TestGenerateNamesWithDashes(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(src, "tiny-thing", "2030-01-01"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "tiny-thing", "2030-01-01", "service-2.json"), []byte(tinyService), 0o644))
	for _, g := range globalFiles {
		require.NoError(t, os.WriteFile(filepath.Join(src, g), []byte(`{}`), 0o644))
	}
	out := filepath.Join(t.TempDir(), "data")
	_, _, err := generate(src, out)
	require.NoError(t, err)
	gen, err := os.ReadFile(filepath.Join(out, "tiny-thing.go"))
	require.NoError(t, err)
	require.Contains(t, string(gen), "//go:build aioaws_minimal && aioaws_tiny_thing\n")
	require.Contains(t, string(gen), "//go:embed tiny-thing\nvar aioaws_tiny_thing embed.FS\n")
}

func TestGenerateRejectsNamesThatAreNoTag(t *testing.T) {
	for _, name := range []string{"Tiny", "tiny_thing", "tiny.thing"} {
		t.Run(name, func(t *testing.T) {
			src := t.TempDir()
			require.NoError(t, os.MkdirAll(filepath.Join(src, name, "2030-01-01"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(src, name, "2030-01-01", "service-2.json"), []byte(tinyService), 0o644))
			_, _, err := generate(src, filepath.Join(t.TempDir(), "out"))
			require.ErrorContains(t, err, name+": a service name must be lower-case letters, digits and '-'")
		})
	}
}

// TestFailedGenerateKeepsThePreviousOutput: modelgen is built from the package it replaces,
// so a failure must not leave it half written.
func TestFailedGenerateKeepsThePreviousOutput(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "data")
	_, _, err := generate(sourceDir(t), out)
	require.NoError(t, err)
	before := readTree(t, out)

	bad := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(bad, "bad", "2030-01-01"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bad, "bad", "2030-01-01", "service-2.json"), []byte(`{"metadata":`), 0o644))
	_, _, err = generate(bad, out)
	require.Error(t, err)
	require.Equal(t, before, readTree(t, out), "the previous output is intact")
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary directory is left behind")
	st, err := os.Stat(out)
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o755), st.Mode().Perm())
}

func TestGenerateRejectsBrokenModels(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(src, "bad", "2030-01-01"), 0o755))
	broken := strings.Replace(tinyService, `"shape":"N"`, `"shape":"Missing"`, 1)
	require.NoError(t, os.WriteFile(filepath.Join(src, "bad", "2030-01-01", "service-2.json"), []byte(broken), 0o644))
	_, _, err := generate(src, filepath.Join(t.TempDir(), "out"))
	require.ErrorContains(t, err, `shapes.In.members.Zeta.shape: reference to undefined shape "Missing"`)
}
