package schemas

import (
	"embed"
	"io/fs"
)

// ClickHouse holds the ClickHouse migrations as clickhouse/NNN_name.sql (see README.md).
//
//go:embed clickhouse/*.sql
var ClickHouse embed.FS

// ClickHouseMigrations is ClickHouse rooted at its clickhouse/ folder, the layout clickhouse.Migrate reads.
func ClickHouseMigrations() fs.FS {
	sub, err := fs.Sub(ClickHouse, "clickhouse")
	if err != nil {
		// Only reachable if the embed pattern above stops matching, which fails the build first.
		panic(err)
	}
	return sub
}
