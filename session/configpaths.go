package session

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"runtime"
	"strings"
)

// SharedFilePaths returns where the shared config and credentials files are:
// $AWS_CONFIG_FILE and $AWS_SHARED_CREDENTIALS_FILE when set, else
// ~/.aws/config and ~/.aws/credentials. A leading "~" (or "~user" outside
// Windows) is expanded. The home directory is $HOME; on Windows, $HOME,
// else $USERPROFILE, else $HOMEDRIVE$HOMEPATH; elsewhere, without $HOME, the
// current user's home directory. A path is "" when it needs a home directory
// that cannot be found.
func SharedFilePaths() (configPath, credentialsPath string) {
	return sharedFilePaths(os.Getenv, runtime.GOOS == "windows", currentUserHome)
}

// sharedFilePaths is SharedFilePaths over getenv, for the platform given.
// fallbackHome, if not nil, finds a home directory when the environment
// names none.
func sharedFilePaths(getenv func(string) string, windows bool, fallbackHome func() string) (configPath, credentialsPath string) {
	home := resolveHome(getenv, windows, fallbackHome)
	configPath = sharedFilePath(getenv("AWS_CONFIG_FILE"), "config", home, windows)
	credentialsPath = sharedFilePath(getenv("AWS_SHARED_CREDENTIALS_FILE"), "credentials", home, windows)
	return configPath, credentialsPath
}

// resolveHome returns the home directory the environment names, else
// fallbackHome's (if not nil), else "".
func resolveHome(getenv func(string) string, windows bool, fallbackHome func() string) string {
	home := homeDir(getenv, windows)
	if home == "" && fallbackHome != nil {
		home = fallbackHome()
	}
	return home
}

func homeDir(getenv func(string) string, windows bool) string {
	if h := getenv("HOME"); h != "" {
		return h
	}
	if !windows {
		return ""
	}
	if h := getenv("USERPROFILE"); h != "" {
		return h
	}
	drive, path := getenv("HOMEDRIVE"), getenv("HOMEPATH")
	if path == "" {
		return ""
	}
	return drive + path
}

func currentUserHome() string {
	u, err := user.Current()
	if err != nil {
		return ""
	}
	return u.HomeDir
}

// sharedFilePath returns override with "~" expanded, or, without override,
// home/.aws/name.
func sharedFilePath(override, name, home string, windows bool) string {
	sep := "/"
	if windows {
		sep = `\`
	}
	if override != "" {
		return expandHome(override, home, windows)
	}
	if home == "" {
		return ""
	}
	return strings.TrimRight(home, sep) + sep + ".aws" + sep + name
}

// expandHome replaces a leading "~" (the home directory) or, outside
// Windows, "~user" (that user's home directory) in path. A path it cannot
// expand is returned unchanged.
func expandHome(path, home string, windows bool) string {
	if !strings.HasPrefix(path, "~") {
		return path
	}
	seps := "/"
	if windows {
		seps = `/\`
	}
	end := strings.IndexAny(path, seps)
	if end < 0 {
		end = len(path)
	}
	name, rest := path[1:end], path[end:]
	if name == "" {
		if home == "" {
			return path
		}
		return strings.TrimRight(home, seps) + rest
	}
	if windows {
		return path
	}
	u, err := user.Lookup(name)
	if err != nil || u.HomeDir == "" {
		return path
	}
	return strings.TrimRight(u.HomeDir, seps) + rest
}

// ReadSharedConfig reads and parses the shared config file at configPath and
// the credentials file at credentialsPath, the credentials overriding the
// config (see [ParseSharedConfig]). An empty path or a file that does not
// exist counts as an empty file; any other read error is returned.
func ReadSharedConfig(configPath, credentialsPath string) (*SharedConfig, error) {
	var files []SourceFile
	for _, f := range []SourceFile{{Kind: ConfigFile, Path: configPath}, {Kind: CredentialsFile, Path: credentialsPath}} {
		if f.Path == "" {
			continue
		}
		data, err := os.ReadFile(f.Path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("session: reading shared %s: %w", f.Kind, err)
		}
		f.Data = data
		files = append(files, f)
	}
	return ParseSharedConfig(files...)
}
