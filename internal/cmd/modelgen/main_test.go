package main

import (
	"bytes"
	"compress/gzip"
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

func TestGenerateRejectsBrokenModels(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(src, "bad", "2030-01-01"), 0o755))
	broken := strings.Replace(tinyService, `"shape":"N"`, `"shape":"Missing"`, 1)
	require.NoError(t, os.WriteFile(filepath.Join(src, "bad", "2030-01-01", "service-2.json"), []byte(broken), 0o644))
	_, _, err := generate(src, filepath.Join(t.TempDir(), "out"))
	require.ErrorContains(t, err, `shapes.In.members.Zeta.shape: reference to undefined shape "Missing"`)
}
