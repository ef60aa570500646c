package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/testutil"
)

// TestClusterShardDown: the API on server 1 of the local cluster (make cluster) while both replicas of
// shard 2 are stopped. What reads a Distributed table (statuses, raw events) answers 503 naming shard 2
// and its hosts, never partial figures; the KPI figures, read from tables replicated to every server, stay
// exactly what they were.
func TestClusterShardDown(t *testing.T) {
	c := testutil.ClickHouseCluster(t)
	ch := c.Cfg
	ch.Addr = ch.Addr[:1]
	f, conn, db := setupOn(t, c.Servers[0], ch, nil)
	ctx := context.Background()
	from := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	insertMinutes(t, conn, db, from, 60)
	for _, loc := range []string{"msk-1", "msk-2", "del-1"} {
		must(t, conn.Exec(ctx, "INSERT INTO "+clickhouse.Ident(db)+`.kpi_status SELECT '`+loc+`', 'nps', '1h', toDateTime('2026-03-02 11:00:00', 'UTC'), 40, 50, 30, 50, 'green', toDateTime('2026-03-02 09:00:00', 'UTC'), 20, 0, 'higher' FROM numbers(1)`))
	}
	const kpis = "/v1/kpis?kpi=nps&kpi=visitors&from=2026-03-02T10:00:00Z&to=2026-03-02T11:00:00Z&step=1h"
	before := f.get(tokAll, kpis)
	if before.Code != http.StatusOK {
		t.Fatalf("kpis with every server up: %d %s", before.Code, before.Body)
	}
	var n int64
	for _, s := range decode[kpisBody](t, before).Series {
		for _, p := range s.Points {
			n += p.N
		}
	}
	if n == 0 {
		t.Fatalf("kpis with every server up counted nothing: %s", before.Body)
	}
	if rec := f.get(tokAll, "/v1/status"); rec.Code != http.StatusOK || strings.Count(rec.Body.String(), `"location"`) != 3 {
		t.Fatalf("status with every server up: %d %s", rec.Code, rec.Body)
	}

	c.Stop(3)
	c.Stop(4)
	for _, path := range []string{"/v1/status", "/v1/locations"} {
		rec := f.get(tokAll, path)
		body := rec.Body.String()
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(body, "shard 2 of cluster "+c.Cfg.Cluster) ||
			!strings.Contains(body, c.Cfg.Addr[2]) || !strings.Contains(body, c.Cfg.Addr[3]) {
			t.Errorf("%s with shard 2 down: %d %s; want 503 naming shard 2 and its hosts", path, rec.Code, body)
		}
	}
	after := f.get(tokAll, kpis)
	if after.Code != http.StatusOK || after.Body.String() != before.Body.String() {
		t.Errorf("kpis with shard 2 down: %d %s\nwant the same answer as before: %s", after.Code, after.Body, before.Body)
	}
	c.Start(3)
	c.Start(4)
	if rec := f.get(tokAll, "/v1/status"); rec.Code != http.StatusOK || strings.Count(rec.Body.String(), `"location"`) != 3 {
		t.Errorf("status once shard 2 is back: %d %s", rec.Code, rec.Body)
	}
}
