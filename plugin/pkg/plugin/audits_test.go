package plugin

import (
	"context"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/processor/buckets"
)

func auditVisit(id, loc string, at time.Time, greet, smile string) event.Event {
	capAt := 0.0
	return event.Event{ID: id, Type: event.TypeAudit, Location: loc, Time: at, Audit: &event.Audit{Template: "retail",
		Auditor: event.Auditor{Role: event.AuditorMysteryShopper, ID: "a"}, Cap: &capAt, Evidence: []string{"audits/" + loc + "/" + id},
		Elements: []event.AuditResult{
			{Element: "greet", Result: greet, Factor: "greeting", Weight: 3},
			{Element: "smile", Result: smile, Factor: "closing", Weight: 1},
		}}}
}

// TestAuditsQuery: the audits query type serves the ИВС per location (a visit 3 of 4 = 75 and one 4 of 4 =
// 100 at store-a: 87.5; 1 of 4 = 25 at store-b), factors as columns, a weekly trend and the latest visits, as the API does.
func TestAuditsQuery(t *testing.T) {
	env := newTestEnv(t)
	t0 := at("2026-11-23T10:00:00Z") // a Monday
	evs := []event.Event{
		auditVisit("v1", "store-a", t0, event.ResultMet, event.ResultNotMet),
		auditVisit("v2", "store-a", t0.Add(time.Hour), event.ResultMet, event.ResultMet),
		auditVisit("v3", "store-b", t0.Add(2*time.Hour), event.ResultNotMet, event.ResultMet),
	}
	env.insertEvents(t, evs...)
	for i, e := range evs {
		d := buckets.NewDeltas()
		d.Add(&e)
		if err := buckets.InsertAudits(context.Background(), env.conn, env.ch.Database, []buckets.AuditDeltas{{Mark: buckets.Mark{LastOffset: int64(i)}, Audits: d.Audits}}); err != nil {
			t.Fatal(err)
		}
	}
	from, to := t0.Add(-time.Hour), t0.Add(24*time.Hour)

	dr := env.query(t, QueryAudits, nil, from, to)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	f := dr.Frames[0]
	if f.Rows() != 2 || f.Fields[0].At(0) != "store-a" || *f.Fields[2].At(0).(*float64) != 87.5 || f.Fields[3].At(0).(int64) != 2 ||
		*f.Fields[2].At(1).(*float64) != 25 {
		t.Fatalf("ИВС table: %v", f.Fields)
	}
	if th := f.Fields[2].Config.Thresholds; th == nil || len(th.Steps) != 3 {
		t.Errorf("ИВС thresholds %+v", th)
	}

	dr = env.query(t, QueryAudits, map[string]any{"auditBy": "factor"}, from, to)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	f = dr.Frames[0]
	if len(f.Fields) != 4 || f.Fields[2].Name != "retail/closing" || *f.Fields[2].At(0).(*float64) != 50 || *f.Fields[3].At(0).(*float64) != 100 {
		t.Fatalf("factor table: %v", f.Fields)
	}

	dr = env.query(t, QueryAudits, map[string]any{"auditStep": "week", "group": "all"}, from, to)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	if len(dr.Frames) != 1 || dr.Frames[0].Rows() != 1 || *dr.Frames[0].Fields[1].At(0).(*float64) != 200.0/3 {
		t.Fatalf("trend: %v", dr.Frames)
	}

	dr = env.query(t, QueryAudits, map[string]any{"auditVisits": true, "locations": []string{"store-a"}}, from, to)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	f = dr.Frames[0]
	if f.Rows() != 2 || *f.Fields[5].At(0).(*float64) != 100 || f.Fields[7].At(0) != "audits/store-a/v2" || len(f.Fields[7].Config.Links) != 1 {
		t.Fatalf("visits: %v", f.Fields)
	}

	if dr := env.query(t, QueryAudits, map[string]any{"auditBy": "colour"}, from, to); dr.Error == nil {
		t.Error("auditBy colour accepted")
	}
}
