// Package binsize compares the size of a DynamoDB+S3 program built with aioaws and with
// aws-sdk-go-v2. Run: go test -run BinarySize -v ./binsize
//
// The aioaws program is built twice: by default (the models of every service embedded) and
// with -tags aioaws_minimal,aioaws_dynamodb,aioaws_s3 (only the two services it uses).
package binsize

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// minimalTags embeds only the models of the services the program uses (models.BuildTag).
const minimalTags = "aioaws_minimal,aioaws_dynamodb,aioaws_s3"

// build builds pkg with -trimpath (and the given tags; stripped with -ldflags=-s -w) and
// returns the binary and its size.
func build(t *testing.T, pkg, tags string, stripped bool) (string, int64) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bin")
	args := []string{"build", "-trimpath", "-o", out}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
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
	if st.Size() <= 0 {
		t.Fatalf("%s: empty binary", pkg)
	}
	return out, st.Size()
}

func TestBinarySize(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds six programs (-short)")
	}
	fmt.Printf("BINSIZE builds: default = every service's model embedded; minimal = -tags %s\n", minimalTags)
	for _, stripped := range []bool{false, true} {
		_, theirs := build(t, "./awssdkv2", "", stripped)
		for _, b := range []struct{ name, tags string }{{"default", ""}, {"minimal", minimalTags}} {
			bin, ours := build(t, "./aioaws", b.tags, stripped)
			// The program loads the DynamoDB and S3 models: it must work in either build.
			out, err := exec.Command(bin).CombinedOutput()
			if err != nil || !strings.HasPrefix(string(out), "dynamodb ") || !strings.Contains(string(out), "\ns3 ") {
				t.Fatalf("%s build of ./aioaws: %v: %s", b.name, err, out)
			}
			fmt.Printf("BINSIZE build=%s stripped=%v aioaws=%.2fMB aws-sdk-go-v2=%.2fMB ratio=%.2f\n",
				b.name, stripped, float64(ours)/1e6, float64(theirs)/1e6, float64(ours)/float64(theirs))
		}
	}
}
