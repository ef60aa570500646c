package status_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/query"
	"github.com/cxm-project/cxm/processor/status"
)

// TestCaseStatus: the case KPIs are judged by the evaluator like any KPI, over cases.status_window (7d by
// default) with the default thresholds of cxm.yaml, into kpi_status and cxm_indicator_status (so
// CXMIndicatorRed fires on them), and they colour the location's flag. Hand-computed at 10:30 over the
// cases opened in the 7 days before, SLA 24 h:
//   - store-001: three cases resolved after 30, 30 and 27 h, nothing done before: resolution and first
//     action 29 h (red past 24 h and 4 h), 0 of 3 within the SLA (red under 75 %), none overdue (green).
//   - store-002: three cases assigned after 30 min and resolved after 1, 2 and 3 h: 100 % (green), 2 h
//     (green under 12 h), 0.5 h (green under 2 h); its case of 8 days ago, resolved late, is outside.
//   - store-003: one case of 2 days ago never touched: 1 overdue (yellow: more than 0, at most 2); no
//     resolution, so no share nor time (grey).
//   - store-004: no case: grey.
func TestCaseStatus(t *testing.T) {
	e := newEnv(t)
	now := at("10:30")
	var rows []clickhouse.EventRow
	type action struct {
		after time.Duration // since the case opened
		c     event.Case
	}
	add := func(loc, id string, opened time.Time, actions ...action) {
		c := event.Case{ID: id, Action: "open", Rule: "complaint", Source: "message", Trigger: "m-" + id}
		rows = append(rows, clickhouse.EventRow{Event: event.Event{ID: id + ":open", Type: event.TypeCase, Location: loc, Time: opened, Case: &c}, Received: opened})
		for i, a := range actions {
			a.c.ID, a.c.Actor = id, "ann"
			when := opened.Add(a.after)
			rows = append(rows, clickhouse.EventRow{Event: event.Event{ID: fmt.Sprintf("%s:%d", id, i), Type: event.TypeCase, Location: loc, Time: when, Case: &a.c}, Received: when})
		}
	}
	full := map[string]bool{"contacted": true, "justified": true, "recovered": true}
	resolve := func(hours float64) action {
		return action{time.Duration(hours * float64(time.Hour)), event.Case{Action: "resolve", Source: "message", Checklist: full, Causes: []string{"process.queue"}}}
	}
	assign := action{30 * time.Minute, event.Case{Action: "assign", Assignee: "ann"}}
	day := 24 * time.Hour
	add("store-001", "a1", now.Add(-5*day), resolve(30))
	add("store-001", "a2", now.Add(-4*day), resolve(30))
	add("store-001", "a3", now.Add(-3*day), resolve(27))
	add("store-002", "b1", now.Add(-5*day), assign, resolve(1))
	add("store-002", "b2", now.Add(-4*day), assign, resolve(2))
	add("store-002", "b3", now.Add(-1*day), assign, resolve(3))
	add("store-002", "b0", now.Add(-8*day), resolve(30))
	add("store-003", "c1", now.Add(-2*day))
	if err := clickhouse.InsertEvents(context.Background(), e.conn.Conn, e.cfg.ClickHouse.Database, rows); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	ev := status.New(e.cfg, e.conn, nil, reg)
	if err := ev.EvaluateAt(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	got := e.statuses(t)
	const lo, hi = "lower", "higher"
	checkStatuses(t, got, now, []want{
		{"store-001", "case_resolution_hours", "7d", ptr(29), 3, "red", "10:30", ptr(12), ptr(24), lo},
		{"store-001", "case_first_action_hours", "7d", ptr(29), 3, "red", "10:30", ptr(2), ptr(4), lo},
		{"store-001", "cases_resolved_in_sla", "7d", ptr(0), 3, "red", "10:30", ptr(90), ptr(75), hi},
		{"store-001", "cases_overdue", "7d", ptr(0), 3, "green", "10:30", ptr(0), ptr(2), lo},
		{"store-001", "cases_opened", "7d", ptr(3), 3, "none", "10:30", nil, nil, lo},
		{"store-002", "case_resolution_hours", "7d", ptr(2), 3, "green", "10:30", ptr(12), ptr(24), lo},
		{"store-002", "case_first_action_hours", "7d", ptr(0.5), 3, "green", "10:30", ptr(2), ptr(4), lo},
		{"store-002", "cases_resolved_in_sla", "7d", ptr(100), 3, "green", "10:30", ptr(90), ptr(75), hi},
		{"store-003", "cases_overdue", "7d", ptr(1), 1, "yellow", "10:30", ptr(0), ptr(2), lo},
		{"store-003", "cases_open", "7d", ptr(1), 1, "none", "10:30", nil, nil, lo},
		{"store-003", "cases_resolved_in_sla", "7d", nil, 0, "grey", "10:30", ptr(90), ptr(75), hi},
		{"store-004", "cases_overdue", "7d", nil, 0, "grey", "10:30", ptr(0), ptr(2), lo},
	})
	for k := range got {
		if k[1] == "cases_overdue" && k[2] != "7d" {
			t.Errorf("%v: the case KPIs are judged over cases.status_window only", k)
		}
	}
	for _, tc := range []struct{ loc, kpi, status string }{
		{"store-001", "cases_resolved_in_sla", "red"}, {"store-001", "case_resolution_hours", "red"},
		{"store-002", "cases_resolved_in_sla", "green"}, {"store-003", "cases_overdue", "yellow"},
	} {
		if v, ok := gauge(t, reg, "cxm_indicator_status", map[string]string{"location": tc.loc, "kpi": tc.kpi, "status": tc.status}); !ok || v != 1 {
			t.Errorf("%s %s: cxm_indicator_status{status=%q} = %v, %v; want 1", tc.loc, tc.kpi, tc.status, v, ok)
		}
	}
	if v, ok := gauge(t, reg, "cxm_kpi_threshold", map[string]string{"location": "store-001", "kpi": "cases_resolved_in_sla", "level": "red"}); !ok || v != 75 {
		t.Errorf("cases_resolved_in_sla red threshold %v %v, want 75", v, ok)
	}
	// The flags read each KPI's own status window: store-001 is red by its cases (it has no other figure).
	var sts []query.Status
	for _, s := range got {
		if s.Window == e.cfg.StatusWindowOf(s.KPI) {
			sts = append(sts, s)
		}
	}
	flags := query.Flags([]string{"store-001", "store-002", "store-003", "store-004"}, sts)
	if f := flags["store-001"]; f.Status.String() != "red" || !slices.Contains(f.KPIs, "cases_resolved_in_sla") || !slices.Contains(f.KPIs, "case_resolution_hours") {
		t.Errorf("store-001 flag %s by %v, want red by cases_resolved_in_sla and case_resolution_hours", f.Status, f.KPIs)
	}
	if f := flags["store-003"]; f.Status.String() != "yellow" || !slices.Equal(f.KPIs, []string{"cases_overdue"}) {
		t.Errorf("store-003 flag %s by %v, want yellow by cases_overdue", f.Status, f.KPIs)
	}
	if f := flags["store-004"]; f.Status.String() != "grey" {
		t.Errorf("store-004 without cases: flag %s, want grey", f.Status)
	}

	// An evaluation after a flush judges the status window's minute figures, not the case KPIs (they read
	// a week of raw events and do not move with a flush); the next tick does.
	later := now.Add(90 * time.Second)
	if err := ev.EvaluateFresh(context.Background(), nil, later, false); err != nil {
		t.Fatal(err)
	}
	got = e.statuses(t)
	if s := got[[3]string{"store-001", "nps", "1h"}]; !s.EvaluatedAt.Equal(later) {
		t.Errorf("nps after the flush evaluation: evaluated at %s, want %s", s.EvaluatedAt, later)
	}
	if s := got[[3]string{"store-001", "cases_resolved_in_sla", "7d"}]; !s.EvaluatedAt.Equal(now) || s.Status.String() != "red" {
		t.Errorf("cases_resolved_in_sla after the flush evaluation: %s at %s, want red from %s", s.Status, s.EvaluatedAt, now)
	}
	if err := ev.EvaluateFresh(context.Background(), nil, later.Add(time.Second), true); err != nil {
		t.Fatal(err)
	}
	if s := e.statuses(t)[[3]string{"store-001", "cases_resolved_in_sla", "7d"}]; !s.EvaluatedAt.Equal(later.Add(time.Second)) {
		t.Errorf("cases_resolved_in_sla at the tick: evaluated at %s", s.EvaluatedAt)
	}
}
