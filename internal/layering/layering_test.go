// Package layering holds the test that keeps the import direction of DESIGN.md: a package may
// import packages of lower layers only (and, within one layer, only its own subtree).
package layering

import (
	"bufio"
	"bytes"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/aioaws/aioaws"

// layers lists every package prefix of the module, lowest first. A package belongs to the
// longest prefix that matches it. A new package must be added here, so its place is decided.
var layers = [][]string{
	{"aws", "models"}, // leaves: import nothing of the project
	{"async", "internal/jmespath", "internal/checksum"},
	{"protocol", "signer", "endpoints"},
	{"events", "internal/retry", "transport"},
	{"client"},
	{"paginate", "waiter"},
	{"dynamodb", "s3", "sqs"},
	{"session"},
	// Tooling: emulators and the fault proxy import nothing below but each other; library code
	// never imports them (checked below), tests and the demo do.
	{"internal/emulator", "internal/faultproxy"},
	{"internal/testenv"},
	{"examples"}, // public API only; the demo runs them
	{"internal/cmd", "cmd"},
}

// tooling may be imported only by tests, internal/cmd and cmd.
var tooling = []string{"internal/emulator", "internal/faultproxy", "internal/testenv"}

// leaves import no other package of the project but their own subpackages (models imports
// models/data, the embedded model files), which are leaves too.
var leaves = []string{"aws", "models", "transport"}

type pkg struct {
	layer  int
	prefix string
}

func classify(t *testing.T, path string) pkg {
	rel := strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
	best := pkg{layer: -1}
	for i, layer := range layers {
		for _, prefix := range layer {
			if (rel == prefix || strings.HasPrefix(rel, prefix+"/")) && len(prefix) > len(best.prefix) {
				best = pkg{i, prefix}
			}
		}
	}
	if best.layer < 0 {
		t.Errorf("package %s is in no layer: add it to layering_test.go", path)
	}
	return best
}

func under(rel string, prefixes []string) bool {
	for _, p := range prefixes {
		if rel == p || strings.HasPrefix(rel, p+"/") {
			return true
		}
	}
	return false
}

func TestImportDirection(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())

	var violations []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	checked := 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		from := fields[0]
		if strings.HasSuffix(from, "/internal/layering") {
			continue
		}
		fromRel := strings.TrimPrefix(strings.TrimPrefix(from, module), "/")
		fp := classify(t, from)
		checked++
		for _, imp := range fields[1:] {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			impRel := strings.TrimPrefix(imp, module+"/")
			ip := classify(t, imp)
			switch {
			case under(fromRel, leaves) && !under(impRel, []string{fromRel}):
				violations = append(violations, from+" → "+imp+": "+fp.prefix+" is a leaf and imports nothing of the project")
			case under(impRel, tooling) && !under(fromRel, append([]string{"internal/cmd", "cmd"}, tooling...)):
				violations = append(violations, from+" → "+imp+": test tooling is for tests and commands only")
			case ip.layer > fp.layer:
				violations = append(violations, from+" → "+imp+": imports a higher layer ("+ip.prefix+")")
			case ip.layer == fp.layer && ip.prefix != fp.prefix && !under(fromRel, tooling):
				violations = append(violations, from+" → "+imp+": imports a sibling of the same layer ("+ip.prefix+")")
			}
		}
	}
	require.NoError(t, sc.Err())
	sort.Strings(violations)
	require.Empty(t, violations, "import direction of DESIGN.md")
	require.Positive(t, checked)
}

// TestClassifyCatchesViolations proves the rules above can fail.
func TestClassifyCatchesViolations(t *testing.T) {
	require.Greater(t, classify(t, module+"/client").layer, classify(t, module+"/protocol/json").layer)
	require.Greater(t, classify(t, module+"/session").layer, classify(t, module+"/dynamodb").layer)
	require.Equal(t, classify(t, module+"/aws").layer, classify(t, module+"/models").layer)
	require.True(t, under("internal/testenv", tooling))
	require.False(t, under("internal/testenvx", tooling))
	require.True(t, under("transport", leaves))
}
