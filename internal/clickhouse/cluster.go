package clickhouse

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// CheckCluster fails unless the server knows the cluster name (its <remote_servers>) and has the macros
// the cluster schema's replication paths use, naming what is missing: otherwise the first ON CLUSTER
// statement would fail with a less telling message, or a table would be created with a wrong path.
func CheckCluster(ctx context.Context, conn driver.Conn, name string) error {
	var hosts uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.clusters WHERE cluster = ?", name).Scan(&hosts); err != nil {
		return fmt.Errorf("clickhouse.cluster: read system.clusters: %w", err)
	}
	if hosts == 0 {
		return fmt.Errorf("clickhouse.cluster: the server has no cluster %q in <remote_servers>", name)
	}
	for _, macro := range []string{"shard", "replica"} {
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.macros WHERE macro = ?", macro).Scan(&n); err != nil {
			return fmt.Errorf("clickhouse.cluster: read system.macros: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("clickhouse.cluster: the server has no <macros><%s>: the replicated tables' paths need {shard} and {replica}", macro)
		}
	}
	return nil
}
