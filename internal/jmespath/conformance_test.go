package jmespath

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/internal/testenv"
)

type complianceGroup struct {
	Given json.RawMessage `json:"given"`
	Cases []struct {
		Expression string          `json:"expression"`
		Result     json.RawMessage `json:"result"`
		Error      string          `json:"error"`
		Comment    string          `json:"comment"`
		Bench      string          `json:"bench"`
	} `json:"cases"`
}

// TestConformanceJMESPath runs every case of the JMESPath compliance suite. A case with a
// result must give it (numbers compared as float64); a case with an error must fail at
// compile or search time. A case with neither (the parse benchmarks) must compile and search
// without error. A failure of another kind than the expected one is not a failure,
// but is logged (KINDMISMATCH) so it can be reviewed.
func TestConformanceJMESPath(t *testing.T) {
	dir := filepath.Join(testenv.ConformanceDir(t), "jmespath", "compliance")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no compliance files in %s", dir)
	sort.Strings(files)
	total := 0
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		var groups []complianceGroup
		require.NoError(t, json.Unmarshal(raw, &groups), file)
		passed, failed, skipped := 0, 0, 0
		for gi, g := range groups {
			var given any
			require.NoError(t, json.Unmarshal(g.Given, &given))
			for ci, c := range g.Cases {
				total++
				where := fmt.Sprintf("%s group %d case %d: %q", name, gi, ci, c.Expression)
				if msg := runComplianceCase(t, given, c.Expression, c.Result, c.Error); msg != "" {
					failed++
					t.Errorf("%s: %s", where, msg)
					continue
				}
				passed++
			}
		}
		t.Logf("CONFORMANCE suite=jmespath-%s passed=%d failed=%d skipped=%d", name, passed, failed, skipped)
		fmt.Printf("CONFORMANCE suite=jmespath-%s passed=%d failed=%d skipped=%d\n", name, passed, failed, skipped)
	}
	t.Logf("%d cases in %d files", total, len(files))
}

// runComplianceCase returns "" if the case passes, else what went wrong.
func runComplianceCase(t *testing.T, given any, expr string, result json.RawMessage, wantErr string) string {
	got, err := Search(expr, given)
	if wantErr != "" {
		if err == nil {
			return fmt.Sprintf("want a %s error, got result %s", wantErr, mustJSON(got))
		}
		var je *Error
		if !errors.As(err, &je) {
			return fmt.Sprintf("want an *Error, got %T: %v", err, err)
		}
		if string(je.Kind) != wantErr {
			t.Logf("KINDMISMATCH %q: want %s, got %v", expr, wantErr, err)
		}
		return ""
	}
	if err != nil {
		return fmt.Sprintf("want %s, got error %v", result, err)
	}
	if result == nil { // a parse benchmark ("bench": "parse"): no result given, must not fail
		return ""
	}
	var want any
	if err := json.Unmarshal(result, &want); err != nil {
		return fmt.Sprintf("bad result in suite: %v", err)
	}
	if !equal(want, got) {
		return fmt.Sprintf("want %s, got %s", result, mustJSON(got))
	}
	return ""
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}
