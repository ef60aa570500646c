package query

import (
	"context"
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/schemas"
)

// The benchmarks compare the engine with what a user of the stock ClickHouse data source would write
// against the raw events table, on the same data: 10 million events for 1,000 locations over 30 days in
// the database cxm_bench (kept between runs; loaded once with INSERT … SELECT FROM numbers(), and its
// kpi_minute rows computed from those events on the server, so both sides hold the same facts).

const (
	benchDB        = "cxm_bench"
	benchEvents    = 10_000_000
	benchLocations = 1000
	benchDays      = 30
)

var benchStart = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func benchConn(b *testing.B) (driver.Conn, []config.Location) {
	b.Helper()
	addr := os.Getenv("CXM_TEST_CLICKHOUSE")
	if addr == "" {
		addr = "127.0.0.1:9000"
	}
	ctx := context.Background()
	conn, err := clickhouse.Open(ctx, config.ClickHouse{Addr: []string{addr}, Username: "default", DialTimeout: 3 * time.Second, ReadTimeout: 10 * time.Minute, MaxOpenConns: 4})
	if err != nil {
		if os.Getenv("CXM_REQUIRE_SERVICES") == "1" {
			b.Fatal(err)
		}
		b.Skip(err)
	}
	b.Cleanup(func() { conn.Close() })
	applied, err := clickhouse.Migrate(ctx, conn, benchDB, schemas.ClickHouseMigrations(), nil)
	if err != nil {
		b.Fatal(err)
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+benchDB+".events").Scan(&n); err != nil {
		b.Fatal(err)
	}
	var m uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+benchDB+".kpi_minute").Scan(&m); err != nil {
		b.Fatal(err)
	}
	if n != benchEvents || m == 0 {
		loadBench(b, conn, n != benchEvents)
		applied = append(applied, "load")
	}
	if len(applied) > 0 {
		mergeRollups(b, conn)
	}
	locs := make([]config.Location, benchLocations)
	for i := range locs {
		locs[i] = config.Location{ID: fmt.Sprintf("loc-%d", i), Region: fmt.Sprintf("r%d", i%10), TimeZone: "Europe/Moscow"}
	}
	return conn, locs
}

// loadBench fills cxm_bench: event n goes to location n % 1000, spread evenly over 30 days; its type
// cycles through door counts, receipts, surveys and buttons.
func loadBench(b *testing.B, conn driver.Conn, withEvents bool) {
	ctx := context.Background()
	start := time.Now()
	tables := []string{"kpi_minute", "kpi_hour", "kpi_day", "kpi_hour_total"}
	if withEvents {
		tables = append(tables, "events")
	}
	for _, t := range tables {
		if err := conn.Exec(ctx, "TRUNCATE TABLE "+benchDB+"."+t); err != nil {
			b.Fatal(err)
		}
	}
	step := benchDays * 86400 * benchLocations / benchEvents
	events := fmt.Sprintf(`INSERT INTO %[1]s.events (id, type, location, time, kind, value, scale, `+"`in`"+`, receipt, amount_cents, items, refund, survey, nps, csat, ces, received)
SELECT toString(number) AS id,
  multiIf(r < 8, 'counter', r < 11, 'pos', r < 15, 'survey', 'button') AS type,
  concat('loc-', toString(number %% %[2]d)) AS location,
  toDateTime(%[3]d + intDiv(number, %[2]d) * %[4]d + number %% 60, 'UTC') AS time,
  multiIf(r < 15, '', r < 18, 'smiley', r < 19, 'consultation', 'like') AS kind,
  if(r >= 15 AND r < 18, toUInt8(1 + intDiv(number, 7) %% 5), toUInt8(0)) AS value,
  if(r >= 15 AND r < 18, toUInt8(5), toUInt8(0)) AS scale,
  if(r < 8, toUInt32(intDiv(number, 3) %% 4), toUInt32(0)) AS in_,
  if(r >= 8 AND r < 11, toString(number), '') AS receipt,
  if(r >= 8 AND r < 11, toInt64(100 + intDiv(number, 11) %% 500000), toInt64(0)) AS amount_cents,
  if(r >= 8 AND r < 11, toInt32(1 + number %% 7), toInt32(0)) AS items,
  toUInt8(0) AS refund,
  if(r >= 11 AND r < 15, 'default', '') AS survey,
  if(r >= 11 AND r < 15, toNullable(toUInt8(intDiv(number, 13) %% 11)), NULL) AS nps_value,
  if(r >= 11 AND r < 15, toNullable(toUInt8(1 + intDiv(number, 17) %% 5)), NULL) AS csat_value,
  if(r >= 11 AND r < 15, toNullable(toUInt8(1 + intDiv(number, 19) %% 7)), NULL) AS ces_value,
  time AS received
FROM (SELECT number, cityHash64(number) %% 20 AS r FROM system.numbers LIMIT %[5]d)`,
		benchDB, benchLocations, benchStart.Unix(), step, benchEvents)
	if withEvents {
		if err := conn.Exec(ctx, events); err != nil {
			b.Fatalf("load events: %v", err)
		}
	}
	// The minute components of those events, as the processor would write them.
	minutes := fmt.Sprintf(`INSERT INTO %[1]s.kpi_minute (location, minute, promoters, passives, detractors, csat_top2, csat_n,
  ces_sum, ces_sumsq, ces_n, smile_sum12, smile_sumsq144, smile_n, smile_face1, smile_face2, smile_face3, smile_face4, smile_face5,
  likes, visitors, receipts, revenue_cents, items, consultations, surveys)
SELECT location, toStartOfMinute(time) AS minute,
  countIf(ifNull(nps, 0) >= 9), countIf(ifNull(nps, 0) IN (7, 8)), countIf(isNotNull(nps) AND ifNull(nps, 0) <= 6),
  countIf(ifNull(csat, 0) >= 4), countIf(isNotNull(csat)),
  sum(ifNull(ces, 0)), sum(ifNull(ces, 0) * ifNull(ces, 0)), countIf(isNotNull(ces)),
  sumIf((value - 1) * 3, kind = 'smiley'), sumIf((value - 1) * 3 * (value - 1) * 3, kind = 'smiley'), countIf(kind = 'smiley'),
  countIf(kind = 'smiley' AND value = 1), countIf(kind = 'smiley' AND value = 2), countIf(kind = 'smiley' AND value = 3),
  countIf(kind = 'smiley' AND value = 4), countIf(kind = 'smiley' AND value = 5),
  countIf(kind = 'like'), sum(`+"`in`"+`), countIf(type = 'pos'), sumIf(amount_cents, type = 'pos'), sumIf(items, type = 'pos'),
  countIf(kind = 'consultation'), countIf(type = 'survey')
FROM %[1]s.events WHERE time >= toDateTime(?, 'UTC') AND time < toDateTime(?, 'UTC') GROUP BY location, minute`, benchDB)
	// A day at a time: one INSERT of all 10 million would need more memory than a small server has for
	// the GROUP BY and the view behind kpi_minute.
	for d := range benchDays {
		from := benchStart.AddDate(0, 0, d)
		if err := conn.Exec(ctx, minutes, from.Unix(), from.AddDate(0, 0, 1).Unix()); err != nil {
			b.Fatalf("load kpi_minute: %v", err)
		}
	}
	b.Logf("loaded %d events and their minute components into %s in %s", benchEvents, benchDB, time.Since(start).Round(time.Millisecond))
}

// mergeRollups merges each rollup's parts, as background merges would in production after a load (a
// SummingMergeTree that was never merged holds a row per inserted block and key). The engine does not
// depend on it: it always sums.
func mergeRollups(b *testing.B, conn driver.Conn) {
	ctx := context.Background()
	for _, t := range []string{"kpi_hour", "kpi_day", "kpi_hour_total"} {
		if err := conn.Exec(ctx, "OPTIMIZE TABLE "+benchDB+"."+t+" FINAL"); err != nil {
			b.Fatalf("optimize %s: %v", t, err)
		}
	}
}

// rawHourlySQL is the query a stock data source user writes for hourly NPS and conversion over everything.
const rawHourlySQL = `SELECT toStartOfHour(time) AS t,
  (countIf(ifNull(nps, 0) >= 9) - countIf(isNotNull(nps) AND ifNull(nps, 0) <= 6)) * 100 / countIf(isNotNull(nps)) AS nps_value,
  countIf(type = 'pos') * 100 / sum(` + "`in`" + `) AS conversion_value,
  countIf(isNotNull(nps)) AS nps_n
FROM ` + benchDB + `.events
WHERE time >= ? AND time < ? AND repeat = 0
GROUP BY t ORDER BY t`

// rawAllKPIsSQL is every KPI of one location in 5-minute buckets from raw events.
const rawAllKPIsSQL = `SELECT toStartOfFiveMinute(time) AS t,
  (countIf(ifNull(nps, 0) >= 9) - countIf(isNotNull(nps) AND ifNull(nps, 0) <= 6)) * 100 / countIf(isNotNull(nps)) AS nps_value,
  countIf(ifNull(csat, 0) >= 4) * 100 / countIf(isNotNull(csat)) AS csat_value,
  avgIf(ces, isNotNull(ces)) AS ces_value,
  avgIf((value - 1) / (scale - 1), kind = 'smiley') * 100 AS smile_value,
  (countIf(kind = 'like') - countIf(kind = 'dislike')) * 100 / countIf(kind IN ('like', 'dislike')) AS like_index,
  sum(` + "`in`" + `) AS visitors,
  countIf(type = 'pos') AS receipts,
  sumIf(amount_cents, type = 'pos') / 100 AS revenue,
  countIf(type = 'pos') * 100 / sum(` + "`in`" + `) AS conversion_value,
  countIf(kind = 'consultation') AS consultations,
  countIf(kind = 'consultation') * 100 / sum(` + "`in`" + `) AS coverage,
  sumIf(amount_cents, type = 'pos') / 100 / countIf(type = 'pos') AS avg_receipt,
  sumIf(items, type = 'pos') / countIf(type = 'pos') AS items_per_receipt
FROM ` + benchDB + `.events
WHERE location = ? AND time >= ? AND time < ? AND repeat = 0
GROUP BY t ORDER BY t`

func drain(b *testing.B, conn driver.Conn, sql string, args ...any) int {
	rows, err := conn.Query(context.Background(), sql, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkHourlyNPSConversion1000Locations30Days: hourly NPS and conversion over all 1,000 locations for
// 30 days (group=all), by the engine and from raw events.
func BenchmarkHourlyNPSConversion1000Locations30Days(b *testing.B) {
	conn, locs := benchConn(b)
	e := New(conn, benchDB, locs, Limits{Timeout: time.Minute})
	from, to := benchStart, benchStart.AddDate(0, 0, benchDays)
	req := Request{KPIs: []string{"nps", "conversion"}, Group: GroupAll, From: from, To: to, Step: Step{Minutes: 60}}

	// Same answers both ways before timing anything.
	res, err := e.KPIs(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	rows, err := conn.Query(context.Background(), rawHourlySQL, from, to)
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for rows.Next() {
		var (
			t         time.Time
			nps, conv float64
			npsN      uint64
		)
		if err := rows.Scan(&t, &nps, &conv, &npsN); err != nil {
			b.Fatal(err)
		}
		p, c := res.Series[0].Points[i], res.Series[1].Points[i]
		same := func(v *float64, raw float64) bool { return v == nil && math.IsNaN(raw) || v != nil && near(*v, raw) }
		if !p.Time.Equal(t) || p.N != int64(npsN) || !same(p.Value, nps) || !same(c.Value, conv) {
			b.Fatalf("hour %s: engine %+v / %+v, raw nps %v (n %d) conversion %v", t, p, c, nps, npsN, conv)
		}
		i++
	}
	rows.Close()
	if i != len(res.Series[0].Points) || i != benchDays*24 {
		b.Fatalf("raw answered %d hours, engine %d", i, len(res.Series[0].Points))
	}

	b.Run("engine", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.KPIs(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		for b.Loop() {
			drain(b, conn, rawHourlySQL, from, to)
		}
	})
}

// BenchmarkAllKPIsOneLocation7Days5m: all 13 KPIs of one location for 7 days in 5-minute steps.
func BenchmarkAllKPIsOneLocation7Days5m(b *testing.B) {
	conn, locs := benchConn(b)
	e := New(conn, benchDB, locs, Limits{Timeout: time.Minute})
	from, to := benchStart.AddDate(0, 0, 7), benchStart.AddDate(0, 0, 14)
	req := Request{KPIs: kpi.Names, Locations: []string{"loc-1"}, From: from, To: to, Step: Step{Minutes: 5}}
	res, err := e.KPIs(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	// Same answers both ways before timing: every bucket the raw query has (those with events) must give
	// each KPI's value; the engine's other buckets must be empty.
	at := map[int64]int{}
	for i, p := range res.Series[0].Points {
		at[p.Time.Unix()] = i
	}
	rows, err := conn.Query(context.Background(), rawAllKPIsSQL, "loc-1", from, to)
	if err != nil {
		b.Fatal(err)
	}
	seen := map[int]bool{}
	for rows.Next() {
		var (
			t                                  time.Time
			nps, csat, ces, smile, like        float64
			visitors, receipts, consultations  uint64
			revenue, conv, cover, avgR, itemsR float64
			cesP                               *float64 // avgIf of a Nullable column: NULL without answers
		)
		if err := rows.Scan(&t, &nps, &csat, &cesP, &smile, &like, &visitors, &receipts, &revenue, &conv, &consultations, &cover, &avgR, &itemsR); err != nil {
			b.Fatal(err)
		}
		ces = math.NaN()
		if cesP != nil {
			ces = *cesP
		}
		i, ok := at[t.Unix()]
		if !ok {
			b.Fatalf("raw bucket %s is not among the engine's", t)
		}
		want := []float64{nps, csat, ces, smile, like, float64(visitors), float64(receipts), revenue, conv, float64(consultations), cover, avgR, itemsR}
		for k, s := range res.Series {
			v, w := s.Points[i].Value, want[k]
			// A figure without a sample is null in the engine and NaN/Inf (ratios) or 0 (sums) in SQL.
			if v == nil && (math.IsNaN(w) || math.IsInf(w, 0) || w == 0) || v != nil && near(*v, w) {
				continue
			}
			b.Fatalf("%s at %s: engine %v (n %d), raw %v", s.KPI, t, s.Points[i].Value, s.Points[i].N, w)
		}
		seen[i] = true
	}
	rows.Close()
	// Raw buckets holding only events that count nowhere (a door count of 0) are all null above; every
	// engine bucket with a sample must be one of the raw buckets.
	for i, p := range res.Series[0].Points {
		for _, s := range res.Series {
			if s.Points[i].N > 0 && !seen[i] {
				b.Fatalf("%s at %s: engine n %d, raw has no bucket", s.KPI, p.Time, s.Points[i].N)
			}
		}
	}
	b.Run("engine", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.KPIs(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		for b.Loop() {
			drain(b, conn, rawAllKPIsSQL, "loc-1", from, to)
		}
	})
}
