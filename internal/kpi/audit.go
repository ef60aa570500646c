package kpi

import (
	"math"

	"github.com/cxm-project/cxm/internal/event"
)

// Service-standard audits (ИВС, the standard compliance index). Their components have dimensions that
// come from the configuration (template, factor, employee, element), so they are kept apart from
// Components' fixed columns, in audit_minute (schemas/clickhouse/016_audit_minute.sql), and read by the
// query engine's Audits.
//
// Per visit: ИВС = 100 · Σ weights of met elements / Σ weights of applicable elements (met or not met;
// "not applicable" leaves both sums). A failed critical element caps the visit's score at the template's
// critical cap. A visit with no applicable element has no score and is not counted.
// Over a range and any set of locations: the mean of the visits' scores. Visits weigh equally whatever
// their number of applicable elements: each visit is one independent observation of the standard at one
// moment, and weighting by applicable weight would let long checklists (or a visit where the auditor
// marked little as n/a) outweigh short ones, and make the button (one element) vanish next to checklists.
// The 95 % interval is that of a mean: m ± z·s/√n, clamped to 0..100, none below 2 visits.
// Per factor: the same over the factor's elements, over visits where the factor had an applicable
// element (the cap does not apply: it is a verdict on the whole visit). Per employee: the visits' scores
// of the audits naming them. Per element: the share of visits where it was applicable and met.

// AuditScale is the fixed point of stored scores: units per index point. A visit's score is rounded to
// 1/10000 of a point (half up), so sums of any number of visits are exact integers.
const AuditScale = 10000

// Audit component dimensions.
const (
	AuditVisit    = ""         // the visit's ИВС; Key is ""
	AuditFactor   = "factor"   // Key is the factor id
	AuditEmployee = "employee" // Key is the employee id
	AuditElement  = "element"  // Key is the element id; the score is 100 when met, 0 when not met
)

// AuditKey identifies one additive audit component of a template.
type AuditKey struct {
	Template, Dim, Key string
}

// AuditSum is the additive part: N visits, the sum of their scores and of their squares (AuditScale units).
type AuditSum struct{ N, Sum, SumSq int64 }

// Add adds o.
func (s *AuditSum) Add(o AuditSum) { s.N, s.Sum, s.SumSq = s.N+o.N, s.Sum+o.Sum, s.SumSq+o.SumSq }

func observe(x int64) AuditSum { return AuditSum{N: 1, Sum: x, SumSq: x * x} }

// VisitScore is one audit's result.
type VisitScore struct {
	Met, Applicable int64 // weights
	Score           int64 // AuditScale units, after the cap
	Valid           bool  // some element was applicable
	Capped          bool  // a failed critical element lowered the score
}

// ratio is 100·met/app in AuditScale units, rounded half up, in integers only.
func ratio(met, app int64) int64 {
	return (2*met*100*AuditScale + app) / (2 * app)
}

// ScoreVisit scores an audit whose elements carry their weights (stamped by the ingest; an element
// without a weight weighs 1).
func ScoreVisit(a *event.Audit) VisitScore {
	var v VisitScore
	failedCritical := false
	for _, r := range a.Elements {
		w := int64(max(r.Weight, 1))
		switch r.Result {
		case event.ResultMet:
			v.Met += w
			v.Applicable += w
		case event.ResultNotMet:
			v.Applicable += w
			failedCritical = failedCritical || r.Critical
		}
	}
	if v.Applicable == 0 {
		return v
	}
	v.Valid = true
	v.Score = ratio(v.Met, v.Applicable)
	if failedCritical && a.Cap != nil && *a.Cap >= 0 {
		if c := int64(math.Round(*a.Cap * AuditScale)); c < v.Score {
			v.Score, v.Capped = c, true
		}
	}
	return v
}

// AuditComponents are the components one audit adds: the visit, each factor with an applicable element,
// the employee when named, and each applicable element.
func AuditComponents(a *event.Audit) map[AuditKey]AuditSum {
	out := map[AuditKey]AuditSum{}
	v := ScoreVisit(a)
	if !v.Valid {
		return out
	}
	t := a.Template
	out[AuditKey{t, AuditVisit, ""}] = observe(v.Score)
	if a.Employee != "" {
		out[AuditKey{t, AuditEmployee, a.Employee}] = observe(v.Score)
	}
	type fw struct{ met, app int64 }
	factors := map[string]*fw{}
	var order []string
	for _, r := range a.Elements {
		if r.Result == event.ResultNA {
			continue
		}
		met := int64(0)
		if r.Result == event.ResultMet {
			met = 100 * AuditScale
		}
		out[AuditKey{t, AuditElement, r.Element}] = observe(met)
		if r.Factor == "" {
			continue
		}
		f := factors[r.Factor]
		if f == nil {
			f = &fw{}
			factors[r.Factor] = f
			order = append(order, r.Factor)
		}
		w := int64(max(r.Weight, 1))
		f.app += w
		if r.Result == event.ResultMet {
			f.met += w
		}
	}
	for _, id := range order {
		f := factors[id]
		out[AuditKey{t, AuditFactor, id}] = observe(ratio(f.met, f.app))
	}
	return out
}

// IVS is the KPI of audit components: the mean score on 0..100 with its 95 % interval, N visits.
func IVS(s AuditSum) Value {
	v := Value{KPI: IVSName}
	v.mean(float64(s.Sum), float64(s.SumSq), s.N, 1.0/AuditScale, 0, 100)
	return v
}

// IVSName is the KPI's name in the API, plugin and thresholds.
const IVSName = "ivs"

// IVSMeta describes the ИВС for display.
var IVSMeta = Meta{Name: IVSName, Title: "Standard compliance index", TitleRU: "ИВС (индекс выполнения стандарта)",
	Unit: "percent", Decimals: 1, Min: 0, Max: 100, HasRange: true, HigherIsBetter: true}
