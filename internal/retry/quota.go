package retry

import "sync"

// quota is the standard-mode retry quota: a token bucket shared by every call of one Retryer.
// A retry takes its cost; a call that succeeds gives back what its last retry took, or
// NoRetryIncrement when it succeeded at once. It never holds more than its size.
type quota struct {
	mu    sync.Mutex
	avail int
	size  int
}

func newQuota(size int) *quota { return &quota{avail: size, size: size} }

// take removes n tokens if that many are left.
func (q *quota) take(n int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if n > q.avail {
		return false
	}
	q.avail -= n
	return true
}

// put returns n tokens, up to the bucket's size.
func (q *quota) put(n int) {
	q.mu.Lock()
	q.avail = min(q.avail+n, q.size)
	q.mu.Unlock()
}

func (q *quota) available() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.avail
}
