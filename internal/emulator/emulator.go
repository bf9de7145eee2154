package emulator

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Kind names an emulator.
type Kind string

// The emulators this package runs.
const (
	Moto      Kind = "moto"      // moto_server: STS, SQS, Lambda, ... (any credentials)
	Dynalite  Kind = "dynalite"  // DynamoDB (needs an Authorization header, ignores the signature)
	Versitygw Kind = "versitygw" // S3 (verifies SigV4 with Server.AccessKey and Server.SecretKey)
)

// Kinds returns every Kind, in a fixed order.
func Kinds() []Kind { return []Kind{Moto, Dynalite, Versitygw} }

// Defaults used when the matching Options field is zero.
const (
	DefaultStartTimeout = 60 * time.Second
	DefaultTableDelay   = 50 * time.Millisecond
)

// The credentials and region every Server is started with. Moto and dynalite
// accept any credentials; versitygw accepts only these.
const (
	testAccessKey = "AKIAIOSFODNN7EXAMPLE"
	testSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testRegion    = "us-east-1"
)

const (
	listenHost    = "127.0.0.1"
	stopTimeout   = 10 * time.Second // for a SIGKILLed process to be reaped
	startAttempts = 3                // when the chosen port was taken before the emulator bound it
)

// Options configures Start. The zero value is ready to use. Setting a field
// that the started Kind does not support is an error.
type Options struct {
	// Log, if not nil, receives everything the emulator writes to stdout and
	// stderr, from one goroutine at a time, until Stop returns. Write errors
	// are ignored. The last lines are kept for error messages either way.
	Log io.Writer

	// StartTimeout bounds the wait for the emulator to answer; zero means
	// DefaultStartTimeout. The ctx given to Start bounds it too.
	StartTimeout time.Duration

	// Dynalite only: how long a table stays CREATING, DELETING or UPDATING
	// before it becomes ACTIVE (or gone). Zero means DefaultTableDelay.
	CreateTableDelay, DeleteTableDelay, UpdateTableDelay time.Duration

	// Versitygw only: VirtualDomain turns on virtual-host-style bucket
	// addressing under that domain; with "localhost", bucket b is served at
	// http://b.localhost:PORT. Server.URL then names this host.
	VirtualDomain string

	// Moto and versitygw only: PEM certificate and key files (both or
	// neither) to serve HTTPS with; Server.URL is then https.
	CertFile, KeyFile string
}

// Server is a running emulator started by Start. Its fields describe it and
// must not be changed. Its methods are safe for concurrent use. Whoever
// called Start owns it and must call Stop.
type Server struct {
	Kind Kind
	// URL is the endpoint for clients: http://127.0.0.1:PORT, or https when
	// Options.CertFile is set, with Options.VirtualDomain as host when set.
	URL string
	// Host is the address the emulator listens on: 127.0.0.1:PORT.
	Host string
	// Region, AccessKey and SecretKey are what clients should sign with.
	Region, AccessKey, SecretKey string
	// Dir is a temporary directory private to this server: its working
	// directory and, for versitygw, the storage root (each subdirectory is a
	// bucket). Stop removes it.
	Dir string
	// PID is the emulator's process ID, which is also its process group ID.
	PID int

	out      *tail
	done     chan struct{} // closed once the process has exited and been reaped
	waitErr  error         // cmd.Wait's result; read only after done is closed
	stopOnce sync.Once
	stopErr  error
}

// Start starts an emulator of the given kind on a free port of 127.0.0.1 and
// returns once it answers HTTP requests as that emulator (for moto, once it
// has also been told to run Lambda functions without Docker). ctx bounds only
// the start: the server runs until Stop. The caller must call Stop.
//
// If the emulator is not installed, the error wraps ErrNotInstalled and says
// how to install it. If it does not become ready, the error includes the last
// lines it printed.
func Start(ctx context.Context, kind Kind, opts Options) (*Server, error) {
	opts, err := opts.check(kind)
	if err != nil {
		return nil, err
	}
	path, err := Lookup(kind)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		s, err := start(ctx, kind, path, opts)
		if !errors.Is(err, errPortTaken) || attempt == startAttempts {
			return s, err
		}
	}
}

// errPortTaken marks a start that failed because another process took the
// free port between our check and the emulator's bind; Start then retries.
var errPortTaken = errors.New("port taken")

func start(ctx context.Context, kind Kind, path string, opts Options) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("emulator: find a free port on %s for %s: %w", listenHost, kind, err)
	}
	dir, err := os.MkdirTemp("", "aioaws-"+string(kind)+"-")
	if err != nil {
		return nil, fmt.Errorf("emulator: create a temporary directory for %s: %w", kind, err)
	}
	scheme := "http"
	if opts.CertFile != "" {
		scheme = "https"
	}
	host := net.JoinHostPort(listenHost, strconv.Itoa(port))
	urlHost := host
	if opts.VirtualDomain != "" {
		urlHost = net.JoinHostPort(opts.VirtualDomain, strconv.Itoa(port))
	}
	s := &Server{
		Kind:      kind,
		URL:       scheme + "://" + urlHost,
		Host:      host,
		Region:    testRegion,
		AccessKey: testAccessKey,
		SecretKey: testSecretKey,
		Dir:       dir,
		out:       &tail{},
		done:      make(chan struct{}),
	}
	cmd := command(kind, path, s, opts)
	var out io.Writer = s.out
	if opts.Log != nil {
		out = io.MultiWriter(s.out, ignoreErrors{opts.Log})
	}
	cmd.Stdout, cmd.Stderr = out, out // one writer: os/exec copies with one goroutine
	cmd.Dir = dir
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = time.Second // stray holders of the output pipe cannot block Wait
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("emulator: start %s (%s): %w", kind, path, err)
	}
	s.PID = cmd.Process.Pid
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(ctx, scheme+"://"+host, opts.StartTimeout); err != nil {
		s.Stop() // kills it if it still runs; its error would only repeat err
		return nil, err
	}
	return s, nil
}

// Done returns a channel that is closed once the emulator process has exited,
// whether by Stop or by itself.
func (s *Server) Done() <-chan struct{} { return s.done }

// Stop kills the emulator's process group (SIGKILL), waits for the emulator
// to exit and removes Dir. It ends only processes of that group, and returns
// an error if the emulator had exited by itself before Stop (a crash), could
// not be killed, or Dir could not be removed. It may be called any number of
// times, from any goroutine: every call returns the first call's result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() { s.stopErr = s.stop() })
	return s.stopErr
}

func (s *Server) stop() error {
	var errs []error
	select {
	case <-s.done:
		errs = append(errs, fmt.Errorf("emulator: %s (pid %d) exited before Stop: %v%s",
			s.Kind, s.PID, s.waitErr, s.out.last()))
	default:
		// The process is running, a zombie, or reaped a moment ago, so its
		// ID still names our group: the kernel does not reuse it that fast.
		if err := killGroup(s.PID); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("emulator: kill %s process group %d: %w", s.Kind, s.PID, err))
		}
		select {
		case <-s.done:
		case <-time.After(stopTimeout):
			errs = append(errs, fmt.Errorf("emulator: %s (pid %d) did not exit within %v of SIGKILL", s.Kind, s.PID, stopTimeout))
		}
	}
	if err := os.RemoveAll(s.Dir); err != nil {
		errs = append(errs, fmt.Errorf("emulator: remove %s directory: %w", s.Kind, err))
	}
	return errors.Join(errs...)
}

// check validates opts for kind and returns them with defaults applied and
// file names made absolute (the emulator runs in its own directory).
func (o Options) check(kind Kind) (Options, error) {
	if !kind.valid() {
		return o, unknownKind(kind)
	}
	var bad []string
	if kind != Dynalite && (o.CreateTableDelay != 0 || o.DeleteTableDelay != 0 || o.UpdateTableDelay != 0) {
		bad = append(bad, "CreateTableDelay, DeleteTableDelay and UpdateTableDelay are for dynalite only")
	}
	if o.CreateTableDelay < 0 || o.DeleteTableDelay < 0 || o.UpdateTableDelay < 0 || o.StartTimeout < 0 {
		bad = append(bad, "durations must not be negative")
	}
	if kind != Versitygw && o.VirtualDomain != "" {
		bad = append(bad, "VirtualDomain is for versitygw only")
	}
	if kind == Dynalite && (o.CertFile != "" || o.KeyFile != "") {
		bad = append(bad, "CertFile and KeyFile are for moto and versitygw only")
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		bad = append(bad, "CertFile and KeyFile must be set together")
	}
	if len(bad) > 0 {
		return o, fmt.Errorf("emulator: invalid options for %s: %s", kind, strings.Join(bad, "; "))
	}
	for _, f := range []*string{&o.CertFile, &o.KeyFile} {
		if *f == "" {
			continue
		}
		abs, err := filepath.Abs(*f)
		if err != nil {
			return o, fmt.Errorf("emulator: options for %s: %w", kind, err)
		}
		*f = abs
	}
	o.StartTimeout = cmp.Or(o.StartTimeout, DefaultStartTimeout)
	o.CreateTableDelay = cmp.Or(o.CreateTableDelay, DefaultTableDelay)
	o.DeleteTableDelay = cmp.Or(o.DeleteTableDelay, DefaultTableDelay)
	o.UpdateTableDelay = cmp.Or(o.UpdateTableDelay, DefaultTableDelay)
	return o, nil
}

func (k Kind) valid() bool { return k == Moto || k == Dynalite || k == Versitygw }

func unknownKind(k Kind) error {
	return fmt.Errorf("emulator: unknown kind %q; want one of %v", string(k), Kinds())
}

// command builds the command line that runs kind (installed at path) for s.
func command(kind Kind, path string, s *Server, opts Options) *exec.Cmd {
	_, port, _ := net.SplitHostPort(s.Host)
	switch kind {
	case Moto:
		args := []string{"-H", listenHost, "-p", port}
		if opts.CertFile != "" {
			args = append(args, "-c", opts.CertFile, "-k", opts.KeyFile)
		}
		return exec.Command(path, args...)
	case Dynalite:
		ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
		return exec.Command("node", path, "--host", listenHost, "--port", port,
			"--createTableMs", ms(opts.CreateTableDelay),
			"--deleteTableMs", ms(opts.DeleteTableDelay),
			"--updateTableMs", ms(opts.UpdateTableDelay))
	default: // Versitygw; global flags go before the backend subcommand.
		args := []string{"--port", s.Host, "--access", s.AccessKey, "--secret", s.SecretKey, "--region", s.Region}
		if opts.VirtualDomain != "" {
			args = append(args, "--virtual-domain", opts.VirtualDomain)
		}
		if opts.CertFile != "" {
			args = append(args, "--cert", opts.CertFile, "--key", opts.KeyFile)
		}
		return exec.Command(path, append(args, "posix", s.Dir)...)
	}
}

// waitReady polls s at base until it answers as its kind, the process exits,
// or the timeout or ctx ends.
func (s *Server) waitReady(ctx context.Context, base string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	transport := &http.Transport{
		DisableKeepAlives: true,
		// The probe checks that the emulator serves, not who it is: a test
		// certificate need not name 127.0.0.1.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 2 * time.Second}

	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := probe(ctx, client, s.Kind, base)
		if err == nil {
			return nil
		}
		select {
		case <-s.done:
			if strings.Contains(strings.ToLower(s.out.String()), "address already in use") {
				return fmt.Errorf("emulator: %s could not bind %s: %w", s.Kind, s.Host, errPortTaken)
			}
			return fmt.Errorf("emulator: %s exited before it was ready (%v)%s", s.Kind, s.waitErr, s.out.last())
		case <-ctx.Done():
			return fmt.Errorf("emulator: %s at %s not ready: %w; last probe: %v%s", s.Kind, s.URL, context.Cause(ctx), err, s.out.last())
		case <-tick.C:
		}
	}
}

// motoConfig makes moto run Lambda functions in-process instead of in Docker.
const motoConfig = `{"lambda":{"use_docker":false}}`

// probe sends one request that only kind would answer as it does.
func probe(ctx context.Context, c *http.Client, kind Kind, base string) error {
	method, path, body := http.MethodGet, "/", ""
	if kind == Moto {
		method, path, body = http.MethodPost, "/moto-api/config", motoConfig
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return err
	}
	var ok bool
	switch kind {
	case Moto:
		var cfg struct {
			Lambda struct {
				UseDocker *bool `json:"use_docker"`
			} `json:"lambda"`
		}
		ok = resp.StatusCode/100 == 2 && json.Unmarshal(got, &cfg) == nil &&
			cfg.Lambda.UseDocker != nil && !*cfg.Lambda.UseDocker
	case Dynalite:
		ok = resp.StatusCode == http.StatusOK && bytes.HasPrefix(got, []byte("healthy: dynamodb"))
	case Versitygw:
		ok = resp.Header.Get("Server") == "VERSITYGW"
	}
	if !ok {
		return fmt.Errorf("%s %s answered %s: %.200q", method, path, resp.Status, got)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(listenHost, "0"))
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ignoreErrors keeps a failing Options.Log from cutting the emulator's output.
type ignoreErrors struct{ w io.Writer }

func (i ignoreErrors) Write(p []byte) (int, error) {
	i.w.Write(p)
	return len(p), nil
}
