package query

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
)

// BenchmarkCaseKPIs is what a week of case KPIs costs: the statement reads every events row of the
// selected locations in the window (the sort key narrows by location and time, not by type) to find the
// cases' rows. 2,000,000 events over 100 locations and 7 days (about 2 a minute per location), 1 % of them
// case actions (10,000 cases, each opened and resolved); the status evaluator's question (every location,
// one point each) and one location's.
func BenchmarkCaseKPIs(b *testing.B) {
	conn, db := testDB(b)
	const events, locations = 2_000_000, 100
	end := time.Date(2026, 5, 11, 0, 0, 0, 0, time.UTC)
	start := end.Add(-7 * 24 * time.Hour)
	// Event n is at start + n·week/events, at location n/1000 mod 100; n ≡ 0 (mod 200) opens case n/200
	// and n + 100 resolves it (the same location: n mod 1000 ≤ 800).
	q := fmt.Sprintf(`INSERT INTO %s.events (id, type, location, device, time, received, case_id, action, rule, source, trigger_id)
SELECT toString(number), if(number %% 100 = 0, 'case', 'button'), concat('loc-', toString(intDiv(number, 1000) %% %d)), 'd',
    toDateTime(%d + intDiv(number * 604800, %d)), toDateTime(%d + intDiv(number * 604800, %d)),
    if(number %% 100 = 0, concat('k', toString(intDiv(number, 200))), ''),
    if(number %% 100 = 0, if(number %% 200 = 0, 'open', 'resolve'), ''),
    if(number %% 200 = 0, 'complaint', ''), if(number %% 100 = 0, 'message', ''), if(number %% 200 = 0, concat('m', toString(number)), '')
FROM numbers(%d)`, clickhouse.Ident(db), locations, start.Unix(), events, start.Unix(), events, events)
	if err := conn.Exec(context.Background(), q); err != nil {
		b.Fatal(err)
	}
	locs := make([]config.Location, locations)
	for i := range locs {
		locs[i] = config.Location{ID: fmt.Sprintf("loc-%d", i), Region: fmt.Sprintf("r%d", i%10)}
	}
	e := New(conn, db, locs, Limits{})
	names := kpi.CaseNames()
	for _, c := range []struct {
		name string
		r    Request
		want int64 // cases opened
	}{
		{"100 locations", Request{KPIs: names, From: start, To: end, Now: end}, events / 200},
		{"one location", Request{KPIs: names, Locations: []string{"loc-7"}, From: start, To: end, Now: end}, events / 200 / locations},
	} {
		res, err := e.KPIs(context.Background(), c.r)
		if err != nil {
			b.Fatal(err)
		}
		var opened int64
		for _, s := range res.Series {
			if s.KPI == "cases_opened" {
				opened += s.Points[0].N
			}
		}
		if opened != c.want {
			b.Fatalf("%s: %d cases opened, want %d", c.name, opened, c.want)
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := e.KPIs(context.Background(), c.r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
