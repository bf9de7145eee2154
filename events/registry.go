package events

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds event handlers and emits events to them.
//
// The zero value is an empty registry ready to use. A nil *Registry is also valid for Has and
// Emit (it has no handlers), but not for Register. A Registry is safe for concurrent use:
// handlers may be registered and unregistered while calls emit events. It must not be copied
// after first use; use Copy.
//
// Handlers are kept in an immutable snapshot swapped atomically on every change
// (copy-on-write), so Emit and Has take no lock. An Emit already running keeps the snapshot
// it started with: a handler registered or unregistered meanwhile takes effect from the next
// Emit.
type Registry struct {
	mu     sync.Mutex // serializes writers; readers never take it
	snap   atomic.Pointer[snapshot]
	nextID uint64 // guarded by mu
}

// maxCached bounds the number of (name, service, operation) triples whose ordered handler
// lists a snapshot caches. The client emits a bounded set (events × operations in use); the
// bound only matters if a caller emits events under arbitrary names.
const maxCached = 1 << 14

// snapshot is an immutable set of registrations plus a lazily filled cache of the ordered
// handler list for each triple emitted so far.
type snapshot struct {
	entries []entry  // in registration order
	cache   sync.Map // key -> []Handler (possibly empty)
	cached  atomic.Int32
}

type key struct{ name, service, operation string }

type entry struct {
	id    uint64
	parts [3]string // unused trailing parts are ""
	depth int       // 1, 2 or 3
	level int       // order class: 0 is called first (see Emit)
	h     Handler
}

// Register adds h for events matching pattern and returns a func that removes this
// registration. Calling the returned func more than once is harmless.
//
// A pattern has one to three dot-separated parts, "name[.service[.Operation]]", each either
// a name made of ASCII letters, digits, '-' and '_', or "*", which matches any non-empty part:
//
//	"after-call"                  every after-call event
//	"after-call.lambda"           after-call of every lambda operation
//	"after-call.lambda.GetPolicy" after-call of lambda GetPolicy only
//	"before-send.*"               every before-send event that names a service
//	"*.dynamodb.*"                every event of every dynamodb operation
//	"*"                           every event
//
// A pattern with fewer parts matches every event that starts with them, as in botocore.
// The same handler may be registered more than once; it is then called once per registration.
//
// Like net/http's ServeMux.HandleFunc, Register panics on a programmer error: an invalid
// pattern or a nil handler. Register panics on a nil *Registry.
func (r *Registry) Register(pattern string, h Handler) (unregister func()) {
	if h == nil {
		panic(fmt.Sprintf("events: Register(%q): nil handler", pattern))
	}
	e, err := parsePattern(pattern)
	if err != nil {
		panic(err.Error())
	}
	e.h = h

	r.mu.Lock()
	r.nextID++
	e.id = r.nextID
	var old []entry
	if s := r.snap.Load(); s != nil {
		old = s.entries
	}
	entries := make([]entry, len(old), len(old)+1)
	copy(entries, old)
	r.snap.Store(&snapshot{entries: append(entries, e)})
	r.mu.Unlock()

	var once sync.Once
	return func() { once.Do(func() { r.remove(e.id) }) }
}

func (r *Registry) remove(id uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.snap.Load()
	if s == nil {
		return
	}
	i := slices.IndexFunc(s.entries, func(e entry) bool { return e.id == id })
	if i < 0 {
		return
	}
	entries := make([]entry, 0, len(s.entries)-1)
	entries = append(entries, s.entries[:i]...)
	entries = append(entries, s.entries[i+1:]...)
	r.snap.Store(&snapshot{entries: entries})
}

// Emit calls the handlers matching the event e.Name.e.Service.e.Operation and stops at the
// first one that returns an error, returning that error unchanged. e must not be nil.
//
// Handlers are called most specific pattern first, in six levels:
//
//  1. name.service.Operation
//  2. three-part patterns with a "*"
//  3. name.service
//  4. two-part patterns with a "*"
//  5. name
//  6. "*"
//
// and in registration order within a level. Handlers run on the calling goroutine.
//
// With no handlers registered Emit costs an atomic load. Otherwise the ordered handler list
// of each (name, service, operation) is computed on first use and cached, so repeated events
// cost a map lookup plus the handler calls.
func (r *Registry) Emit(ctx context.Context, e *Event) error {
	if r == nil {
		return nil
	}
	s := r.snap.Load()
	if s == nil || len(s.entries) == 0 {
		return nil
	}
	for _, h := range s.handlers(e.Name, e.Service, e.Operation) {
		if err := h(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// Has reports whether any handler matches the event name.service.operation. The client calls
// it before building an Event: with no handlers registered it costs an atomic load, and
// otherwise a cached map lookup.
func (r *Registry) Has(name, service, operation string) bool {
	if r == nil {
		return false
	}
	s := r.snap.Load()
	if s == nil || len(s.entries) == 0 {
		return false
	}
	return len(s.handlers(name, service, operation)) > 0
}

// Len returns the number of registrations.
func (r *Registry) Len() int {
	if r == nil {
		return 0
	}
	if s := r.snap.Load(); s != nil {
		return len(s.entries)
	}
	return 0
}

// Copy returns a new Registry holding the handlers r holds now. The two are independent
// from then on: a handler registered on one is not seen by the other, and an unregister func
// returned by r's Register removes the handler from r only. Copy is cheap (the snapshot is
// shared until either side changes).
//
// A session's clients may share one Registry (a handler registered on it later reaches every
// client, like boto3's session-level events) or each take a Copy (per-client handlers, like
// client.meta.events in boto3, which starts as a copy of the session's).
func (r *Registry) Copy() *Registry {
	c := &Registry{}
	if r == nil {
		return c
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c.nextID = r.nextID
	if s := r.snap.Load(); s != nil && len(s.entries) > 0 {
		// The snapshot is immutable and its cache depends only on its entries, so it can
		// be shared; each side replaces it on its next change.
		c.snap.Store(s)
	}
	return c
}

// handlers returns the ordered handler list for a triple, from the cache when possible.
func (s *snapshot) handlers(name, service, operation string) []Handler {
	k := key{name, service, operation}
	if v, ok := s.cache.Load(k); ok {
		return v.([]Handler)
	}
	hs := s.match(name, service, operation)
	if s.cached.Load() < maxCached {
		if _, loaded := s.cache.LoadOrStore(k, hs); !loaded {
			s.cached.Add(1)
		}
	}
	return hs
}

// match computes the ordered handler list for a triple.
func (s *snapshot) match(name, service, operation string) []Handler {
	ev := [3]string{name, service, operation}
	var matched []entry
	for _, e := range s.entries {
		if e.matches(&ev) {
			matched = append(matched, e)
		}
	}
	if len(matched) == 0 {
		return nil
	}
	// Stable: registration order is kept within a level.
	slices.SortStableFunc(matched, func(a, b entry) int { return a.level - b.level })
	hs := make([]Handler, len(matched))
	for i, e := range matched {
		hs[i] = e.h
	}
	return hs
}

func (e *entry) matches(ev *[3]string) bool {
	for i := range e.depth {
		p, v := e.parts[i], ev[i]
		if v == "" || (p != "*" && p != v) {
			return false
		}
	}
	return true
}

// parsePattern validates a pattern and returns its entry without handler or id.
func parsePattern(pattern string) (entry, error) {
	var e entry
	if pattern == "" {
		return e, fmt.Errorf("events: invalid pattern %q: empty", pattern)
	}
	parts := strings.Split(pattern, ".")
	if len(parts) > 3 {
		return e, fmt.Errorf("events: invalid pattern %q: %d parts, want at most 3 (name.service.Operation)", pattern, len(parts))
	}
	wild := false
	for i, p := range parts {
		if p == "*" {
			wild = true
		} else if err := checkName(p); err != nil {
			return e, fmt.Errorf("events: invalid pattern %q: part %d %q %s", pattern, i+1, p, err)
		}
		e.parts[i] = p
	}
	e.depth = len(parts)
	e.level = 2 * (3 - e.depth)
	if wild {
		e.level++
	}
	return e, nil
}

type nameError string

func (e nameError) Error() string { return string(e) }

func checkName(p string) error {
	if p == "" {
		return nameError("is empty")
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 0x80 {
			return nameError("has a non-ASCII character: a part is \"*\" or ASCII letters, digits, '-' and '_'")
		}
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return nameError(fmt.Sprintf("has %q: a part is \"*\" or ASCII letters, digits, '-' and '_'", rune(c)))
		}
	}
	return nil
}
