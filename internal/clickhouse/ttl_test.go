package clickhouse_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/testutil"
)

func TestEventsTTLStatement(t *testing.T) {
	got := clickhouse.EventsTTLStatement("cxm", 30*24*time.Hour)
	if want := "ALTER TABLE `cxm`.events MODIFY TTL time + toIntervalSecond(2592000)"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestSetEventsTTL holds on whichever server runs it: applied from 19.6, refused with the reason before.
func TestSetEventsTTL(t *testing.T) {
	conn, cfg := testutil.ClickHouse(t)
	ctx := context.Background()
	if err := clickhouse.SetEventsTTL(ctx, conn, cfg.Database, 0); err != nil {
		t.Fatalf("zero TTL (the default) must be a no-op on every server: %v", err)
	}
	if err := clickhouse.SetEventsTTL(ctx, conn, cfg.Database, time.Minute); err == nil || !strings.Contains(err.Error(), "clickhouse.events_ttl") {
		t.Fatalf("1m TTL: err = %v, want a refusal naming clickhouse.events_ttl", err)
	}
	v, err := clickhouse.ServerVersion(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	err = clickhouse.SetEventsTTL(ctx, conn, cfg.Database, 90*24*time.Hour)
	if !v.AtLeast(clickhouse.TTLMajor, clickhouse.TTLMinor) {
		if err == nil || !strings.Contains(err.Error(), "needs ClickHouse 19.6") {
			t.Fatalf("server %s: err = %v, want a refusal saying TTL needs 19.6", v, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("server %s: %v", v, err)
	}
	var ddl string
	if err := conn.QueryRow(ctx, "SELECT create_table_query FROM system.tables WHERE database = ? AND name = 'events'", cfg.Database).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ddl, "TTL time + toIntervalSecond(7776000)") {
		t.Fatalf("events DDL lacks the TTL: %s", ddl)
	}
}
