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
		{"lost reply", "SELECT sleep(3) AS x FROM %s.kpi_minute", 2500 * time.Millisecond},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kc := testutil.Kafka(t)
			conn, ch := testutil.ClickHouse(t)
			msgs := generate(15000, uint64(20+i), base)
			x := expect(msgs)
			cfg := testConfig(t, kc, ch, "rollups")
			n := len(msgs)
			produce(t, kc, msgs[:n/3])
			stop := startProcessor(t, cfg)
			waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 3*time.Minute)
			stop()

			// The injected view exists only while the middle third is processed, by an instance with the
			// case's write timeout (the view's sleep outlasts it: the client gives up on every kpi_minute
			// insert, which the server completes all the same).
			db := clickhouse.Ident(ch.Database)
			ctx := context.Background()
			view := db + ".kpi_hour_mv_zz_injected"
			if err := conn.Exec(ctx, "CREATE MATERIALIZED VIEW "+view+" ENGINE = Memory AS "+fmt.Sprintf(c.view, db)); err != nil {
				t.Fatal(err)
			}
			produce(t, kc, msgs[n/3:2*n/3])
			injected := *cfg
			if c.writeTimeout > 0 {
				injected.Processor.WriteTimeout = c.writeTimeout
			}
			stop = startProcessor(t, &injected)
			waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 3*time.Minute) // kpi_minute has it: its part is committed first
			stop()
			if err := conn.Exec(ctx, "DROP TABLE "+view); err != nil {
				t.Fatal(err)
			}

			produce(t, kc, msgs[2*n/3:])
			stop = startProcessor(t, cfg)
			waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 3*time.Minute)
			stop()
			check(t, conn, ch.Database, x) // every rollup too
		})
	}
}
