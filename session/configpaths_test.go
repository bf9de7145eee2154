package session

import (
	"os"
	"os/user"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestExpandHome(t *testing.T) {
	tests := []struct {
		name, path, home string
		windows          bool
		want             string
	}{
		{"plain path", "/etc/aws/config", "/home/u", false, "/etc/aws/config"},
		{"tilde alone", "~", "/home/u", false, "/home/u"},
		{"tilde slash", "~/cfg", "/home/u/", false, "/home/u/cfg"},
		{"no home", "~/cfg", "", false, "~/cfg"},
		{"windows backslash", `~\aws\cfg`, `C:\Users\u`, true, `C:\Users\u\aws\cfg`},
		{"windows other user unchanged", `~bob\cfg`, `C:\Users\u`, true, `~bob\cfg`},
		{"unknown user unchanged", "~no-such-user-aioaws/cfg", "/home/u", false, "~no-such-user-aioaws/cfg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, expandHome(tc.path, tc.home, tc.windows))
		})
	}
}

func TestExpandHomeOfNamedUser(t *testing.T) {
	u, err := user.Current()
	if err != nil || u.HomeDir == "" {
		t.Skip("no current user")
	}
	require.Equal(t, filepath.Join(u.HomeDir, "cfg"), expandHome("~"+u.Username+"/cfg", "/elsewhere", false))
}

func TestSharedFilePaths(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("AWS_CONFIG_FILE", "~/custom/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "")
	config, credentials := SharedFilePaths()
	require.Equal(t, home+"/custom/config", config)
	require.Equal(t, home+"/.aws/credentials", credentials)

	getenv := func(string) string { return "" }
	config, credentials = sharedFilePaths(getenv, false, nil)
	require.Empty(t, config, "no home, no fallback")
	require.Empty(t, credentials)
	config, _ = sharedFilePaths(getenv, false, func() string { return "/fallback" })
	require.Equal(t, "/fallback/.aws/config", config)
	config, _ = sharedFilePaths(func(k string) string { return map[string]string{"HOMEDRIVE": "D:"}[k] }, true, nil)
	require.Empty(t, config, "HOMEDRIVE without HOMEPATH is no home")
}

func TestReadSharedConfig(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(config, []byte("[profile a]\nregion = eu-west-1\n"), 0o600))

	c, err := ReadSharedConfig(config, filepath.Join(dir, "missing"))
	require.NoError(t, err)
	a, ok := c.Profile("a")
	require.True(t, ok)
	v, _ := a.Get("region")
	require.Equal(t, "eu-west-1", v)

	c, err = ReadSharedConfig("", "")
	require.NoError(t, err)
	require.Empty(t, c.ProfileNames())

	_, err = ReadSharedConfig(dir, "") // a directory cannot be read
	require.ErrorContains(t, err, "reading shared config file")

	bad := filepath.Join(dir, "bad")
	require.NoError(t, os.WriteFile(bad, []byte("[a]\nno equals\n"), 0o600))
	_, err = ReadSharedConfig("", bad)
	require.ErrorContains(t, err, bad+":2: Expected an '=' sign")
}
