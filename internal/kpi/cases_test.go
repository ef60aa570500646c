package kpi

import (
	"slices"
	"testing"
)

// TestCaseKPIs: the case KPIs are KPIs of the registry, computed from Components.Case. Hand-computed: 5
// cases opened, 2 of them open (1 overdue); 4 acted on after 1, 2, 3 and 6 h (mean 3 h); 3 resolved after
// 2, 4 and 30 h (mean 12 h), 2 within their SLA: 66.7 %, Wilson 95 % interval 20.77..93.85 (k 2, n 3).
func TestCaseKPIs(t *testing.T) {
	c := Components{Case: &CaseComponents{Opened: 5, Open: 2, Overdue: 1, FirstActed: 4, FirstActionSeconds: 12 * 3600,
		Resolved: 3, ResolveSeconds: 36 * 3600, ResolvedInSLA: 2}}
	for _, tc := range []struct {
		name     string
		value    float64
		n        int64
		lo, hi   float64 // 0, 0: no interval
		lowerBad bool
	}{
		{"cases_opened", 5, 5, 0, 0, false},
		{"cases_open", 2, 5, 0, 0, false},
		{"cases_overdue", 1, 5, 0, 0, false},
		{"case_first_action_hours", 3, 4, 0, 0, false},
		{"case_resolution_hours", 12, 3, 0, 0, false},
		{"cases_resolved_in_sla", 200.0 / 3, 3, 20.77, 93.85, true},
	} {
		if !Known(tc.name) || !IsCase(tc.name) {
			t.Fatalf("%s is not a case KPI of the registry", tc.name)
		}
		v := Compute(tc.name, &c, Options{})
		if !v.Valid || !near(v.Value, tc.value) || v.N != tc.n || v.KPI != tc.name {
			t.Errorf("%s = %+v, want %v n %d", tc.name, v, tc.value, tc.n)
		}
		if v.HasInterval != (tc.hi > 0) || tc.hi > 0 && (abs(v.Low-tc.lo) > 0.005 || abs(v.High-tc.hi) > 0.005) {
			t.Errorf("%s interval %v..%v (%v), want %v..%v", tc.name, v.Low, v.High, v.HasInterval, tc.lo, tc.hi)
		}
		if (DefaultDirection(tc.name) == HigherIsBetter) != tc.lowerBad {
			t.Errorf("%s: direction %s", tc.name, DefaultDirection(tc.name))
		}
	}
	// No case, or no Components.Case at all: no value (grey, not a green zero).
	for _, c := range []*Components{{}, {Case: &CaseComponents{}}} {
		for _, n := range CaseNames() {
			if v := Compute(n, c, Options{}); v.Valid || v.N != 0 {
				t.Errorf("%s without cases = %+v", n, v)
			}
		}
	}
	if got := CaseNames(); !slices.Equal(got, []string{"cases_opened", "cases_open", "cases_overdue", "case_first_action_hours",
		"case_resolution_hours", "cases_resolved_in_sla"}) {
		t.Errorf("CaseNames = %v", got)
	}
	if IsCase("nps") {
		t.Error("nps is not a case KPI")
	}
}

func abs(x float64) float64 { return max(x, -x) }
