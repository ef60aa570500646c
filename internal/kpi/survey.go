package kpi

import (
	"fmt"
	"slices"
)

// Configured questionnaires (internal/survey) store their components apart from Components' fixed
// columns, because their shape comes from the configuration: per survey and item (a question, an index's
// per-respondent score, or "" for the submissions) and answer value, a count, a sum and a sum of squares
// (survey_minute). They are additive like every other component; a configured index's formula reads them
// from Components.Survey.

// SurveyKey identifies one additive survey component.
type SurveyKey struct {
	Survey string
	// Item is a question id (N counts the answers equal to Value), "@index" or "@index/dimension" (a
	// per-respondent score: N respondents, Sum and SumSq of their scores in thousandths), or "" (N counts
	// the survey's submissions).
	Item  string
	Value int32
}

// Sums are the additive sums of one SurveyKey.
type Sums struct{ N, Sum, SumSq int64 }

// SurveySums are the survey components of a bucket. A nil *SurveySums reads as empty (and keeps
// Components comparable).
type SurveySums struct{ m map[SurveyKey]Sums }

// Get returns the sums of k (zero when absent).
func (m *SurveySums) Get(k SurveyKey) Sums {
	if m == nil {
		return Sums{}
	}
	return m.m[k]
}

// Add adds s into k.
func (m *SurveySums) Add(k SurveyKey, s Sums) {
	if m.m == nil {
		m.m = map[SurveyKey]Sums{}
	}
	o := m.m[k]
	m.m[k] = Sums{o.N + s.N, o.Sum + s.Sum, o.SumSq + s.SumSq}
}

// AddAll adds every sum of o.
func (m *SurveySums) AddAll(o *SurveySums) {
	if o == nil {
		return
	}
	for k, s := range o.m {
		m.Add(k, s)
	}
}

// Len is the number of keys.
func (m *SurveySums) Len() int {
	if m == nil {
		return 0
	}
	return len(m.m)
}

// Proportion is 100 k / n with its Wilson interval (N = n).
func Proportion(k, n int64) Value {
	var v Value
	v.proportion(k, n)
	return v
}

// Mean is scale · sum/n with the normal interval of the mean, clamped to lo..hi (none for n < 2).
func Mean(sum, sumsq float64, n int64, scale, lo, hi float64) Value {
	var v Value
	v.mean(sum, sumsq, n, scale, lo, hi)
	return v
}

// Net is 100 (p − d) / n, the NPS form (also Net Easy), with the adjusted-Wald interval widened to hold the
// value (see the NPS row of the README's formulas).
func Net(p, d, n int64) Value {
	var v Value
	v.N = n
	if n <= 0 {
		return v
	}
	v.set(100 * float64(p-d) / float64(n))
	lo, hi := npsAdjustedWald(p, d, n)
	v.interval(lo, hi)
	v.Low, v.High = min(v.Low, v.Value), max(v.High, v.Value)
	return v
}

// SetConfigured replaces the KPIs defined in the configuration (Def.Configured) by defs, keeping the
// built-in ones; on the Builtin registry it also refreshes Names. It is called at start-up, when the
// configuration is loaded and before anything reads the registry.
func (r *Registry) SetConfigured(defs []Def) error {
	keep := slices.DeleteFunc(slices.Clone(r.defs), func(d *Def) bool { return d.Configured })
	nr := NewRegistry()
	for _, d := range keep {
		if err := nr.Register(*d); err != nil {
			return err
		}
	}
	for _, d := range defs {
		d.Configured = true
		if err := nr.Register(d); err != nil {
			return fmt.Errorf("indices: %w", err)
		}
	}
	*r = *nr
	if r == Builtin {
		Names = r.Names()
	}
	return nil
}
