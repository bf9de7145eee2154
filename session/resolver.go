package session

import (
	"runtime"
	"time"
)

// resolver looks settings up in the explicit options, the environment and
// the selected profile, in that order, and collects every bad value.
type resolver struct {
	env     map[string]string
	profile *Section // nil if the profile is not defined
	errs    []error
}

// spec says where a setting is looked up.
type spec struct {
	setting string       // its name in messages, e.g. "max_attempts"
	option  string       // its Options field
	envVars []string     // in order of precedence
	keys    []profileKey // in order of precedence
}

// profileKey is a property of the profile, or a sub-property of one when
// sub is set.
type profileKey struct{ key, sub string }

func env(names ...string) []string { return names }

func keys(names ...string) []profileKey {
	ks := make([]profileKey, len(names))
	for i, n := range names {
		ks[i] = profileKey{key: n}
	}
	return ks
}

// simple is a setting whose profile key is its name, with one env var.
func simple(setting, option, envVar string) spec {
	return spec{setting, option, env(envVar), keys(setting)}
}

// origin is a raw value and where it came from.
type origin struct{ value, source string }

// find returns the raw value of a setting: explicit if not empty, else the
// first non-empty environment variable, else the first non-empty profile key.
func (r *resolver) find(sp spec, explicit string) (origin, bool) {
	if explicit != "" {
		return origin{explicit, "option " + sp.option}, true
	}
	for _, name := range sp.envVars {
		if v := r.env[name]; v != "" {
			return origin{v, "environment variable " + name}, true
		}
	}
	for _, k := range sp.keys {
		if o, ok := r.profileValue(k); ok && o.value != "" {
			return o, true
		}
	}
	return origin{}, false
}

func (r *resolver) profileValue(k profileKey) (origin, bool) {
	if k.sub == "" {
		p, ok := r.profile.Property(k.key)
		return origin{p.Value, p.Location()}, ok
	}
	sp, ok := r.profile.subProperty(k.key, k.sub)
	return origin{sp.Value, sp.Location()}, ok
}

// get resolves a setting with parse, or returns def if it is unset or bad
// (recording the error).
func get[T any](r *resolver, sp spec, explicit string, parse valueParser[T], def T) T {
	o, ok := r.find(sp, explicit)
	if !ok {
		return def
	}
	return parseOrigin(r, sp.setting, o, parse, def)
}

// parseOrigin parses o, or records a *SettingError and returns def.
func parseOrigin[T any](r *resolver, setting string, o origin, parse valueParser[T], def T) T {
	v, problem := parse(o.value)
	if problem != "" {
		r.errs = append(r.errs, &SettingError{Setting: setting, Value: o.value, Source: o.source, Problem: problem})
		return def
	}
	return v
}

func getBool(r *resolver, sp spec, explicit *bool, def bool) bool {
	if explicit != nil {
		return *explicit
	}
	return get(r, sp, "", parseBool, def)
}

// getDuration resolves a timeout: explicit if positive (negative is an
// error), else a number of seconds from the environment or profile.
func getDuration(r *resolver, sp spec, explicit time.Duration) time.Duration {
	if explicit < 0 {
		r.errs = append(r.errs, &SettingError{Setting: sp.setting, Value: explicit.String(),
			Source: "option " + sp.option, Problem: "want a non-negative duration"})
		return 0
	}
	if explicit > 0 {
		return explicit
	}
	return get(r, sp, "", parseSeconds, 0)
}

func isWindows() bool { return runtime.GOOS == "windows" }
