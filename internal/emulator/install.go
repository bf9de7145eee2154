package emulator

import (
	"cmp"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// VersitygwPackage is the pinned versitygw, as `go install` takes it. Install
// builds it into <tools>/bin. Dynalite is pinned in <tools>/package.json and
// <tools>/package-lock.json.
const VersitygwPackage = "github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// ErrNotInstalled is wrapped by the errors of Lookup, Start and Install when
// an emulator, or what it needs to run, is missing or not the pinned version.
var ErrNotInstalled = errors.New("emulator not installed")

// InstallCommand installs the emulators; errors wrapping ErrNotInstalled name it.
const InstallCommand = "go run ./internal/cmd/emulators install"

const (
	modulePath  = "github.com/aioaws/aioaws"
	toolsDirEnv = "AIOAWS_TOOLS_DIR"
)

// ToolsDir returns the directory that holds the pinned tools: $AIOAWS_TOOLS_DIR
// if set, else the tools directory at the root of the aioaws module, found by
// walking up from the working directory to the go.mod of that module.
func ToolsDir() (string, error) {
	if dir := os.Getenv(toolsDirEnv); dir != "" {
		return filepath.Abs(dir)
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", fmt.Errorf("%w; or set %s to the tools directory", err, toolsDirEnv)
	}
	return filepath.Join(root, "tools"), nil
}

// ModuleRoot returns the root of the aioaws repository: the working directory or the closest
// directory above it whose go.mod declares the module.
func ModuleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("emulator: find the module root: %w", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if isModuleRoot(dir) {
			return dir, nil
		}
		if dir == filepath.Dir(dir) {
			return "", fmt.Errorf("emulator: no go.mod of module %s in %s or above it; run from inside the repository", modulePath, wd)
		}
	}
}

func isModuleRoot(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(data)) {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`) == modulePath
		}
	}
	return false
}

// Lookup returns the path of the installed emulator of the given kind:
// moto_server on PATH, dynalite's cli.js under <tools>/node_modules (run with
// node from PATH), or <tools>/bin/versitygw. It checks that dynalite and
// versitygw are the pinned versions. If the emulator is missing, the error
// wraps ErrNotInstalled and says how to install it.
func Lookup(kind Kind) (string, error) {
	if kind == Moto {
		return lookup(kind, "")
	}
	if !kind.valid() {
		return "", unknownKind(kind)
	}
	tools, err := ToolsDir()
	if err != nil {
		return "", err
	}
	return lookup(kind, tools)
}

func lookup(kind Kind, tools string) (string, error) {
	switch kind {
	case Moto:
		path, err := exec.LookPath("moto_server")
		if err != nil {
			return "", fmt.Errorf("%w: moto_server is not on PATH: install moto with its server extra (pip install 'moto[server]') and put its bin directory on PATH",
				ErrNotInstalled)
		}
		return path, nil
	case Dynalite:
		if _, err := exec.LookPath("node"); err != nil {
			return "", fmt.Errorf("%w: dynalite needs node (Node.js >= 20) on PATH", ErrNotInstalled)
		}
		want, err := packageVersion(filepath.Join(tools, "package.json"), "dynalite")
		if err != nil {
			return "", fmt.Errorf("emulator: read the pinned dynalite version (is %s the repository's tools directory?): %w", tools, err)
		}
		dir := filepath.Join(tools, "node_modules", "dynalite")
		got, err := packageVersion(filepath.Join(dir, "package.json"), "")
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%w: dynalite is not in %s; run: %s", ErrNotInstalled, dir, InstallCommand)
		}
		if err != nil {
			return "", err
		}
		if got != want {
			return "", fmt.Errorf("%w: dynalite %s is in %s but %s is pinned; run: %s", ErrNotInstalled, got, dir, want, InstallCommand)
		}
		return filepath.Join(dir, "cli.js"), nil
	case Versitygw:
		path := filepath.Join(tools, "bin", "versitygw")
		info, err := buildinfo.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%w: versitygw is not in %s; run: %s", ErrNotInstalled, path, InstallCommand)
		}
		if err != nil {
			return "", fmt.Errorf("%w: versitygw at %s is unreadable (%v); run: %s", ErrNotInstalled, path, err, InstallCommand)
		}
		if got := info.Path + "@" + info.Main.Version; got != VersitygwPackage {
			return "", fmt.Errorf("%w: %s is %s but %s is pinned; run: %s", ErrNotInstalled, path, got, VersitygwPackage, InstallCommand)
		}
		return path, nil
	}
	return "", unknownKind(kind)
}

// packageVersion reads an npm package.json: the version of dependency dep,
// or the package's own version when dep is "".
func packageVersion(file, dep string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	var pkg struct {
		Version      string            `json:"version"`
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	version := pkg.Version
	if dep != "" {
		version = pkg.Dependencies[dep]
	}
	if version == "" {
		return "", fmt.Errorf("%s: no version for %s", file, cmp.Or(dep, "the package"))
	}
	return version, nil
}

// Install installs every pinned emulator that is missing or out of date, and
// writes what it does, and the installers' output, to w:
//   - dynalite: `npm ci` in the tools directory (a few seconds);
//   - versitygw: `go install` into <tools>/bin (minutes on a cold build cache);
//   - moto cannot be installed from here: Install checks that moto_server is
//     on PATH and says how to get it otherwise.
//
// It is fast when everything is installed. It tries every emulator and joins
// the errors. ctx cancels the installers. Do not run two Installs at once.
func Install(ctx context.Context, w io.Writer) error {
	tools, err := ToolsDir()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "tools directory: %s\n", tools)
	var errs []error
	for _, kind := range Kinds() {
		if err := install(ctx, w, kind, tools); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func install(ctx context.Context, w io.Writer, kind Kind, tools string) error {
	path, err := lookup(kind, tools)
	if err == nil {
		fmt.Fprintf(w, "%s: installed: %s\n", kind, path)
		return nil
	}
	if kind == Moto || !errors.Is(err, ErrNotInstalled) {
		return err
	}
	fmt.Fprintf(w, "%s: missing or not the pinned version; installing\n", kind)
	began := time.Now()
	switch kind {
	case Dynalite:
		err = run(ctx, w, tools, nil, "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund")
	case Versitygw:
		err = run(ctx, w, tools, []string{"GOBIN=" + filepath.Join(tools, "bin")}, "go", "install", VersitygwPackage)
	}
	if err != nil {
		return fmt.Errorf("emulator: install %s: %w", kind, err)
	}
	if path, err = lookup(kind, tools); err != nil {
		return fmt.Errorf("emulator: installed %s but still cannot use it: %w", kind, err)
	}
	fmt.Fprintf(w, "%s: installed in %v: %s\n", kind, time.Since(began).Round(time.Second/10), path)
	return nil
}

// run runs an installer in dir with extra environment variables, its output
// going to w. Cancelling ctx kills its whole process group.
func run(ctx context.Context, w io.Writer, dir string, env []string, name string, args ...string) error {
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("%s is not on PATH: %w", name, err)
	}
	fmt.Fprintf(w, "$ %s %s\n", strings.Join(append(env, name), " "), strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = sysProcAttr()
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}
