package session

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aioaws/aioaws/aws"
	"github.com/aioaws/aioaws/client"
	"github.com/aioaws/aioaws/endpoints"
	"github.com/aioaws/aioaws/events"
	"github.com/aioaws/aioaws/models"
	"github.com/aioaws/aioaws/transport"
)

// ErrClosed is returned by a closed Session.
var ErrClosed = errors.New("session: closed")

// A Session is the composition root: it resolves configuration once, on first need, and owns
// the one transport, event registry and cached credential chain that all its clients share.
// It is safe for concurrent use. The zero value is not usable: call New. Close it when done;
// its clients stop working then.
type Session struct {
	opts   Options
	events *events.Registry

	settings  func() (*Settings, error)
	transport func() (*transport.Transport, error)
	creds     func() (aws.CredentialsProvider, error)

	mu     sync.Mutex
	closed bool
	tr     *transport.Transport // set once made, for Close
	cache  *CredentialCache
}

// New returns a session configured by optFns. It reads nothing yet: configuration files, the
// environment and credentials are resolved when the first client is made, so New is cheap and
// cannot fail on configuration (Client reports such errors, naming the file and line).
func New(_ context.Context, optFns ...func(*Options)) (*Session, error) {
	s := &Session{}
	for _, fn := range optFns {
		fn(&s.opts)
	}
	if s.events = s.opts.Events; s.events == nil {
		s.events = &events.Registry{}
	}
	s.settings = sync.OnceValues(func() (*Settings, error) { return LoadSettings(s.opts) })
	s.transport = sync.OnceValues(func() (*transport.Transport, error) {
		st, err := s.settings()
		if err != nil {
			return nil, err
		}
		tr, err := transport.New(transport.Options{MaxInFlight: s.opts.MaxInFlight, CABundle: st.CABundle,
			DialTimeout: st.ConnectTimeout, ResponseHeaderTimeout: st.ReadTimeout})
		if err == nil {
			s.mu.Lock()
			s.tr = tr
			s.mu.Unlock()
		}
		return tr, err
	})
	s.creds = sync.OnceValues(func() (aws.CredentialsProvider, error) {
		if s.opts.Anonymous {
			return nil, nil
		}
		st, tr, err := s.base()
		if err != nil {
			return nil, err
		}
		chainOpts := ChainOptions{Explicit: s.opts.Credentials, Settings: st, Env: s.opts.Env,
			Clients: ClientConfig{Settings: st, Transport: tr}}
		if s.opts.Chain != nil {
			s.opts.Chain(&chainOpts)
		}
		chain, err := DefaultChain(chainOpts)
		if err != nil {
			return nil, err
		}
		cache := NewCredentialCache(chain)
		s.mu.Lock()
		s.cache = cache
		s.mu.Unlock()
		return cache, nil
	})
	return s, nil
}

// base returns what every client and the credential chain are built on: the settings and the
// shared transport.
func (s *Session) base() (*Settings, *transport.Transport, error) {
	st, err := s.settings()
	if err != nil {
		return nil, nil, err
	}
	tr, err := s.transport()
	return st, tr, err
}

// Settings returns the resolved configuration.
func (s *Session) Settings() (*Settings, error) { return s.settings() }

// Events returns the registry shared by the session's clients: handlers registered here see
// every client's calls.
func (s *Session) Events() *events.Registry { return s.events }

// Credentials returns the session's cached credential provider (nil when Anonymous).
func (s *Session) Credentials() (aws.CredentialsProvider, error) { return s.creds() }

// Client returns a new client of service (a botocore name such as "dynamodb", or a service
// id, signing name or endpoint prefix such as "states"), configured from the session and then
// optFns. Clients are goroutine-safe and long lived; making another one of an already loaded
// service costs microseconds, as models, codecs and endpoint rules are shared.
func (s *Session) Client(service string, optFns ...func(*client.Options)) (*client.Client, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	svc, err := models.Lookup(service)
	if err != nil {
		return nil, err
	}
	st, tr, err := s.base()
	if err != nil {
		return nil, err
	}
	creds, err := s.creds()
	if err != nil {
		return nil, err
	}
	o := client.Options{
		Region:       st.Region,
		Endpoint:     st.ServiceEndpointURL(svc.Metadata.ServiceID),
		UseFIPS:      st.UseFIPSEndpoint,
		UseDualStack: st.UseDualStackEndpoint,
		S3: endpoints.S3Config{
			ForcePathStyle:                 st.S3.AddressingStyle == S3AddressingPath,
			Accelerate:                     st.S3.UseAccelerateEndpoint,
			DisableMultiRegionAccessPoints: st.S3.DisableMultiRegionAccessPoints,
			UseArnRegion:                   &st.S3.UseARNRegion,
		},
		Credentials:    creds,
		Transport:      tr,
		Events:         s.events,
		RetryMode:      string(st.RetryMode),
		MaxAttempts:    st.MaxAttempts,
		AttemptTimeout: 0,
	}
	for _, fn := range s.opts.ClientOptions {
		fn(&o)
	}
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Region == "" {
		return nil, fmt.Errorf("session: no region for %s: set AWS_REGION, region in profile %q of %s, or Options.Region",
			svc.Name, st.Profile, orNone(st.ConfigFile))
	}
	return client.New(svc, o)
}

func orNone(file string) string {
	if file == "" {
		return "the config file"
	}
	return file
}

// AvailableRegions lists the regions in which service is offered, in the partition of the
// session's region ("aws" when none is set).
func (s *Session) AvailableRegions(service string) ([]string, error) {
	svc, err := models.Lookup(service)
	if err != nil {
		return nil, err
	}
	partition := "aws"
	if st, err := s.settings(); err == nil && st.Region != "" {
		if ps, err := endpoints.DefaultPartitions(); err == nil {
			partition = ps.Lookup(st.Region).ID
		}
	}
	return endpoints.AvailableRegions(svc, partition)
}

// Close releases the session's connection pool and stops credential refreshes. Clients made
// by the session fail afterwards; Close is idempotent.
func (s *Session) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if s.tr != nil {
		s.tr.Close()
	}
	if s.cache != nil {
		s.cache.Close()
	}
}
