package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/aioaws/aioaws/aws"
)

// DefaultProcessTimeout bounds a credential_process command.
const DefaultProcessTimeout = time.Minute

// maxProcessOutput bounds what is read of a credential process's output.
const maxProcessOutput = 1 << 20

// ProcessProvider runs a credential_process command and parses its
// output: a JSON object with Version 1, AccessKeyId, SecretAccessKey and
// optionally SessionToken, Expiration (RFC 3339) and AccountId.
//
// The command runs through the shell (sh -c; cmd /C on Windows) with the
// process's environment, as the other AWS SDKs for Go run it. A non-zero exit, a
// timeout or bad output is an error that includes the command's stderr.
// Set the fields before first use; it is then safe for concurrent use.
type ProcessProvider struct {
	Command string
	// Timeout bounds the command (default DefaultProcessTimeout); ctx may end it sooner.
	Timeout time.Duration
	// AccountID is used when the output has no AccountId (aws_account_id).
	AccountID string
}

// Name returns "process".
func (p *ProcessProvider) Name() string { return "process" }

// Retrieve runs the command.
func (p *ProcessProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := p.retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, &ProviderError{Provider: p.Name(), Err: err}
	}
	return creds, nil
}

// processOutput is the credential_process output format, Version 1.
type processOutput struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
	AccountID       string `json:"AccountId"`
}

func (p *ProcessProvider) retrieve(ctx context.Context) (aws.Credentials, error) {
	if strings.TrimSpace(p.Command) == "" {
		return aws.Credentials{}, errors.New("credential_process is empty")
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultProcessTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		cmd = exec.CommandContext(ctx, "cmd.exe", "/C", p.Command)
	} else {
		cmd = exec.CommandContext(ctx, "sh", "-c", p.Command)
	}
	var stdout, stderr limitedBuffer
	stdout.limit, stderr.limit = maxProcessOutput, 64<<10
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second // do not wait forever for grandchildren holding the pipes
	err := cmd.Run()
	errOut := strings.TrimSpace(stderr.String())
	withStderr := func(msg string) string {
		if errOut != "" {
			return msg + "; stderr: " + errOut
		}
		return msg
	}
	if err != nil {
		if ctx.Err() != nil {
			return aws.Credentials{}, fmt.Errorf("%s: %w", withStderr(fmt.Sprintf("credential_process %q did not finish within %s", p.Command, timeout)), ctx.Err())
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return aws.Credentials{}, errors.New(withStderr(fmt.Sprintf("credential_process %q exited with %v", p.Command, exit.ProcessState)))
		}
		return aws.Credentials{}, fmt.Errorf("credential_process %q: %w", p.Command, err)
	}
	return parseProcessOutput(stdout.Bytes(), p.AccountID, withStderr)
}

func parseProcessOutput(data []byte, fallbackAccount string, withStderr func(string) string) (aws.Credentials, error) {
	var out processOutput
	if err := json.Unmarshal(data, &out); err != nil {
		return aws.Credentials{}, errors.New(withStderr(fmt.Sprintf("credential_process output is not valid JSON: %v", err)))
	}
	if out.Version != 1 {
		return aws.Credentials{}, fmt.Errorf("credential_process output has Version %d; only Version 1 is supported", out.Version)
	}
	if out.AccessKeyID == "" || out.SecretAccessKey == "" {
		return aws.Credentials{}, errors.New("credential_process output is missing AccessKeyId or SecretAccessKey")
	}
	c := aws.Credentials{AccessKeyID: out.AccessKeyID, SecretAccessKey: out.SecretAccessKey, SessionToken: out.SessionToken,
		AccountID: out.AccountID, Source: "process"}
	if c.AccountID == "" {
		c.AccountID = fallbackAccount
	}
	if out.Expiration != "" {
		t, err := time.Parse(time.RFC3339, out.Expiration)
		if err != nil {
			return aws.Credentials{}, fmt.Errorf("credential_process output has an Expiration that is not RFC 3339: %q", out.Expiration)
		}
		c.Expires = t
	}
	return c, nil
}

// limitedBuffer keeps at most limit bytes and drops the rest.
type limitedBuffer struct {
	bytes.Buffer
	limit int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.Len(); room > 0 {
		if len(p) > room {
			b.Buffer.Write(p[:room])
		} else {
			b.Buffer.Write(p)
		}
	}
	return len(p), nil
}
