package query

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/kpi"
)

// TestCaseKPIs: the case KPIs of a KPI request, summed by ClickHouse per series key and opening bucket,
// are the hand-computed figures of casesFixture, and equal CaseFigures' on the same cases for every
// grouping, bucket and "now".
func TestCaseKPIs(t *testing.T) {
	e, t0, end := casesFixture(t)
	ctx := context.Background()
	names := kpi.CaseNames()
	// Hand-computed (TestCaseFigures): c1..c4 opened; c2 and c3 open and overdue at end; first actions 1 h
	// (c1), 2 h (c2), 1 h (c4): 4/3 h; c1 resolved in 3 h and c4 in 1 h, both in the 24 h SLA.
	res, err := e.KPIs(ctx, Request{KPIs: append([]string{"nps"}, names...), Group: GroupAll, From: t0, To: end, Now: end})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]float64{"cases_opened": {4, 4}, "cases_open": {2, 4}, "cases_overdue": {2, 4},
		"case_first_action_hours": {4.0 / 3, 3}, "case_resolution_hours": {2, 2}, "cases_resolved_in_sla": {100, 2}}
	for _, s := range res.Series {
		p := s.Points[0]
		if s.KPI == "nps" {
			if p.Value != nil || p.N != 0 {
				t.Errorf("nps beside the case KPIs: %v n %d, want none", p.Value, p.N)
			}
			continue
		}
		w := want[s.KPI]
		if p.Value == nil || !nearly(*p.Value, w[0]) || p.N != int64(w[1]) {
			t.Errorf("%s = %v n %d, want %v n %v", s.KPI, p.Value, p.N, w[0], w[1])
		}
	}
	wantC := kpi.CaseComponents{Opened: 4, Open: 2, Overdue: 2, FirstActed: 3, FirstActionSeconds: 4 * 3600, Resolved: 2,
		ResolveSeconds: 4 * 3600, ResolvedInSLA: 2}
	if c := res.Series[1].Points[0].Components.Case; c == nil || !reflect.DeepEqual(*c, wantC) {
		t.Errorf("components %+v, want %+v", c, wantC)
	}

	// Every grouping and step against CaseFigures over each bucket, at two "now"s: before c2 and c3 are
	// overdue (they open at 1 h and 2 h with a 24 h SLA) and after.
	for _, now := range []time.Time{t0.Add(20 * time.Hour), end} {
		for _, group := range []Group{GroupLocation, GroupRegion, GroupAll} {
			for _, step := range []Step{{}, {Minutes: 60}, {Days: 1}} {
				res, err := e.KPIs(ctx, Request{KPIs: names, Group: group, From: t0, To: end, Step: step, Now: now})
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range res.Series {
					for i, p := range s.Points {
						from, to := maxTime(p.Time, t0), end
						if i+1 < len(s.Points) {
							to = s.Points[i+1].Time
						}
						r := CaseFiguresRequest{From: from, To: to, Now: now}
						switch group {
						case GroupLocation:
							r.Locations = []string{s.Location}
						case GroupRegion:
							r.Regions = []string{s.Region}
						}
						fs, err := e.CaseFigures(ctx, r)
						if err != nil {
							t.Fatal(err)
						}
						var v kpi.Value
						if len(fs) == 1 {
							for _, x := range fs[0].Values {
								if x.KPI == s.KPI {
									v = x
								}
							}
						}
						if (p.Value != nil) != v.Valid || p.Value != nil && *p.Value != v.Value || p.N != v.N {
							t.Errorf("now %s %s step %q %s%s %s at %s: engine %v n %d, CaseFigures %+v", now.Format("15:04"), group, step,
								s.Location, s.Region, s.KPI, p.Time.Format(time.RFC3339), p.Value, p.N, v)
						}
					}
				}
			}
		}
	}
	// Before the SLAs ran out nothing was overdue.
	res, err = e.KPIs(ctx, Request{KPIs: []string{"cases_overdue", "cases_open"}, Group: GroupAll, From: t0, To: end, Now: t0.Add(20 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Series[0].Points[0]; p.Value == nil || *p.Value != 0 || p.N != 4 {
		t.Errorf("overdue at 20 h: %v n %d, want 0 of 4", p.Value, p.N)
	}
}

// TestCaseKPIsRuleSLA: a rule's own SLA decides overdue and in-SLA in the statement as in Case, to the
// second: with 3 h for complaints, c1 (resolved after exactly 3 h) is in its SLA, and c3 (opened at 2 h,
// never touched) is overdue after 5 h, not at 5 h.
func TestCaseKPIsRuleSLA(t *testing.T) {
	e, t0, end := casesFixture(t)
	cc := *e.casesConfig()
	cc.Rules = append(cc.Rules[:0:0], cc.Rules...)
	for i := range cc.Rules {
		if cc.Rules[i].ID == "complaint" {
			cc.Rules[i].SLA = 3 * time.Hour
		}
	}
	e.WithCases(&cc)
	h5 := t0.Add(5 * time.Hour)
	for _, tc := range []struct {
		now            time.Time
		overdue, inSLA int64
	}{{h5, 0, 2}, {h5.Add(500 * time.Millisecond), 1, 2}, {h5.Add(time.Second), 1, 2}, {end, 2, 2}} {
		res, err := e.KPIs(context.Background(), Request{KPIs: []string{"cases_resolved_in_sla", "cases_overdue"}, Group: GroupAll, From: t0, To: end, Now: tc.now})
		if err != nil {
			t.Fatal(err)
		}
		fs, err := e.CaseFigures(context.Background(), CaseFiguresRequest{From: t0, To: end, Now: tc.now})
		if err != nil {
			t.Fatal(err)
		}
		got := *res.Series[0].Points[0].Components.Case
		want := fs[0].Components
		want.Causes = nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("now %s: engine %+v, CaseFigures %+v", tc.now, got, want)
		}
		if got.Overdue != tc.overdue || got.ResolvedInSLA != tc.inSLA {
			t.Errorf("now %s: overdue %d in SLA %d, want %d and %d", tc.now, got.Overdue, got.ResolvedInSLA, tc.overdue, tc.inSLA)
		}
	}
}
