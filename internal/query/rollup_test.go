package query

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/schemas"
)

// rollupSums reads every component column of table summed per key, keyed "location key" (the location
// left empty unless byLocation): keyExpr is the key's SQL, an Int64; extra are more summed expressions,
// compared like the columns.
func rollupSums(t *testing.T, conn driver.Conn, db, table, keyExpr string, byLocation bool, extra ...string) map[string][]int64 {
	t.Helper()
	sums := make([]string, 0, len(columns)+len(extra))
	for _, c := range columns {
		sums = append(sums, "sum("+clickhouse.Ident(c.Name)+")")
	}
	sums = append(sums, extra...)
	loc := "''"
	if byLocation {
		loc = "location"
	}
	rows, err := conn.Query(context.Background(), fmt.Sprintf("SELECT %s AS l, %s AS k, %s FROM %s.%s GROUP BY l, k",
		loc, keyExpr, strings.Join(sums, ", "), clickhouse.Ident(db), table))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]int64{}
	for rows.Next() {
		var (
			l string
			k int64
		)
		vals := make([]int64, len(sums))
		dest := []any{&l, &k}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("%s %d", l, k)] = vals
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameSums fails unless rollup holds exactly minute's sums, and minute has at least minKeys keys.
func sameSums(t *testing.T, what string, minute, rollup map[string][]int64, minKeys int) {
	t.Helper()
	if len(minute) < minKeys {
		t.Fatalf("kpi_minute has %d keys for %s, want at least %d", len(minute), what, minKeys)
	}
	if !maps.EqualFunc(minute, rollup, slices.Equal) {
		for k, v := range minute {
			if !slices.Equal(v, rollup[k]) {
				t.Fatalf("%s differs from kpi_minute (%d and %d keys) at %s:\nminute %v\nrollup %v", what, len(minute), len(rollup), k, v, rollup[k])
			}
		}
		t.Fatalf("%s has %d keys, kpi_minute %d", what, len(rollup), len(minute))
	}
}

// sameFiveMinutes checks kpi_5m against kpi_minute, which must have at least minKeys location-5-minutes.
func sameFiveMinutes(t *testing.T, conn driver.Conn, db string, minKeys int) {
	t.Helper()
	sameSums(t, "kpi_5m",
		rollupSums(t, conn, db, "kpi_minute", "toInt64(toUInt32(toStartOfFiveMinute(minute)))", true),
		rollupSums(t, conn, db, "kpi_5m", "toInt64(toUInt32(five_minute))", true), minKeys)
}

// The hourly rollup (migration 005) must hold exactly what the minutes hold, every column, whatever the
// insert blocks were.
func TestHourRollupEqualsMinutes(t *testing.T) {
	conn, db := testDB(t)
	rows := genMinutes(7, testLocations[:2], mustTime("2026-05-01T00:00:00Z"), mustTime("2026-05-02T00:00:00Z"))
	insertMinutes(t, conn, db, rows, 777)
	m := rollupSums(t, conn, db, "kpi_minute", "toInt64(toUInt32(toStartOfHour(minute)))", true)
	if len(m) != 48 {
		t.Fatalf("kpi_minute has %d location-hours, want 48", len(m))
	}
	sameSums(t, "kpi_hour", m, rollupSums(t, conn, db, "kpi_hour", "toInt64(toUInt32(hour))", true), 48)
}

// The daily and network-wide rollups (migration 006) must hold exactly what the minutes hold; kpi_day's
// minute_rows counts the kpi_minute rows summed into it.
func TestDayAndTotalRollupsEqualMinutes(t *testing.T) {
	conn, db := testDB(t)
	rows := genMinutes(8, testLocations[:3], mustTime("2026-05-01T00:00:00Z"), mustTime("2026-05-03T00:00:00Z"))
	insertMinutes(t, conn, db, rows, 555)
	sameSums(t, "kpi_day",
		rollupSums(t, conn, db, "kpi_minute", "toInt64(toRelativeDayNum(minute))", true, "toInt64(count())"),
		rollupSums(t, conn, db, "kpi_day", "toInt64(toRelativeDayNum(day))", true, "toInt64(sum(minute_rows))"), 3*2)
	sameSums(t, "kpi_hour_total",
		rollupSums(t, conn, db, "kpi_minute", "toInt64(toUInt32(toStartOfHour(minute)))", false),
		rollupSums(t, conn, db, "kpi_hour_total", "toInt64(toUInt32(hour))", false), 48)
}

// The 5-minute rollup (migration 007) must hold exactly what the minutes hold, every column, whatever the
// insert blocks were.
func TestFiveMinuteRollupEqualsMinutes(t *testing.T) {
	conn, db := testDB(t)
	rows := genMinutes(9, testLocations[:3], mustTime("2026-05-01T00:00:00Z"), mustTime("2026-05-02T00:00:00Z"))
	insertMinutes(t, conn, db, rows, 333)
	sameFiveMinutes(t, conn, db, 3*200)
}

// Migration 007 copies what kpi_minute held before it, once: applied to a database that already has
// minutes, kpi_5m equals them; running its statements again copies nothing twice; later inserts arrive
// through the view.
func TestFiveMinuteBackfill(t *testing.T) {
	conn, cfg := testutil.ClickHouse(t)
	ctx := context.Background()
	db := cfg.Database + "_bf"
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+clickhouse.Ident(db)) })

	all := schemas.ClickHouseMigrations()
	before := fstest.MapFS{}
	entries, err := fs.ReadDir(all, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() >= "007" {
			continue
		}
		b, err := fs.ReadFile(all, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		before[e.Name()] = &fstest.MapFile{Data: b}
	}
	if _, err := clickhouse.Migrate(ctx, conn, db, before, nil); err != nil {
		t.Fatal(err)
	}
	rows := genMinutes(10, testLocations[:2], mustTime("2026-05-01T00:00:00Z"), mustTime("2026-05-01T12:00:00Z"))
	insertMinutes(t, conn, db, rows, 500)

	applied, err := clickhouse.Migrate(ctx, conn, db, all, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(applied, "007_kpi_5m.sql") {
		t.Fatalf("applied %v, want 007_kpi_5m.sql among them", applied)
	}
	sameFiveMinutes(t, conn, db, 2*100)

	// A re-run after a failure past the copy (the view exists, kpi_5m is not empty): nothing twice.
	ms, err := clickhouse.LoadMigrations(all)
	if err != nil {
		t.Fatal(err)
	}
	v, err := clickhouse.ServerVersion(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.File != "007_kpi_5m.sql" {
			continue
		}
		stmts, err := m.Render(db, v)
		if err != nil {
			t.Fatal(err)
		}
		if len(stmts) != 3 {
			t.Fatalf("007 has %d statements, want 3 (table, copy, view)", len(stmts))
		}
		for _, s := range stmts {
			if err := conn.Exec(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	sameFiveMinutes(t, conn, db, 2*100)

	more := genMinutes(11, testLocations[:2], mustTime("2026-05-01T12:00:00Z"), mustTime("2026-05-02T00:00:00Z"))
	insertMinutes(t, conn, db, more, 700)
	sameFiveMinutes(t, conn, db, 2*200)
}
