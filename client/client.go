// Package client is the operation pipeline: one generic client for every AWS service, driven by
// its compiled model. Call runs an operation synchronously; Go runs it in a goroutine and
// returns a Future.
//
// The pipeline is flat and in a fixed order: provide-client-params → validate → build request
// → resolve endpoint → before-call → for each attempt (get credentials, sign, send, parse) →
// after-call. Events are emitted only where a handler is registered.
package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aioaws/aioaws/async"
	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/endpoints"
	"github.com/aioaws/aioaws/events"
	"github.com/aioaws/aioaws/internal/retry"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/protocol"
	"github.com/aioaws/aioaws/protocol/codecs"
	"github.com/aioaws/aioaws/signer"
	"github.com/aioaws/aioaws/transport"
)

// Options configure a Client, and per call a copy of them (see Call). The zero value is
// usable once Region is set.
type Options struct {
	// Region is the AWS region, e.g. "us-east-1".
	Region string
	// Endpoint overrides the endpoint URL (an endpoint_url setting), e.g. a local emulator.
	Endpoint string
	// UseFIPS and UseDualStack select FIPS and dual-stack endpoints.
	UseFIPS, UseDualStack bool
	// S3 holds S3 endpoint settings such as ForcePathStyle.
	S3 endpoints.S3Config
	// EndpointBuiltIns sets any other endpoint-rule built-in by name.
	EndpointBuiltIns map[string]any

	// Credentials sign requests; nil sends them unsigned (anonymous).
	Credentials aws.CredentialsProvider

	// Transport sends requests. Nil: New creates one, which Close closes.
	Transport *transport.Transport
	// Events receive the pipeline's events. Nil: New creates an empty registry.
	Events *events.Registry

	// RetryMode is "standard" (default), "adaptive" or "legacy"; MaxAttempts counts the first
	// attempt (0: the mode's default, 1: no retries). Changing them per call gives that call a
	// retry budget of its own.
	RetryMode   string
	MaxAttempts int
	// AttemptTimeout bounds each attempt, from sending to the parsed response (0: none).
	AttemptTimeout time.Duration

	// Headers are added to every request.
	Headers http.Header
	// RawResponse makes Call return the HTTP response unparsed: {"StatusCode", "Header",
	// "Body"}; Body is an io.ReadCloser the caller must close.
	RawResponse bool
	// OnTrace, if set, receives the timings of each call when it ends.
	OnTrace func(*Trace)
	// Now is the clock (default time.Now); signing uses it corrected for clock skew.
	Now func() time.Time
	// Sleep waits between attempts (default: a timer that honours ctx). Tests inject it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Trace is the timing of one call.
type Trace struct {
	Service, Operation string
	Attempts           int
	QueueWait          time.Duration // total wait for a transport slot
	Send               time.Duration // total time to response headers
	Parse              time.Duration // total parse time
	Total              time.Duration
}

// Client calls one service's operations. It is safe for concurrent use and meant to be long
// lived: create it once per service and share it. Close releases its transport if New made it.
type Client struct {
	svc           *models.Service
	codec         protocol.Codec
	resolver      *endpoints.Resolver
	opts          Options
	retryer       *retry.Retryer
	signer        signer.Signer
	skew          atomic.Int64 // server time minus local time, learned from responses
	ownsTransport bool
}

// New returns a client for svc configured by opts and then optFns.
func New(svc *models.Service, opts Options, optFns ...func(*Options)) (*Client, error) {
	for _, fn := range optFns {
		fn(&opts)
	}
	codec, err := codecs.For(svc)
	if err != nil {
		return nil, err
	}
	resolver, err := endpoints.ForService(svc)
	if err != nil {
		return nil, fmt.Errorf("client %s: %w", svc.Name, err)
	}
	c := &Client{svc: svc, codec: codec, resolver: resolver}
	if opts.Transport == nil {
		if opts.Transport, err = transport.New(transport.Options{}); err != nil {
			return nil, err
		}
		c.ownsTransport = true
	}
	if opts.Events == nil {
		opts.Events = &events.Registry{}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c.opts = opts
	c.retryer = newRetryer(svc.Name, opts)
	c.signer.Now = func() time.Time { return c.opts.Now().Add(time.Duration(c.skew.Load())) }
	return c, nil
}

func newRetryer(service string, o Options) *retry.Retryer {
	return retry.New(retry.Options{Mode: retry.Mode(o.RetryMode), MaxAttempts: o.MaxAttempts, Now: o.Now, Sleep: o.Sleep, Service: service})
}

// Service returns the client's service model.
func (c *Client) Service() *models.Service { return c.svc }

// Options returns a copy of the client's options.
func (c *Client) Options() Options { return c.opts }

// Close closes the transport if New created it; a shared transport is its owner's to close.
func (c *Client) Close() {
	if c.ownsTransport {
		c.opts.Transport.Close()
	}
}

// Call runs op with input in (a map[string]any document, a struct, or nil) and returns the
// parsed output document. optFns change the client's options for this call only. Errors are an
// *OperationError wrapping the cause: *aws.ValidationError, *aws.APIError, *CredentialsError,
// an endpoint error, a transport error, or the context's error.
func (c *Client) Call(ctx context.Context, op string, in any, optFns ...func(*Options)) (map[string]any, error) {
	o, retryer := c.callOptions(optFns)
	out, err := c.call(ctx, o, retryer, op, in, nil)
	if err != nil {
		return nil, &OperationError{Service: c.svc.Name, Operation: op, Err: err}
	}
	return out, nil
}

// callOptions applies per-call option changes to a copy of the client's options.
func (c *Client) callOptions(optFns []func(*Options)) (*Options, *retry.Retryer) {
	if len(optFns) == 0 {
		return &c.opts, c.retryer
	}
	copied := c.opts
	copied.Headers = c.opts.Headers.Clone()
	for _, fn := range optFns {
		fn(&copied)
	}
	retryer := c.retryer
	if copied.RetryMode != c.opts.RetryMode || copied.MaxAttempts != c.opts.MaxAttempts {
		retryer = newRetryer(c.svc.Name, copied)
	}
	return &copied, retryer
}

// Go runs Call in a goroutine. The future's goroutine ends when the call does; cancel ctx to
// end it early.
func (c *Client) Go(ctx context.Context, op string, in any, optFns ...func(*Options)) *async.Future[map[string]any] {
	return async.Go(ctx, func(ctx context.Context) (map[string]any, error) { return c.Call(ctx, op, in, optFns...) })
}

func (c *Client) operation(name string) (*models.Operation, error) {
	if op, ok := c.svc.Operations[name]; ok {
		return op, nil
	}
	msg := fmt.Sprintf("unknown operation %q of %s", name, c.svc.Name)
	for _, n := range c.svc.OperationNames() {
		if strings.EqualFold(n, name) {
			msg += fmt.Sprintf(" (did you mean %q?)", n)
			break
		}
	}
	return nil, errors.New(msg)
}
