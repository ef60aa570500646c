package kpi

import (
	"cmp"
	"slices"
)

// The closed loop's KPIs are KPIs of the registry (Def.Cases): they are listed, judged against
// thresholds, written to kpi_status and served wherever the other KPIs are. A case's figures depend on its
// whole history (the time to resolution needs the time it opened), which the processor's per-event feeds
// into minute components cannot see, so their components are not columns of kpi_minute: the query engine
// derives each case's state from its history in the raw events table and adds the cases up, by the bucket
// they opened in, into CaseComponents (Components.Case), which are additive like Components (a region's
// figures are the formula on the sum of its locations', never a mean of their percentages).

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

// CaseDefs are the closed loop's KPIs, registered with the built-in ones. The counts (opened, open,
// overdue) have N = the cases opened, and no value without a case (like visitors without a visitor), so a
// location without cases is grey, not green; the times are means over the cases acted on or resolved;
// cases_resolved_in_sla is a share of the resolved cases with its Wilson interval.
var CaseDefs = []Def{
	{Meta: Meta{Name: "cases_opened", Title: "Cases opened", TitleRU: "Открыто обращений", Unit: "short", Count: true}, Cases: true,
		Formula: func(c *Components, _ Options) (v Value) { v.count(c.cases().Opened, c.cases().Opened); return v }},
	{Meta: Meta{Name: "cases_open", Title: "Open cases", TitleRU: "Открытые обращения", Unit: "short", Count: true}, Cases: true,
		Formula: func(c *Components, _ Options) (v Value) { v.count(c.cases().Open, c.cases().Opened); return v }},
	{Meta: Meta{Name: "cases_overdue", Title: "Overdue cases", TitleRU: "Просроченные обращения", Unit: "short", Count: true}, Cases: true,
		Formula: func(c *Components, _ Options) (v Value) { v.count(c.cases().Overdue, c.cases().Opened); return v }},
	{Meta: Meta{Name: "case_first_action_hours", Title: "Time to first action", TitleRU: "Время до первого действия", Unit: "h", Decimals: 1}, Cases: true,
		Formula: func(c *Components, _ Options) Value {
			return meanHours(c.cases().FirstActionSeconds, c.cases().FirstActed)
		}},
	{Meta: Meta{Name: "case_resolution_hours", Title: "Time to resolution", TitleRU: "Время до решения", Unit: "h", Decimals: 1}, Cases: true,
		Formula: func(c *Components, _ Options) Value { return meanHours(c.cases().ResolveSeconds, c.cases().Resolved) }},
	{Meta: Meta{Name: "cases_resolved_in_sla", Title: "Resolved within SLA", TitleRU: "Решено в срок", Unit: "percent", Decimals: 1,
		Min: 0, Max: 100, HasRange: true, HigherIsBetter: true}, Cases: true, Interval: "Wilson score",
		Formula: func(c *Components, _ Options) Value { return Proportion(c.cases().ResolvedInSLA, c.cases().Resolved) }},
}

// cases are the case components of c; a nil Components.Case reads as none.
func (c *Components) cases() CaseComponents {
	if c.Case == nil {
		return CaseComponents{}
	}
	return *c.Case
}

func meanHours(sum, n int64) Value {
	if n == 0 {
		return Value{}
	}
	return Value{Value: float64(sum) / float64(n) / 3600, Valid: true, N: n}
}

// IsCase reports whether the KPI is a case KPI (its components are Components.Case).
func IsCase(name string) bool {
	d, ok := Builtin.Lookup(name)
	return ok && d.Cases
}

// CaseNames are the case KPIs of the built-in registry, in listing order.
func CaseNames() []string {
	var out []string
	for _, n := range Names {
		if IsCase(n) {
			out = append(out, n)
		}
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
