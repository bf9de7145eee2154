// Package binsize compares the size of a DynamoDB+S3 program built with aioaws and with
// aws-sdk-go-v2. Run: go test -run BinarySize -v ./binsize
package binsize

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func build(t *testing.T, pkg string, stripped bool) int64 {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bin")
	args := []string{"build", "-trimpath", "-o", out}
	if stripped {
		args = append(args, "-ldflags=-s -w")
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build %s: %v", pkg, err)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func TestBinarySize(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds two programs (-short)")
	}
	for _, stripped := range []bool{false, true} {
		ours := build(t, "./aioaws", stripped)
		theirs := build(t, "./awssdkv2", stripped)
		if ours <= 0 || theirs <= 0 {
			t.Fatalf("empty binaries: %d, %d", ours, theirs)
		}
		fmt.Printf("BINSIZE stripped=%v aioaws=%.2fMB aws-sdk-go-v2=%.2fMB ratio=%.2f\n",
			stripped, float64(ours)/1e6, float64(theirs)/1e6, float64(ours)/float64(theirs))
	}
}
