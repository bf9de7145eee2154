package client

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// minimalTags embeds only the models of the services the programs use (models.BuildTag).
const minimalTags = "aioaws_minimal,aioaws_dynamodb,aioaws_s3"

// TestClientBinarySize builds the DynamoDB+S3 programs under cmd/ (one GetItem and one
// GetObject each) with -trimpath, unstripped and stripped, the aioaws one both by default
// (every service's model embedded) and with -tags aioaws_minimal,aioaws_dynamodb,aioaws_s3
// (only the two it uses); prints their sizes and the ratios, and runs every binary against
// the canned server to show it works.
//
//	go test -run TestClientBinarySize -v
func TestClientBinarySize(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds six programs (-short)")
	}
	url := server(t)
	dir := t.TempDir()
	build := func(name, variant, tags string, stripped bool) (string, int64) {
		out := filepath.Join(dir, fmt.Sprintf("%s-%s-%v", name, variant, stripped))
		args := []string{"build", "-trimpath", "-o", out}
		if tags != "" {
			args = append(args, "-tags", tags)
		}
		if stripped {
			args = append(args, "-ldflags=-s -w")
		}
		cmd := exec.Command("go", append(args, "./cmd/"+name)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build ./cmd/%s (%s): %v\n%s", name, variant, err, b)
		}
		st, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		return out, st.Size()
	}
	run := func(bin string) {
		out, err := exec.Command(bin, url).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "11 attributes; 1048576 bytes" {
			t.Fatalf("%s: %v: %s", filepath.Base(bin), err, out)
		}
	}
	fmt.Printf("CLIENT_BINSIZE builds: default = every service's model embedded; minimal = -tags %s\n", minimalTags)
	for _, stripped := range []bool{false, true} {
		theirs, theirsSize := build("awssdkv2", "default", "", stripped)
		run(theirs)
		for _, b := range []struct{ name, tags string }{{"default", ""}, {"minimal", minimalTags}} {
			ours, oursSize := build("aioaws", b.name, b.tags, stripped)
			run(ours)
			fmt.Printf("CLIENT_BINSIZE build=%s stripped=%v aioaws=%d (%.2f MB) aws-sdk-go-v2=%d (%.2f MB) ratio=%.2f\n",
				b.name, stripped, oursSize, float64(oursSize)/1e6, theirsSize, float64(theirsSize)/1e6, float64(oursSize)/float64(theirsSize))
		}
	}
}
