package endpoints

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// cache maps an encoded parameter set to its resolution. It is sharded; each shard's map is
// immutable and replaced on write (copy on write), so a lookup is an atomic load and a map
// read with no lock and no shared write, however many goroutines hit the same entry. Writes
// (on a miss, after a full evaluation that costs far more) copy one shard under its mutex.
// Each shard holds at most max entries; a full shard drops one entry at random. The zero
// value is not usable; a nil *cache caches nothing. It is safe for concurrent use.
type cache struct {
	seed   maphash.Seed
	max    int // per shard
	shards [cacheShards]cacheShard
}

const cacheShards = 32

type cacheShard struct {
	m  atomic.Pointer[map[string]*cacheEntry]
	mu sync.Mutex // serializes writers
	_  [48]byte   // keeps neighbouring shards off one cache line
}

type cacheEntry struct {
	ep  Endpoint
	err error
}

func newCache(size int) *cache {
	if size <= 0 {
		return nil
	}
	return &cache{seed: maphash.MakeSeed(), max: max(1, (size+cacheShards-1)/cacheShards)}
}

func (c *cache) shard(key []byte) *cacheShard {
	return &c.shards[maphash.Bytes(c.seed, key)%cacheShards]
}

func (c *cache) get(key []byte) (*cacheEntry, bool) {
	if c == nil {
		return nil, false
	}
	m := c.shard(key).m.Load()
	if m == nil {
		return nil, false
	}
	e, ok := (*m)[string(key)]
	return e, ok
}

func (c *cache) put(key []byte, e *cacheEntry) {
	if c == nil {
		return
	}
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	var old map[string]*cacheEntry
	if p := s.m.Load(); p != nil {
		old = *p
	}
	if _, ok := old[string(key)]; ok {
		return // another goroutine resolved the same parameters first
	}
	drop, skip := "", len(old) >= c.max
	if skip {
		for k := range old { // map iteration starts at a random entry
			drop = k
			break
		}
	}
	m := make(map[string]*cacheEntry, len(old)+1)
	for k, v := range old {
		if skip && k == drop {
			continue
		}
		m[k] = v
	}
	m[string(key)] = e
	s.m.Store(&m)
}

// len returns the number of cached entries (for tests).
func (c *cache) len() int {
	if c == nil {
		return 0
	}
	n := 0
	for i := range c.shards {
		if p := c.shards[i].m.Load(); p != nil {
			n += len(*p)
		}
	}
	return n
}

// appendKey encodes the values of the parameters that some rule reads: a tag per parameter,
// then the length-prefixed contents. Parameters no rule reads (S3's Key, say) cannot change
// the result, so they stay out of the key and out of the cache's fan-out.
func (rs *RuleSet) appendKey(b []byte, vals []value) []byte {
	for _, i := range rs.keyParams {
		v := vals[i]
		switch v.k {
		case kNull:
			b = append(b, 0)
		case kBool:
			if v.b {
				b = append(b, 2)
			} else {
				b = append(b, 1)
			}
		case kString:
			b = append(b, 3)
			b = binary.AppendUvarint(b, uint64(len(v.s)))
			b = append(b, v.s...)
		case kArray:
			b = append(b, 4)
			items := v.items()
			b = binary.AppendUvarint(b, uint64(len(items)))
			for _, s := range items {
				b = binary.AppendUvarint(b, uint64(len(s)))
				b = append(b, s...)
			}
		default: // parameters hold only the types above
			b = append(b, 5)
		}
	}
	return b
}
