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
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/schemas"
)

// fiveMinuteSums reads every component column per location and 5 minutes, from kpi_minute (grouped by
// toStartOfFiveMinute) or from kpi_5m.
func fiveMinuteSums(t *testing.T, conn driver.Conn, db, table string) map[string][]int64 {
	t.Helper()
	col := "toStartOfFiveMinute(minute)"
	if table == "kpi_5m" {
		col = "five_minute"
	}
	sums := make([]string, len(columns))
	for i, c := range columns {
		sums[i] = "sum(" + clickhouse.Ident(c.Name) + ")"
	}
	rows, err := conn.Query(context.Background(), fmt.Sprintf("SELECT location, toInt64(toUInt32(%s)) AS k, %s FROM %s.%s GROUP BY location, k",
		col, strings.Join(sums, ", "), clickhouse.Ident(db), table))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]int64{}
	for rows.Next() {
		var (
			loc string
			k   int64
		)
		vals := make([]int64, len(columns))
		dest := []any{&loc, &k}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("%s %s", loc, time.Unix(k, 0).UTC().Format(time.RFC3339))] = vals
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameFiveMinutes checks kpi_5m against kpi_minute, which must have at least minKeys location-5-minutes.
func sameFiveMinutes(t *testing.T, conn driver.Conn, db string, minKeys int) {
	t.Helper()
	m, f := fiveMinuteSums(t, conn, db, "kpi_minute"), fiveMinuteSums(t, conn, db, "kpi_5m")
	if len(m) < minKeys {
		t.Fatalf("kpi_minute has %d location-5-minutes, want at least %d", len(m), minKeys)
	}
	if !maps.EqualFunc(m, f, slices.Equal) {
		for k, v := range m {
			if !slices.Equal(v, f[k]) {
				t.Fatalf("kpi_5m differs from kpi_minute summed per 5 minutes (%d and %d keys) at %s:\nminute %v\n5m     %v", len(m), len(f), k, v, f[k])
			}
		}
		t.Fatalf("kpi_5m has %d location-5-minutes, kpi_minute %d", len(f), len(m))
	}
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
