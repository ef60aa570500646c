package query

import (
	"math"

	"github.com/cxm-project/cxm/internal/kpi"
)

// PROVISIONAL until kpi.Compute lands in internal/kpi: the engine calls figure() only, so switching to the
// kpi package's formulas is a change of this one file.

// figure is the KPI's value, sample size and 95 % interval from summed components; value, low and high are
// nil when the sample is empty or the figure undefined.
func figure(name string, c *kpi.Components) (value *float64, n int64, low, high *float64) {
	f := func(x float64) *float64 {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return &x
	}
	wilson := func(k, n int64) (*float64, *float64) {
		if n <= 0 || k < 0 || k > n {
			return nil, nil
		}
		const z = 1.959963984540054
		p, nn := float64(k)/float64(n), float64(n)
		d := 1 + z*z/nn
		ctr := (p + z*z/(2*nn)) / d
		h := z * math.Sqrt(p*(1-p)/nn+z*z/(4*nn*nn)) / d
		return f(100 * (ctr - h)), f(100 * (ctr + h))
	}
	mean := func(sum, sumsq, n int64, scale float64) (*float64, *float64, *float64) {
		if n <= 0 {
			return nil, nil, nil
		}
		m := float64(sum) / float64(n)
		v := float64(sumsq)/float64(n) - m*m
		if v < 0 {
			v = 0
		}
		h := 1.959963984540054 * math.Sqrt(v/float64(n))
		return f(m * scale), f((m - h) * scale), f((m + h) * scale)
	}
	ratio := func(a, b int64, scale float64) *float64 {
		if b <= 0 {
			return nil
		}
		return f(float64(a) / float64(b) * scale)
	}
	switch name {
	case "nps":
		n = c.Promoters + c.Passives + c.Detractors
		value, low, high = mean(c.Promoters-c.Detractors, c.Promoters+c.Detractors, n, 100)
	case "csat":
		n = c.CSATN
		value = ratio(c.CSATTop2, n, 100)
		low, high = wilson(c.CSATTop2, n)
	case "ces":
		n = c.CESN
		value, low, high = mean(c.CESSum, c.CESSumSq, n, 1)
	case "smile_index":
		n = c.SmileN
		value, low, high = mean(c.SmileSum12, c.SmileSumSq144, n, 100.0/12)
		if n > 0 {
			// sum12 and sumsq144 are 12x and 144x: the mean above is in twelfths, its variance needs /144.
			m := float64(c.SmileSum12) / 12 / float64(n)
			v := float64(c.SmileSumSq144)/144/float64(n) - m*m
			h := 1.959963984540054 * math.Sqrt(math.Max(v, 0)/float64(n))
			value, low, high = f(100*m), f(100*(m-h)), f(100*(m+h))
		}
	case "like_index":
		n = c.Likes + c.Dislikes
		value = ratio(c.Likes, n, 100)
		low, high = wilson(c.Likes, n)
	case "visitors":
		n = c.Visitors
		value = f(float64(c.Visitors))
	case "receipts":
		n = c.Receipts
		value = f(float64(c.Receipts))
	case "revenue":
		n = c.Receipts
		value = f(float64(c.RevenueCents) / 100)
	case "consultations":
		n = c.Consultations
		value = f(float64(c.Consultations))
	case "conversion":
		n = c.Visitors
		value = ratio(c.Receipts, n, 100)
		if c.Receipts <= n {
			low, high = wilson(c.Receipts, n)
		}
	case "coverage":
		n = c.Visitors
		value = ratio(c.Consultations, n, 100)
		if c.Consultations <= n {
			low, high = wilson(c.Consultations, n)
		}
	case "avg_receipt":
		n = c.Receipts
		value = ratio(c.RevenueCents, n, 0.01)
	case "items_per_receipt":
		n = c.Receipts
		value = ratio(c.Items, n, 1)
	}
	if n == 0 {
		// Components are additive counters: a bucket with nothing counted has no figure, even for counts.
		value = nil
	}
	if value == nil {
		low, high = nil, nil
	}
	return value, n, low, high
}
