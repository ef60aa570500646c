package query

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/schemas"
)

// A large chain: 10,000 stores over the last week, a kpi_minute row per store every 2 hours (84 per store,
// 840,000 rows, and the rollups the views fill from them), in the database cxm_bench_chain (kept between
// runs, loaded once). What the console and Grafana ask of it through the engine:
//
//   - overview: every KPI of the whole chain over the week, one point per day;
//   - map: every KPI of every store over the last 24 hours, one point each (130,000 values).
const (
	chainStores = 10000
	chainSlot   = 2 * time.Hour
	chainDB     = "cxm_bench_chain"
)

func chainEngine(b *testing.B) (*Engine, time.Time) {
	b.Helper()
	ctx := context.Background()
	addr := os.Getenv("CXM_TEST_CLICKHOUSE")
	if addr == "" {
		addr = "127.0.0.1:9000"
	}
	conn, err := clickhouse.Open(ctx, config.ClickHouse{Addr: []string{addr}, Username: "default", DialTimeout: 3 * time.Second, ReadTimeout: 10 * time.Minute, MaxOpenConns: 4})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	end := time.Now().UTC().Truncate(24 * time.Hour)
	if _, err := clickhouse.Migrate(ctx, conn, chainDB, schemas.ClickHouseMigrations(), nil); err != nil {
		b.Fatal(err)
	}
	slots := int(7 * 24 * time.Hour / chainSlot)
	want := uint64(chainStores * slots)
	var have uint64
	var last time.Time
	if err := conn.QueryRow(ctx, "SELECT count(), max(minute) FROM "+chainDB+".kpi_minute").Scan(&have, &last); err != nil {
		b.Fatal(err)
	}
	if have != want || !last.Equal(end.Add(-chainSlot)) {
		if err := conn.Exec(ctx, "TRUNCATE TABLE "+chainDB+".kpi_minute"); err != nil {
			b.Fatal(err)
		}
		for _, t := range []string{"kpi_5m", "kpi_hour", "kpi_day", "kpi_hour_total", "like_minute"} {
			_ = conn.Exec(ctx, "TRUNCATE TABLE "+chainDB+"."+t)
		}
		start := end.Add(-7 * 24 * time.Hour)
		b.Logf("loading %d kpi_minute rows into %s", want, chainDB)
		q := fmt.Sprintf(`INSERT INTO %s.kpi_minute (location, minute, promoters, passives, detractors, csat_top2, csat_n,
	visitors, receipts, revenue_cents, items, kafka_partition, last_offset, watermark, clock)
SELECT concat('store-', toString(number %% %d)), toDateTime(%d + intDiv(number, %d) * %d, 'UTC'),
	number %% 3, number %% 2, number %% 5 = 0, number %% 4, 4, 10 + number %% 7, 2 + number %% 3, 150000, 5,
	toUInt16(number %% 12), number, toDateTime(%d, 'UTC'), toDateTime(%d, 'UTC')
FROM numbers(%d)`, chainDB, chainStores, start.Unix(), chainStores, int(chainSlot.Seconds()), end.Unix(), end.Unix(), want)
		if err := conn.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	locs := make([]config.Location, chainStores)
	for i := range locs {
		locs[i] = config.Location{ID: fmt.Sprintf("store-%d", i), Name: "s", Region: fmt.Sprintf("r%d", i%20), TimeZone: "UTC"}
	}
	e := New(conn, chainDB, locs, Limits{Timeout: 5 * time.Minute, MaxPoints: 1 << 40, MaxRows: 1 << 40,
		MaxRange: 400 * 24 * time.Hour, MaxLocations: chainStores})
	return e, end
}

func BenchmarkChain10000StoresWeek(b *testing.B) {
	if os.Getenv("CXM_BENCH_CHAIN") != "1" {
		b.Skip("loads 840,000 rows once: set CXM_BENCH_CHAIN=1 (make bench does)")
	}
	e, end := chainEngine(b)
	ctx := context.Background()
	b.Run("overview", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			r, err := e.KPIs(ctx, Request{KPIs: minuteKPIs(), Group: GroupAll, From: end.Add(-7 * 24 * time.Hour), To: end, Step: Step{Days: 1}})
			if err != nil {
				b.Fatal(err)
			}
			if len(r.Series) != len(minuteKPIs()) || len(r.Series[0].Points) != 7 {
				b.Fatalf("overview: %d series of %d points, want %d of 7", len(r.Series), len(r.Series[0].Points), len(minuteKPIs()))
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			r, err := e.KPIs(ctx, Request{KPIs: minuteKPIs(), Group: GroupLocation, From: end.Add(-24 * time.Hour), To: end})
			if err != nil {
				b.Fatal(err)
			}
			if len(r.Series) != chainStores*len(minuteKPIs()) {
				b.Fatalf("map: %d series, want %d", len(r.Series), chainStores*len(minuteKPIs()))
			}
		}
	})
}
