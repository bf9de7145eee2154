package jmespath

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/internal/testenv"
)

// TestModelExpressions compiles every JMESPath expression of the botocore models in the
// conformance directory: waiter acceptor arguments, paginator tokens and result keys, and
// operationContextParams paths.
func TestModelExpressions(t *testing.T) {
	dir := filepath.Join(testenv.ConformanceDir(t), "models")
	exprs := map[string]string{} // expression -> file
	add := func(file string, v any) {
		switch x := v.(type) {
		case string:
			exprs[x] = file
		case []any:
			for _, e := range x {
				if s, ok := e.(string); ok {
					exprs[s] = file
				}
			}
		}
	}
	load := func(pattern string, walk func(file string, doc map[string]any)) {
		files, err := filepath.Glob(filepath.Join(dir, "*", "*", pattern))
		require.NoError(t, err)
		for _, f := range files {
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			var doc map[string]any
			require.NoError(t, json.Unmarshal(raw, &doc), f)
			walk(f, doc)
		}
	}
	load("waiters-2.json", func(f string, doc map[string]any) {
		waiters, _ := doc["waiters"].(map[string]any)
		for _, w := range waiters {
			acceptors, _ := w.(map[string]any)["acceptors"].([]any)
			for _, a := range acceptors {
				if m, _ := a.(map[string]any)["matcher"].(string); m == "path" || m == "pathAll" || m == "pathAny" {
					add(f, a.(map[string]any)["argument"])
				}
			}
		}
	})
	load("paginators-1.json", func(f string, doc map[string]any) {
		pages, _ := doc["pagination"].(map[string]any)
		for _, p := range pages {
			for _, k := range []string{"output_token", "result_key", "more_results", "non_aggregate_keys"} {
				add(f, p.(map[string]any)[k])
			}
		}
	})
	load("service-2.json", func(f string, doc map[string]any) {
		ops, _ := doc["operations"].(map[string]any)
		for _, op := range ops {
			params, _ := op.(map[string]any)["operationContextParams"].(map[string]any)
			for _, p := range params {
				add(f, p.(map[string]any)["path"])
			}
		}
	})
	require.NotEmpty(t, exprs)
	for e, f := range exprs {
		if _, err := Compile(e); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	t.Logf("compiled %d distinct expressions", len(exprs))
}
