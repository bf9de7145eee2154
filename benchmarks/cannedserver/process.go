package cannedserver

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// CommandPath is the import path of the command that runs the server in its own process.
const CommandPath = "github.com/aioaws/aioaws/benchmarks/cannedserver/cmd/cannedserver"

// Build compiles the server command into dir and returns the binary's path. It must run
// inside the benchmarks module.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "cannedserver")
	cmd := exec.Command("go", "build", "-o", bin, CommandPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("cannedserver: go build: %v\n%s", err, out)
	}
	return bin, nil
}

// Process is the server running in a child process (see Spawn). Its methods are safe for
// concurrent use; the owner calls Close.
type Process struct {
	// URL is the server's base URL.
	URL string

	cmd   *exec.Cmd
	stdin io.WriteCloser
	hc    *http.Client
	once  sync.Once
	err   error
}

// Spawn starts the server binary bin (see Build) with the given extra environment and waits
// until it listens. The child serves until its stdin is closed (Close does that).
func Spawn(bin string, env ...string) (*Process, error) {
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannedserver: start: %w", err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://") {
		stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("cannedserver: child did not report its URL (%q): %v", line, err)
	}
	return &Process{
		URL:   strings.TrimSpace(line),
		cmd:   cmd,
		stdin: stdin,
		// One kept-alive connection for the stats requests, so they do not add to ConnsOpened.
		hc: &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}, Timeout: 10 * time.Second},
	}, nil
}

// PID is the child's process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Stats fetches the child's counters (this request is not counted).
func (p *Process) Stats() (Stats, error) {
	return FetchStats(p.hc, p.URL)
}

// FetchStats reads the counters of the server at url through hc.
func FetchStats(hc *http.Client, url string) (Stats, error) {
	var st Stats
	resp, err := hc.Get(url + "/_canned/stats")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("cannedserver: stats: %s", resp.Status)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// Close asks the child to stop (closes its stdin), waits for it to exit (killing it after 15s)
// and returns its exit error. It is safe to call more than once.
func (p *Process) Close() error {
	p.once.Do(func() {
		p.hc.CloseIdleConnections()
		p.stdin.Close()
		done := make(chan error, 1)
		go func() { done <- p.cmd.Wait() }()
		select {
		case p.err = <-done:
		case <-time.After(15 * time.Second):
			_ = p.cmd.Process.Kill()
			p.err = errors.Join(errors.New("cannedserver: child did not stop in 15s; killed"), <-done)
		}
	})
	return p.err
}
