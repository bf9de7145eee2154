package testenv

import (
	"fmt"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aioaws/aioaws/internal/emulator"
)

func TestMain(m *testing.M) { Main(m) }

func TestSharedServerStartsOnceUnderConcurrentFirstUse(t *testing.T) {
	Require(t, emulator.Dynalite)
	var r registry
	const callers = 8
	got := make([]*emulator.Server, callers)
	t.Run("callers", func(t *testing.T) {
		for i := range callers {
			t.Run("", func(t *testing.T) {
				t.Parallel()
				got[i] = r.server(t, emulator.Dynalite)
			})
		}
	})
	for _, s := range got {
		require.Same(t, got[0], s)
	}
	s := got[0]
	require.NoError(t, r.stopAll())
	require.ErrorIs(t, syscall.Kill(s.PID, 0), syscall.ESRCH, "stopAll left pid %d running", s.PID)
	require.NoError(t, r.stopAll(), "stopAll again")

	again := r.server(t, emulator.Dynalite)
	require.NotSame(t, s, again, "a server after stopAll is a new one")
	require.NoError(t, r.stopAll())
}

func TestSharedServersByKind(t *testing.T) {
	tests := []struct {
		kind   emulator.Kind
		server func(testing.TB) *emulator.Server
	}{
		{emulator.Moto, Moto},
		{emulator.Dynalite, Dynalite},
		{emulator.Versitygw, Versity},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			t.Parallel()
			s := tt.server(t)
			require.Equal(t, tt.kind, s.Kind)
			require.Same(t, s, tt.server(t))
			conn, err := net.Dial("tcp", s.Host)
			require.NoError(t, err)
			conn.Close()
		})
	}
}

func TestStartIsPrivateAndStoppedByCleanup(t *testing.T) {
	var s *emulator.Server
	t.Run("owner", func(t *testing.T) {
		s = Start(t, emulator.Dynalite, emulator.Options{})
		require.NotSame(t, s, Dynalite(t))
		require.NotEqual(t, s.Host, Dynalite(t).Host)
	})
	if s == nil {
		t.Skip("owner skipped")
	}
	select {
	case <-s.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the private server still runs after its test")
	}
	require.NoDirExists(t, s.Dir)
}

func TestNotInstalledSkipsOrFailsInCI(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: -short skips before looking for emulators")
	}
	t.Setenv("AIOAWS_TOOLS_DIR", t.TempDir())
	for _, ci := range []string{"", "true"} {
		t.Run("CI="+ci, func(t *testing.T) {
			t.Setenv("CI", ci)
			rec := &recorder{TB: t}
			done := make(chan struct{})
			go func() { // Skip and Fatal end the goroutine that calls them.
				defer close(done)
				Require(rec, emulator.Versitygw)
			}()
			<-done
			if ci == "true" {
				require.True(t, rec.failed, "CI=true must fail")
				require.Contains(t, rec.msg, "CI=true")
			} else {
				require.True(t, rec.skipped, "must skip outside CI")
				require.Contains(t, rec.msg, "skipping: needs the versitygw emulator: ")
			}
			require.Contains(t, rec.msg, emulator.InstallCommand)
		})
	}
}

// recorder records Skipf and Fatalf instead of ending the test.
type recorder struct {
	testing.TB
	msg             string
	skipped, failed bool
}

func (r *recorder) Helper() {}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}
