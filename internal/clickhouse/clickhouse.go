// Package clickhouse is CXM's ClickHouse layer: the native-protocol connection, the server version (newer
// features are gated on it), schema migrations and the raw events insert.
//
// Connections never select a database: the database may not exist yet (the migrator creates it), so every
// statement names its tables as database.table, with the database from config quoted by Ident.
package clickhouse

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/config"
)

// Open connects over the native protocol (the only one clickhouse-go speaks with 18.16) and pings, so a
// wrong address or credentials fail here rather than at the first insert.
func Open(ctx context.Context, cfg config.ClickHouse) (driver.Conn, error) {
	return open(ctx, cfg, false)
}

func open(ctx context.Context, cfg config.ClickHouse, consistent bool) (driver.Conn, error) {
	if len(cfg.Addr) == 0 {
		return nil, errors.New("clickhouse.addr: at least one host:port is required")
	}
	if cfg.MaxOpenConns < 0 {
		return nil, fmt.Errorf("clickhouse.max_open_conns: must be >= 0, got %d", cfg.MaxOpenConns)
	}
	opts := &ch.Options{
		Protocol: ch.Native,
		Addr:     cfg.Addr,
		Auth: ch.Auth{
			// Deliberately not cfg.Database: the server rejects the handshake for a database that does
			// not exist yet, and `cxm migrate` must be able to create it.
			Username: cfg.Username,
			Password: cfg.Password,
		},
		Compression:  &ch.Compression{Method: ch.CompressionLZ4},
		DialTimeout:  cfg.DialTimeout,
		ReadTimeout:  cfg.ReadTimeout,
		MaxOpenConns: cfg.MaxOpenConns,
		ClientInfo: ch.ClientInfo{
			Products: []struct{ Name, Version string }{{Name: "cxm", Version: "1"}},
		},
	}
	// clickhouse-go defaults to 5 idle connections; more idle than open would only be trimmed again.
	if cfg.MaxOpenConns > 0 {
		opts.MaxIdleConns = min(5, cfg.MaxOpenConns)
	}
	if cfg.TLS {
		opts.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if cfg.Cluster != "" {
		opts.Settings = ClusterWriteSettings(cfg)
		if consistent {
			opts.Settings["select_sequential_consistency"] = 1
		}
	}
	conn, err := ch.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: open %s: %w", strings.Join(cfg.Addr, ","), err)
	}
	if err := Ping(ctx, conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("clickhouse: %s: %w", strings.Join(cfg.Addr, ","), err)
	}
	return conn, nil
}

// ClusterWriteSettings are the settings of every connection to a cluster. An INSERT into a Distributed
// table returns only when each shard has its rows (insert_distributed_sync), and an INSERT into a
// replicated table only when insert_quorum replicas hold it: once acknowledged, a write survives the loss
// of the server it went to, and a replica that lacks it knows it (select_sequential_consistency, see
// OpenConsistent). Retried identical blocks are dropped by the replicated tables (insert_deduplicate, the
// default).
func ClusterWriteSettings(cfg config.ClickHouse) ch.Settings {
	return ch.Settings{"insert_distributed_sync": 1, "insert_quorum": cfg.InsertQuorum}
}

// OpenConsistent is Open for a reader whose decisions depend on seeing every acknowledged write, the
// processor's marks above all: on a cluster its SELECTs run with select_sequential_consistency = 1, so a
// replica that has not yet fetched a quorum-written part fails the query (and the caller retries) instead
// of answering with an older mark. On one server it is Open.
func OpenConsistent(ctx context.Context, cfg config.ClickHouse) (driver.Conn, error) {
	return open(ctx, cfg, cfg.Cluster != "")
}

// Ping checks that the server answers; used by Open and by readiness probes.
func Ping(ctx context.Context, conn driver.Conn) error {
	if err := conn.Ping(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// Ident quotes an identifier (database, table or column name) with backquotes, so names that are keywords
// (in, out) or contain odd characters are safe in generated SQL.
func Ident(name string) string {
	return "`" + strings.NewReplacer("\\", "\\\\", "`", "\\`").Replace(name) + "`"
}

// Quote is a ClickHouse string literal of s, for the few statements that cannot take it as a parameter
// (table-function arguments, IN lists built once for many rows).
func Quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// ValidateDatabase rejects database names that would need quoting to be usable by people writing SQL by
// hand: data engineers query these tables directly.
func ValidateDatabase(name string) error {
	if name == "" {
		return errors.New("clickhouse.database: must not be empty")
	}
	for i, c := range name {
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return fmt.Errorf("clickhouse.database: %q must match [A-Za-z_][A-Za-z0-9_]*", name)
	}
	return nil
}
