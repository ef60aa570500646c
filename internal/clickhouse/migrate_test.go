package clickhouse_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/schemas"
)

func TestMigrateTwiceIsNoop(t *testing.T) {
	// testutil already migrated cfg.Database once.
	conn, cfg := testutil.ClickHouse(t)
	ctx := context.Background()
	applied, err := clickhouse.Migrate(ctx, conn, cfg.Database, schemas.ClickHouseMigrations(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Fatalf("second Migrate applied %v, want nothing", applied)
	}
	ms, err := clickhouse.LoadMigrations(schemas.ClickHouseMigrations())
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+clickhouse.Ident(cfg.Database)+".schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != uint64(len(ms)) {
		t.Fatalf("schema_migrations has %d rows, want one per migration (%d)", n, len(ms))
	}
	var name, sum string
	if err := conn.QueryRow(ctx, "SELECT name, checksum FROM "+clickhouse.Ident(cfg.Database)+".schema_migrations WHERE version = 1").Scan(&name, &sum); err != nil {
		t.Fatal(err)
	}
	if name != "events" || sum != ms[0].Checksum {
		t.Fatalf("version 1 recorded as %q %s, want events %s", name, sum, ms[0].Checksum)
	}
}

func TestMigrateAppliesInOrderAndOnlyNew(t *testing.T) {
	conn, cfg := testutil.ClickHouse(t)
	ctx := context.Background()
	db := cfg.Database + "_m"
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+clickhouse.Ident(db)) })
	fsys := fstest.MapFS{
		"001_a.sql": {Data: []byte("CREATE TABLE IF NOT EXISTS {{ .DB }}.a (x UInt8) ENGINE = Memory;\n" +
			"-- a second statement in the same file\nINSERT INTO {{ .DB }}.a SELECT 7;\n")},
	}
	applied, err := clickhouse.Migrate(ctx, conn, db, fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(applied, ",") != "001_a.sql" {
		t.Fatalf("applied %v", applied)
	}
	// 002 reads what 001 wrote, so it only succeeds when run after it.
	fsys["002_b.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE IF NOT EXISTS {{ .DB }}.b ENGINE = Memory AS SELECT x * 2 AS y FROM {{ .DB }}.a")}
	applied, err = clickhouse.Migrate(ctx, conn, db, fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(applied, ",") != "002_b.sql" {
		t.Fatalf("applied %v, want only the new 002_b.sql", applied)
	}
	var y uint16
	if err := conn.QueryRow(ctx, "SELECT y FROM "+clickhouse.Ident(db)+".b").Scan(&y); err != nil {
		t.Fatal(err)
	}
	if y != 14 {
		t.Fatalf("b.y = %d, want 14 (001 applied once, before 002)", y)
	}
}

func TestMigrateRefusesChangedMigration(t *testing.T) {
	conn, cfg := testutil.ClickHouse(t)
	ctx := context.Background()
	db := cfg.Database + "_c"
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+clickhouse.Ident(db)) })
	fsys := fstest.MapFS{"001_t.sql": {Data: []byte("CREATE TABLE IF NOT EXISTS {{ .DB }}.t (x UInt8) ENGINE = Memory")}}
	if _, err := clickhouse.Migrate(ctx, conn, db, fsys, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := clickhouse.LoadMigrations(fsys)
	fsys["001_t.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE IF NOT EXISTS {{ .DB }}.t (x UInt16) ENGINE = Memory")}
	fsys["002_u.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE {{ .DB }}.u (x UInt8) ENGINE = Memory")}
	after, _ := clickhouse.LoadMigrations(fsys)
	applied, err := clickhouse.Migrate(ctx, conn, db, fsys, nil)
	if err == nil {
		t.Fatalf("Migrate of an edited migration succeeded, applied %v", applied)
	}
	for _, want := range []string{"001_t.sql", before[0].Checksum, after[0].Checksum} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = 'u'", db).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("002_u.sql ran although an earlier migration was refused")
	}
}

func TestMigrateRefusesUnknownAppliedVersion(t *testing.T) {
	conn, cfg := testutil.ClickHouse(t)
	// cfg.Database has 001_events applied; a file set without it looks like an older binary.
	_, err := clickhouse.Migrate(context.Background(), conn, cfg.Database, fstest.MapFS{}, nil)
	if err == nil || !strings.Contains(err.Error(), "version 1 (events)") {
		t.Fatalf("err = %v, want a refusal naming version 1 (events)", err)
	}
}

// TestEventsTableMatchesServer checks the gating against the server the tests run on.
func TestEventsTableMatchesServer(t *testing.T) {
	conn, cfg := testutil.ClickHouse(t)
	ctx := context.Background()
	v, err := clickhouse.ServerVersion(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("server %s", v)
	types := map[string]string{}
	rows, err := conn.Query(ctx, "SELECT name, type FROM system.columns WHERE database = ? AND table = 'events'", cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n, typ string
		if err := rows.Scan(&n, &typ); err != nil {
			t.Fatal(err)
		}
		types[n] = typ
	}
	rows.Close()
	wantLocation := "String"
	if v.AtLeast(clickhouse.LowCardinalityMajor, clickhouse.LowCardinalityMinor) {
		wantLocation = "LowCardinality(String)"
	}
	want := map[string]string{
		"location": wantLocation, "time": "DateTime('UTC')", "amount_cents": "Int64", "nps": "Nullable(UInt8)",
		"in": "UInt32", "out": "UInt32", "q11": "UInt8", "misuse": "String", "answers": "String", "kafka_offset": "UInt64", "kafka_partition": "UInt16",
		"type":   "Enum8('button' = 1, 'counter' = 2, 'pos' = 3, 'survey' = 4, 'audit' = 5, 'message' = 6, 'case' = 7, 'review' = 16)",
		"kind":   "Enum8('' = 0, 'smiley' = 1, 'consultation' = 2, 'like' = 3, 'dislike' = 4, 'complaint' = 5, 'thanks' = 6, 'suggestion' = 7, 'shown' = 16, 'click' = 17)",
		"causes": "Array(String)", "case_id": "String", "contact": "String", "audit": "String",
		"reason": wantLocation, "platform": wantLocation,
	}
	for col, typ := range want {
		if types[col] != typ {
			t.Errorf("events.%s is %q, want %q", col, types[col], typ)
		}
	}
	if len(types) != 56 {
		t.Errorf("events has %d columns, want 56: %v", len(types), types)
	}
	var key, partition string
	if err := conn.QueryRow(ctx, "SELECT sorting_key, partition_key FROM system.tables WHERE database = ? AND name = 'events'", cfg.Database).Scan(&key, &partition); err != nil {
		t.Fatal(err)
	}
	if key != "location, time, id" || partition != "toYYYYMM(time)" {
		t.Errorf("events sorting key %q partition key %q", key, partition)
	}
}
