package cluster_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	cluster "github.com/cxm-project/cxm/deploy/clickhouse-cluster"
	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/schemas"
)

// TestMigrateOnCluster runs `cxm migrate`'s cluster layout against the local 2×2 cluster (make cluster):
// every server ends up with the tables schema.sql describes, in their replicated and Distributed engines,
// schema_migrations holds each migration once with the file's checksum on every server, a second run
// applies nothing, and an edited migration is refused.
func TestMigrateOnCluster(t *testing.T) {
	c := testutil.ClickHouseCluster(t) // migrated once
	ctx := context.Background()
	db := c.Cfg.Database
	ms, err := clickhouse.LoadMigrations(schemas.ClickHouseMigrations())
	if err != nil {
		t.Fatal(err)
	}

	want := map[string]string{}
	for name, layout := range cluster.Layouts {
		if layout == cluster.Sharded {
			want[name+"_local"] = "Replicated"
			want[name] = "Distributed"
		} else {
			want[name] = "Replicated"
		}
	}
	for _, v := range []string{"kpi_5m_mv", "kpi_hour_mv", "kpi_day_mv", "kpi_hour_total_mv"} {
		want[v] = "MaterializedView"
	}
	for i, s := range c.Servers {
		rows, err := s.Query(ctx, "SELECT name, engine FROM system.tables WHERE database = ?", db)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for rows.Next() {
			var name, engine string
			if err := rows.Scan(&name, &engine); err != nil {
				t.Fatal(err)
			}
			got[name] = engine
		}
		rows.Close()
		for name, prefix := range want {
			if !strings.HasPrefix(got[name], prefix) {
				t.Errorf("server %d: %s.%s engine %q, want %s…", i+1, db, name, got[name], prefix)
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok && !strings.HasPrefix(name, ".inner") {
				t.Errorf("server %d: unexpected table %s", i+1, name)
			}
		}
		if err := s.Exec(ctx, "SYSTEM SYNC REPLICA "+clickhouse.Ident(db)+".schema_migrations"); err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			var n uint64
			var sum string
			if err := s.QueryRow(ctx, "SELECT count(), any(checksum) FROM "+clickhouse.Ident(db)+".schema_migrations WHERE version = ?", m.Version).Scan(&n, &sum); err != nil {
				t.Fatal(err)
			}
			if n != 1 || sum != m.Checksum {
				t.Errorf("server %d: %s recorded %d times with checksum %s, want once with %s", i+1, m.File, n, sum, m.Checksum)
			}
		}
	}

	layout := cluster.Cluster{Name: c.Cfg.Cluster}
	// Through another server: the records replicated there say everything is applied.
	applied, err := clickhouse.MigrateLayout(ctx, c.Servers[3], db, schemas.ClickHouseMigrations(), nil, layout)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Fatalf("second migrate applied %v, want nothing", applied)
	}

	changed := fstest.MapFS{}
	if err := fs.WalkDir(schemas.ClickHouseMigrations(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(schemas.ClickHouseMigrations(), p)
		if strings.HasPrefix(p, "002_") {
			b = append(b, "\n-- edited after it was applied\n"...)
		}
		changed[p] = &fstest.MapFile{Data: b}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, err = clickhouse.MigrateLayout(ctx, c.Servers[1], db, changed, nil, layout)
	if err == nil || !strings.Contains(err.Error(), "002_kpi_minute.sql was changed after it was applied") {
		t.Fatalf("edited migration: err %v, want a refusal naming 002_kpi_minute.sql", err)
	}

	// Events through the Distributed table land on both shards, each row once; written with the quorum
	// of both replicas (what the processor does on a cluster), every replica has them when the INSERT
	// returns, so any server reads them back whole.
	ins := fmt.Sprintf("INSERT INTO %s.events (id, type, location, time, received, kafka_partition, kafka_offset) SELECT toString(number), 'button', concat('loc', toString(number %% 50)), now(), now(), 0, number FROM system.numbers LIMIT 1000", clickhouse.Ident(db))
	if err := c.Servers[0].Exec(ch.Context(ctx, ch.WithSettings(ch.Settings{"insert_distributed_sync": 1, "insert_quorum": 2})), ins); err != nil {
		t.Fatal(err)
	}
	var perShard [2]uint64
	for i, s := range []int{0, 2} {
		if err := c.Servers[s].QueryRow(ctx, "SELECT count() FROM "+clickhouse.Ident(db)+".events_local").Scan(&perShard[i]); err != nil {
			t.Fatal(err)
		}
	}
	if perShard[0] == 0 || perShard[1] == 0 || perShard[0]+perShard[1] != 1000 {
		t.Fatalf("events per shard %v, want both shards non-empty and 1000 in all", perShard)
	}
	var total uint64
	if err := c.Servers[3].QueryRow(ctx, "SELECT count() FROM "+clickhouse.Ident(db)+".events").Scan(&total); err != nil {
		t.Fatal(err)
	}
	if total != 1000 {
		t.Fatalf("events through server 4's Distributed table: %d, want 1000", total)
	}
}
