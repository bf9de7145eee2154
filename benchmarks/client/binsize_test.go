package client

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestClientBinarySize builds the DynamoDB+S3 programs under cmd/ (one GetItem and one
// GetObject each) with -trimpath, unstripped and stripped, prints their sizes and the ratio,
// and runs them against the canned server to show they work.
//
//	go test -run TestClientBinarySize -v
func TestClientBinarySize(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds four programs (-short)")
	}
	url := server(t)
	dir := t.TempDir()
	build := func(name string, stripped bool) (string, int64) {
		out := filepath.Join(dir, fmt.Sprintf("%s-%v", name, stripped))
		args := []string{"build", "-trimpath", "-o", out}
		if stripped {
			args = append(args, "-ldflags=-s -w")
		}
		cmd := exec.Command("go", append(args, "./cmd/"+name)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build ./cmd/%s: %v\n%s", name, err, b)
		}
		st, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		return out, st.Size()
	}
	for _, stripped := range []bool{false, true} {
		ours, oursSize := build("aioaws", stripped)
		theirs, theirsSize := build("awssdkv2", stripped)
		for _, bin := range []string{ours, theirs} {
			out, err := exec.Command(bin, url).CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != "11 attributes; 1048576 bytes" {
				t.Fatalf("%s: %v: %s", filepath.Base(bin), err, out)
			}
		}
		fmt.Printf("CLIENT_BINSIZE stripped=%v aioaws=%d (%.2f MB) aws-sdk-go-v2=%d (%.2f MB) ratio=%.2f\n",
			stripped, oursSize, float64(oursSize)/1e6, theirsSize, float64(theirsSize)/1e6, float64(oursSize)/float64(theirsSize))
	}
}
