package kpi

import (
	"fmt"
	"math"
)

// z is the two-sided 95 % normal quantile.
const z = 1.959963984540054

// Value is one KPI over some set of buckets. When Valid is false there was nothing to compute it from
// (N = 0, or a zero denominator) and Value is 0. HasInterval is false for KPIs whose components carry no
// spread (counts, average receipt, items per receipt).
type Value struct {
	KPI         string  `json:"kpi"`
	Value       float64 `json:"value"`
	Valid       bool    `json:"valid"`
	N           int64   `json:"n"`
	Low         float64 `json:"low"`
	High        float64 `json:"high"`
	HasInterval bool    `json:"has_interval"`
}

// NPSPolicy says how survey submissions without an NPS answer (non-responders) count.
type NPSPolicy int

const (
	// RespondentsOnly ignores non-responders: N = promoters + passives + detractors.
	RespondentsOnly NPSPolicy = iota
	// NonRespondersAsDetractors counts each non-responder as a detractor.
	NonRespondersAsDetractors
	// NonRespondersAsPassives counts each non-responder as a passive (they dilute the score).
	NonRespondersAsPassives
)

// ParseNPSPolicy reads the config spelling: respondents | detractors | passives.
func ParseNPSPolicy(s string) (NPSPolicy, error) {
	switch s {
	case "", "respondents":
		return RespondentsOnly, nil
	case "detractors":
		return NonRespondersAsDetractors, nil
	case "passives":
		return NonRespondersAsPassives, nil
	}
	return 0, fmt.Errorf("must be respondents, detractors or passives, not %q", s)
}

func (p NPSPolicy) String() string {
	return [...]string{"respondents", "detractors", "passives"}[p]
}

// Options are the choices a figure depends on besides its components.
type Options struct {
	NPSPolicy NPSPolicy
}

// ComputeAll computes every KPI, in Names order.
func ComputeAll(c *Components, opt Options) []Value {
	out := make([]Value, len(Names))
	for i, n := range Names {
		out[i] = Compute(n, c, opt)
	}
	return out
}

// Compute computes one KPI from summed components. An unknown name gives an invalid Value; callers check
// names against Names at their edge (config, API, plugin) so that a typo is an error there.
func Compute(name string, c *Components, opt Options) Value {
	v := Value{KPI: name}
	switch name {
	case "nps":
		p, d, n := c.Promoters, c.Detractors, c.Promoters+c.Passives+c.Detractors
		switch opt.NPSPolicy {
		case NonRespondersAsDetractors:
			d += c.NPSMissing
			n += c.NPSMissing
		case NonRespondersAsPassives:
			n += c.NPSMissing
		}
		v.N = n
		if n > 0 {
			v.set(100 * float64(p-d) / float64(n))
			v.interval(npsAdjustedWald(p, d, n))
			// The adjusted interval is centred on the adjusted estimate; for tiny samples (one promoter)
			// it can miss the observed score, which readers take for a bug, so it is widened to hold it.
			v.Low, v.High = math.Min(v.Low, v.Value), math.Max(v.High, v.Value)
		}
	case "csat":
		v.proportion(c.CSATTop2, c.CSATN)
	case "ces":
		v.mean(float64(c.CESSum), float64(c.CESSumSq), c.CESN, 1, 1, 7)
	case "smile_index":
		// sum12 and sumsq144 hold 12x the score and 144x its square; scale back before the mean.
		v.mean(float64(c.SmileSum12)/12, float64(c.SmileSumSq144)/144, c.SmileN, 100, 0, 100)
	case "like_index":
		n := c.Likes + c.Dislikes
		v.N = n
		if n > 0 {
			// Like-Index = 100 (2p - 1) with p the share of likes: the Wilson interval of p maps exactly.
			v.set(100 * float64(c.Likes-c.Dislikes) / float64(n))
			lo, hi := wilson(c.Likes, n)
			v.interval(2*lo-1, 2*hi-1)
		}
	case "visitors":
		v.count(c.Visitors, c.Visitors)
	case "consultations":
		v.count(c.Consultations, c.Consultations)
	case "receipts":
		v.count(c.Receipts-c.Refunds, c.Receipts+c.Refunds)
	case "revenue":
		v.N = c.Receipts + c.Refunds
		if v.N > 0 {
			v.set(float64(c.RevenueCents) / 100)
		}
	case "conversion":
		v.rate(c.Receipts-c.Refunds, c.Visitors)
	case "coverage":
		v.rate(c.Consultations, c.Visitors)
	case "avg_receipt":
		net := c.Receipts - c.Refunds
		v.N = max(net, 0)
		if net > 0 {
			v.set(float64(c.RevenueCents) / 100 / float64(net))
		}
	case "items_per_receipt":
		net := c.Receipts - c.Refunds
		v.N = max(net, 0)
		if net > 0 {
			v.set(float64(c.Items) / float64(net))
		}
	}
	return v
}

func (v *Value) set(x float64) {
	v.Value, v.Valid = x, true
}

// interval sets an interval given on 0..1 (or -1..1) as a percentage.
func (v *Value) interval(lo, hi float64) {
	v.Low, v.High, v.HasInterval = 100*lo, 100*hi, true
}

func (v *Value) count(value, n int64) {
	v.N = n
	if n > 0 {
		v.set(float64(value))
	}
}

// proportion is 100 k / n with a Wilson score interval.
func (v *Value) proportion(k, n int64) {
	v.N = n
	if n > 0 {
		v.set(100 * float64(k) / float64(n))
		v.interval(wilson(k, n))
	}
}

// rate is a proportion whose numerator may exceed the denominator over short windows (receipts counted
// before the door counter reports the visitors): the value is kept unclamped, and the Wilson interval is
// given only while it is a proper proportion.
func (v *Value) rate(k, n int64) {
	v.N = n
	if n <= 0 {
		return
	}
	v.set(100 * float64(k) / float64(n))
	if k >= 0 && k <= n {
		v.interval(wilson(k, n))
	}
}

// mean sets scale * sum/n with a normal-approximation interval from the sample variance
// s² = (sumsq - n m²) / (n - 1), clamped to the scale's range [lo, hi]; there is no interval for n < 2.
func (v *Value) mean(sum, sumsq float64, n int64, scale, lo, hi float64) {
	v.N = n
	if n <= 0 {
		return
	}
	nf := float64(n)
	m := sum / nf
	v.set(scale * m)
	if n < 2 {
		return
	}
	s2 := math.Max(0, (sumsq-nf*m*m)/(nf-1))
	h := z * math.Sqrt(s2/nf)
	v.Low, v.High, v.HasInterval = math.Max(lo, scale*(m-h)), math.Min(hi, scale*(m+h)), true
}

// wilson is the Wilson score interval of a binomial proportion k/n on 0..1 (Wilson 1927; recommended over
// the Wald interval by Brown, Cai & DasGupta 2001).
func wilson(k, n int64) (lo, hi float64) {
	p, nf := float64(k)/float64(n), float64(n)
	d := 1 + z*z/nf
	c := (p + z*z/(2*nf)) / d
	h := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / d
	return math.Max(0, c-h), math.Min(1, c+h)
}

// npsAdjustedWald is the adjusted-Wald interval of the NPS on -1..1 (Rocks 2016, The American Statistician
// 70(4); as described by Sauro & Lewis, MeasuringU): add 3 to n and 3/4 to promoters and to detractors, then
// use the variance of a difference of two proportions of one multinomial sample.
func npsAdjustedWald(p, d, n int64) (lo, hi float64) {
	na := float64(n) + 3
	pp := (float64(p) + 0.75) / na
	pd := (float64(d) + 0.75) / na
	diff := pp - pd
	h := z * math.Sqrt((pp+pd-diff*diff)/na)
	return math.Max(-1, diff-h), math.Min(1, diff+h)
}
