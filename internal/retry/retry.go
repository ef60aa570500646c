// Package retry is the back-off every retry loop of CXM waits with: exponential, with jitter so that many
// instances that failed together (a ClickHouse restart, a broker election) do not retry in step, from
// github.com/cenkalti/backoff/v5.
package retry

import (
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Backoff hands out the waits of one retry loop. It is not safe for concurrent use: each loop has its own.
type Backoff struct {
	b   *backoff.ExponentialBackOff
	max time.Duration
}

// New returns waits that start around first and double up to last, each drawn at random within ±50 % of
// its step, and never longer than last.
func New(first, last time.Duration) *Backoff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = first
	b.MaxInterval = last
	b.Multiplier = 2
	b.RandomizationFactor = 0.5
	return &Backoff{b: b, max: last}
}

// Next is the wait before the next attempt.
func (b *Backoff) Next() time.Duration { return min(b.b.NextBackOff(), b.max) }

// Reset starts over from the first step, after a success.
func (b *Backoff) Reset() { b.b.Reset() }
