package web

import (
	"sync"
	"time"

	"dvcbot/campaign"
)

// limiter is a token bucket per person: Burst requests at once, refilled at
// PerMinute a minute. The defaults (120 at once, 120 a minute) never stop a
// leader browsing freely, 60 pages a minute, and stop a script looping on
// someone's session. Buckets full again are forgotten, so memory follows
// the people active in the last minutes only.
type limiter struct {
	mu        sync.Mutex
	perMinute float64
	burst     float64
	buckets   map[campaign.PersonID]*bucket
	swept     time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(perMinute, burst int) *limiter {
	return &limiter{perMinute: float64(perMinute), burst: float64(burst), buckets: map[campaign.PersonID]*bucket{}}
}

// allow takes a token from the person's bucket at now; false when empty.
func (l *limiter) allow(p campaign.PersonID, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		l.sweep(now)
	}
	b, ok := l.buckets[p]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[p] = b
	}
	l.refill(b, now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (l *limiter) refill(b *bucket, now time.Time) {
	if dt := now.Sub(b.at); dt > 0 {
		b.tokens = min(l.burst, b.tokens+dt.Minutes()*l.perMinute)
		b.at = now
	}
}

// sweep forgets buckets that are full again.
func (l *limiter) sweep(now time.Time) {
	l.swept = now
	for p, b := range l.buckets {
		if l.refill(b, now); b.tokens >= l.burst {
			delete(l.buckets, p)
		}
	}
}
