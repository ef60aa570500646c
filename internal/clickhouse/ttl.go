package clickhouse

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// EventsTTLStatement is the ALTER that makes the server delete events ttl after their event time.
func EventsTTLStatement(database string, ttl time.Duration) string {
	return fmt.Sprintf("ALTER TABLE %s.events MODIFY TTL time + toIntervalSecond(%d)", Ident(database), int64(ttl/time.Second))
}

// SetEventsTTL applies the configured retention of raw events. It is a separate step rather than part of
// 001_events.sql because retention is configuration: changing it must take effect without a new migration,
// and migration checksums cover the source, not the configuration. A zero ttl changes nothing (an existing
// TTL stays until removed by hand with ALTER TABLE … REMOVE TTL on servers that have it).
func SetEventsTTL(ctx context.Context, conn driver.Conn, database string, ttl time.Duration) error {
	if ttl == 0 {
		return nil
	}
	if ttl < time.Hour {
		return fmt.Errorf("clickhouse.events_ttl: %s is shorter than an hour; it would delete events before the KPIs are computed", ttl)
	}
	v, err := ServerVersion(ctx, conn)
	if err != nil {
		return err
	}
	if !v.AtLeast(TTLMajor, TTLMinor) {
		return fmt.Errorf("clickhouse.events_ttl: table TTL needs ClickHouse %d.%d or newer, the server is %s; unset it or upgrade", TTLMajor, TTLMinor, v)
	}
	if err := conn.Exec(ctx, EventsTTLStatement(database, ttl)); err != nil {
		return fmt.Errorf("set events TTL on %s: %w", database, err)
	}
	return nil
}
