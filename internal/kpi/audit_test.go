package kpi

import (
	"math"
	"testing"

	"github.com/cxm-project/cxm/internal/event"
)

// retail is cxm.yaml's example template, stamped as the ingest stamps it: greeting (greet 2 critical,
// smile 1), needs (open_questions 2, fitting 1 n/a allowed), closing (offer 2, goodbye 1).
func retail(capAt float64, results ...string) *event.Audit {
	els := []event.AuditResult{
		{Element: "greet", Factor: "greeting", Weight: 2, Critical: true},
		{Element: "smile", Factor: "greeting", Weight: 1},
		{Element: "open_questions", Factor: "needs", Weight: 2},
		{Element: "fitting", Factor: "needs", Weight: 1},
		{Element: "offer", Factor: "closing", Weight: 2},
		{Element: "goodbye", Factor: "closing", Weight: 1},
	}
	for i := range els {
		els[i].Result = results[i]
	}
	return &event.Audit{Template: "retail", Auditor: event.Auditor{Role: "mystery_shopper", ID: "a"}, Elements: els, Cap: &capAt}
}

const (
	M  = event.ResultMet
	X  = event.ResultNotMet
	NA = event.ResultNA
)

func TestScoreVisitHandComputed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		audit  *event.Audit
		score  int64 // AuditScale units
		valid  bool
		capped bool
		factor map[string]int64
	}{
		// applicable 2+1+2+2+1 = 8 (fitting n/a), met 8-1 = 7: 87.5. greeting 2/3, needs 2/2, closing 3/3.
		{"smile missed, fitting n/a", retail(0, M, X, M, NA, M, M), 875000, true, false,
			map[string]int64{"greeting": 666667, "needs": 1000000, "closing": 1000000}},
		// applicable 9, met 7 = 77.78, but greet (critical) failed and the cap is 0.
		{"critical failed, cap 0", retail(0, X, M, M, M, M, M), 0, true, true,
			map[string]int64{"greeting": 333333, "needs": 1000000, "closing": 1000000}},
		// applicable 8, met 6 = 75, capped at 50.
		{"critical failed, cap 50", retail(50, X, M, M, NA, M, M), 500000, true, true, nil},
		// 6/8 = 75 is below a cap of 80: unchanged, not capped.
		{"critical failed, score under the cap", retail(80, X, M, M, NA, M, M), 750000, true, false, nil},
		// cap -1: no cap; applicable 9, met 7 = 77.7778 (rounded half up to 1/10000).
		{"critical failed, no cap", retail(-1, X, M, M, M, M, M), 777778, true, false, nil},
		{"everything n/a", retail(0, NA, NA, NA, NA, NA, NA), 0, false, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := ScoreVisit(tc.audit)
			if v.Score != tc.score || v.Valid != tc.valid || v.Capped != tc.capped {
				t.Fatalf("ScoreVisit = %+v, want score %d valid %v capped %v", v, tc.score, tc.valid, tc.capped)
			}
			comps := AuditComponents(tc.audit)
			if !tc.valid {
				if len(comps) != 0 {
					t.Fatalf("a visit without applicable elements adds %v", comps)
				}
				return
			}
			if got := comps[AuditKey{"retail", AuditVisit, ""}]; got != (AuditSum{1, tc.score, tc.score * tc.score}) {
				t.Fatalf("visit component %+v", got)
			}
			for f, want := range tc.factor {
				if got := comps[AuditKey{"retail", AuditFactor, f}]; got.N != 1 || got.Sum != want {
					t.Errorf("factor %s = %+v, want score %d", f, got, want)
				}
			}
			if _, ok := comps[AuditKey{"retail", AuditElement, "fitting"}]; ok == (tc.audit.Elements[3].Result == NA) {
				t.Errorf("element fitting n/a=%v but component present=%v", tc.audit.Elements[3].Result == NA, ok)
			}
		})
	}
}

func TestIVSMeanOverVisits(t *testing.T) {
	// Visits 87.5 and 0 (capped) at one store, 100 at another: a region's ИВС is the mean over the three
	// visits (62.5), not the mean of the stores' means ((43.75 + 100) / 2 = 71.875).
	var a, b, region AuditSum
	for _, au := range []*event.Audit{retail(0, M, X, M, NA, M, M), retail(0, X, M, M, M, M, M)} {
		a.Add(AuditComponents(au)[AuditKey{"retail", AuditVisit, ""}])
	}
	b.Add(AuditComponents(retail(0, M, M, M, M, M, M))[AuditKey{"retail", AuditVisit, ""}])
	region.Add(a)
	region.Add(b)
	if v := IVS(a); !v.Valid || v.N != 2 || v.Value != 43.75 {
		t.Fatalf("store A = %+v, want 43.75 of 2 visits", v)
	}
	// s² = (875000² − 2·437500²)/1 units² → s = 61.87184 points; h = 1.95996·s/√2 = 85.7486: clamped to 0..100.
	if v := IVS(a); !v.HasInterval || v.Low != 0 || v.High != 100 {
		t.Fatalf("store A interval %v..%v, want 0..100 (clamped)", v.Low, v.High)
	}
	v := IVS(region)
	if v.N != 3 || v.Value != 62.5 {
		t.Fatalf("region = %+v, want 62.5 of 3 visits", v)
	}
	// s² = (875000² + 0² + 1000000² − 3·625000²)/2 = 296875000000 units², s = 54.48624 points,
	// h = 1.959964·54.48624/√3 = 61.65585: 0.84415..124.16 clamped to 100.
	if math.Abs(v.High-100) > 1e-9 || math.Abs(v.Low-0.84415) > 1e-4 {
		t.Fatalf("region interval %v..%v", v.Low, v.High)
	}
	if v := IVS(b); v.HasInterval || v.Value != 100 || v.N != 1 {
		t.Fatalf("one visit = %+v, want 100 without interval", v)
	}
	// Tighter data: 90, 80, 85, 95 → mean 87.5, s = 6.4550, h = 1.95996·6.4550/2 = 6.3257.
	var tight AuditSum
	for _, x := range []int64{900000, 800000, 850000, 950000} {
		tight.Add(observe(x))
	}
	v = IVS(tight)
	if v.Value != 87.5 || math.Abs(v.Low-81.1743) > 1e-3 || math.Abs(v.High-93.8257) > 1e-3 {
		t.Fatalf("tight = %+v, want 87.5 in 81.174..93.826", v)
	}
}
