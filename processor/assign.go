package processor

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/processor/buckets"
	"github.com/cxm-project/cxm/processor/partition"
	"github.com/cxm-project/cxm/processor/writer"
)

// assignment is what an assignment reads from ClickHouse for its partitions.
type assignment struct {
	*buckets.Assignment
	states map[int32]*partition.State
	// beyond is, per partition, the largest offset beyond its mark with a raw row (partition.WrittenBeyond).
	beyond map[int32]int64
}

// readAssignment reads the marks of partitions, lets check refuse them (nil: no check), repairs the
// rollups of each partition's newest flush and rebuilds the partitions' states. The statements are per
// assignment, not per partition, and each reads a range of event time or minutes bounded by the horizons
// (processor/README.md, "Assignment cost").
func readAssignment(ctx context.Context, conn driver.Conn, db string, rules partition.Rules, ids []int32, check func(map[int32]buckets.Mark) error) (*assignment, error) {
	a, err := buckets.ReadAssignment(ctx, conn, db, ids, rules.Lookback(), rules.DedupeHorizon, time.Now())
	if err != nil {
		return nil, err
	}
	if check != nil {
		if err := check(a.Marks); err != nil {
			return nil, err
		}
	}
	// The newest flush's writer may have ended between a kpi_minute insert that did not return success and
	// its rollup repair (writer.RepairRollups).
	if err := writer.RepairNewestMinutes(ctx, conn, db, slices.Collect(maps.Keys(a.Marks)), a.Newest); err != nil {
		return nil, err
	}
	states, err := partition.Load(ctx, conn, db, ids, rules, a)
	if err != nil {
		return nil, err
	}
	beyond, err := partition.WrittenBeyond(ctx, conn, db, ids, rules, a.Marks)
	if err != nil {
		return nil, err
	}
	return &assignment{Assignment: a, states: states, beyond: beyond}, nil
}
