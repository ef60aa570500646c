// Package ratelimit is the per-token token bucket of the event API, counted in events, not requests: a
// 10,000-event batch costs 10,000.
package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Bucket refills at rate events per second up to burst.
type Bucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

// NewBucket returns a full bucket.
func NewBucket(rate float64, burst int) *Bucket {
	return &Bucket{rate: rate, burst: float64(burst), tokens: float64(burst)}
}

// Take charges n events at now. A batch larger than the burst is let through once the bucket is full and
// leaves it in debt, so such batches are slowed to the rate instead of being refused forever. When the
// events cannot be taken it returns false and how long until they could.
func (b *Bucket) Take(n int, now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		if dt := now.Sub(b.last).Seconds(); dt > 0 {
			b.tokens = math.Min(b.burst, b.tokens+dt*b.rate)
		}
	}
	if now.After(b.last) {
		b.last = now
	}
	need := math.Min(float64(n), b.burst)
	if b.tokens >= need {
		b.tokens -= float64(n)
		return true, 0
	}
	wait := time.Duration((need - b.tokens) / b.rate * float64(time.Second))
	return false, max(wait, time.Millisecond)
}

// Limiter holds one bucket per key (the token's name).
type Limiter struct {
	mu      sync.Mutex
	buckets map[string]*Bucket
}

// New returns an empty limiter.
func New() *Limiter { return &Limiter{buckets: map[string]*Bucket{}} }

// Take charges n events to key's bucket, creating it with rate and burst on first use.
func (l *Limiter) Take(key string, rate float64, burst, n int, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	b, ok := l.buckets[key]
	if !ok {
		b = NewBucket(rate, burst)
		l.buckets[key] = b
	}
	l.mu.Unlock()
	return b.Take(n, now)
}

// refill adds what the rate earned since the last call; the caller holds mu.
func (b *Bucket) refill(now time.Time) {
	if !b.last.IsZero() {
		if dt := now.Sub(b.last).Seconds(); dt > 0 {
			b.tokens = math.Min(b.burst, b.tokens+dt*b.rate)
		}
	}
	if now.After(b.last) {
		b.last = now
	}
}

// Ready reports whether the bucket is out of debt at now (so a request may be read at all), and if not,
// how long until it is. It takes nothing.
func (b *Bucket) Ready(now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	if b.tokens > 0 {
		return true, 0
	}
	return false, max(time.Duration((1-b.tokens)/b.rate*float64(time.Second)), time.Millisecond)
}

// Charge takes n unconditionally, leaving the bucket in debt if need be: for what was only known after
// it was read (a body sent without Content-Length).
func (b *Bucket) Charge(n int64, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	b.tokens -= float64(n)
}

// Bucket returns key's bucket, creating it with rate and burst on first use. The table holds one bucket
// per configured token (keys are token names), so it is bounded by the config.
func (l *Limiter) Bucket(key string, rate float64, burst int64) *Bucket {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		b = &Bucket{rate: rate, burst: float64(burst), tokens: float64(burst)}
		l.buckets[key] = b
	}
	return b
}
