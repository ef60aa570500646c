package kpi

import (
	"math"
	"testing"
)

// The Wilson score interval against the published figures of R. G. Newcombe, "Two-sided confidence
// intervals for the single proportion: comparison of seven methods", Statistics in Medicine 17 (1998),
// 857-872, Table II, method 3 (score interval without continuity correction), for his four worked examples.
// They are given to four decimals of a proportion, so a percentage may differ by half a unit of 0.01.
func TestWilsonMatchesNewcombe1998(t *testing.T) {
	for _, tc := range []struct {
		k, n      int64
		low, high float64 // percent, as published (proportion x 100)
	}{
		{81, 263, 25.53, 36.62},
		{15, 148, 6.24, 16.05},
		{0, 20, 0, 16.11},
		{1, 29, 0.61, 17.18},
	} {
		c := Components{CSATTop2: tc.k, CSATN: tc.n}
		v := Compute("csat", &c, Options{})
		if !v.HasInterval || math.Abs(v.Low-tc.low) > 0.005 || math.Abs(v.High-tc.high) > 0.005 {
			t.Errorf("csat %d/%d: interval [%.4f, %.4f] (has %v), Newcombe 1998 gives [%.2f, %.2f]",
				tc.k, tc.n, v.Low, v.High, v.HasInterval, tc.low, tc.high)
		}
	}
}
