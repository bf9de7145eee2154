package models

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// maxModelSize bounds a decompressed model file; the largest botocore model is a few MB.
const maxModelSize = 256 << 20

// A Loader finds, loads and caches service models. It searches its data directories in order,
// then the models embedded in this package; the first that has a service wins, and within it
// the newest API version. Each service is read and compiled once, on first use, no matter how
// many goroutines ask at the same time. A Loader is safe for concurrent use; its zero value is
// not usable: create one with NewLoader.
type Loader struct {
	sources []*source
	emb     *source // the embedded models, the last of sources

	mu       sync.Mutex
	services map[string]*loadEntry

	index func() (*serviceIndex, error)
}

type loadEntry struct {
	src  *source
	dir  string
	once sync.Once
	svc  *Service
	err  error
}

// NewLoader returns a Loader that searches dirs (botocore data directories:
// `<service>/<api-version>/service-2.json[.gz]` ...) before the embedded models.
func NewLoader(dirs ...string) *Loader { return newLoader(embeddedSource, dirs...) }

func newLoader(emb *source, dirs ...string) *Loader {
	l := &Loader{services: map[string]*loadEntry{}, emb: emb}
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		l.sources = append(l.sources, newSource(dir, os.DirFS(dir), false))
	}
	l.sources = append(l.sources, emb)
	l.index = sync.OnceValues(l.buildIndex)
	return l
}

var defaultLoader = sync.OnceValue(func() *Loader {
	return NewLoader(filepath.SplitList(os.Getenv("AIOAWS_DATA_PATH"))...)
})

// Default returns the process-wide Loader: the directories in AIOAWS_DATA_PATH (a list
// separated like PATH, read once on first use), then the embedded models.
func Default() *Loader { return defaultLoader() }

// Load returns the named service (botocore name, e.g. "dynamodb") from the default Loader.
func Load(name string) (*Service, error) { return Default().Load(name) }

// Lookup resolves a service by botocore name, service id, signing name or endpoint prefix
// (e.g. "states" → "stepfunctions") with the default Loader.
func Lookup(id string) (*Service, error) { return Default().Lookup(id) }

// Services lists the services the default Loader can load, sorted by name: those of
// AIOAWS_DATA_PATH and those embedded in this build (all, unless built with aioaws_minimal).
func Services() ([]ServiceInfo, error) { return Default().Services() }

// Load returns the named service, loading and compiling it on first use.
func (l *Loader) Load(name string) (*Service, error) {
	l.mu.Lock()
	e := l.services[name]
	l.mu.Unlock()
	if e == nil {
		src, dir, err := l.find(name)
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		if e = l.services[name]; e == nil {
			e = &loadEntry{src: src, dir: dir}
			l.services[name] = e
		}
		l.mu.Unlock()
	}
	e.once.Do(func() {
		file, data, err := e.src.read(e.dir + "/service-2.json")
		if err != nil {
			e.err = err
			return
		}
		if e.svc, e.err = Parse(name, file, data); e.err == nil {
			e.svc.extras = newExtras(e.svc, e.src, e.dir)
		}
	})
	return e.svc, e.err
}

// find returns the first source that has the service, and the service's newest version dir.
func (l *Loader) find(name string) (*source, string, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return nil, "", fmt.Errorf("models: invalid service name %q", name)
	}
	for _, src := range l.sources {
		dir, err := src.versionDir(name)
		if err != nil {
			return nil, "", err
		}
		if dir != "" {
			return src, dir, nil
		}
	}
	return nil, "", l.unknown(name)
}

// unknown is the error for a service name that no source has: not embedded in this minimal
// build, or unknown (with a suggestion among the services known).
func (l *Loader) unknown(name string) error {
	left, _ := l.leftOut()
	for _, info := range left {
		if info.Name == name {
			return notEmbedded(name, "")
		}
	}
	msg := fmt.Sprintf("models: unknown service %q", name)
	if infos, err := l.Services(); err == nil {
		best, bestDist := "", 3
		for _, info := range append(infos, left...) {
			if d := editDistance(name, info.Name); d < bestDist {
				best, bestDist = info.Name, d
			}
		}
		if best != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", best)
		}
	}
	return errors.New(msg)
}

// leftOut lists the services of the embedded index that this build does not embed (it was
// made with aioaws_minimal) and no data directory provides.
func (l *Loader) leftOut() ([]ServiceInfo, error) {
	catalog, err := l.emb.catalog()
	if err != nil {
		return nil, err
	}
	idx, err := l.index()
	if err != nil {
		return nil, err
	}
	var out []ServiceInfo
	for _, info := range catalog {
		if _, ok := idx.byName[info.Name]; !ok {
			out = append(out, info)
		}
	}
	return out, nil
}

// notEmbedded is the error for a known service that this minimal build leaves out; alias is
// how the caller named it, when not by its name.
func notEmbedded(name, alias string) error {
	what := fmt.Sprintf("service %q", name)
	if alias != "" {
		what += " (" + alias + ")"
	}
	return fmt.Errorf("models: %s is not embedded in this build (built with aioaws_minimal): add the build tag %s or set AIOAWS_DATA_PATH",
		what, BuildTag(name))
}

// ServiceInfo identifies a service without loading its model.
type ServiceInfo struct {
	Name           string // botocore name: what Load takes
	APIVersion     string
	ServiceID      string
	EndpointPrefix string
	SigningName    string
	Protocols      []string
}

type serviceIndex struct {
	list   []ServiceInfo
	byName map[string]int
}

// Services lists the services this Loader can load, sorted by name.
func (l *Loader) Services() ([]ServiceInfo, error) {
	idx, err := l.index()
	if err != nil {
		return nil, err
	}
	return append([]ServiceInfo(nil), idx.list...), nil
}

// Lookup resolves id as a botocore name first, then as a service id, signing name or endpoint
// prefix (case-insensitive; in that order). An id that names several services at the first
// level it matches is an error listing them.
func (l *Loader) Lookup(id string) (*Service, error) {
	idx, err := l.index()
	if err != nil {
		return nil, err
	}
	if _, ok := idx.byName[id]; ok {
		return l.Load(id)
	}
	what, names := matchID(idx.list, id)
	switch {
	case len(names) == 1:
		return l.Load(names[0])
	case len(names) > 1:
		return nil, several(id, what, names)
	}
	// Not among the services this Loader has: perhaps one that a minimal build leaves out.
	if left, err := l.leftOut(); err == nil {
		for _, info := range left {
			if info.Name == id {
				return nil, notEmbedded(id, "")
			}
		}
		what, names := matchID(left, id)
		switch {
		case len(names) == 1:
			return nil, notEmbedded(names[0], fmt.Sprintf("%s %q", what, id))
		case len(names) > 1:
			return nil, several(id, what, names)
		}
	}
	return nil, l.unknown(id)
}

// matchID returns the services whose service id, signing name or endpoint prefix is id
// (case-insensitive), at the first of those levels that matches any.
func matchID(list []ServiceInfo, id string) (what string, names []string) {
	norm := normalizeID(id)
	levels := []struct {
		what string
		key  func(ServiceInfo) string
	}{
		{"service id", func(s ServiceInfo) string { return s.ServiceID }},
		{"signing name", func(s ServiceInfo) string { return s.SigningName }},
		{"endpoint prefix", func(s ServiceInfo) string { return s.EndpointPrefix }},
	}
	for _, level := range levels {
		for _, info := range list {
			if normalizeID(level.key(info)) == norm {
				names = append(names, info.Name)
			}
		}
		if len(names) > 0 {
			return level.what, names
		}
	}
	return "", nil
}

func several(id, what string, names []string) error {
	return fmt.Errorf("models: %q is the %s of several services (%s); use the service name", id, what, strings.Join(names, ", "))
}

func normalizeID(s string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "", "_", "").Replace(s))
}

func (l *Loader) buildIndex() (*serviceIndex, error) {
	idx := &serviceIndex{byName: map[string]int{}}
	for _, src := range l.sources {
		infos, err := src.infos()
		if err != nil {
			return nil, err
		}
		for _, info := range infos {
			if _, dup := idx.byName[info.Name]; !dup { // earlier sources win
				idx.byName[info.Name] = len(idx.list)
				idx.list = append(idx.list, info)
			}
		}
	}
	sort.Slice(idx.list, func(i, j int) bool { return idx.list[i].Name < idx.list[j].Name })
	for i, info := range idx.list {
		idx.byName[info.Name] = i
	}
	return idx, nil
}

// Partitions returns partitions.json (raw) from the first source that has it.
func (l *Loader) Partitions() ([]byte, error) { return l.global("partitions.json") }

// EndpointsData returns botocore's legacy endpoints.json (raw) from the first source that has
// it: which regions each service is offered in (see endpoints.AvailableRegions).
func (l *Loader) EndpointsData() ([]byte, error) { return l.global("endpoints.json") }

// DefaultConfiguration returns sdk-default-configuration.json (raw) from the first source that
// has it: the defaults-mode settings (standard, in-region, cross-region, mobile).
func (l *Loader) DefaultConfiguration() ([]byte, error) {
	return l.global("sdk-default-configuration.json")
}

func (l *Loader) global(name string) ([]byte, error) {
	for _, src := range l.sources {
		_, data, err := src.readOptional(name)
		if err != nil || data != nil {
			return data, err
		}
	}
	return nil, fmt.Errorf("models: no %s in any data directory", name)
}

// source is one botocore-layout data directory.
type source struct {
	name     string // directory path, or "embedded"
	fsys     fs.FS
	embedded bool
	// infos lists the directory's services; it is computed once.
	infos func() ([]ServiceInfo, error)
	// For the embedded source only: catalog reads the index of every service generated, and
	// embeds reports whether this build embeds a service (all do, unless built with
	// aioaws_minimal).
	catalog func() ([]ServiceInfo, error)
	embeds  func(name string) bool
}

func newSource(name string, fsys fs.FS, embedded bool) *source {
	s := &source{name: name, fsys: fsys, embedded: embedded}
	s.infos = sync.OnceValues(s.listServices)
	return s
}

func (s *source) file(p string) string {
	if s.embedded {
		return "embedded:" + p
	}
	return filepath.Join(s.name, filepath.FromSlash(p))
}

// read returns the decompressed contents of p or p.gz, and the file name it came from.
func (s *source) read(p string) (string, []byte, error) {
	file, data, err := s.readOptional(p)
	if err == nil && data == nil {
		err = fmt.Errorf("models: %s: no such file", s.file(p))
	}
	return file, data, err
}

// readOptional is read that returns no data and no error when neither file exists.
func (s *source) readOptional(p string) (string, []byte, error) {
	data, err := fs.ReadFile(s.fsys, p)
	if err == nil {
		return s.file(p), data, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return s.file(p), nil, fmt.Errorf("models: %w", err)
	}
	f, err := s.fsys.Open(p + ".gz")
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, nil
	}
	file := s.file(p + ".gz")
	if err != nil {
		return file, nil, fmt.Errorf("models: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return file, nil, &Error{File: file, Msg: "gzip: " + err.Error()}
	}
	var buf bytes.Buffer
	if st, err := f.Stat(); err == nil {
		buf.Grow(int(min(st.Size()*10, 64<<20)))
	}
	n, err := io.Copy(&buf, io.LimitReader(zr, maxModelSize+1))
	if err != nil {
		return file, nil, &Error{File: file, Msg: "gzip: " + err.Error()}
	}
	if n > maxModelSize {
		return file, nil, &Error{File: file, Msg: fmt.Sprintf("larger than %d bytes", maxModelSize)}
	}
	return file, buf.Bytes(), nil
}

// versionDir returns "<service>/<version>" for the newest version of the service that has a
// service-2.json, or "" when this source does not have the service.
func (s *source) versionDir(name string) (string, error) {
	if st, err := fs.Stat(s.fsys, name); errors.Is(err, fs.ErrNotExist) || (err == nil && !st.IsDir()) {
		return "", nil
	}
	entries, err := fs.ReadDir(s.fsys, name)
	if err != nil {
		return "", fmt.Errorf("models: %w", err)
	}
	for i := len(entries) - 1; i >= 0; i-- { // ReadDir sorts by name; API versions are dates
		dir := path.Join(name, entries[i].Name())
		for _, f := range []string{"/service-2.json", "/service-2.json.gz"} {
			if _, err := fs.Stat(s.fsys, dir+f); err == nil {
				return dir, nil
			}
		}
	}
	return "", nil
}

// listServices lists the services of the source. The embedded source has a generated index
// (of which it lists the services this build embeds); other directories are read, metadata
// only.
func (s *source) listServices() ([]ServiceInfo, error) {
	if s.embedded {
		catalog, err := s.catalog()
		if err != nil {
			return nil, err
		}
		var out []ServiceInfo
		for _, info := range catalog {
			if s.embeds(info.Name) {
				out = append(out, info)
			}
		}
		return out, nil
	}
	entries, err := fs.ReadDir(s.fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	var out []ServiceInfo
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "_") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		dir, err := s.versionDir(e.Name()) // "" for files and folders without a model
		if err != nil {
			return nil, err
		}
		if dir == "" {
			continue
		}
		file, data, err := s.read(dir + "/service-2.json")
		if err != nil {
			return nil, err
		}
		info, err := parseInfo(e.Name(), file, data)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// parseInfo reads the identifying metadata of a service-2.json document.
func parseInfo(name, file string, data []byte) (ServiceInfo, error) {
	c := &compiler{d: decoder{file: file, data: data}, svc: &Service{Name: name}}
	err := c.d.object(func(key string) error {
		if key == "metadata" {
			return c.metadata()
		}
		return c.d.skip()
	})
	return infoOf(c.svc), err
}

func infoOf(s *Service) ServiceInfo {
	m := s.Metadata
	protocols := m.Protocols
	if len(protocols) == 0 && m.Protocol != "" {
		protocols = []string{m.Protocol}
	}
	return ServiceInfo{Name: s.Name, APIVersion: m.APIVersion, ServiceID: m.ServiceID,
		EndpointPrefix: m.EndpointPrefix, SigningName: m.SigningName, Protocols: protocols}
}

// parseIndex reads the generated index: an array of ServiceInfo objects.
func parseIndex(file string, data []byte) ([]ServiceInfo, error) {
	d := &decoder{file: file, data: data}
	var out []ServiceInfo
	err := d.array(func(int) error {
		var info ServiceInfo
		err := d.object(func(k string) error {
			var err error
			switch k {
			case "name":
				info.Name, err = d.str()
			case "apiVersion":
				info.APIVersion, err = d.str()
			case "serviceId":
				info.ServiceID, err = d.str()
			case "endpointPrefix":
				info.EndpointPrefix, err = d.str()
			case "signingName":
				info.SigningName, err = d.str()
			case "protocols":
				info.Protocols, err = d.strings()
			default:
				err = d.skip()
			}
			return err
		})
		out = append(out, info)
		return err
	})
	if err == nil {
		err = d.end()
	}
	return out, err
}

// editDistance is the Levenshtein distance, for "did you mean" suggestions.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
