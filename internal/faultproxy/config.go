package faultproxy

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Kind names a fault. Its string form is used as the key of [Counts.Injected].
type Kind string

// The faults the proxy can inject. See the package documentation for what each
// one looks like on the wire.
const (
	// Throttle answers with the protocol's throttling error, without forwarding.
	Throttle Kind = "throttle"
	// ServerError answers with a 5xx error (500 InternalError by default), without forwarding.
	ServerError Kind = "server_error"
	// Reset closes the client connection with a TCP RST before any response byte.
	Reset Kind = "reset"
	// Latency delays the request before it is handled further.
	Latency Kind = "latency"
	// Truncate forwards the request and sends only a prefix of the response body,
	// keeping the full Content-Length, then closes the connection.
	Truncate Kind = "truncate"
	// PartialBatch holds back part of a DynamoDB BatchWriteItem or BatchGetItem
	// and returns it as UnprocessedItems or UnprocessedKeys.
	PartialBatch Kind = "partial_batch"
)

func (k Kind) valid() bool {
	switch k {
	case Throttle, ServerError, Reset, Latency, Truncate, PartialBatch:
		return true
	}
	return false
}

// DefaultMaxBodyBytes is the default of [Config.MaxBodyBytes]: 16 MiB, the
// largest request DynamoDB accepts.
const DefaultMaxBodyBytes = 16 << 20

// Config is the complete, swappable behaviour of a [Proxy]. The zero value is a
// transparent proxy (no rules). A Config is copied by [New] and
// [Proxy.SetConfig]; the caller may reuse it afterwards.
type Config struct {
	// Seed seeds every random decision. Requests are numbered in the order they
	// arrive (from 0, restarting at each SetConfig), and request n draws from a
	// generator derived from (Seed, n) only, so the same Seed and the same
	// sequential request stream give the same faults. Concurrent requests are
	// still safe; only their numbering then depends on arrival order.
	Seed int64

	// Rules are evaluated in order for each request; see [Rule].
	Rules []Rule

	// MaxBodyBytes caps the request bodies the proxy buffers to parse: DynamoDB
	// batch requests for PartialBatch (a larger one is answered with HTTP 413
	// RequestEntityTooLarge) and query-protocol form bodies looked at for
	// their Action (a larger one is streamed through unclassified). Zero means
	// [DefaultMaxBodyBytes]. Other bodies are streamed and never buffered.
	MaxBodyBytes int64

	// RewriteHost sends the target's host as the Host header. By default the
	// proxy keeps the Host header the client sent, because SigV4 signs it: a
	// backend that verifies signatures (versitygw, real AWS) would otherwise
	// reject every request the client signed for the proxy's address.
	RewriteHost bool
}

// Rule injects Fault into the requests that Match selects, with probability Rate.
//
// For every request the rules are evaluated in order. For each matching rule one
// uniform number in [0,1) is drawn; the rule fires when it is below Rate. A
// firing Latency rule adds its delay and evaluation continues; the first firing
// rule of any other kind ends the evaluation, and its fault is injected after
// the accumulated delay.
//
// PartialBatch rules are the exception: Rate is the probability, drawn per write
// request or per key, that an item is held back, and a PartialBatch rule with
// Rate > 0 fires on every DynamoDB BatchWriteItem and BatchGetItem it matches
// (and never on other requests).
type Rule struct {
	Match Matcher
	Fault Fault
	Rate  float64
}

// Matcher selects requests. Every non-empty field must match; the zero Matcher
// matches every request.
type Matcher struct {
	// Operations lists operation names, for example "BatchWriteItem" or
	// "SendMessage". A request's operation is the part of its X-Amz-Target
	// header after the last dot (AWS JSON protocols), or its Action parameter
	// (query protocol, in the form body or the URL). REST requests (S3, ...) have
	// no operation name and never match a non-empty Operations: select them by
	// Method and PathPrefix.
	Operations []string
	// Method is an HTTP method such as "PUT" (compared case-insensitively).
	Method string
	// PathPrefix must be a prefix of the request's URL path.
	PathPrefix string
}

// Op returns a Matcher for the named operations.
func Op(names ...string) Matcher { return Matcher{Operations: names} }

func (m *Matcher) matches(r *http.Request, info *reqInfo) bool {
	if len(m.Operations) > 0 && (info.op == "" || !slices.Contains(m.Operations, info.op)) {
		return false
	}
	if m.Method != "" && !strings.EqualFold(m.Method, r.Method) {
		return false
	}
	if m.PathPrefix != "" && !strings.HasPrefix(r.URL.Path, m.PathPrefix) {
		return false
	}
	return true
}

// Fault describes one fault. Kind is required; the other fields apply only to
// the kinds named in their comments, and their zero values select the defaults.
type Fault struct {
	Kind Kind

	// Status overrides the HTTP status of a Throttle (default 400 for AWS JSON
	// and query, 503 for REST) or ServerError (default 500; 503 gives
	// ServiceUnavailable).
	Status int
	// Code overrides the error code of a Throttle or ServerError. For AWS JSON
	// it is the whole __type value, for example
	// "com.amazonaws.dynamodb.v20120810#RequestLimitExceeded".
	Code string
	// Message overrides the error message of a Throttle or ServerError.
	Message string
	// RetryAfter, when positive, adds an x-amz-retry-after header (in
	// milliseconds) to a Throttle or ServerError.
	RetryAfter time.Duration

	// ReadBody makes a Reset read the whole request body before resetting.
	ReadBody bool
	// Forward makes a Reset forward the request and discard the backend's
	// response before resetting: the operation takes effect, but the client
	// never learns its outcome. It implies ReadBody.
	Forward bool

	// Delay is the Latency delay. If MaxDelay > Delay, the delay is drawn
	// uniformly from [Delay, MaxDelay].
	Delay    time.Duration
	MaxDelay time.Duration

	// Bytes is how many body bytes a Truncate sends before closing. By default
	// half of the body is sent (1024 bytes when the length is unknown); a
	// known-length body is always cut at least one byte short.
	Bytes int64

	// AllowAll lets a PartialBatch hold back every item of a request, which is
	// then answered by the proxy without forwarding. By default at least one
	// item is always forwarded, so that resubmission always makes progress.
	AllowAll bool
}

// validate checks cfg and returns a deep copy of it with defaults applied.
func (cfg Config) validate() (Config, error) {
	out := cfg
	if out.MaxBodyBytes == 0 {
		out.MaxBodyBytes = DefaultMaxBodyBytes
	}
	var errs []error
	if out.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("MaxBodyBytes %d is negative", out.MaxBodyBytes))
	}
	out.Rules = make([]Rule, len(cfg.Rules))
	for i, r := range cfg.Rules {
		r.Match.Operations = slices.Clone(r.Match.Operations)
		out.Rules[i] = r
		if err := r.validate(); err != nil {
			errs = append(errs, fmt.Errorf("rule %d: %w", i, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("faultproxy: invalid config: %w", err)
	}
	return out, nil
}

func (r *Rule) validate() error {
	var errs []error
	f := &r.Fault
	if !f.Kind.valid() {
		errs = append(errs, fmt.Errorf("unknown fault kind %q", f.Kind))
	}
	if math.IsNaN(r.Rate) || r.Rate < 0 || r.Rate > 1 {
		errs = append(errs, fmt.Errorf("rate %v is not in [0,1]", r.Rate))
	}
	if f.Status != 0 && (f.Status < 200 || f.Status > 599) {
		errs = append(errs, fmt.Errorf("status %d is not in [200,599]", f.Status))
	}
	if f.RetryAfter < 0 {
		errs = append(errs, fmt.Errorf("retry-after %v is negative", f.RetryAfter))
	}
	if f.Delay < 0 || f.MaxDelay < 0 {
		errs = append(errs, errors.New("negative delay"))
	}
	if f.MaxDelay != 0 && f.MaxDelay < f.Delay {
		errs = append(errs, fmt.Errorf("max delay %v is below delay %v", f.MaxDelay, f.Delay))
	}
	if f.Bytes < 0 {
		errs = append(errs, fmt.Errorf("truncate bytes %d is negative", f.Bytes))
	}
	return errors.Join(errs...)
}
