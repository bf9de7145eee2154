package endpoints

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/models"
)

// endpointTests is the format of endpoint-tests-1.json.
type endpointTests struct {
	TestCases []endpointCase `json:"testCases"`
}

type endpointCase struct {
	Documentation string         `json:"documentation"`
	Params        map[string]any `json:"params"`
	Expect        struct {
		Endpoint *struct {
			URL        string              `json:"url"`
			Headers    map[string][]string `json:"headers"`
			Properties map[string]any      `json:"properties"`
		} `json:"endpoint"`
		Error *string `json:"error"`
	} `json:"expect"`
	OperationInputs []struct {
		OperationName   string         `json:"operationName"`
		OperationParams map[string]any `json:"operationParams"`
		BuiltInParams   map[string]any `json:"builtInParams"`
		ClientParams    map[string]any `json:"clientParams"`
	} `json:"operationInputs"`
}

type suiteResult struct {
	name                    string
	passed, failed, skipped int
	opInputs                int // operationInputs resolved through the service model
}

// TestConformanceEndpointRules runs every case of every service directory of
// endpoint-rules (whatever is present) and the engine unit suites. Each case resolves its
// params through the uncached rule set and through a resolver (a miss, then a hit), and each
// of its operationInputs through the resolver's binding of built-ins, client context
// parameters and the operation's input, against the service model.
func TestConformanceEndpointRules(t *testing.T) {
	conf := testenv.ConformanceDir(t)
	root := filepath.Join(conf, "endpoint-rules")
	loader := models.NewLoader(filepath.Join(conf, "models")) // newer models first, then embedded
	pdata, err := loader.Partitions()
	require.NoError(t, err)
	parts, err := ParsePartitions(pdata)
	require.NoError(t, err)

	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	var mu sync.Mutex
	var results []suiteResult
	report := func(r suiteResult) {
		mu.Lock()
		results = append(results, r)
		mu.Unlock()
	}
	t.Run("suites", func(t *testing.T) {
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			name := e.Name()
			if name == "_engine-unit" {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					report(runEngineUnit(t, filepath.Join(root, name), parts))
				})
				continue
			}
			if strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") {
				continue
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				report(runServiceSuite(t, filepath.Join(root, name), name, loader, parts))
			})
		}
	})
	sort.Slice(results, func(i, j int) bool { return results[i].name < results[j].name })
	var total suiteResult
	for _, r := range results {
		fmt.Printf("CONFORMANCE suite=%s passed=%d failed=%d skipped=%d\n", r.name, r.passed, r.failed, r.skipped)
		total.passed += r.passed
		total.failed += r.failed
		total.skipped += r.skipped
		total.opInputs += r.opInputs
	}
	t.Logf("endpoint rules: %d suites, passed=%d failed=%d skipped=%d (%d operationInputs bound from service models)",
		len(results), total.passed, total.failed, total.skipped, total.opInputs)
	require.NotEmpty(t, results, "no endpoint-rules suites found in %s", root)
}

func runServiceSuite(t *testing.T, dir, name string, loader *models.Loader, parts *Partitions) suiteResult {
	res := suiteResult{name: "endpoints-" + name}
	data, err := os.ReadFile(filepath.Join(dir, "endpoint-rule-set-1.json"))
	require.NoError(t, err)
	rs, err := Compile(data, parts)
	require.NoError(t, err, "compile %s", name)
	tests := readTests(t, filepath.Join(dir, "endpoint-tests-1.json"))

	// The model is needed only by operationInputs cases; the endpoint-rules directory name is
	// the botocore service name.
	var (
		withModel *Resolver
		modelErr  error
	)
	for _, c := range tests.TestCases {
		if len(c.OperationInputs) > 0 {
			svc, err := loader.Load(name)
			if err != nil {
				modelErr = err
				break
			}
			withModel, err = NewResolver(rs, svc)
			require.NoError(t, err)
			break
		}
	}
	plain, err := NewResolver(rs, nil)
	require.NoError(t, err)

	for i, c := range tests.TestCases {
		var problems []string
		skipped := ""
		if c.Params != nil || len(c.OperationInputs) == 0 {
			problems = append(problems, checkParams(rs, plain, c)...)
		}
		for j, in := range c.OperationInputs {
			if withModel == nil {
				skipped = fmt.Sprintf("operationInputs need the %s model: %v", name, modelErr)
				break
			}
			cfg := &Config{BuiltIns: in.BuiltInParams, ClientContext: in.ClientParams}
			ep, err := withModel.ResolveOperation(cfg, in.OperationName, in.OperationParams)
			res.opInputs++
			for _, p := range compare(c, ep, err) {
				problems = append(problems, fmt.Sprintf("operationInputs[%d] (%s): %s", j, in.OperationName, p))
			}
		}
		switch {
		case len(problems) > 0:
			res.failed++
			t.Errorf("%s case %d %q:\n\t%s", name, i, c.Documentation, strings.Join(problems, "\n\t"))
		case skipped != "":
			res.skipped++
			t.Logf("%s case %d %q skipped: %s", name, i, c.Documentation, skipped)
		default:
			res.passed++
		}
	}
	return res
}

// checkParams resolves the case's params uncached, then twice through the resolver's cache.
func checkParams(rs *RuleSet, r *Resolver, c endpointCase) []string {
	p := rs.NewParams()
	for k, v := range c.Params {
		if err := p.Set(k, v); err != nil {
			return []string{"params: " + err.Error()}
		}
	}
	ep, err := rs.Resolve(p)
	problems := compare(c, ep, err)
	for round := range 2 {
		ep2, err2 := r.Resolve(p)
		if !reflect.DeepEqual(ep, ep2) || fmt.Sprint(err) != fmt.Sprint(err2) {
			problems = append(problems, fmt.Sprintf("cached resolution (round %d) differs: %+v, %v", round, ep2, err2))
		}
	}
	return problems
}

func readTests(t *testing.T, file string) endpointTests {
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var tests endpointTests
	require.NoError(t, json.Unmarshal(data, &tests), file)
	return tests
}

// compare checks a resolution against the case's expectation.
func compare(c endpointCase, ep Endpoint, err error) []string {
	var problems []string
	switch {
	case c.Expect.Error != nil:
		var re *RuleError
		switch {
		case err == nil:
			problems = append(problems, fmt.Sprintf("want error %q, got endpoint %s", *c.Expect.Error, ep.URL))
		case !errors.As(err, &re):
			problems = append(problems, fmt.Sprintf("want rule error %q, got %v", *c.Expect.Error, err))
		case re.Message != *c.Expect.Error:
			problems = append(problems, fmt.Sprintf("want error %q, got %q", *c.Expect.Error, re.Message))
		}
	case c.Expect.Endpoint != nil:
		want := c.Expect.Endpoint
		if err != nil {
			return []string{fmt.Sprintf("want endpoint %s, got error %v", want.URL, err)}
		}
		if ep.URL != want.URL {
			problems = append(problems, fmt.Sprintf("url: want %s, got %s", want.URL, ep.URL))
		}
		if !jsonEqual(want.Headers, ep.Headers) {
			problems = append(problems, fmt.Sprintf("headers: want %s, got %s", toJSON(want.Headers), toJSON(ep.Headers)))
		}
		if !jsonEqual(want.Properties, ep.Properties) {
			problems = append(problems, fmt.Sprintf("properties: want %s, got %s", toJSON(want.Properties), toJSON(ep.Properties)))
		}
	default:
		problems = append(problems, "the case expects neither an endpoint nor an error")
	}
	return problems
}

// jsonEqual compares two values as JSON documents: numbers by value whatever their Go type,
// typed slices and maps as their generic forms, and an absent map equal to an empty one.
func jsonEqual(a, b any) bool {
	return reflect.DeepEqual(canonJSON(a), canonJSON(b))
}

func canonJSON(x any) any {
	rv := reflect.ValueOf(x)
	switch rv.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Map:
		if rv.Len() == 0 {
			return nil
		}
		m := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			m[fmt.Sprint(it.Key().Interface())] = canonJSON(it.Value().Interface())
		}
		return m
	case reflect.Slice, reflect.Array:
		a := make([]any, rv.Len())
		for i := range a {
			a[i] = canonJSON(rv.Index(i).Interface())
		}
		return a
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if f == math.Trunc(f) {
			return f
		}
		return f
	}
	if n, ok := x.(json.Number); ok {
		f, _ := n.Float64()
		return f
	}
	return x
}

func toJSON(x any) string {
	b, err := json.Marshal(x)
	if err != nil {
		return fmt.Sprint(x)
	}
	return string(b)
}

// runEngineUnit runs _engine-unit: every rule set of valid-rules must compile, and each
// test-cases file runs against the rule set of the same name.
func runEngineUnit(t *testing.T, dir string, parts *Partitions) suiteResult {
	res := suiteResult{name: "endpoints-engine-unit"}
	files, err := filepath.Glob(filepath.Join(dir, "valid-rules", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		base := filepath.Base(file)
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		rs, err := Compile(data, parts)
		if err != nil {
			res.failed++
			t.Errorf("engine-unit %s: compile: %v", base, err)
			continue
		}
		res.passed++ // the rule set compiles
		casesFile := filepath.Join(dir, "test-cases", base)
		if _, err := os.Stat(casesFile); err != nil {
			continue
		}
		plain, err := NewResolver(rs, nil)
		require.NoError(t, err)
		for i, c := range readTests(t, casesFile).TestCases {
			if problems := checkParams(rs, plain, c); len(problems) > 0 {
				res.failed++
				t.Errorf("engine-unit %s case %d %q:\n\t%s", base, i, c.Documentation, strings.Join(problems, "\n\t"))
				continue
			}
			res.passed++
		}
	}
	return res
}
