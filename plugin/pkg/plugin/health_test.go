package plugin

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/cxm-project/cxm/internal/clickhouse"
)

func TestCheckHealth(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	want, err := requiredSchemaVersion()
	if err != nil {
		t.Fatal(err)
	}
	v, err := clickhouse.ServerVersion(ctx, env.conn)
	if err != nil {
		t.Fatal(err)
	}
	with := func(change map[string]any, password string) *Datasource {
		js := map[string]any{"address": env.ch.Addr[0], "database": env.ch.Database, "username": env.ch.Username}
		for k, v := range change {
			js[k] = v
		}
		ds := newDatasource(instanceSettings(t, js, password))
		t.Cleanup(ds.Dispose)
		return ds
	}
	tests := []struct {
		name   string
		ds     func(t *testing.T) *Datasource
		status backend.HealthStatus
		msg    string // exact message, or its prefix when it ends with "…"
	}{
		{"ok", func(*testing.T) *Datasource { return env.ds }, backend.HealthStatusOk,
			fmt.Sprintf("ClickHouse %s, database %s, schema version %d; 3 locations configured", v, env.ch.Database, want)},
		{"no address", func(*testing.T) *Datasource { return with(map[string]any{"address": ""}, "") }, backend.HealthStatusError,
			"address: set the host:port of ClickHouse's native protocol, e.g. 127.0.0.1:9000"},
		{"unreachable", func(*testing.T) *Datasource { return with(map[string]any{"address": "127.0.0.1:1"}, "") }, backend.HealthStatusError,
			"ClickHouse at 127.0.0.1:1 is unreachable (check address and TLS): …"},
		{"unknown user", func(*testing.T) *Datasource { return with(map[string]any{"username": "cxm_no_such_user"}, "x") }, backend.HealthStatusError,
			fmt.Sprintf("ClickHouse at %s refused user \"cxm_no_such_user\": wrong credentials (check user and password): …", env.ch.Addr[0])},
		{"wrong password", func(*testing.T) *Datasource { return with(nil, "not-the-password") }, backend.HealthStatusError,
			fmt.Sprintf("ClickHouse at %s refused user \"default\": wrong credentials (check user and password): …", env.ch.Addr[0])},
		{"missing database", func(*testing.T) *Datasource { return with(map[string]any{"database": "cxm_no_such_db"}, "") }, backend.HealthStatusError,
			fmt.Sprintf("database \"cxm_no_such_db\" does not exist on ClickHouse %s: run `cxm migrate` against it, or fix the database setting", v)},
		{"no schema", func(t *testing.T) *Datasource {
			db := env.ch.Database + "_empty"
			if err := env.conn.Exec(ctx, "CREATE DATABASE "+db); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = env.conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db) })
			return with(map[string]any{"database": db}, "")
		}, backend.HealthStatusError, fmt.Sprintf("database %q has no CXM schema (no schema_migrations table): run `cxm migrate`", env.ch.Database+"_empty")},
		{"schema too old", func(t *testing.T) *Datasource {
			db := env.ch.Database + "_old"
			for _, s := range []string{
				"CREATE DATABASE " + db,
				"CREATE TABLE " + db + ".schema_migrations (version UInt32, name String, checksum String, applied_at DateTime('UTC')) ENGINE = MergeTree ORDER BY version",
			} {
				if err := env.conn.Exec(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			// INSERT … SELECT: the server evaluates it; no client-side data block is involved.
			if err := env.conn.Exec(ctx, fmt.Sprintf("INSERT INTO %s.schema_migrations SELECT toUInt32(%d), 'old', '', now()", db, want-1)); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = env.conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db) })
			return with(map[string]any{"database": db}, "")
		}, backend.HealthStatusError, fmt.Sprintf("schema of %q is too old: migration %d applied, this plugin needs %d: run `cxm migrate`", env.ch.Database+"_old", want-1, want)},
		{"bad config file", func(*testing.T) *Datasource { return with(map[string]any{"configPath": "/nonexistent/cxm.yaml"}, "") }, backend.HealthStatusError,
			"cxm config \"/nonexistent/cxm.yaml\" (configPath): …"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.ds(t).CheckHealth(ctx, &backend.CheckHealthRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tt.status {
				t.Errorf("status = %v, want %v (%s)", res.Status, tt.status, res.Message)
			}
			if prefix, ok := strings.CutSuffix(tt.msg, "…"); ok {
				if !strings.HasPrefix(res.Message, prefix) {
					t.Errorf("message = %q, want prefix %q", res.Message, prefix)
				}
			} else if res.Message != tt.msg {
				t.Errorf("message = %q, want %q", res.Message, tt.msg)
			}
		})
	}
}
