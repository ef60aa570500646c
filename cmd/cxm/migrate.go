package main

import (
	"context"
	"strings"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/schemas"
)

func migrateCommand() command {
	return command{
		use:   "migrate",
		short: "create the ClickHouse database and apply the schema migrations",
		uses:  []section{clickhouseSection},
		run:   runMigrate,
	}
}

func runMigrate(ctx context.Context, e *env) error {
	cfg := e.cfg.ClickHouse
	if err := clickhouse.ValidateDatabase(cfg.Database); err != nil {
		return err
	}
	conn, err := clickhouse.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	v, err := clickhouse.ServerVersion(ctx, conn)
	if err != nil {
		return err
	}
	log := e.log.With("server", v.String(), "addr", strings.Join(cfg.Addr, ","))
	applied, err := clickhouse.Migrate(ctx, conn, cfg.Database, schemas.ClickHouseMigrations(), log)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		log.Info("schema up to date, nothing to apply", "database", cfg.Database)
	} else {
		log.Info("schema migrated", "database", cfg.Database, "applied", strings.Join(applied, ", "))
	}
	if cfg.EventsTTL > 0 {
		if err := clickhouse.SetEventsTTL(ctx, conn, cfg.Database, cfg.EventsTTL); err != nil {
			return err
		}
		log.Info("events TTL set", "database", cfg.Database, "ttl", cfg.EventsTTL)
	}
	return nil
}
