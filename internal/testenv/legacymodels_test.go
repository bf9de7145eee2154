package testenv

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLegacyModelSQSIsQuery(t *testing.T) {
	svc := LegacyModel(t, "sqs", "2012-11-05")
	require.Equal(t, "query", svc.Metadata.Protocol)
	require.Equal(t, "2012-11-05", svc.Metadata.APIVersion)
	_, ok := svc.Operation("SendMessageBatch")
	require.True(t, ok)
	rules, err := svc.EndpointRuleSet()
	require.NoError(t, err)
	require.NotEmpty(t, rules, "the rule set is read before the staging directory goes")
	require.Same(t, svc, LegacyModel(t, "sqs", "2012-11-05"), "loaded once per test binary")
}

func TestLoadLegacyModelStagesABotocoreLayout(t *testing.T) {
	mod := t.TempDir()
	dir := filepath.Join(mod, "models", "apis", "demo", "2020-01-01")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	model := `{"version":"2.0","metadata":{"apiVersion":"2020-01-01","endpointPrefix":"demo","protocol":"query",
		"serviceId":"Demo","signatureVersion":"v4","uid":"demo-2020-01-01","xmlNamespace":"urn:demo"},
		"operations":{"Ping":{"name":"Ping","http":{"method":"POST","requestUri":"/"}}},"shapes":{}}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "api-2.json"), []byte(model), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "paginators-1.json"), []byte(`{"pagination":{}}`), 0o644))

	svc, err := loadLegacyModel(mod, "demo", "2020-01-01")
	require.NoError(t, err)
	require.Equal(t, "demo", svc.Name)
	require.Equal(t, "query", svc.Metadata.Protocol)
	rules, err := svc.EndpointRuleSet()
	require.NoError(t, err)
	require.Nil(t, rules, "optional files may be missing")

	_, err = loadLegacyModel(mod, "demo", "2021-01-01")
	require.ErrorContains(t, err, "has no such model")
	_, err = loadLegacyModel(mod, "../demo", "2020-01-01")
	require.ErrorContains(t, err, "invalid service")
}

func TestLegacyModelSkipsOnlyWhenUnavailable(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: -short skips before downloading")
	}
	offline := &legacyCache{dir: func() (string, error) {
		return "", &unavailableError{errors.New("go mod download: no network")}
	}}
	for _, ci := range []string{"", "true"} {
		t.Run("CI="+ci, func(t *testing.T) {
			t.Setenv("CI", ci)
			rec := &recorder{TB: t}
			done := make(chan struct{})
			go func() { // Skip and Fatal end the goroutine that calls them.
				defer close(done)
				offline.get(rec, "sqs", "2012-11-05")
			}()
			<-done
			if ci == "true" {
				require.True(t, rec.failed, "CI=true must fail")
				require.Contains(t, rec.msg, "CI=true")
			} else {
				require.True(t, rec.skipped, "must skip outside CI")
				require.Contains(t, rec.msg, "skipping: needs the sqs/2012-11-05 model from Go module "+LegacyModule)
			}
			require.Contains(t, rec.msg, "no network")
		})
	}

	broken := &legacyCache{dir: func() (string, error) { return t.TempDir(), nil }}
	rec := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		broken.get(rec, "sqs", "2012-11-05")
	}()
	<-done
	require.True(t, rec.failed, "a module without the model is a failure, not a skip")
	require.Contains(t, rec.msg, "has no such model")
}
