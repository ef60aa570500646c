package clickhouse

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// DropMonthsBefore drops the partitions of a table partitioned by toYYYYMM(…) whose whole month lies
// before cutoff, and returns their ids. It is retention for servers without table TTL (before 19.6), and a
// cheap one on any server: dropping a partition removes its directory, nothing is rewritten. Idempotent,
// so several instances may run it.
func DropMonthsBefore(ctx context.Context, conn driver.Conn, database, table string, cutoff time.Time) ([]string, error) {
	c := cutoff.UTC()
	// A month is wholly before cutoff exactly when it is before cutoff's month.
	limit := c.Year()*100 + int(c.Month())
	rows, err := conn.Query(ctx, "SELECT DISTINCT partition_id FROM system.parts WHERE database = ? AND table = ? AND active", database, table)
	if err != nil {
		return nil, fmt.Errorf("retention of %s.%s: list partitions: %w", database, table, err)
	}
	var old []int
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("retention of %s.%s: %w", database, table, err)
		}
		// Partition ids of toYYYYMM are the month number; anything else is not ours to drop.
		if m, err := strconv.Atoi(id); err == nil && len(id) == 6 && m < limit {
			old = append(old, m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("retention of %s.%s: %w", database, table, err)
	}
	var dropped []string
	for _, m := range old {
		if err := conn.Exec(ctx, fmt.Sprintf("ALTER TABLE %s.%s DROP PARTITION %d", Ident(database), Ident(table), m)); err != nil {
			return dropped, fmt.Errorf("retention of %s.%s: drop month %d: %w", database, table, m, err)
		}
		dropped = append(dropped, strconv.Itoa(m))
	}
	return dropped, nil
}
