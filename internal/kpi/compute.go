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
