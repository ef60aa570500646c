package retry

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		name        string
		first, last time.Duration
	}{
		{"processor defaults", 100 * time.Millisecond, 10 * time.Second},
		{"short cap", 500 * time.Millisecond, time.Second},
		{"equal", time.Second, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const runs, steps = 200, 12
			distinct := map[time.Duration]bool{}
			var sumFirst, sumLate time.Duration
			for range runs {
				b := New(tc.first, tc.last)
				step := tc.first
				for i := range steps {
					d := b.Next()
					// Within ±50 % of the step, and never above the cap.
					if lo, hi := step/2, min(step+step/2, tc.last); d < lo || d > hi {
						t.Fatalf("wait %d = %v, want within [%v, %v]", i, d, lo, hi)
					}
					distinct[d] = true
					if i == 0 {
						sumFirst += d
					}
					if i == steps-1 {
						sumLate += d
					}
					step = min(2*step, tc.last)
				}
				b.Reset()
				if d := b.Next(); d > tc.first+tc.first/2 {
					t.Fatalf("after Reset the wait is %v, want about %v", d, tc.first)
				}
			}
			// Jitter: hundreds of loops do not wait the same.
			if len(distinct) < runs {
				t.Errorf("only %d distinct waits in %d loops", len(distinct), runs)
			}
			// Growth: late waits are near the cap, first ones near the first step (means over the runs).
			if mean := sumFirst / runs; mean < tc.first*3/4 || mean > tc.first*5/4 {
				t.Errorf("mean first wait %v, want about %v", mean, tc.first)
			}
			if mean := sumLate / runs; mean < tc.last*6/10 {
				t.Errorf("mean wait after %d failures %v, want near the cap %v", steps, mean, tc.last)
			}
		})
	}
}
