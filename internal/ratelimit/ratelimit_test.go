package ratelimit

import (
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	t0 := time.Unix(1000, 0)
	b := NewBucket(10, 20) // 10 events/s, burst 20
	steps := []struct {
		at   time.Duration
		n    int
		ok   bool
		wait time.Duration
	}{
		{0, 15, true, 0},
		{0, 10, false, 500 * time.Millisecond}, // 5 left, 5 more take 0.5 s
		{500 * time.Millisecond, 10, true, 0},
		{500 * time.Millisecond, 50, false, 2 * time.Second}, // larger than the burst: needs a full bucket
		{2500 * time.Millisecond, 50, true, 0},               // ...and leaves it 30 in debt
		{2500 * time.Millisecond, 1, false, 3100 * time.Millisecond},
	}
	for i, s := range steps {
		ok, wait := b.Take(s.n, t0.Add(s.at))
		if ok != s.ok || wait != s.wait {
			t.Errorf("step %d: %v %v, want %v %v", i, ok, wait, s.ok, s.wait)
		}
	}
}
