package endpoints

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"

	"github.com/aioaws/aioaws/internal/jmespath"
	"github.com/aioaws/aioaws/models"
)

// Config is the client configuration that feeds built-in parameters (the ones a rule set
// marks with "builtIn"). Strings left empty leave their parameter unset. Booleans are always
// passed, as other SDKs do; the two UseArnRegion settings are pointers because their rules
// tell "false" from "not configured". The resolver only reads a Config: one may be shared by
// concurrent calls as long as nobody modifies it meanwhile.
type Config struct {
	Region       string // AWS::Region
	UseFIPS      bool   // AWS::UseFIPS
	UseDualStack bool   // AWS::UseDualStack
	Endpoint     string // SDK::Endpoint: an endpoint_url override

	AccountID             string // AWS::Auth::AccountId
	AccountIDEndpointMode string // AWS::Auth::AccountIdEndpointMode: "preferred", "disabled" or "required"
	CredentialScope       string // AWS::Auth::CredentialScope

	S3        S3Config
	S3Control S3ControlConfig
	STS       STSConfig

	// BuiltIns sets built-ins by name (e.g. "AWS::Auth::AccountId": ""), overriding the
	// fields above: for built-ins without a field, or to pass a value a field cannot express.
	// Values are string, bool or []string.
	BuiltIns map[string]any
	// ClientContext sets the service's client context parameters by name (e.g. S3's
	// "DisableS3ExpressSessionAuth"); they take precedence over built-ins.
	ClientContext map[string]any
}

// S3Config holds the S3 built-ins.
type S3Config struct {
	Accelerate                     bool  // AWS::S3::Accelerate
	ForcePathStyle                 bool  // AWS::S3::ForcePathStyle
	UseGlobalEndpoint              bool  // AWS::S3::UseGlobalEndpoint (us-east-1 legacy global endpoint)
	DisableMultiRegionAccessPoints bool  // AWS::S3::DisableMultiRegionAccessPoints
	UseArnRegion                   *bool // AWS::S3::UseArnRegion; nil = not configured
}

// S3ControlConfig holds the S3 Control built-ins.
type S3ControlConfig struct {
	UseArnRegion *bool // AWS::S3Control::UseArnRegion; nil = not configured
}

// STSConfig holds the STS built-ins.
type STSConfig struct {
	UseGlobalEndpoint bool // AWS::STS::UseGlobalEndpoint (sts_regional_endpoints = legacy)
}

type builtIn uint8

const (
	biRegion builtIn = iota + 1
	biUseFIPS
	biUseDualStack
	biEndpoint
	biAccountID
	biAccountIDEndpointMode
	biCredentialScope
	biS3Accelerate
	biS3ForcePathStyle
	biS3UseGlobalEndpoint
	biS3DisableMRAP
	biS3UseArnRegion
	biS3ControlUseArnRegion
	biSTSUseGlobalEndpoint
)

var builtIns = map[string]builtIn{
	"AWS::Region":                             biRegion,
	"AWS::UseFIPS":                            biUseFIPS,
	"AWS::UseDualStack":                       biUseDualStack,
	"SDK::Endpoint":                           biEndpoint,
	"AWS::Auth::AccountId":                    biAccountID,
	"AWS::Auth::AccountIdEndpointMode":        biAccountIDEndpointMode,
	"AWS::Auth::CredentialScope":              biCredentialScope,
	"AWS::S3::Accelerate":                     biS3Accelerate,
	"AWS::S3::ForcePathStyle":                 biS3ForcePathStyle,
	"AWS::S3::UseGlobalEndpoint":              biS3UseGlobalEndpoint,
	"AWS::S3::DisableMultiRegionAccessPoints": biS3DisableMRAP,
	"AWS::S3::UseArnRegion":                   biS3UseArnRegion,
	"AWS::S3Control::UseArnRegion":            biS3ControlUseArnRegion,
	"AWS::STS::UseGlobalEndpoint":             biSTSUseGlobalEndpoint,
}

// value returns the Config's value for a built-in (null when it leaves it unset).
func (cfg *Config) value(b builtIn) value {
	var s string
	var p *bool
	switch b {
	case biRegion:
		s = cfg.Region
	case biUseFIPS:
		return boolValue(cfg.UseFIPS)
	case biUseDualStack:
		return boolValue(cfg.UseDualStack)
	case biEndpoint:
		s = cfg.Endpoint
	case biAccountID:
		s = cfg.AccountID
	case biAccountIDEndpointMode:
		s = cfg.AccountIDEndpointMode
	case biCredentialScope:
		s = cfg.CredentialScope
	case biS3Accelerate:
		return boolValue(cfg.S3.Accelerate)
	case biS3ForcePathStyle:
		return boolValue(cfg.S3.ForcePathStyle)
	case biS3UseGlobalEndpoint:
		return boolValue(cfg.S3.UseGlobalEndpoint)
	case biS3DisableMRAP:
		return boolValue(cfg.S3.DisableMultiRegionAccessPoints)
	case biS3UseArnRegion:
		p = cfg.S3.UseArnRegion
	case biS3ControlUseArnRegion:
		p = cfg.S3Control.UseArnRegion
	case biSTSUseGlobalEndpoint:
		return boolValue(cfg.STS.UseGlobalEndpoint)
	}
	switch {
	case s != "":
		return strValue(s)
	case p != nil:
		return boolValue(*p)
	}
	return value{}
}

// Options configure a Resolver.
type Options struct {
	// CacheSize bounds the number of parameter sets whose resolution is cached (default
	// 4096); a negative size disables the cache.
	CacheSize int
}

// A Resolver resolves endpoints for the operations of one service: it binds parameters from
// a Config, the service's client context parameters, each operation's static context
// parameters and its input (members marked contextParam, operationContextParams JMESPath
// expressions), and caches the resolution of each distinct parameter set, so a hot loop pays
// an encoding of the parameters and a map lookup. A Resolver is safe for concurrent use; its
// zero value is not usable: create one with NewResolver or ForService.
type Resolver struct {
	rs       *RuleSet
	svc      *models.Service
	builtIns []builtInSlot
	client   []clientSlot
	ops      map[string]*opPlan
	cache    *cache
	pool     sync.Pool // *Params
}

type builtInSlot struct {
	param int
	b     builtIn
}

type clientSlot struct {
	param int
	name  string
}

// opPlan is how an operation binds parameters, in increasing precedence.
type opPlan struct {
	paths   []pathSlot   // operationContextParams
	members []memberSlot // input members with contextParam
	static  []staticSlot // staticContextParams
	err     error        // the plan cannot be used (reported when the operation resolves)
}

type pathSlot struct {
	param int
	path  string
	expr  *jmespath.Expr
	used  bool // some rule reads the parameter
}

type memberSlot struct {
	param  int
	member string
	used   bool // some rule reads the parameter
}

type staticSlot struct {
	param int
	v     value
}

// NewResolver returns a Resolver for rule set rs and the service model svc (nil for a rule
// set without a model: then only built-ins and client context parameters bind, and only the
// empty operation name resolves). Bindings to parameters the rule set does not declare are
// ignored, as other SDKs do.
func NewResolver(rs *RuleSet, svc *models.Service, optFns ...func(*Options)) (*Resolver, error) {
	if rs == nil {
		return nil, errors.New("endpoints: NewResolver: nil rule set")
	}
	opts := Options{CacheSize: 4096}
	for _, fn := range optFns {
		fn(&opts)
	}
	r := &Resolver{rs: rs, svc: svc, ops: map[string]*opPlan{}, cache: newCache(opts.CacheSize)}
	r.pool.New = func() any { return rs.NewParams() }
	for i, p := range rs.params {
		if b, ok := builtIns[p.BuiltIn]; ok {
			r.builtIns = append(r.builtIns, builtInSlot{i, b})
		}
	}
	if svc == nil {
		return r, nil
	}
	names := make([]string, 0, len(svc.ClientContextParams))
	for name := range svc.ClientContextParams {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if i, ok := rs.byName[name]; ok {
			r.client = append(r.client, clientSlot{i, name})
		}
	}
	for name, op := range svc.Operations {
		r.ops[name] = r.plan(op)
	}
	return r, nil
}

func (r *Resolver) plan(op *models.Operation) *opPlan {
	rs := r.rs
	pl := &opPlan{}
	var errs []error
	for _, name := range sortedStringKeys(op.OperationContextParams) {
		i, ok := rs.byName[name]
		if !ok {
			continue
		}
		path := op.OperationContextParams[name]
		e, err := jmespath.Compile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("operationContextParams %s: %w", name, err))
			continue
		}
		pl.paths = append(pl.paths, pathSlot{i, path, e, rs.used[i]})
	}
	if op.Input != nil {
		for _, m := range op.Input.Members {
			if m.ContextParam == "" {
				continue
			}
			if i, ok := rs.byName[m.ContextParam]; ok {
				pl.members = append(pl.members, memberSlot{i, m.Name, rs.used[i]})
			}
		}
	}
	for _, name := range sortedAnyKeys(op.StaticContextParams) {
		i, ok := rs.byName[name]
		if !ok {
			continue
		}
		v, err := convert(rs.params[i].Type, op.StaticContextParams[name])
		if err != nil {
			errs = append(errs, fmt.Errorf("staticContextParams %s: %w", name, err))
			continue
		}
		pl.static = append(pl.static, staticSlot{i, v})
	}
	if len(errs) > 0 {
		pl.err = fmt.Errorf("endpoints: operation %s: %w", op.Name, errors.Join(errs...))
	}
	return pl
}

func sortedStringKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedAnyKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var services sync.Map // *models.Service → func() (*Resolver, error)

// ForService returns the Resolver of a service model, with its own rule set
// (EndpointRuleSet) and the default partitions, compiled on first use and shared by every
// caller afterwards.
func ForService(svc *models.Service) (*Resolver, error) {
	if f, ok := services.Load(svc); ok {
		return f.(func() (*Resolver, error))()
	}
	f, _ := services.LoadOrStore(svc, sync.OnceValues(func() (*Resolver, error) {
		data, err := svc.EndpointRuleSet()
		if err != nil {
			return nil, err
		}
		if data == nil {
			return nil, fmt.Errorf("endpoints: service %s has no endpoint rule set", svc.Name)
		}
		rs, err := Compile(data, nil)
		if err != nil {
			return nil, fmt.Errorf("endpoints: service %s: %w", svc.Name, err)
		}
		return NewResolver(rs, svc)
	}))
	return f.(func() (*Resolver, error))()
}

// RuleSet returns the resolver's rule set.
func (r *Resolver) RuleSet() *RuleSet { return r.rs }

// Params binds the parameters for a call of operation (the empty name for none) with input
// (the operation's input as a document: map[string]any by member name, nil for none; typed
// maps and slices inside are accepted, *string and *bool members are followed, Go structs
// must be converted to documents first). Precedence, lowest first: parameter
// defaults, built-ins from cfg (nil for none), client context parameters from cfg, the
// operation's operationContextParams, its input members marked contextParam, its
// staticContextParams.
func (r *Resolver) Params(cfg *Config, operation string, input map[string]any) (*Params, error) {
	p := r.rs.NewParams()
	if err := r.fill(p, cfg, operation, input, true); err != nil {
		return nil, err
	}
	return p, nil
}

// fill binds the parameters into p, which must be unset (new or Reset). Unless all is set,
// it skips input-bound parameters that no rule reads (they cannot change the result).
func (r *Resolver) fill(p *Params, cfg *Config, operation string, input map[string]any, all bool) error {
	if cfg != nil {
		for _, s := range r.builtIns {
			p.vals[s.param] = cfg.value(s.b)
		}
		for name, v := range cfg.BuiltIns {
			if _, err := p.SetBuiltIn(name, v); err != nil {
				return err
			}
		}
		if len(cfg.ClientContext) > 0 {
			for _, s := range r.client {
				if v, ok := cfg.ClientContext[s.name]; ok && v != nil {
					if err := p.setIndex(s.param, v); err != nil {
						return fmt.Errorf("endpoints: client context parameter %s: %w", s.name, err)
					}
				}
			}
		}
	}
	if operation == "" {
		return nil
	}
	pl, ok := r.ops[operation]
	if !ok {
		if r.svc == nil {
			return fmt.Errorf("endpoints: operation %s: the resolver has no service model", operation)
		}
		return fmt.Errorf("endpoints: %s has no operation %s", r.svc.Name, operation)
	}
	if pl.err != nil {
		return pl.err
	}
	if len(pl.paths) > 0 && input != nil {
		var doc any
		for _, s := range pl.paths {
			if !s.used && !all {
				continue
			}
			if doc == nil {
				doc = document(input)
			}
			res, err := s.expr.Search(doc)
			if err != nil {
				return fmt.Errorf("endpoints: operationContextParams %s (%s): %w", r.rs.params[s.param].Name, s.path, err)
			}
			if res == nil {
				continue
			}
			if a, ok := res.([]any); ok { // projections may leave nulls in multi-selects
				res = dropNils(a)
			}
			if err := p.setIndex(s.param, res); err != nil {
				return fmt.Errorf("endpoints: operationContextParams %s (%s): %w", r.rs.params[s.param].Name, s.path, err)
			}
		}
	}
	for _, s := range pl.members {
		if !s.used && !all {
			continue
		}
		v, ok := input[s.member]
		if !ok || v == nil {
			continue
		}
		if err := p.setIndex(s.param, deref(v)); err != nil {
			return fmt.Errorf("endpoints: input member %s: %w", s.member, err)
		}
	}
	for _, s := range pl.static {
		p.vals[s.param] = s.v
	}
	return nil
}

func (p *Params) setIndex(i int, v any) error {
	val, err := convert(p.rs.params[i].Type, v)
	if err != nil {
		return err
	}
	if val.k != kNull {
		p.vals[i] = val
	}
	return nil
}

// deref turns *string and *bool (as struct-derived documents carry them) into values.
func deref(v any) any {
	switch v := v.(type) {
	case *string:
		if v == nil {
			return nil
		}
		return *v
	case *bool:
		if v == nil {
			return nil
		}
		return *v
	}
	return v
}

func dropNils(a []any) []any {
	for _, e := range a {
		if e == nil {
			out := make([]any, 0, len(a))
			for _, e := range a {
				if e != nil {
					out = append(out, e)
				}
			}
			return out
		}
	}
	return a
}

// Resolve resolves p (which must come from this resolver's rule set) through the cache.
func (r *Resolver) Resolve(p *Params) (Endpoint, error) {
	if p == nil || p.rs != r.rs {
		return Endpoint{}, errors.New("endpoints: Params belong to another rule set")
	}
	return r.resolve(p.vals)
}

// ResolveOperation binds the parameters as Params does and resolves them through the cache.
// In steady state (a cached parameter set) it does not allocate.
func (r *Resolver) ResolveOperation(cfg *Config, operation string, input map[string]any) (Endpoint, error) {
	p := r.pool.Get().(*Params)
	ep, err := r.resolveWith(p, cfg, operation, input)
	p.Reset() // drop references to the caller's strings before pooling
	r.pool.Put(p)
	return ep, err
}

func (r *Resolver) resolveWith(p *Params, cfg *Config, operation string, input map[string]any) (Endpoint, error) {
	if err := r.fill(p, cfg, operation, input, false); err != nil {
		return Endpoint{}, err
	}
	return r.resolve(p.vals)
}

func (r *Resolver) resolve(vals []value) (Endpoint, error) {
	if r.cache == nil {
		return r.rs.resolve(vals)
	}
	if err := r.rs.checkRequired(vals); err != nil {
		return Endpoint{}, err
	}
	var buf [256]byte
	key := r.rs.appendKey(buf[:0], vals)
	if e, ok := r.cache.get(key); ok {
		return e.ep, e.err
	}
	ep, err := r.rs.resolve(vals)
	r.cache.put(key, &cacheEntry{ep: ep, err: err})
	return ep, err
}

// document converts an input document to the data model JMESPath searches
// (map[string]any, []any, scalars): typed maps with string keys and typed slices (other than
// []byte) are copied into generic ones, pointers are followed. Values already in that model
// are returned as they are, without copying.
func document(v any) any {
	out, _ := normalize(reflect.ValueOf(v), v, 0)
	return out
}

// normalize returns x in the JSON data model and whether it had to change.
func normalize(rv reflect.Value, x any, depth int) (any, bool) {
	if depth > 64 || x == nil {
		return x, false
	}
	switch x := x.(type) {
	case string, bool, float64, int, int64, []byte:
		return x, false
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			n, changed := normalize(reflect.ValueOf(e), e, depth+1)
			if changed && out == nil {
				out = make(map[string]any, len(x))
				for k2, e2 := range x {
					out[k2] = e2
				}
			}
			if out != nil {
				out[k] = n
			}
		}
		if out != nil {
			return out, true
		}
		return x, false
	case []any:
		var out []any
		for i, e := range x {
			n, changed := normalize(reflect.ValueOf(e), e, depth+1)
			if changed && out == nil {
				out = append([]any(nil), x...)
			}
			if out != nil {
				out[i] = n
			}
		}
		if out != nil {
			return out, true
		}
		return x, false
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, true
		}
		e := rv.Elem()
		n, _ := normalize(e, e.Interface(), depth+1)
		return n, true
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return x, false
		}
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			e := it.Value()
			out[it.Key().String()], _ = normalize(e, e.Interface(), depth+1)
		}
		return out, true
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return x, false
		}
		out := make([]any, rv.Len())
		for i := range out {
			e := rv.Index(i)
			out[i], _ = normalize(e, e.Interface(), depth+1)
		}
		return out, true
	}
	return x, false
}
