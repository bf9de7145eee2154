package signer

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"sync/atomic"
)

// hmacSHA256 returns HMAC-SHA256(key, msg) (RFC 2104). It is written out over sha256.Sum256
// so that it allocates nothing for the short messages of SigV4 (crypto/hmac allocates two
// hashes and its pads on every call).
func hmacSHA256(key, msg []byte) [sha256.Size]byte {
	var k [sha256.BlockSize]byte
	if len(key) > sha256.BlockSize {
		sum := sha256.Sum256(key)
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	var stack [sha256.BlockSize + 512]byte
	inner := stack[:0]
	for _, b := range k {
		inner = append(inner, b^0x36)
	}
	inner = append(inner, msg...) // moves to the heap only for messages over 512 bytes
	ih := sha256.Sum256(inner)

	var outer [sha256.BlockSize + sha256.Size]byte
	for i, b := range k {
		outer[i] = b ^ 0x5c
	}
	copy(outer[sha256.BlockSize:], ih[:])
	return sha256.Sum256(outer[:])
}

// hmacString is hmacSHA256 for a string message.
func hmacString(key []byte, msg string) [sha256.Size]byte {
	var buf [128]byte
	return hmacSHA256(key, append(buf[:0], msg...))
}

// deriveKey returns the SigV4 signing key of secret for date (YYYYMMDD), region and service:
// HMAC chained over "AWS4"+secret, the date, the region, the service and "aws4_request".
func deriveKey(secret string, date []byte, region, service string) [sha256.Size]byte {
	var buf [4 + 128]byte
	k := hmacSHA256(append(append(buf[:0], "AWS4"...), secret...), date)
	k = hmacString(k[:], region)
	k = hmacString(k[:], service)
	return hmacString(k[:], "aws4_request")
}

// maxCachedKeys bounds the derived-key cache. A process signs with few (secret, region,
// service) triples a day; a new day's keys push out the previous day's.
const maxCachedKeys = 64

// keyID identifies a derived key. The secret is part of it, so that rotated credentials with
// the same access key never reuse a stale key.
type keyID struct {
	date                    [8]byte
	secret, region, service string
}

// keyCache caches derived signing keys. Lookups are lock-free reads of an immutable map;
// a miss derives the key and publishes a copy of the map with it (misses are rare: once per
// day, region, service and secret). The zero value is ready; it is safe for concurrent use.
type keyCache struct {
	mu sync.Mutex // serializes writers
	m  atomic.Pointer[map[keyID][sha256.Size]byte]
}

func (c *keyCache) get(secret string, date []byte, region, service string) [sha256.Size]byte {
	id := keyID{secret: secret, region: region, service: service}
	copy(id.date[:], date)
	if m := c.m.Load(); m != nil {
		if k, ok := (*m)[id]; ok {
			return k
		}
	}
	k := deriveKey(secret, date, region, service)

	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	var next map[keyID][sha256.Size]byte
	if old == nil || len(*old) < maxCachedKeys {
		next = make(map[keyID][sha256.Size]byte, 1+lenOf(old))
		if old != nil {
			for id, k := range *old {
				next[id] = k
			}
		}
	} else {
		// Full: keep only the keys of the same day as the new one; if that is still too many,
		// start over.
		next = make(map[keyID][sha256.Size]byte)
		for oid, ov := range *old {
			if oid.date == id.date && len(next) < maxCachedKeys/2 {
				next[oid] = ov
			}
		}
	}
	next[id] = k
	c.m.Store(&next)
	return k
}

func (c *keyCache) len() int { return lenOf(c.m.Load()) }

func lenOf(m *map[keyID][sha256.Size]byte) int {
	if m == nil {
		return 0
	}
	return len(*m)
}

// appendHex appends the lowercase hex encoding of b.
func appendHex(dst, b []byte) []byte {
	return hex.AppendEncode(dst, b)
}
