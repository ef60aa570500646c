package kpi

import (
	"cmp"
	"slices"
)

// The closed loop's KPIs. A case's figures depend on its whole history (the time to resolution needs the
// time it opened), which the processor's per-event feeds into minute components cannot see, so these are
// not minute components: the query engine derives each case's state from its history in the raw events
// table and adds the cases up into CaseComponents, which are additive like Components (a region's
// figures are Compute on the sum of its locations', never a mean of their percentages).

// CaseComponents are the additive counts of a set of cases (by the period they opened in).
type CaseComponents struct {
	Opened             int64 `json:"opened"`
	Open               int64 `json:"open"`    // not resolved now
	Overdue            int64 `json:"overdue"` // open past their SLA now
	FirstActed         int64 `json:"first_acted"`
	FirstActionSeconds int64 `json:"first_action_seconds"` // sum over FirstActed
	Resolved           int64 `json:"resolved"`
	ResolveSeconds     int64 `json:"resolve_seconds"` // sum over Resolved
	ResolvedInSLA      int64 `json:"resolved_in_sla"`
	// Causes counts each resolved (or qualified) case once per root cause given.
	Causes map[string]int64 `json:"causes"`
}

// Add adds o into c.
func (c *CaseComponents) Add(o *CaseComponents) {
	c.Opened += o.Opened
	c.Open += o.Open
	c.Overdue += o.Overdue
	c.FirstActed += o.FirstActed
	c.FirstActionSeconds += o.FirstActionSeconds
	c.Resolved += o.Resolved
	c.ResolveSeconds += o.ResolveSeconds
	c.ResolvedInSLA += o.ResolvedInSLA
	for k, v := range o.Causes {
		if c.Causes == nil {
			c.Causes = map[string]int64{}
		}
		c.Causes[k] += v
	}
}

// CaseDef is one case KPI: its display metadata and formula.
type CaseDef struct {
	Meta
	Formula func(c *CaseComponents) Value
}

// CaseKPIs are the closed loop's KPIs, in listing order.
var CaseKPIs = []CaseDef{
	{Meta{Name: "cases_opened", Title: "Cases opened", TitleRU: "Открыто обращений", Unit: "short", Count: true},
		func(c *CaseComponents) Value { return count(c.Opened) }},
	{Meta{Name: "cases_open", Title: "Open cases", TitleRU: "Открытые обращения", Unit: "short", Count: true},
		func(c *CaseComponents) Value { return count(c.Open) }},
	{Meta{Name: "cases_overdue", Title: "Overdue cases", TitleRU: "Просроченные обращения", Unit: "short", Count: true},
		func(c *CaseComponents) Value { return count(c.Overdue) }},
	{Meta{Name: "case_first_action_hours", Title: "Time to first action", TitleRU: "Время до первого действия", Unit: "h", Decimals: 1},
		func(c *CaseComponents) Value { return meanHours(c.FirstActionSeconds, c.FirstActed) }},
	{Meta{Name: "case_resolution_hours", Title: "Time to resolution", TitleRU: "Время до решения", Unit: "h", Decimals: 1},
		func(c *CaseComponents) Value { return meanHours(c.ResolveSeconds, c.Resolved) }},
	{Meta{Name: "cases_resolved_in_sla", Title: "Resolved within SLA", TitleRU: "Решено в срок", Unit: "percent", Decimals: 1,
		Min: 0, Max: 100, HasRange: true, HigherIsBetter: true},
		func(c *CaseComponents) Value {
			v := Value{N: c.Resolved}
			if c.Resolved == 0 {
				return v
			}
			v.Valid, v.Value = true, 100*float64(c.ResolvedInSLA)/float64(c.Resolved)
			lo, hi := wilson(c.ResolvedInSLA, c.Resolved)
			v.Low, v.High, v.HasInterval = 100*lo, 100*hi, true
			return v
		}},
}

func count(n int64) Value { return Value{Value: float64(n), Valid: true, N: n} }

func meanHours(sum, n int64) Value {
	if n == 0 {
		return Value{}
	}
	return Value{Value: float64(sum) / float64(n) / 3600, Valid: true, N: n}
}

// ComputeCases computes every case KPI of c.
func ComputeCases(c *CaseComponents) []Value {
	out := make([]Value, len(CaseKPIs))
	for i, d := range CaseKPIs {
		out[i] = d.Formula(c)
		out[i].KPI = d.Name
	}
	return out
}

// CauseShare is one bar of the root-cause Pareto chart.
type CauseShare struct {
	Cause string  `json:"cause"`
	Count int64   `json:"count"`
	Share float64 `json:"share"`      // percent of all cause mentions
	Cumul float64 `json:"cumulative"` // percent, this cause and the larger ones
}

// Pareto orders the causes by count (ties by id) with their shares and the cumulative share.
func Pareto(causes map[string]int64) []CauseShare {
	var total int64
	out := make([]CauseShare, 0, len(causes))
	for k, v := range causes {
		total += v
		out = append(out, CauseShare{Cause: k, Count: v})
	}
	slices.SortFunc(out, func(a, b CauseShare) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Cause, b.Cause)
	})
	var run int64
	for i := range out {
		run += out[i].Count
		out[i].Share = 100 * float64(out[i].Count) / float64(total)
		out[i].Cumul = 100 * float64(run) / float64(total)
	}
	return out
}
