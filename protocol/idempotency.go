package protocol

import (
	"crypto/rand"
	"fmt"

	"github.com/aioaws/aioaws/models"
)

// WithIdempotencyTokens returns in with every unset idempotency-token member of the input
// shape filled with a fresh random UUID (version 4), as AWS SDKs do so retries are safe. The
// caller's value is never modified: when a token is added, a new top-level map is returned.
func WithIdempotencyTokens(s *models.Shape, in any) any {
	if s == nil {
		return in
	}
	var missing []*models.Member
	for _, m := range s.Members {
		if m.IdempotencyToken {
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 {
		return in
	}
	out := map[string]any{}
	Fields(s, in, func(m *models.Member, v any) { out[m.Name] = v })
	added := false
	for _, m := range missing {
		if _, set := out[m.Name]; !set {
			out[m.Name] = NewUUID()
			added = true
		}
	}
	if !added {
		return in
	}
	return out
}

// NewUUID returns a random (version 4) UUID.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
