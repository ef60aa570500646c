package plugin

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/event"
)

// TestCasesQuery: the cases query type answers the cases (linking to the inbox), the case KPIs per
// location and the root-cause Pareto, computed from the cases' history.
func TestCasesQuery(t *testing.T) {
	env := newTestEnv(t)
	t0 := at("2026-11-23T10:00:00Z")
	loc := env.ds.cfg.Locations[0].ID
	act := func(id string, at time.Time, c event.Case) event.Event {
		return event.Event{ID: id, Type: event.TypeCase, Location: loc, Time: at, Case: &c}
	}
	env.insertEvents(t,
		event.Event{ID: "m1", Type: event.TypeMessage, Location: loc, Time: t0, Kind: "complaint", Message: &event.Message{Text: "slow"}},
		act("k1:open", t0, event.Case{ID: "k1", Action: "open", Rule: "complaint", Source: "message", Trigger: "m1"}),
		act("k1:r", t0.Add(2*time.Hour), event.Case{ID: "k1", Action: "resolve", Source: "message", Checklist: map[string]bool{"contacted": true},
			Causes: []string{"process.queue", "staff.politeness"}}),
		act("k2:open", t0.Add(time.Hour), event.Case{ID: "k2", Action: "open", Rule: "complaint", Source: "message", Trigger: "m2"}),
		act("k2:r", t0.Add(3*time.Hour), event.Case{ID: "k2", Action: "resolve", Source: "message", Checklist: map[string]bool{"contacted": true},
			Causes: []string{"process.queue"}}),
	)
	dr := env.query(t, QueryCases, nil, t0, t0.Add(4*time.Hour))
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	if len(dr.Frames) != 3 {
		t.Fatalf("%d frames, want cases, case_kpis, root_causes", len(dr.Frames))
	}
	cases := dr.Frames[0]
	if n, _ := cases.RowLen(); n != 2 || cases.Fields[1].At(0) != "k2" {
		t.Fatalf("cases frame: %d rows, first %v", n, cases.Fields[1].At(0))
	}
	if l := cases.Fields[1].Config.Links; len(l) != 1 || l[0].URL != InboxURL {
		t.Errorf("case ids do not link to the inbox: %+v", l)
	}
	kpis := dr.Frames[1]
	// Two cases resolved in 2 h each, both within the 24 h SLA.
	for _, c := range []struct {
		field string
		want  float64
	}{{"cases_opened", 2}, {"case_resolution_hours", 2}, {"cases_resolved_in_sla", 100}, {"cases_open", 0}} {
		f, _ := kpis.FieldByName(c.field)
		if f == nil || *(f.At(0).(*float64)) != c.want {
			t.Errorf("%s = %v, want %v", c.field, f, c.want)
		}
	}
	pareto := dr.Frames[2]
	if pareto.Fields[0].At(0) != "process.queue" || pareto.Fields[1].At(0) != int64(2) || pareto.Fields[3].At(1) != float64(100) {
		t.Errorf("pareto: %v %v %v", pareto.Fields[0].At(0), pareto.Fields[1].At(0), pareto.Fields[3].At(1))
	}
}

// TestCaseKPIsInTimeseries: the case KPIs are KPIs of the registry, so the timeseries query type (the
// plugin's kpis) serves them by the day the cases opened, equal to the cases query's case_kpis frame. Two
// cases of store-a open on the 23rd, one resolved after 2 h (in its 24 h SLA), one after 30 h (late);
// one opens on the 24th and stays open.
func TestCaseKPIsInTimeseries(t *testing.T) {
	env := newTestEnv(t)
	t0 := at("2026-11-23T10:00:00Z")
	act := func(id string, at time.Time, c event.Case) event.Event {
		return event.Event{ID: id, Type: event.TypeCase, Location: "store-a", Time: at, Case: &c}
	}
	resolve := func(id string, at time.Time) event.Event {
		return act(id+":r", at, event.Case{ID: id, Action: "resolve", Source: "message", Checklist: map[string]bool{"contacted": true}, Causes: []string{"process.queue"}})
	}
	env.insertEvents(t,
		act("k1:open", t0, event.Case{ID: "k1", Action: "open", Rule: "complaint", Source: "message", Trigger: "m1"}),
		resolve("k1", t0.Add(2*time.Hour)),
		act("k2:open", t0.Add(time.Hour), event.Case{ID: "k2", Action: "open", Rule: "complaint", Source: "message", Trigger: "m2"}),
		resolve("k2", t0.Add(31*time.Hour)),
		act("k3:open", t0.Add(20*time.Hour), event.Case{ID: "k3", Action: "open", Rule: "complaint", Source: "message", Trigger: "m3"}),
	)
	from, to := at("2026-11-23T00:00:00Z"), at("2026-11-25T00:00:00Z")
	dq := dataQuery(t, QueryTimeSeries, map[string]any{"kpis": []string{"cases_opened", "case_resolution_hours", "cases_resolved_in_sla"},
		"locations": []string{"store-a"}}, from, to)
	dq.Interval, dq.MaxDataPoints = 24*time.Hour, 2
	resp, err := env.ds.QueryData(t.Context(), newRequest(dq))
	if err != nil {
		t.Fatal(err)
	}
	dr := resp.Responses["A"]
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	_, values, _ := seriesValues(t, dr.Frames)
	var got []string
	for _, vs := range values {
		got = append(got, fmt.Sprint(fmtValues(vs)))
	}
	// Per day: opened 2 and 1; resolution (2+30)/2 = 16 h and none; in SLA 1 of 2 = 50 % and none.
	if want := []string{"[2 1]", "[16 <nil>]", "[50 <nil>]"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("timeseries %v, want %v", got, want)
	}
	// The cases query's figures of the whole range are the same registry KPIs.
	cq := env.query(t, QueryCases, map[string]any{"locations": []string{"store-a"}}, from, to)
	if cq.Error != nil {
		t.Fatal(cq.Error)
	}
	for name, want := range map[string]float64{"cases_opened": 3, "case_resolution_hours": 16, "cases_resolved_in_sla": 50, "cases_open": 1} {
		f, _ := cq.Frames[1].FieldByName(name)
		if f == nil || f.Len() != 1 || f.At(0).(*float64) == nil || *f.At(0).(*float64) != want {
			t.Errorf("case_kpis %s = %v, want %v", name, f, want)
		}
	}
	if i := slices.IndexFunc(kpiInfos(), func(i KPIInfo) bool { return i.Name == "case_resolution_hours" }); i < 0 || kpiInfos()[i].Unit != "h" {
		t.Errorf("the editor's KPI list lacks case_resolution_hours in hours: %v", kpiInfos())
	}
}

// TestCaseKPIsKeepTheirWindow: the case KPIs are judged over cases.status_window (7d) only, so the current
// and geo query types asked for another window keep their 7d lights: store-a's overdue cases are red
// beside its green 1h NPS, and its flag is red by them.
func TestCaseKPIsKeepTheirWindow(t *testing.T) {
	env := newTestEnv(t)
	t1 := at("2026-11-23T10:05:00Z")
	env.insertStatuses(t,
		status{"store-a", "nps", "1h", t1, f64(70), 40, "green", f64(30), f64(0), "higher"},
		status{"store-a", "nps", "15m", t1, f64(10), 40, "yellow", f64(30), f64(0), "higher"},
		status{"store-a", "cases_overdue", "7d", t1, f64(3), 5, "red", f64(0), f64(2), "lower"},
	)
	from, to := at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z")
	dr := env.query(t, QueryCurrent, map[string]any{"window": "1h"}, from, to)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	got := currentRows(dr.Frames[0])
	want := []currentRow{{"store-a", "cases_overdue", "7d", "red", 3.0, 5}, {"store-a", "nps", "1h", "green", 70.0, 40}}
	if !slices.Equal(got, want) {
		t.Errorf("current over 1h: %+v, want %+v", got, want)
	}
	geo := env.query(t, QueryGeo, map[string]any{"window": "1h", "kpis": []string{"nps", "cases_overdue"}}, from, to)
	if geo.Error != nil {
		t.Fatal(geo.Error)
	}
	if f := geo.Frames[0]; f.Fields[5].At(0) != "red" || f.Fields[7].At(0) != "cases_overdue" {
		t.Errorf("store-a on the map: %v by %v, want red by cases_overdue", f.Fields[5].At(0), f.Fields[7].At(0))
	}
}
