package session

import (
	"iter"
	"strconv"
	"strings"
)

// endpointURLEnvPrefix starts the per-service endpoint variables, e.g.
// AWS_ENDPOINT_URL_DYNAMODB; AWS_ENDPOINT_URL alone is the global one.
const endpointURLEnvPrefix = "AWS_ENDPOINT_URL_"

// endpointSources holds the configured endpoint URLs by source, keyed by
// normalized service id (see serviceKey). The env and config sources are
// empty when configured endpoints are ignored.
type endpointSources struct {
	explicitGlobal string
	explicit       map[string]string
	envGlobal      string
	env            map[string]string
	configGlobal   string
	config         map[string]string
}

// ServiceEndpointURL returns the endpoint URL configured for the service
// with the given service id (a model's serviceId such as "DynamoDB" or
// "Elastic Beanstalk"; case and spaces-versus-underscores do not matter),
// or "" when the endpoint rules are to choose it. Precedence: the option
// for the service, the global option, then, unless configured endpoints are
// ignored, AWS_ENDPOINT_URL_<SERVICE_ID>, AWS_ENDPOINT_URL, the service's
// endpoint_url in the profile's services section, the profile's endpoint_url.
func (s *Settings) ServiceEndpointURL(serviceID string) string {
	e, k := &s.endpoints, serviceKey(serviceID)
	for _, v := range []string{e.explicit[k], e.explicitGlobal, e.env[k], e.envGlobal, e.config[k], e.configGlobal} {
		if v != "" {
			return v
		}
	}
	return ""
}

// global is the endpoint URL for a service with nothing specific set.
func (e *endpointSources) global() string {
	for _, v := range []string{e.explicitGlobal, e.envGlobal, e.configGlobal} {
		if v != "" {
			return v
		}
	}
	return ""
}

// serviceKey normalizes a service id as the config file spells it:
// lower-case, spaces as underscores ("Elastic Beanstalk" → "elastic_beanstalk").
func serviceKey(serviceID string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(serviceID), " ", "_"))
}

// endpointSources collects and validates the endpoint URLs of every source.
func (r *resolver) endpointSources(o *Options, shared *SharedConfig, ignore bool) endpointSources {
	var e endpointSources
	url := func(setting string, src origin) string {
		return parseOrigin(r, setting, src, parseEndpointURL, "")
	}
	if o.EndpointURL != "" {
		e.explicitGlobal = url("endpoint_url", origin{o.EndpointURL, "option EndpointURL"})
	}
	for id, v := range sortedEntries(o.ServiceEndpointURLs) {
		if v != "" {
			e.explicit = setKey(e.explicit, serviceKey(id), url("endpoint_url", origin{v, "option ServiceEndpointURLs[" + strconv.Quote(id) + "]"}))
		}
	}
	if ignore {
		return e
	}
	if v := r.env["AWS_ENDPOINT_URL"]; v != "" {
		e.envGlobal = url("endpoint_url", origin{v, "environment variable AWS_ENDPOINT_URL"})
	}
	for name, v := range sortedEntries(r.env) {
		id, ok := strings.CutPrefix(name, endpointURLEnvPrefix)
		if !ok || id == "" || v == "" || id != strings.ToUpper(id) {
			continue
		}
		e.env = setKey(e.env, serviceKey(id), url("endpoint_url", origin{v, "environment variable " + name}))
	}
	if p, ok := r.profile.Property("endpoint_url"); ok && p.Value != "" {
		e.configGlobal = url("endpoint_url", origin{p.Value, p.Location()})
	}
	services, _ := r.profile.Get("services")
	section, _ := shared.Services(services)
	for _, id := range section.Keys() {
		if sp, ok := section.subProperty(id, "endpoint_url"); ok && sp.Value != "" {
			e.config = setKey(e.config, serviceKey(id), url(id+".endpoint_url", origin{sp.Value, sp.Location()}))
		}
	}
	return e
}

func setKey(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

// sortedEntries yields the entries of m in key order, for deterministic
// error reports.
func sortedEntries[V any](m map[string]V) iter.Seq2[string, V] {
	return func(yield func(string, V) bool) {
		for _, k := range sortedKeys(m) {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}
