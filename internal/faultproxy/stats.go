package faultproxy

import (
	"maps"
	"sync"
)

// Counts counts what the proxy did with a set of requests.
type Counts struct {
	// Requests is the number of requests received.
	Requests int64
	// Forwarded is the number of requests sent to the target, whole or in
	// part (a PartialBatch forwards the items it does not hold back).
	Forwarded int64
	// Injected counts the faults injected, by kind. A PartialBatch counts
	// once per request in which it held back at least one item.
	Injected map[Kind]int64
	// HeldBack is the number of write requests (BatchWriteItem) and keys
	// (BatchGetItem) held back by PartialBatch faults.
	HeldBack int64
}

func (c *Counts) clone() Counts {
	out := *c
	out.Injected = maps.Clone(c.Injected)
	if out.Injected == nil {
		out.Injected = map[Kind]int64{}
	}
	return out
}

// Stats is a snapshot of a proxy's counters, returned by [Proxy.Stats]. Its maps
// are copies owned by the caller.
type Stats struct {
	// Counts are the totals over all requests.
	Counts
	// ByOperation has the counts per operation: the operation name for AWS
	// JSON and query requests, the HTTP method (e.g. "PUT") for REST requests.
	ByOperation map[string]Counts
	// InFlight is the number of requests being handled at the time of the
	// snapshot.
	InFlight int64
}

// stats holds the live counters; its zero value is ready to use.
type stats struct {
	mu       sync.Mutex
	total    Counts
	byOp     map[string]*Counts
	inFlight int64
}

// update applies f to the totals and to key's counts.
func (s *stats) update(key string, f func(*Counts)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byOp == nil {
		s.byOp = map[string]*Counts{}
	}
	c := s.byOp[key]
	if c == nil {
		c = &Counts{}
		s.byOp[key] = c
	}
	f(&s.total)
	f(c)
}

func (s *stats) begin(key string) {
	s.update(key, func(c *Counts) { c.Requests++ })
	s.mu.Lock()
	s.inFlight++
	s.mu.Unlock()
}

func (s *stats) end() {
	s.mu.Lock()
	s.inFlight--
	s.mu.Unlock()
}

func (s *stats) forwarded(key string) {
	s.update(key, func(c *Counts) { c.Forwarded++ })
}

func (s *stats) injected(key string, k Kind, heldBack int64) {
	s.update(key, func(c *Counts) {
		if c.Injected == nil {
			c.Injected = map[Kind]int64{}
		}
		c.Injected[k]++
		c.HeldBack += heldBack
	})
}

func (s *stats) snapshot() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Stats{
		Counts:      s.total.clone(),
		ByOperation: make(map[string]Counts, len(s.byOp)),
		InFlight:    s.inFlight,
	}
	for k, c := range s.byOp {
		out.ByOperation[k] = c.clone()
	}
	return out
}
