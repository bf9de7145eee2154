package models_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/internal/testenv"
	"github.com/aioaws/aioaws/models"
)

// This file is an external test package: internal/testenv imports models, so the internal
// tests cannot import it.

// TestConformanceModels loads every model of the conformance data through a Loader whose data
// directory is that folder, so these newer models override the embedded ones.
func TestConformanceModels(t *testing.T) {
	dir := filepath.Join(testenv.ConformanceDir(t), "models")
	l := models.NewLoader(dir)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	passed, failed := 0, 0
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), "_") {
			continue
		}
		versions, err := os.ReadDir(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		want := versions[len(versions)-1].Name()
		svc, err := l.Load(e.Name())
		if err == nil {
			_, err = svc.Paginators()
		}
		if err == nil {
			_, err = svc.Waiters()
		}
		if err == nil && svc.Metadata.APIVersion != want {
			err = fmt.Errorf("loaded API version %s, want %s from the data directory", svc.Metadata.APIVersion, want)
		}
		if err != nil {
			failed++
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		passed++
	}
	fmt.Printf("CONFORMANCE suite=models passed=%d failed=%d skipped=0\n", passed, failed)
	require.Positive(t, passed)
	// partitions.json and sdk-default-configuration.json come from _global there.
	gl := models.NewLoader(filepath.Join(dir, "_global"))
	data, err := gl.Partitions()
	require.NoError(t, err)
	require.Contains(t, string(data), `"aws-us-gov"`)
}
