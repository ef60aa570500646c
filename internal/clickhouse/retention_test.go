package clickhouse_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/testutil"
)

// TestDropMonthsBefore fills kpi_status_history (partitioned by month) over three months and checks which
// months each cutoff drops and that the rows of the others are all still there.
func TestDropMonthsBefore(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cutoff  time.Time
		dropped []string
		left    uint64 // rows left of the 3 per month
	}{
		{"before everything", time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC), nil, 9},
		{"inside the second month", time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC), []string{"202601"}, 6},
		{"on a month's first second", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), []string{"202601", "202602"}, 3},
		{"after everything", time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC), []string{"202601", "202602", "202603"}, 0},
		{"zone of the cutoff does not matter", time.Date(2026, 3, 1, 2, 0, 0, 0, time.FixedZone("MSK", 3*3600)), []string{"202601"}, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, cfg := testutil.ClickHouse(t)
			ctx := context.Background()
			b, err := conn.PrepareBatch(ctx, "INSERT INTO "+clickhouse.Ident(cfg.Database)+".kpi_status_history (location, kpi, window, evaluated_at, n, status, since, direction, min_n)")
			if err != nil {
				t.Fatal(err)
			}
			for m := 1; m <= 3; m++ {
				for _, at := range []time.Time{
					time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC),
					time.Date(2026, time.Month(m), 15, 12, 0, 0, 0, time.UTC),
					time.Date(2026, time.Month(m)+1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Second),
				} {
					if err := b.Append("a", "nps", "1h", at, int64(1), "green", at, "higher", int64(0)); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := b.Send(); err != nil {
				t.Fatal(err)
			}
			dropped, err := clickhouse.DropMonthsBefore(ctx, conn, cfg.Database, "kpi_status_history", tc.cutoff)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(dropped)
			if !slices.Equal(dropped, tc.dropped) {
				t.Errorf("dropped %v, want %v", dropped, tc.dropped)
			}
			var left uint64
			if err := conn.QueryRow(ctx, "SELECT count() FROM "+clickhouse.Ident(cfg.Database)+".kpi_status_history").Scan(&left); err != nil {
				t.Fatal(err)
			}
			if left != tc.left {
				t.Errorf("%d rows left, want %d", left, tc.left)
			}
			// Again: nothing more to drop.
			if again, err := clickhouse.DropMonthsBefore(ctx, conn, cfg.Database, "kpi_status_history", tc.cutoff); err != nil || len(again) != 0 {
				t.Errorf("second run dropped %v (err %v), want nothing", again, err)
			}
		})
	}
}
