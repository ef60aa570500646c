package plugin

import (
	"context"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/testutil"
)

// minute is one kpi_minute row of the fixtures: only the components the tests use.
type minute struct {
	location                                       string
	at                                             time.Time
	promoters, passives, detractors, visitors, rec int64
}

// status is one kpi_status row of the fixtures.
type status struct {
	location, kpi, window string
	evaluatedAt           time.Time
	value                 *float64
	n                     int64
	status                string
	yellow, red           *float64
	direction             string
}

func f64(v float64) *float64 { return &v }

func (e *testEnv) insertMinutes(t *testing.T, rows ...minute) {
	t.Helper()
	out := make([]testutil.MinuteRow, len(rows))
	for i, r := range rows {
		out[i] = testutil.MinuteRow{Location: r.location, Minute: r.at, C: kpi.Components{
			Promoters: r.promoters, Passives: r.passives, Detractors: r.detractors, Visitors: r.visitors, Receipts: r.rec}}
	}
	testutil.InsertMinutes(t, e.conn, e.ch.Database, out...)
}

func (e *testEnv) insertStatuses(t *testing.T, rows ...status) {
	t.Helper()
	ctx := context.Background()
	b, err := e.conn.PrepareBatch(ctx, "INSERT INTO "+clickhouse.Ident(e.ch.Database)+".kpi_status (location, kpi, window, evaluated_at, value, n, low, high, status, since, yellow, red, direction)")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := b.Append(r.location, r.kpi, r.window, r.evaluatedAt, r.value, r.n, nil, nil, r.status, r.evaluatedAt.Add(-10*time.Minute), r.yellow, r.red, r.direction); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
}

// kpiFixture fills kpi_minute and kpi_status with figures whose answers the tests know.
//
//	store-a 10:00 promoters 3, detractors 1, visitors 10, receipts 2   NPS 50, conversion 20 %
//	store-a 10:01 promoters 1, passives 1                              NPS 50
//	store-b 10:00 detractors 2                                         NPS -100
//	store-a 11:10 promoters 1                                          NPS 100
//
// Statuses: store-a nps 15m yellow (50; an older green row is superseded), nps 1h yellow (45), csat 15m
// green (90); store-b nps 15m red (-100); store-c none (grey). Limits: NPS yellow below 60, red below 30;
// CSAT 80 / 70.
func kpiFixture(t *testing.T, e *testEnv) {
	t.Helper()
	e.insertMinutes(t,
		minute{location: "store-a", at: at("2026-11-23T10:00:00Z"), promoters: 3, detractors: 1, visitors: 10, rec: 2},
		minute{location: "store-a", at: at("2026-11-23T10:01:00Z"), promoters: 1, passives: 1},
		minute{location: "store-b", at: at("2026-11-23T10:00:00Z"), detractors: 2},
		minute{location: "store-a", at: at("2026-11-23T11:10:00Z"), promoters: 1},
	)
	t1, t2 := at("2026-11-23T10:05:00Z"), at("2026-11-23T10:06:00Z")
	e.insertStatuses(t,
		status{"store-a", "nps", "15m", t1, f64(70), 5, "green", f64(60), f64(30), "higher"},
		status{"store-a", "nps", "15m", t2, f64(50), 6, "yellow", f64(60), f64(30), "higher"},
		status{"store-a", "nps", "1h", t2, f64(45), 20, "yellow", f64(60), f64(30), "higher"},
		status{"store-a", "csat", "15m", t2, f64(90), 10, "green", f64(80), f64(70), "higher"},
		status{"store-b", "nps", "15m", t2, f64(-100), 2, "red", f64(60), f64(30), "higher"},
	)
}
