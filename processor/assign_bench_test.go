package processor

import (
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor/buckets"
	"github.com/cxm-project/cxm/processor/dedupe"
	"github.com/cxm-project/cxm/processor/partition"
	"github.com/cxm-project/cxm/processor/writer"
)

// BenchmarkAssignment measures what an assignment of 12 partitions reads from ClickHouse (marks, rollup
// repair of the newest flushes, ids, presses, rows beyond the marks) with 10 M raw events and 1 M
// kpi_minute rows over the last 30 days: "batched" is readAssignment, "per-partition" the statements it
// replaced (kept below as the baseline: the mark reads over the whole tables, then three statements per
// partition, the ids one without a bound on event time). Both must find the same state. rows/op is the
// rows the server read. The fill takes a minute or two, so it runs only with CXM_BENCH_ASSIGN=1
// (make bench sets it).
func BenchmarkAssignment(b *testing.B) {
	if os.Getenv("CXM_BENCH_ASSIGN") == "" {
		b.Skip("set CXM_BENCH_ASSIGN=1: fills 10 M raw events and 1 M kpi_minute rows")
	}
	conn, cfg := testutil.ClickHouse(b)
	ctx := context.Background()
	db := clickhouse.Ident(cfg.Database)
	const (
		events     = 10_000_000
		minuteRows = 1_000_000
		locations  = 48 // location l lives in partition l % 12
		partitions = 12
		span       = 30 * 24 * 3600
	)
	now := time.Now().Unix()
	t0 := now - now%60 - span
	start := time.Now()
	// Offsets follow event time per partition; every fifth event is a smiley press of one of 7 devices. In
	// chunks of a million rows: each statement stays well within the connection's read timeout.
	const chunk = 1_000_000
	for c := 0; c < events/chunk; c++ {
		if err := conn.Exec(ctx, fmt.Sprintf(`INSERT INTO %s.events (id, type, location, device, time, kind, value, scale, received, kafka_partition, kafka_offset)
		SELECT toString(number), if(number %% 5 = 0, 'button', 'counter'), concat('loc-', toString(number %% %d)),
			if(number %% 5 = 0, concat('d', toString(number %% 7)), ''), toDateTime(%d + intDiv(number * %d, %d)),
			if(number %% 5 = 0, 'smiley', ''), if(number %% 5 = 0, 1 + intDiv(number, 5) %% 5, 0), if(number %% 5 = 0, 5, 0),
			toDateTime(%d + intDiv(number * %d, %d) + 1), number %% %d, intDiv(number, %d)
		FROM (SELECT number + %d AS number FROM numbers(%d))`, db, locations, t0, span, events, t0, span, events, partitions, partitions, c*chunk, chunk)); err != nil {
			b.Fatal(err)
		}
	}
	// One flush per partition and slot: its 4 locations' minute, marked with the offset of the partition's
	// last event of that minute.
	slots := minuteRows / locations
	if err := conn.Exec(ctx, fmt.Sprintf(`INSERT INTO %[1]s.kpi_minute (location, minute, visitors, kafka_partition, last_offset, watermark, clock)
		SELECT concat('loc-', toString(number %% %[2]d)), toStartOfMinute(toDateTime(%[3]d + intDiv(intDiv(number, %[2]d) * %[4]d, %[5]d))), 1,
			number %% %[6]d, intDiv(intDiv((toUInt32(toStartOfMinute(toDateTime(%[3]d + intDiv(intDiv(number, %[2]d) * %[4]d, %[5]d)))) + 60 - %[3]d) * %[7]d, %[4]d), %[6]d),
			toDateTime(toUInt32(toStartOfMinute(toDateTime(%[3]d + intDiv(intDiv(number, %[2]d) * %[4]d, %[5]d)))) + 59),
			toDateTime(toUInt32(toStartOfMinute(toDateTime(%[3]d + intDiv(intDiv(number, %[2]d) * %[4]d, %[5]d)))) + 60)
		FROM numbers(%[8]d)`, db, locations, t0, span, slots, partitions, events, slots*locations)); err != nil {
		b.Fatal(err)
	}
	var n, m uint64
	if err := conn.QueryRow(ctx, "SELECT (SELECT count() FROM "+db+".events), (SELECT count() FROM "+db+".kpi_minute)").Scan(&n, &m); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled %d raw events and %d kpi_minute rows in %s", n, m, time.Since(start).Round(time.Second))

	rules := partition.RulesOf(24*time.Hour, 3*time.Second, 7*24*time.Hour+5*time.Minute, 5*time.Minute)
	ids := make([]int32, partitions)
	for i := range ids {
		ids[i] = int32(i)
	}
	var rowsRead atomic.Uint64
	counted := ch.Context(ctx, ch.WithProgress(func(p *ch.Progress) { rowsRead.Add(p.Rows) }))
	var newA, oldA *assignment
	run := func(name string, f func(context.Context) (*assignment, error), into **assignment) {
		b.Run(name, func(b *testing.B) {
			rowsRead.Store(0)
			for b.Loop() {
				a, err := f(counted)
				if err != nil {
					b.Fatal(err)
				}
				*into = a
			}
			b.ReportMetric(float64(rowsRead.Load())/float64(b.N), "rows/op")
		})
	}
	run("per-partition", func(ctx context.Context) (*assignment, error) {
		return perPartitionAssignment(ctx, conn, cfg.Database, rules, ids)
	}, &oldA)
	run("batched", func(ctx context.Context) (*assignment, error) {
		return readAssignment(ctx, conn, cfg.Database, rules, ids, nil)
	}, &newA)
	if oldA == nil || newA == nil {
		return
	}
	if !maps.Equal(oldA.Marks, newA.Marks) || len(newA.Marks) != partitions {
		b.Errorf("marks differ:\nper partition %v\nbatched       %v", oldA.Marks, newA.Marks)
	}
	if !maps.Equal(oldA.beyond, newA.beyond) {
		b.Errorf("rows beyond the marks differ: per partition %v, batched %v", oldA.beyond, newA.beyond)
	}
	for _, p := range ids {
		o, s := oldA.states[p], newA.states[p]
		if o.IDs.Len() != s.IDs.Len() || o.Presses.Len() != s.Presses.Len() || o.Watermark != s.Watermark || o.Clock != s.Clock {
			b.Errorf("partition %d: per partition %d ids, %d presses; batched %d ids, %d presses", p, o.IDs.Len(), o.Presses.Len(), s.IDs.Len(), s.Presses.Len())
		}
	}
	if newA.states[0].IDs.Len() == 0 || newA.states[0].Presses.Len() == 0 {
		b.Errorf("partition 0 loaded %d ids and %d presses: the benchmark measures nothing", newA.states[0].IDs.Len(), newA.states[0].Presses.Len())
	}
}

// perPartitionAssignment is how an assignment read ClickHouse before it was batched and bounded: the
// baseline of BenchmarkAssignment, its statements as they were.
func perPartitionAssignment(ctx context.Context, conn driver.Conn, database string, r partition.Rules, ids []int32) (*assignment, error) {
	marks, err := buckets.ReadMarks(ctx, conn, database, ids)
	if err != nil {
		return nil, err
	}
	a := &assignment{Assignment: &buckets.Assignment{Marks: marks}, states: map[int32]*partition.State{}, beyond: map[int32]int64{}}
	if a.Like, a.Survey, a.Audit, err = buckets.ReadSideMarksFrom(ctx, conn, database, ids, math.MinInt64); err != nil {
		return nil, err
	}
	newest := map[int32]int64{}
	for p, m := range marks {
		newest[p] = m.LastOffset
	}
	if err := repairNewest(ctx, conn, database, newest); err != nil {
		return nil, err
	}
	tbl := clickhouse.Ident(database) + ".events"
	for _, p := range ids {
		s := partition.NewState(p, r)
		a.states[p] = s
		mark, ok := marks[p]
		last := int64(-1)
		if ok {
			s.Watermark, s.Clock, last = mark.Watermark, mark.Clock, mark.LastOffset
			since := max(0, s.Clock-r.DedupeHorizon)
			rows, err := conn.Query(ctx, "SELECT location, id, toUInt32(received), toUInt32(time), kafka_offset FROM "+tbl+
				" WHERE kafka_partition = ? AND kafka_offset <= ? AND (received > toDateTime(?) OR time > toDateTime(?))",
				uint16(p), uint64(mark.LastOffset), since, since)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var (
					loc, id string
					recv, t uint32
					off     uint64
				)
				if err := rows.Scan(&loc, &id, &recv, &t, &off); err != nil {
					rows.Close()
					return nil, err
				}
				s.IDs.Load(loc, id, int64(recv), int64(t), int64(off))
			}
			rows.Close()
			rows, err = conn.Query(ctx, "SELECT location, device, id, toInt64(time), kind, value, scale, subject FROM "+tbl+
				" WHERE kafka_partition = ? AND kafka_offset <= ? AND time >= toDateTime(?) AND type = 'button'"+
				" AND kind IN ('smiley', 'like', 'dislike') AND device != ''",
				uint16(p), uint64(mark.LastOffset), max(0, s.Watermark-r.AllowedLateness-r.RepeatInterval))
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var (
					loc, dev, id, kind, subject string
					t                           int64
					value, scale                uint8
				)
				if err := rows.Scan(&loc, &dev, &id, &t, &kind, &value, &scale, &subject); err != nil {
					rows.Close()
					return nil, err
				}
				s.Presses.Load(dedupe.DeviceKey{Location: loc, Device: dev}, dedupe.Press{Time: t, ID: id, Kind: kind, Value: value, Scale: scale, Subject: subject})
			}
			rows.Close()
			s.Presses.Sorted()
		}
		var n, top uint64
		if err := conn.QueryRow(ctx, "SELECT count(), max(kafka_offset) FROM "+tbl+
			" WHERE kafka_partition = ? AND kafka_offset >= ? AND time >= toDateTime(?)",
			uint16(p), uint64(max(0, last+1)), max(0, s.Watermark-r.AllowedLateness)).Scan(&n, &top); err != nil {
			return nil, err
		}
		if n > 0 {
			a.beyond[p] = int64(top)
		}
	}
	return a, nil
}

// repairNewest is how an assignment repaired the newest flushes' rollups before it was bounded (the
// baseline): their minutes read over the whole kpi_minute table by (partition, mark).
func repairNewest(ctx context.Context, conn driver.Conn, database string, newest map[int32]int64) error {
	if len(newest) == 0 {
		return nil
	}
	tuples := make([]string, 0, len(newest))
	for p, off := range newest {
		tuples = append(tuples, fmt.Sprintf("(%d, %d)", p, off))
	}
	slices.Sort(tuples)
	rows, err := conn.Query(ctx, "SELECT DISTINCT location, toInt64(minute) FROM "+clickhouse.Ident(database)+
		".kpi_minute WHERE (kafka_partition, last_offset) IN ("+strings.Join(tuples, ", ")+")")
	if err != nil {
		return fmt.Errorf("newest flushes' minutes: %w", err)
	}
	var keys []buckets.MinuteKey
	for rows.Next() {
		var k buckets.MinuteKey
		if err := rows.Scan(&k.Location, &k.Minute); err != nil {
			rows.Close()
			return fmt.Errorf("newest flushes' minutes: %w", err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("newest flushes' minutes: %w", err)
	}
	return writer.RepairRollups(ctx, conn, database, keys)
}
