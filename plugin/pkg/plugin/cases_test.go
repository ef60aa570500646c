package plugin

import (
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
