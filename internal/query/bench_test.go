package query

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/schemas"
)

// The benchmarks compare the engine with what a user of the stock ClickHouse data source would write
// against the raw events table, on the same data in the database cxm_bench (kept between runs; loaded once
// with INSERT … SELECT FROM numbers(), and its kpi_minute rows computed from those events on the server,
// so both sides hold the same facts):
//
//   - 10 million events spread evenly over 1,000 locations and 30 days: about one event per location and
//     minute, a typical small shop;
//   - a flagship hypermarket, loc-flagship, with 30 events a minute for the 7 days case 2 reads (door
//     counts per person in and out, receipts, smiley presses, surveys, consultations, likes): 302,400
//     events. Its kpi_minute rows are one per second that has events, as the processor writes them for a
//     busy location (a delta row per 500 ms flush and minute), so reading its minutes costs what it costs
//     in production.

const (
	benchDB        = "cxm_bench"
	benchEvents    = 10_000_000
	benchLocations = 1000
	benchDays      = 30

	flagship        = "loc-flagship"
	flagshipDays    = 7
	flagshipEvents  = 30 * 60 * 24 * flagshipDays
	flagshipSeconds = 86400 * flagshipDays / flagshipEvents // between two of its events
)

var (
	benchStart    = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	flagshipStart = benchStart.AddDate(0, 0, 7) // the week case 2 reads
)

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
	if loadBench(b, conn) {
		applied = append(applied, "load")
	}
	if len(applied) > 0 {
		mergeRollups(b, conn)
	}
	locs := make([]config.Location, benchLocations, benchLocations+1)
	for i := range locs {
		locs[i] = config.Location{ID: fmt.Sprintf("loc-%d", i), Region: fmt.Sprintf("r%d", i%10), TimeZone: "Europe/Moscow"}
	}
	// The flagship is in the registry too: the network (case 1, group=all) is every location with data.
	locs = append(locs, config.Location{ID: flagship, Region: "r0", TimeZone: "Europe/Moscow"})
	return conn, locs
}

// benchFacts are what cxm_bench holds for the uniform locations or the flagship: events, and the same
// facts counted from events and from kpi_minute (receipts + surveys + visitors), which differ when a load
// stopped half way.
type benchFacts struct {
	events, minuteRows uint64
	fromEvents         uint64
	fromMinutes        int64
}

func readFacts(b *testing.B, conn driver.Conn) (uniform, flag benchFacts) {
	ctx := context.Background()
	q := "SELECT location = '" + flagship + "' AS f, count(), countIf(type = 'pos') + countIf(type = 'survey') + sum(`in`) FROM " + benchDB + ".events GROUP BY f"
	rows, err := conn.Query(ctx, q)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var (
			f        uint8
			n, facts uint64
			dst      = &uniform
		)
		if err := rows.Scan(&f, &n, &facts); err != nil {
			b.Fatal(err)
		}
		if f == 1 {
			dst = &flag
		}
		dst.events, dst.fromEvents = n, facts
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	rows.Close()
	q = "SELECT location = '" + flagship + "' AS f, count(), sum(receipts) + sum(surveys) + sum(visitors) FROM " + benchDB + ".kpi_minute GROUP BY f"
	if rows, err = conn.Query(ctx, q); err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			f     uint8
			n     uint64
			facts int64
			dst   = &uniform
		)
		if err := rows.Scan(&f, &n, &facts); err != nil {
			b.Fatal(err)
		}
		if f == 1 {
			dst = &flag
		}
		dst.minuteRows, dst.fromMinutes = n, facts
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return uniform, flag
}

func (f benchFacts) minutesMatch() bool {
	return f.minuteRows > 0 && f.fromMinutes == int64(f.fromEvents)
}

// loadBench loads what cxm_bench lacks and reports whether it loaded anything:
//
//   - everything when the uniform events are not all there;
//   - only the flagship (events, then minutes, which the views add to the rollups) when a database from
//     before the flagship has none of it, or after dropping its rows when they are not what flagshipSelect
//     makes (a load that stopped half way, a changed generator);
//   - the minute components of every location when the events are complete but the minutes are not.
func loadBench(b *testing.B, conn driver.Conn) bool {
	ctx := context.Background()
	start := time.Now()
	uniform, flag := readFacts(b, conn)
	flagOK := flag.events == flagshipEvents && flagshipPrint(b, conn, true) == flagshipPrint(b, conn, false)
	truncate := func(withEvents bool) {
		tables := []string{"kpi_minute", "kpi_hour", "kpi_5m", "kpi_day", "kpi_hour_total"}
		if withEvents {
			tables = append(tables, "events")
		}
		for _, t := range tables {
			if err := conn.Exec(ctx, "TRUNCATE TABLE "+benchDB+"."+t); err != nil {
				b.Fatal(err)
			}
		}
	}
	switch {
	case uniform.events != benchEvents:
		truncate(true)
		loadUniformEvents(b, conn)
		loadFlagshipEvents(b, conn)
		loadUniformMinutes(b, conn)
		loadFlagshipMinutes(b, conn)
		b.Logf("loaded %d + %d events and their minute components into %s in %s", benchEvents, flagshipEvents, benchDB, time.Since(start).Round(time.Millisecond))
	case !flagOK:
		if flag.events > 0 || flag.minuteRows > 0 {
			dropFlagship(b, conn)
		}
		loadFlagshipEvents(b, conn)
		if uniform.minutesMatch() {
			loadFlagshipMinutes(b, conn)
		} else {
			truncate(false)
			loadUniformMinutes(b, conn)
			loadFlagshipMinutes(b, conn)
		}
		b.Logf("loaded the flagship's %d events and their minute components into %s in %s", flagshipEvents, benchDB, time.Since(start).Round(time.Millisecond))
	case !uniform.minutesMatch() || !flag.minutesMatch():
		truncate(false)
		loadUniformMinutes(b, conn)
		loadFlagshipMinutes(b, conn)
		b.Logf("computed the minute components of %s's events in %s", benchDB, time.Since(start).Round(time.Millisecond))
	default:
		return false
	}
	uniform, flag = readFacts(b, conn)
	if uniform.events != benchEvents || flag.events != flagshipEvents || !uniform.minutesMatch() || !flag.minutesMatch() {
		b.Fatalf("%s after loading: uniform %+v, flagship %+v", benchDB, uniform, flag)
	}
	return true
}

// loadUniformEvents: event n goes to location n % 1000, spread evenly over 30 days; its type cycles
// through door counts, receipts, surveys and buttons.
func loadUniformEvents(b *testing.B, conn driver.Conn) {
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
	if err := conn.Exec(context.Background(), events); err != nil {
		b.Fatalf("load events: %v", err)
	}
}

// flagshipSelect is the flagship's events in flagshipColumns order: a hypermarket open round the clock,
// an event every 2 seconds (jittered by one): 35 % door counts of one person in, 35 % of one person out,
// 18 % receipts, 2 % surveys (some questions unanswered), 7 % smiley presses (mostly happy), 2 %
// consultations, 1 % likes and dislikes. r, s and u are independent parts of one hash of the number.
func flagshipSelect() string {
	return fmt.Sprintf(`SELECT concat('f-', toString(number)) AS id,
  multiIf(r < 70, 'counter', r < 88, 'pos', r < 90, 'survey', 'button') AS type,
  '%[1]s' AS location,
  multiIf(r < 70, concat('door-', toString(u %% 6)), r < 88, concat('till-', toString(u %% 40)), r < 90, 'kiosk-1', concat('button-', toString(u %% 8))) AS device,
  toDateTime(%[2]d + number * %[3]d + u %% 2, 'UTC') AS time,
  multiIf(r < 90, '', r < 97, 'smiley', r < 99, 'consultation', s < 30, 'dislike', 'like') AS kind,
  if(r >= 90 AND r < 97, toUInt8(multiIf(s < 45, 5, s < 70, 4, s < 85, 3, s < 94, 2, 1)), toUInt8(0)) AS value,
  if(r >= 90 AND r < 97, toUInt8(5), toUInt8(0)) AS scale,
  toUInt32(r < 35) AS in_,
  toUInt32(r >= 35 AND r < 70) AS out_,
  if(r >= 70 AND r < 88, concat('f-', toString(number)), '') AS receipt,
  if(r >= 70 AND r < 88, toInt64(300 + u %% 15000), toInt64(0)) AS amount_cents,
  if(r >= 70 AND r < 88, toInt32(1 + intDiv(u, 15000) %% 30), toInt32(0)) AS items,
  if(r >= 70 AND r < 88, 'RUB', '') AS currency,
  toUInt8(0) AS refund,
  if(r >= 88 AND r < 90, 'exit', '') AS survey,
  if(r >= 88 AND r < 90 AND intDiv(u, 7) %% 10 != 0, toNullable(toUInt8(multiIf(s < 55, 9 + u %% 2, s < 80, 7 + u %% 2, u %% 7))), NULL) AS nps_value,
  if(r >= 88 AND r < 90 AND intDiv(u, 70) %% 5 != 0, toNullable(toUInt8(multiIf(s < 60, 5, s < 80, 4, 1 + u %% 3))), NULL) AS csat_value,
  if(r >= 88 AND r < 90 AND intDiv(u, 350) %% 3 != 0, toNullable(toUInt8(1 + intDiv(u, 1050) %% 7)), NULL) AS ces_value,
  time AS received
FROM (SELECT number, cityHash64(number, 'flagship') AS h, h %% 100 AS r, intDiv(h, 100) %% 100 AS s, intDiv(h, 10000) AS u
  FROM system.numbers LIMIT %[4]d)`, flagship, flagshipStart.Unix(), flagshipSeconds, flagshipEvents)
}

const flagshipColumns = "id, type, location, device, time, kind, value, scale, `in`, `out`, receipt, amount_cents, items, currency, refund, survey, nps, csat, ces, received"

// flagshipPrint is a hash of the flagship's events, computed over what flagshipSelect makes (stored false)
// or over what events holds (stored true): they differ when the generator changed since the load.
func flagshipPrint(b *testing.B, conn driver.Conn, stored bool) uint64 {
	const expr = "sum(cityHash64(id, toString(type), device, time, toString(kind), value, scale, %s, %s, receipt, amount_cents, items, currency, ifNull(%s, 255), ifNull(%s, 255), ifNull(%s, 255)))"
	q := "SELECT " + fmt.Sprintf(expr, "in_", "out_", "nps_value", "csat_value", "ces_value") + " FROM (" + flagshipSelect() + ")"
	if stored {
		q = "SELECT " + fmt.Sprintf(expr, "`in`", "`out`", "nps", "csat", "ces") + " FROM " + benchDB + ".events WHERE location = '" + flagship + "'"
	}
	var h uint64
	if err := conn.QueryRow(context.Background(), q).Scan(&h); err != nil {
		b.Fatal(err)
	}
	return h
}

func loadFlagshipEvents(b *testing.B, conn driver.Conn) {
	if err := conn.Exec(context.Background(), "INSERT INTO "+benchDB+".events ("+flagshipColumns+")\n"+flagshipSelect()); err != nil {
		b.Fatalf("load flagship events: %v", err)
	}
}

// dropFlagship deletes the flagship's rows (a load that stopped half way, or a changed generator): from
// events, kpi_minute and the per-location rollups by mutation, waiting until the mutations are done; the
// network-wide rollup, which cannot give one location's share back, is rebuilt from the minutes left.
func dropFlagship(b *testing.B, conn driver.Conn) {
	ctx := context.Background()
	for _, t := range []string{"events", "kpi_minute", "kpi_hour", "kpi_5m", "kpi_day"} {
		if err := conn.Exec(ctx, "ALTER TABLE "+benchDB+"."+t+" DELETE WHERE location = '"+flagship+"'"); err != nil {
			b.Fatalf("delete the flagship from %s: %v", t, err)
		}
	}
	for deadline := time.Now().Add(10 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		var pending uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.mutations WHERE database = '"+benchDB+"' AND is_done = 0").Scan(&pending); err != nil {
			b.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d mutations of %s still running", pending, benchDB)
		}
	}
	sums := make([]string, len(columns))
	for i, c := range columns {
		sums[i] = "sum(" + clickhouse.Ident(c.Name) + ")"
	}
	for _, q := range []string{
		"TRUNCATE TABLE " + benchDB + ".kpi_hour_total",
		"INSERT INTO " + benchDB + ".kpi_hour_total SELECT toStartOfHour(minute) AS hour, " + strings.Join(sums, ", ") + " FROM " + benchDB + ".kpi_minute GROUP BY hour",
	} {
		if err := conn.Exec(ctx, q); err != nil {
			b.Fatalf("rebuild kpi_hour_total: %v", err)
		}
	}
}

// minutesSQL computes kpi_minute rows from events as the processor would, grouped by the given key.
func minutesSQL(where, groupBy string) string {
	return fmt.Sprintf(`INSERT INTO %[1]s.kpi_minute (location, minute, promoters, passives, detractors, nps_missing, csat_top2, csat_n,
  ces_sum, ces_sumsq, ces_n, smile_sum12, smile_sumsq144, smile_n, smile_face1, smile_face2, smile_face3, smile_face4, smile_face5,
  likes, dislikes, visitors, exits, receipts, revenue_cents, items, consultations, surveys)
SELECT location, toStartOfMinute(time) AS minute,
  countIf(ifNull(nps, 0) >= 9), countIf(ifNull(nps, 0) IN (7, 8)), countIf(isNotNull(nps) AND ifNull(nps, 0) <= 6), countIf(type = 'survey' AND isNull(nps)),
  countIf(ifNull(csat, 0) >= 4), countIf(isNotNull(csat)),
  sum(ifNull(ces, 0)), sum(ifNull(ces, 0) * ifNull(ces, 0)), countIf(isNotNull(ces)),
  sumIf((value - 1) * 3, kind = 'smiley'), sumIf((value - 1) * 3 * (value - 1) * 3, kind = 'smiley'), countIf(kind = 'smiley'),
  countIf(kind = 'smiley' AND value = 1), countIf(kind = 'smiley' AND value = 2), countIf(kind = 'smiley' AND value = 3),
  countIf(kind = 'smiley' AND value = 4), countIf(kind = 'smiley' AND value = 5),
  countIf(kind = 'like'), countIf(kind = 'dislike'), sum(`+"`in`"+`), sum(`+"`out`"+`), countIf(type = 'pos'), sumIf(amount_cents, type = 'pos'), sumIf(items, type = 'pos'),
  countIf(kind = 'consultation'), countIf(type = 'survey')
FROM %[1]s.events WHERE %[2]s GROUP BY %[3]s`, benchDB, where, groupBy)
}

// loadUniformMinutes writes one kpi_minute row per location and minute of the uniform events, a day at a
// time: one INSERT of all 10 million would need more memory than a small server has for the GROUP BY and
// the views behind kpi_minute.
func loadUniformMinutes(b *testing.B, conn driver.Conn) {
	minutes := minutesSQL("location != '"+flagship+"' AND time >= toDateTime(?, 'UTC') AND time < toDateTime(?, 'UTC')", "location, minute")
	for d := range benchDays {
		from := benchStart.AddDate(0, 0, d)
		if err := conn.Exec(context.Background(), minutes, from.Unix(), from.AddDate(0, 0, 1).Unix()); err != nil {
			b.Fatalf("load kpi_minute: %v", err)
		}
	}
}

// loadFlagshipMinutes writes the flagship's kpi_minute rows, one per second that has events.
func loadFlagshipMinutes(b *testing.B, conn driver.Conn) {
	if err := conn.Exec(context.Background(), minutesSQL("location = '"+flagship+"'", "location, minute, time")); err != nil {
		b.Fatalf("load flagship kpi_minute: %v", err)
	}
}

// mergeRollups merges each rollup's parts, as background merges would in production after a load (a
// SummingMergeTree that was never merged holds a row per inserted block and key). The engine does not
// depend on it: it always sums. OPTIMIZE does nothing, silently, while a background merge holds some of
// the parts, so it is told to fail then and is retried until that merge is done.
func mergeRollups(b *testing.B, conn driver.Conn) {
	ctx := ch.Context(context.Background(), ch.WithSettings(ch.Settings{"optimize_throw_if_noop": 1}))
	for _, t := range []string{"kpi_hour", "kpi_5m", "kpi_day", "kpi_hour_total"} {
		for attempt := 1; ; attempt++ {
			err := conn.Exec(ctx, "OPTIMIZE TABLE "+benchDB+"."+t+" FINAL")
			if err == nil {
				break
			}
			if attempt == 120 {
				b.Fatalf("optimize %s: %v", t, err)
			}
			time.Sleep(time.Second)
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

// BenchmarkHourlyNPSConversion1000Locations30Days: hourly NPS and conversion over the whole network for 30
// days (group=all: the 1,000 uniform locations and the flagship's week), by the engine and from raw events.
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

// BenchmarkAllKPIsOneLocation7Days5m: all 13 KPIs of one location for 7 days in 5-minute steps (2,016
// points per KPI), for the busy flagship and for a typical location (loc-1, about one event a minute).
func BenchmarkAllKPIsOneLocation7Days5m(b *testing.B) {
	conn, locs := benchConn(b)
	e := New(conn, benchDB, locs, Limits{Timeout: time.Minute})
	from, to := benchStart.AddDate(0, 0, 7), benchStart.AddDate(0, 0, 14)
	for _, c := range []struct{ name, location string }{{"flagship", flagship}, {"typical", "loc-1"}} {
		req := Request{KPIs: minuteKPIs(), Locations: []string{c.location}, From: from, To: to, Step: Step{Minutes: 5}}
		checkAllKPIs(b, e, conn, req)
		b.Run(c.name+"/engine", func(b *testing.B) {
			for b.Loop() {
				if _, err := e.KPIs(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/raw", func(b *testing.B) {
			for b.Loop() {
				drain(b, conn, rawAllKPIsSQL, c.location, from, to)
			}
		})
	}
}

// checkAllKPIs compares the engine's answer to req (one location, 5-minute steps) with rawAllKPIsSQL's
// before anything is timed: every bucket the raw query has (those with events) must give each KPI's
// value; the engine's other buckets must be empty.
func checkAllKPIs(b *testing.B, e *Engine, conn driver.Conn, req Request) {
	b.Helper()
	res, err := e.KPIs(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	at := map[int64]int{}
	for i, p := range res.Series[0].Points {
		at[p.Time.Unix()] = i
	}
	rows, err := conn.Query(context.Background(), rawAllKPIsSQL, req.Locations[0], req.From, req.To)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
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
			b.Fatalf("%s: raw bucket %s is not among the engine's", req.Locations[0], t)
		}
		want := []float64{nps, csat, ces, smile, like, float64(visitors), float64(receipts), revenue, conv, float64(consultations), cover, avgR, itemsR}
		for k, s := range res.Series {
			v, w := s.Points[i].Value, want[k]
			// A figure without a sample is null in the engine and NaN/Inf (ratios) or 0 (sums) in SQL.
			if v == nil && (math.IsNaN(w) || math.IsInf(w, 0) || w == 0) || v != nil && near(*v, w) {
				continue
			}
			b.Fatalf("%s %s at %s: engine %v (n %d), raw %v", req.Locations[0], s.KPI, t, s.Points[i].Value, s.Points[i].N, w)
		}
		seen[i] = true
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	// Raw buckets holding only events that count nowhere (a door count of 0) are all null above; every
	// engine bucket with a sample must be one of the raw buckets.
	for i, p := range res.Series[0].Points {
		for _, s := range res.Series {
			if s.Points[i].N > 0 && !seen[i] {
				b.Fatalf("%s %s at %s: engine n %d, raw has no bucket", req.Locations[0], s.KPI, p.Time, s.Points[i].N)
			}
		}
	}
	if len(seen) == 0 {
		b.Fatalf("%s: no bucket with data", req.Locations[0])
	}
}
