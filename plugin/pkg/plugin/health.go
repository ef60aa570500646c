package plugin

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/schemas"
)

// CheckHealth is Grafana's "Save & test": it says precisely what is wrong — the settings, the cxm
// config file, an unreachable server, wrong credentials, a missing database or a schema older than the
// one this plugin was built with — or what it found.
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	conn, err := d.connection(ctx)
	if err != nil {
		return healthError(err.Error()), nil
	}
	msg, err := checkSchema(ctx, conn, d.settings.Database)
	if err != nil {
		return healthError(err.Error()), nil
	}
	return &backend.CheckHealthResult{
		Status:  backend.HealthStatusOk,
		Message: fmt.Sprintf("%s; %d locations configured", msg, len(d.cfg.Locations)),
	}, nil
}

func healthError(msg string) *backend.CheckHealthResult {
	return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: msg}
}

// requiredSchemaVersion is the newest migration this plugin was built with: the tables and columns its
// queries read exist from that version on.
func requiredSchemaVersion() (uint32, error) {
	ms, err := clickhouse.LoadMigrations(schemas.ClickHouseMigrations())
	if err != nil || len(ms) == 0 {
		return 0, fmt.Errorf("embedded migrations: %v", err)
	}
	return ms[len(ms)-1].Version, nil
}

// checkSchema verifies the database and its schema_migrations, returning a summary when all is well.
func checkSchema(ctx context.Context, conn driver.Conn, database string) (string, error) {
	v, err := clickhouse.ServerVersion(ctx, conn)
	if err != nil {
		return "", err
	}
	var dbs uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.databases WHERE name = ?", database).Scan(&dbs); err != nil {
		return "", fmt.Errorf("ClickHouse %s: list databases: %w", v, err)
	}
	if dbs == 0 {
		return "", fmt.Errorf("database %q does not exist on ClickHouse %s: run `cxm migrate` against it, or fix the database setting", database, v)
	}
	var tables uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = 'schema_migrations'", database).Scan(&tables); err != nil {
		return "", fmt.Errorf("ClickHouse %s: list tables: %w", v, err)
	}
	if tables == 0 {
		return "", fmt.Errorf("database %q has no CXM schema (no schema_migrations table): run `cxm migrate`", database)
	}
	var applied uint32
	if err := conn.QueryRow(ctx, "SELECT toUInt32(max(version)) FROM "+clickhouse.Ident(database)+".schema_migrations").Scan(&applied); err != nil {
		return "", fmt.Errorf("read %s.schema_migrations: %w", database, err)
	}
	want, err := requiredSchemaVersion()
	if err != nil {
		return "", err
	}
	if applied < want {
		return "", fmt.Errorf("schema of %q is too old: migration %d applied, this plugin needs %d: run `cxm migrate`", database, applied, want)
	}
	return fmt.Sprintf("ClickHouse %s, database %s, schema version %d", v, database, applied), nil
}
