package query

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
)

// casesFixture writes hand-made case histories (in two insert blocks, actions out of order) and returns
// an engine over them and the evaluation time. The figures the tests expect are computed by hand in
// their comments.
func casesFixture(t *testing.T) (*Engine, time.Time, time.Time) {
	t.Helper()
	conn, db := testDB(t)
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	h := func(n float64) time.Time { return t0.Add(time.Duration(n * float64(time.Hour))) }
	act := func(loc, caseID, id string, at time.Time, c event.Case) clickhouse.EventRow {
		c.ID = caseID
		return clickhouse.EventRow{Event: event.Event{ID: id, Type: event.TypeCase, Location: loc, Time: at, Case: &c}, Received: at}
	}
	open := func(loc, caseID string, at time.Time, rule, source, trigger string) clickhouse.EventRow {
		return act(loc, caseID, caseID+":open", at, event.Case{Action: "open", Rule: rule, Source: source, Trigger: trigger})
	}
	full := map[string]bool{"contacted": true, "justified": true, "recovered": true}
	first := []clickhouse.EventRow{
		{Event: event.Event{ID: "m1", Type: event.TypeMessage, Location: "s1", Time: h(0), Kind: "complaint", Message: &event.Message{Text: "rude cashier", Voice: "rec/m1.webm"}}, Received: h(0)},
		{Event: event.Event{ID: "v2", Type: event.TypeSurvey, Location: "s1", Time: h(1), Survey: "default", Answers: &event.Answers{CSAT: ptr(1)}}, Received: h(1)},
		// c1: assigned after 1 h, qualified, resolved after 3 h with two causes: in SLA.
		act("s1", "c1", "c1:3", h(3), event.Case{Action: "resolve", Source: "message", Checklist: full, Causes: []string{"staff.politeness", "process.queue"}}),
		open("s1", "c1", h(0), "complaint", "message", "m1"),
		act("s1", "c1", "c1:1", h(1), event.Case{Action: "assign", Assignee: "ann"}),
		act("s1", "c1", "c1:2", h(2), event.Case{Action: "qualify", Source: "message", Checklist: map[string]bool{"contacted": true}}),
		// c2: commented after 2 h, resolved at 30 h (out of SLA), reopened at 31 h: open and overdue.
		open("s1", "c2", h(1), "low-csat", "survey", "v2"),
		act("s1", "c2", "c2:1", h(3), event.Case{Action: "comment", Note: "called"}),
	}
	second := []clickhouse.EventRow{
		act("s1", "c2", "c2:3", h(31), event.Case{Action: "reopen"}),
		act("s1", "c2", "c2:2", h(30), event.Case{Action: "resolve", Source: "survey", Checklist: full, Causes: []string{"process.queue"}}),
		// c3: never touched: open, overdue.
		open("s2", "c3", h(2), "complaint", "message", "m3"),
		// a resolve of c3 claimed from another location changes nothing.
		act("s3", "c3", "c3:forged", h(5), event.Case{Action: "resolve", Source: "message", Checklist: full, Causes: []string{"staff.politeness"}}),
		// c4: resolved after 1 h.
		open("s3", "c4", h(40), "complaint", "message", "m4"),
		act("s3", "c4", "c4:1", h(41), event.Case{Action: "resolve", Source: "message", Checklist: full, Causes: []string{"product.availability"}}),
		// c5 opened before the range.
		open("s1", "c5", h(-1), "complaint", "message", "m5"),
	}
	for _, rows := range [][]clickhouse.EventRow{first, second} {
		if err := clickhouse.InsertEvents(context.Background(), conn, db, rows); err != nil {
			t.Fatal(err)
		}
	}
	locs := []config.Location{{ID: "s1", Region: "north"}, {ID: "s2", Region: "north"}, {ID: "s3", Region: "south"}}
	return New(conn, db, locs, Limits{}).WithCases(&cfg.Cases), t0, h(48)
}

func ptr(v int) *int { return &v }

// TestCasesState: the state of each case is what its history says, whatever the order the actions were
// written in; the customer's words come along.
func TestCasesState(t *testing.T) {
	e, t0, now := casesFixture(t)
	ctx := context.Background()
	cs, err := e.Cases(ctx, CasesRequest{From: t0, To: now, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Case{}
	for _, c := range cs {
		byID[c.ID] = c
	}
	if len(cs) != 4 || cs[0].ID != "c4" {
		t.Fatalf("cases %v, want c4, c3, c2, c1 (newest first)", cs)
	}
	c1 := byID["c1"]
	if c1.Status != CaseResolved || c1.Assignee != "ann" || !c1.Resolved.Equal(t0.Add(3*time.Hour)) || !c1.FirstAction.Equal(t0.Add(time.Hour)) ||
		!reflect.DeepEqual(c1.Causes, []string{"staff.politeness", "process.queue"}) || len(c1.Checklist) != 3 || c1.Actions != 4 || c1.Overdue {
		t.Errorf("c1 = %+v", c1)
	}
	if w := c1.Words; w == nil || w.Text != "rude cashier" || w.Voice != "rec/m1.webm" || w.Kind != "complaint" {
		t.Errorf("c1 words = %+v", w)
	}
	if c2 := byID["c2"]; c2.Status != CaseOpen || c2.Resolved != nil || !c2.Overdue || c2.Unanswered || c2.Words == nil || c2.Words.CSAT == nil || *c2.Words.CSAT != 1 {
		t.Errorf("c2 = %+v", c2)
	}
	if c3 := byID["c3"]; c3.Status != CaseOpen || c3.FirstAction != nil || !c3.Overdue || !c3.Unanswered || c3.Actions != 1 || c3.Region != "north" {
		t.Errorf("c3 = %+v (a forged resolve from another location must not count)", c3)
	}
	for _, tc := range []struct {
		status string
		want   []string
	}{{"resolved", []string{"c4", "c1"}}, {"overdue", []string{"c3", "c2"}}, {"assigned", nil}, {"open", []string{"c3", "c2"}}} {
		cs, err := e.Cases(ctx, CasesRequest{From: t0, To: now, Now: now, Status: tc.status})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		if !reflect.DeepEqual(ids, tc.want) {
			t.Errorf("status %s: %v, want %v", tc.status, ids, tc.want)
		}
	}
	c, hist, err := e.CaseHistory(ctx, "c2", t0, now, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range hist {
		actions = append(actions, a.Action)
	}
	if c.ID != "c2" || !reflect.DeepEqual(actions, []string{"open", "comment", "resolve", "reopen"}) {
		t.Errorf("history of c2: %v", actions)
	}
}

// TestCasesScope: a token of s1 sees s1's cases only, and not another location's case by id.
func TestCasesScope(t *testing.T) {
	e, t0, now := casesFixture(t)
	only := func(loc string) bool { return loc == "s1" }
	cs, err := e.Cases(context.Background(), CasesRequest{From: t0, To: now, Now: now, Scope: only})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].ID != "c2" || cs[1].ID != "c1" {
		t.Errorf("scoped cases %v, want c2, c1", cs)
	}
	if _, _, err := e.CaseHistory(context.Background(), "c4", t0, now, now, only); err == nil {
		t.Errorf("a case of s3 was read with a token of s1")
	}
}

// TestCaseFigures: the KPIs on the hand-computed cases, all together and per region.
func TestCaseFigures(t *testing.T) {
	e, t0, now := casesFixture(t)
	all, err := e.CaseFigures(context.Background(), CaseFiguresRequest{From: t0, To: now, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	// Opened c1..c4; open c2, c3, both overdue; first actions 1 h (c1), 2 h (c2), 1 h (c4); resolved c1 in
	// 3 h and c4 in 1 h, both within the 24 h SLA; causes: process.queue twice (c1, c2's last), the others once.
	want := kpi.CaseComponents{Opened: 4, Open: 2, Overdue: 2, FirstActed: 3, FirstActionSeconds: 4 * 3600, Resolved: 2,
		ResolveSeconds: 4 * 3600, ResolvedInSLA: 2, Causes: map[string]int64{"process.queue": 2, "staff.politeness": 1, "product.availability": 1}}
	if len(all) != 1 || !reflect.DeepEqual(all[0].Components, want) {
		t.Fatalf("components %+v, want %+v", all, want)
	}
	vals := map[string]float64{}
	for _, v := range all[0].Values {
		vals[v.KPI] = v.Value
	}
	for k, w := range map[string]float64{"cases_opened": 4, "cases_open": 2, "cases_overdue": 2, "case_first_action_hours": 4.0 / 3,
		"case_resolution_hours": 2, "cases_resolved_in_sla": 100} {
		if math.Abs(vals[k]-w) > 1e-9 {
			t.Errorf("%s = %v, want %v", k, vals[k], w)
		}
	}
	p := all[0].Pareto
	if len(p) != 3 || p[0].Cause != "process.queue" || p[0].Share != 50 || p[1].Cause != "product.availability" || p[1].Cumul != 75 || p[2].Cumul != 100 {
		t.Errorf("pareto %+v", p)
	}
	regions, err := e.CaseFigures(context.Background(), CaseFiguresRequest{From: t0, To: now, Now: now, GroupBy: "region"})
	if err != nil {
		t.Fatal(err)
	}
	if len(regions) != 2 || regions[0].Region != "north" || regions[0].Components.Opened != 3 || regions[0].Components.Resolved != 1 ||
		regions[1].Region != "south" || regions[1].Components.ResolvedInSLA != 1 {
		t.Errorf("regions %+v", regions)
	}
	var sum kpi.CaseComponents
	for _, r := range regions {
		sum.Add(&r.Components)
	}
	if !reflect.DeepEqual(sum, want) {
		t.Errorf("regions do not add up to the whole: %+v", sum)
	}
}
