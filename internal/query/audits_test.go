package query

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/processor/buckets"
)

// stamped is cxm.yaml's retail template as the ingest stamps it.
func stamped(id, loc string, at time.Time, capAt float64, employee string, results ...string) event.Event {
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
	return event.Event{ID: id, Type: event.TypeAudit, Location: loc, Time: at, Audit: &event.Audit{Template: "retail",
		Auditor: event.Auditor{Role: event.AuditorMysteryShopper, ID: "agency"}, Employee: employee, Elements: els, Cap: &capAt,
		Evidence: []string{"audits/" + loc + "/" + id + ".jpg"}}}
}

const (
	met = event.ResultMet
	not = event.ResultNotMet
	na  = event.ResultNA
)

func auditLocations() []config.Location {
	return []config.Location{{ID: "store-a", Region: "r1"}, {ID: "store-b", Region: "r1"}, {ID: "store-c", Region: "r2"}}
}

// writeAudits stores events as the processor does: raw rows, and audit_minute deltas from buckets.Deltas,
// one flush per event so the same minutes get several delta rows.
func writeAudits(t *testing.T, evs []event.Event) (*Engine, string) {
	t.Helper()
	conn, db := testDB(t)
	ctx := context.Background()
	for i, e := range evs {
		d := buckets.NewDeltas()
		d.Add(&e)
		if err := buckets.InsertAudits(ctx, conn, db, []buckets.AuditDeltas{{Mark: buckets.Mark{Partition: 0, LastOffset: int64(i)}, Audits: d.Audits}}); err != nil {
			t.Fatal(err)
		}
		if err := clickhouse.InsertEvents(ctx, conn, db, []clickhouse.EventRow{{Event: e, Received: e.Time, KafkaOffset: int64(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	return New(conn, db, auditLocations(), Limits{Timeout: 20 * time.Second, MaxRows: 1 << 30, MaxRange: 400 * 24 * time.Hour, MaxExportRows: 100}), db
}

func TestAuditsHandComputed(t *testing.T) {
	day1 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) // a Monday
	day2 := day1.Add(24*time.Hour + 3*time.Hour)
	e, _ := writeAudits(t, []event.Event{
		stamped("a1", "store-a", day1, 0, "emp-1", met, not, met, na, met, met),                   // 7/8 = 87.5
		stamped("a2", "store-a", day2, 0, "emp-1", not, met, met, met, met, met),                  // critical failed: 0 (77.78 uncapped)
		stamped("b1", "store-b", day1.Add(time.Minute), 0, "emp-2", met, met, met, met, met, met), // 100
		stamped("c1", "store-c", day2, -1, "", not, met, met, met, met, met),                      // no cap: 7/9 = 77.7778
	})
	th := kpi.Threshold{Direction: kpi.HigherIsBetter, Yellow: 90, Red: 80, MinN: 1}
	from, to := day1.Add(-time.Hour), day2.Add(time.Hour)
	ask := func(r AuditsRequest) map[string]AuditSeries {
		t.Helper()
		r.From, r.To, r.Threshold = from, to, th
		got, err := e.Audits(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]AuditSeries{}
		for _, s := range got {
			out[s.Key+"/"+s.Item] = s
		}
		return out
	}
	near := func(name string, p AuditPoint, want float64, n int64, status string) {
		t.Helper()
		if p.Value == nil || math.Abs(*p.Value-want) > 1e-9 || p.N != n || p.Status != status {
			v := math.NaN()
			if p.Value != nil {
				v = *p.Value
			}
			t.Errorf("%s = %v of %d (%s), want %v of %d (%s)", name, v, p.N, p.Status, want, n, status)
		}
	}
	loc := ask(AuditsRequest{})
	near("store-a", loc["store-a/"].Total, 43.75, 2, "red")
	near("store-b", loc["store-b/"].Total, 100, 1, "green")
	near("store-c", loc["store-c/"].Total, 77.7778, 1, "red")

	// Regions and the network pool visits: equal weight per visit, not a mean of the stores' means.
	reg := ask(AuditsRequest{Group: GroupRegion})
	near("r1", reg["r1/"].Total, 62.5, 3, "red")
	all := ask(AuditsRequest{Group: GroupAll})
	near("all", all["/"].Total, 66.31945, 4, "red") // (875000 + 0 + 1000000 + 777778) / 4 units
	if s := all["/"].Total; s.Sum != 2652778 || s.SumSq != 875000*875000+1000000*1000000+777778*777778 {
		t.Errorf("all components %d %d", s.Sum, s.SumSq)
	}

	// Re-aggregation across time: day buckets, and the week holds both days.
	days := ask(AuditsRequest{Group: GroupAll, Step: "day"})["/"].Points
	if len(days) != 2 {
		t.Fatalf("%d day points", len(days))
	}
	near("day 1", days[0], 93.75, 2, "green")
	near("day 2", days[1], 38.8889, 2, "red")
	weeks := ask(AuditsRequest{Group: GroupAll, Step: "week"})["/"].Points
	if len(weeks) != 1 || !weeks[0].Start.Equal(day1.Truncate(24*time.Hour)) {
		t.Fatalf("week points %+v", weeks)
	}
	near("week", weeks[0], 66.31945, 4, "red")

	// Factors: the cap is the visit's verdict, factors are not capped.
	f := ask(AuditsRequest{By: "factor", Locations: []string{"store-a"}})
	near("store-a greeting", f["store-a/greeting"].Total, 50, 2, "red") // (66.6667 + 33.3333) / 2
	near("store-a needs", f["store-a/needs"].Total, 100, 2, "green")
	emp := ask(AuditsRequest{By: "employee", Group: GroupAll})
	near("emp-1", emp["/emp-1"].Total, 43.75, 2, "red")
	near("emp-2", emp["/emp-2"].Total, 100, 1, "green")
	if _, ok := emp["/"]; ok {
		t.Error("a visit without an employee has an employee series")
	}
	el := ask(AuditsRequest{By: "element", Group: GroupAll})
	near("fitting", el["/fitting"].Total, 100, 3, "green") // n/a at a1: 3 visits
	near("greet", el["/greet"].Total, 50, 4, "red")

	// Scope: a token limited to store-b cannot read store-a.
	if _, err := e.Audits(context.Background(), AuditsRequest{From: from, To: to, Locations: []string{"store-a"}, Scope: func(l string) bool { return l == "store-b" }}); err == nil {
		t.Error("scope not applied")
	}

	vs, err := e.AuditVisits(context.Background(), AuditVisitsRequest{From: from, To: to, Regions: []string{"r1"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 3 || vs[0].ID != "a2" || vs[0].Score == nil || *vs[0].Score != 0 || !vs[0].Capped ||
		vs[0].Factors["greeting"] != 33.3333 || vs[0].Audit.Evidence[0] != "audits/store-a/a2.jpg" {
		t.Fatalf("visits %+v", vs)
	}
}
