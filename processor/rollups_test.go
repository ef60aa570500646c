package processor_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/testutil"
)

// TestRollupsExactUnderPartialFailure: an INSERT into kpi_minute commits kpi_minute's part before its
// materialized views write theirs, so a view that fails (or a client that gives up while the server is
// between the two) leaves kpi_minute and its marks in and a rollup short. An extra view on kpi_minute,
// named to run after kpi_hour_mv and before kpi_hour_total_mv (ClickHouse pushes to views in name order),
// makes that happen for a third of the stream: it throws (a failed dependent write), or sleeps past the
// processor's write timeout (a lost reply after a committed insert). Afterwards every figure and every
// rollup must be exact.
func TestRollupsExactUnderPartialFailure(t *testing.T) {
	cases := []struct {
		name, view   string
		writeTimeout time.Duration
	}{
		{"failing view", "SELECT throwIf(surveys > -1000000) AS x FROM %s.kpi_minute", 0},
		{"lost reply", "SELECT sleep(2) AS x FROM %s.kpi_minute", 1500 * time.Millisecond},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kc := testutil.Kafka(t)
			conn, ch := testutil.ClickHouse(t)
			msgs := generate(15000, uint64(20+i), base)
			x := expect(msgs)
			cfg := testConfig(t, kc, ch, "rollups")
			if c.writeTimeout > 0 {
				cfg.Processor.WriteTimeout = c.writeTimeout
			}
			stop := startProcessor(t, cfg)
			defer func() {
				if stop != nil {
					stop()
				}
			}()
			n := len(msgs)
			produce(t, kc, msgs[:n/3])
			waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), time.Minute)

			db := clickhouse.Ident(ch.Database)
			ctx := context.Background()
			view := db + ".kpi_hour_mv_zz_injected"
			if err := conn.Exec(ctx, "CREATE MATERIALIZED VIEW "+view+" ENGINE = Memory AS "+fmt.Sprintf(c.view, db)); err != nil {
				t.Fatal(err)
			}
			produce(t, kc, msgs[n/3:2*n/3])
			waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), time.Minute) // kpi_minute has it: its part is committed first
			time.Sleep(time.Second)
			if err := conn.Exec(ctx, "DROP TABLE "+view); err != nil {
				t.Fatal(err)
			}
			produce(t, kc, msgs[2*n/3:])
			waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), time.Minute)
			stop()
			stop = nil
			check(t, conn, ch.Database, x) // every rollup too
		})
	}
}
