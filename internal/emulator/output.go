package emulator

import (
	"strings"
	"sync"
)

const (
	tailBytes = 32 << 10 // output kept per server
	tailLines = 30       // lines quoted in errors
)

// tail keeps the last tailBytes written to it. It is safe for concurrent use.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - tailBytes; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// last formats the last tailLines lines for the end of an error message.
func (t *tail) last() string {
	out := strings.TrimRight(t.String(), "\n")
	if out == "" {
		return "; it printed nothing"
	}
	lines := strings.Split(out, "\n")
	if len(lines) > tailLines {
		lines = lines[len(lines)-tailLines:]
	}
	return "; its last output:\n\t" + strings.Join(lines, "\n\t")
}
