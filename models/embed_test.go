package models

import (
	"encoding/json"
	"fmt"
	"go/build/constraint"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/models/data"
)

func serviceNames(infos []ServiceInfo) []string {
	names := make([]string, len(infos))
	for i, info := range infos {
		names[i] = info.Name
	}
	return names
}

func TestBuildTag(t *testing.T) {
	require.Equal(t, "aioaws_dynamodb", BuildTag("dynamodb"))
	require.Equal(t, "aioaws_s3", BuildTag("s3"))
	require.Equal(t, "aioaws_acm_pca", BuildTag("acm-pca"))
	require.Equal(t, "aioaws_sso_oidc", BuildTag("sso-oidc"))

	catalog, err := embeddedSource.catalog()
	require.NoError(t, err)
	require.Greater(t, len(catalog), 400, "the index lists every service, in every build")
	seen := map[string]string{}
	for _, info := range catalog {
		tag := BuildTag(info.Name)
		expr, err := constraint.Parse("//go:build " + tag)
		require.NoError(t, err, info.Name)
		require.Equal(t, &constraint.TagExpr{Tag: tag}, expr, "%s: %s is one plain build tag", info.Name, tag)
		require.NotContains(t, seen, tag, "%s and %s have the same tag", seen[tag], info.Name)
		seen[tag] = info.Name
	}
}

// TestGeneratedPackageMatchesIndex checks package data as generated: every service of the
// index is embedded by all_services.go in a default build, and by its own file in a minimal
// build with its tag.
func TestGeneratedPackageMatchesIndex(t *testing.T) {
	catalog, err := embeddedSource.catalog()
	require.NoError(t, err)
	files, err := filepath.Glob(filepath.Join("data", "*.go"))
	require.NoError(t, err)
	want := []string{filepath.Join("data", "shared_data.go"), filepath.Join("data", "all_services.go")}
	for _, info := range catalog {
		want = append(want, filepath.Join("data", info.Name+".go"))
	}
	require.ElementsMatch(t, want, files)

	tags := func(set ...string) func(string) bool {
		return func(tag string) bool { return slices.Contains(set, tag) }
	}
	read := func(name string) (string, constraint.Expr) {
		src, err := os.ReadFile(filepath.Join("data", name))
		require.NoError(t, err)
		for _, line := range strings.Split(string(src), "\n") {
			if constraint.IsGoBuild(line) {
				expr, err := constraint.Parse(line)
				require.NoError(t, err, name)
				return string(src), expr
			}
		}
		t.Fatalf("%s has no //go:build line", name)
		return "", nil
	}
	all, expr := read("all_services.go")
	require.True(t, expr.Eval(tags()), "all_services.go is in a default build")
	require.True(t, expr.Eval(tags("aioaws_dynamodb")), "a service tag alone does not make a minimal build")
	require.False(t, expr.Eval(tags("aioaws_minimal")))
	for _, info := range catalog {
		require.Contains(t, all, "//go:embed "+info.Name+"\n", "all_services.go embeds %s", info.Name)
		src, expr := read(info.Name + ".go")
		require.False(t, expr.Eval(tags()), "%s.go: not in a default build (all_services.go has it)", info.Name)
		require.False(t, expr.Eval(tags(BuildTag(info.Name))), "%s.go: not without aioaws_minimal", info.Name)
		require.True(t, expr.Eval(tags("aioaws_minimal", BuildTag(info.Name))), "%s.go: in a minimal build with its tag", info.Name)
		require.False(t, expr.Eval(tags("aioaws_minimal")), "%s.go: not in a minimal build without its tag", info.Name)
		require.False(t, expr.Eval(tags("aioaws_minimal", "aioaws_other")), "%s.go: not for another service's tag", info.Name)
		require.Contains(t, src, "//go:embed "+info.Name+"\n", info.Name)
	}
}

// TestThisBuildListsWhatItEmbeds checks the default Loader against what this build embeds:
// a default build lists and loads every service of the index; a minimal build lists only its
// own, and loading any other says which tag to add.
func TestThisBuildListsWhatItEmbeds(t *testing.T) {
	catalog, err := embeddedSource.catalog()
	require.NoError(t, err)
	l := NewLoader()
	infos, err := l.Services()
	require.NoError(t, err)
	listed := serviceNames(infos)
	leftOut := 0
	for _, info := range catalog {
		_, embedded := data.Service(info.Name)
		require.Equal(t, embedded, slices.Contains(listed, info.Name), "%s: listed if and only if embedded", info.Name)
		if embedded {
			continue
		}
		leftOut++
		_, err := l.Load(info.Name)
		require.EqualError(t, err, fmt.Sprintf("models: service %q is not embedded in this build (built with aioaws_minimal): add the build tag %s or set AIOAWS_DATA_PATH",
			info.Name, BuildTag(info.Name)))
	}
	require.Len(t, infos, len(catalog)-leftOut)
	if !minimalBuild {
		require.Zero(t, leftOut, "a default build embeds every service")
	}
}

// only returns a data.Service that embeds only the named services (of those this build
// embeds): a minimal build, simulated in any build.
func only(names ...string) func(string) (fs.FS, bool) {
	return func(name string) (fs.FS, bool) {
		if !slices.Contains(names, name) {
			return nil, false
		}
		return data.Service(name)
	}
}

func TestMinimalBuildIndexAndErrors(t *testing.T) {
	needEmbedded(t, "dynamodb")
	l := newLoader(newEmbeddedSource(data.Shared(), only("dynamodb")))

	infos, err := l.Services()
	require.NoError(t, err)
	require.Equal(t, []string{"dynamodb"}, serviceNames(infos), "the index lists only what is embedded")
	ddb, err := l.Lookup("DynamoDB")
	require.NoError(t, err)
	require.Equal(t, "dynamodb", ddb.Name)

	tests := []struct {
		name string
		load func(string) (*Service, error)
		id   string
		err  string
	}{
		{"load left out", l.Load, "sqs", `models: service "sqs" is not embedded in this build (built with aioaws_minimal): add the build tag aioaws_sqs or set AIOAWS_DATA_PATH`},
		{"lookup left out", l.Lookup, "sqs", `models: service "sqs" is not embedded in this build (built with aioaws_minimal): add the build tag aioaws_sqs or set AIOAWS_DATA_PATH`},
		{"dash in name", l.Load, "acm-pca", `models: service "acm-pca" is not embedded in this build (built with aioaws_minimal): add the build tag aioaws_acm_pca or set AIOAWS_DATA_PATH`},
		{"by signing name", l.Lookup, "states", `models: service "stepfunctions" (signing name "states") is not embedded in this build (built with aioaws_minimal): add the build tag aioaws_stepfunctions or set AIOAWS_DATA_PATH`},
		{"by service id", l.Lookup, "SFN", `models: service "stepfunctions" (service id "SFN") is not embedded in this build (built with aioaws_minimal): add the build tag aioaws_stepfunctions or set AIOAWS_DATA_PATH`},
		{"ambiguous", l.Lookup, "execute-api", `models: "execute-api" is the signing name of several services (apigatewaymanagementapi, connectparticipant); use the service name`},
		{"Load takes names only", l.Load, "states", `models: unknown service "states"`},
		{"typo of a left-out service", l.Load, "sqss", `models: unknown service "sqss" (did you mean "sqs"?)`},
		{"typo of an embedded service", l.Lookup, "dynamodbb", `models: unknown service "dynamodbb" (did you mean "dynamodb"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.load(tt.id)
			require.EqualError(t, err, tt.err)
		})
	}

	for _, global := range []func() ([]byte, error){l.Partitions, l.EndpointsData, l.DefaultConfiguration} {
		data, err := global()
		require.NoError(t, err, "the shared files are embedded in every build")
		require.True(t, json.Valid(data))
	}

	// A data directory supplies what the build leaves out.
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "sqs", "2030-01-01", "service-2.json"), tinyModel, false)
	l = newLoader(newEmbeddedSource(data.Shared(), only("dynamodb")), dir)
	sqs, err := l.Load("sqs")
	require.NoError(t, err)
	require.Equal(t, "2030-01-01", sqs.Metadata.APIVersion)
	infos, err = l.Services()
	require.NoError(t, err)
	require.Equal(t, []string{"dynamodb", "sqs"}, serviceNames(infos))
	_, err = l.Lookup("states")
	require.ErrorContains(t, err, "add the build tag aioaws_stepfunctions")

	// A minimal build with no service at all still has the index and the shared files.
	l = newLoader(newEmbeddedSource(data.Shared(), only()))
	infos, err = l.Services()
	require.NoError(t, err)
	require.Empty(t, infos)
	_, err = l.Lookup("dynamodb")
	require.ErrorContains(t, err, "add the build tag aioaws_dynamodb")
	_, err = l.Partitions()
	require.NoError(t, err)
}
