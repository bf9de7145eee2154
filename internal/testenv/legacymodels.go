package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aioaws/aioaws/models"
)

// LegacyModule is the Go module whose models/apis directory [LegacyModel] reads: the AWS SDK
// for Go v1 at a version from before SQS moved to the JSON protocol (late 2023), so its SQS
// model (2012-11-05) still has "protocol": "query". The module is about 32 MB to download
// (zip) and about 300 MB in the module cache once extracted; the go command fetches it once
// per module cache.
const LegacyModule = "github.com/aws/aws-sdk-go@v1.45.28"

// legacyDownloadTimeout bounds the go mod download of LegacyModule.
const legacyDownloadTimeout = 10 * time.Minute

// LegacyModel returns the model of service at apiVersion as shipped in [LegacyModule]:
// models/apis/<service>/<apiVersion>/api-2.json, the same format as botocore's
// service-2.json, with the endpoint rule set, paginators and waiters beside it. It is
// compiled by the models package like any data directory's model (through a models.Loader
// of its own, so the process environment and the default Loader are left alone), and
// self-contained: nothing it needs is read from disk after LegacyModel returns.
//
// The module is fetched with `go mod download`, so GOPROXY, GOMODCACHE, GOFLAGS and
// GONOSUMDB apply as for any module, and a module cache that already has it needs no network.
// The module is fetched and each model compiled once per test binary; LegacyModel is
// safe for concurrent use.
//
// What a test gets when it cannot have the model:
//   - under go test -short: a skip; nothing is downloaded;
//   - no go command, or the download failing (no network, GOPROXY=off): a skip saying
//     why, or a failure when the environment has CI=true;
//   - the module lacking the model, or the model not compiling: a failure.
func LegacyModel(t testing.TB, service, apiVersion string) *models.Service {
	t.Helper()
	if testing.Short() {
		t.Skipf("skipping: needs the %s/%s model from Go module %s, not downloaded under -short", service, apiVersion, LegacyModule)
	}
	return legacy.get(t, service, apiVersion)
}

// get is LegacyModel with this cache.
func (c *legacyCache) get(t testing.TB, service, apiVersion string) *models.Service {
	t.Helper()
	svc, err := c.model(service, apiVersion)
	var unavailable *unavailableError
	switch {
	case err == nil:
		return svc
	case !errors.As(err, &unavailable):
		t.Fatalf("testenv: legacy model %s/%s: %v", service, apiVersion, err)
	case os.Getenv("CI") == "true":
		t.Fatalf("testenv: needs Go module %s: %v\n(with CI=true a missing model is a failure, not a skip)", LegacyModule, err)
	default:
		t.Skipf("skipping: needs the %s/%s model from Go module %s: %v", service, apiVersion, LegacyModule, err)
	}
	return nil
}

// unavailableError is a module that could not be fetched: a reason to skip, not a bug.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string { return e.err.Error() }
func (e *unavailableError) Unwrap() error { return e.err }

// legacy caches the module directory and the models loaded from it for the test binary.
var legacy = legacyCache{dir: sync.OnceValues(downloadLegacyModule)}

// legacyCache is safe for concurrent use.
type legacyCache struct {
	dir func() (string, error) // the module's directory in the module cache, fetched once

	mu     sync.Mutex
	models map[string]func() (*models.Service, error) // by "service/apiVersion"
}

func (c *legacyCache) model(service, apiVersion string) (*models.Service, error) {
	key := service + "/" + apiVersion
	c.mu.Lock()
	if c.models == nil {
		c.models = make(map[string]func() (*models.Service, error))
	}
	load := c.models[key]
	if load == nil {
		load = sync.OnceValues(func() (*models.Service, error) {
			dir, err := c.dir()
			if err != nil {
				return nil, err
			}
			return loadLegacyModel(dir, service, apiVersion)
		})
		c.models[key] = load
	}
	c.mu.Unlock()
	return load() // not under c.mu: other models need not wait for this one
}

// downloadLegacyModule runs go mod download for LegacyModule and returns its directory.
func downloadLegacyModule() (string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", &unavailableError{fmt.Errorf("no go command to download it with: %w", err)}
	}
	// Outside any module, so that neither this repository's go.mod nor a go.work is read
	// or changed.
	work, err := os.MkdirTemp("", "aioaws-legacymodel-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	ctx, cancel := context.WithTimeout(context.Background(), legacyDownloadTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCmd, "mod", "download", "-json", LegacyModule)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "GOWORK=off", "GO111MODULE=on")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	// With -json, a failed download is still a JSON object, with the reason in Error.
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil && runErr == nil {
		return "", fmt.Errorf("go mod download -json %s: %v in output %q", LegacyModule, err, stdout.String())
	}
	if runErr != nil || info.Error != "" || info.Dir == "" {
		msg := strings.TrimSpace(info.Error) // names the module itself
		if msg == "" {
			msg = fmt.Sprintf("go mod download %s: %v: %s", LegacyModule, runErr, strings.TrimSpace(stderr.String()))
		}
		return "", &unavailableError{errors.New(msg)}
	}
	return info.Dir, nil
}

// legacyFiles are copied from the SDK's model directory into a botocore layout (SDK name →
// botocore name); only the model itself is required.
var legacyFiles = [][2]string{
	{"api-2.json", "service-2.json"},
	{"endpoint-rule-set-1.json", "endpoint-rule-set-1.json"},
	{"paginators-1.json", "paginators-1.json"},
	{"waiters-2.json", "waiters-2.json"},
}

// loadLegacyModel stages the model of service/apiVersion from the SDK module at modDir as a
// botocore data directory, loads it with a Loader of its own, and reads everything the
// Service reads lazily, so the staging directory can go.
func loadLegacyModel(modDir, service, apiVersion string) (*models.Service, error) {
	if service == "" || apiVersion == "" || strings.ContainsAny(service+apiVersion, `/\`) || strings.HasPrefix(service, ".") || strings.HasPrefix(apiVersion, ".") {
		return nil, fmt.Errorf("invalid service %q or API version %q", service, apiVersion)
	}
	src := filepath.Join(modDir, "models", "apis", service, apiVersion)
	stage, err := os.MkdirTemp("", "aioaws-legacymodel-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(stage)
	dst := filepath.Join(stage, service, apiVersion)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return nil, err
	}
	for i, f := range legacyFiles {
		data, err := os.ReadFile(filepath.Join(src, f[0]))
		if errors.Is(err, os.ErrNotExist) && i > 0 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s has no such model: %w", LegacyModule, err)
		}
		if err := os.WriteFile(filepath.Join(dst, f[1]), data, 0o644); err != nil {
			return nil, err
		}
	}
	svc, err := models.NewLoader(stage).Load(service)
	if err != nil {
		return nil, err
	}
	if svc.Metadata.APIVersion != apiVersion {
		// The Loader fell back to the embedded models: the staged one was not found.
		return nil, fmt.Errorf("loaded API version %q, want %q", svc.Metadata.APIVersion, apiVersion)
	}
	if _, err := svc.EndpointRuleSet(); err != nil {
		return nil, err
	}
	if _, err := svc.Paginators(); err != nil {
		return nil, err
	}
	if _, err := svc.Waiters(); err != nil {
		return nil, err
	}
	return svc, nil
}
