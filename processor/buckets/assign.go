package buckets

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
)

// Assignment is what an assignment reads of the minute tables (ReadAssignment).
type Assignment struct {
	// Marks holds the newest kpi_minute mark of each partition that has one.
	Marks map[int32]Mark
	// Like, Survey and Audit hold, per partition, the newest offset of like_minute, survey_minute (the
	// processor's rows) and audit_minute beyond the partition's kpi_minute mark: the end of a flush that
	// crashed before its kpi rows. A partition without such rows is absent.
	Like, Survey, Audit map[int32]int64
	// Newest are the location minutes of each partition's newest flush (its rollups are repaired).
	Newest []MinuteKey
	// HorizonWatermark holds, per partition with a mark, the watermark of a flush whose receive clock is at
	// most the mark's clock minus the dedupe horizon, when such a flush was among the rows read. Every event
	// received within the horizon came after that flush, so its event time is at least this minus the
	// lookback. Absent: not known (the horizon's rows cannot be bounded by event time).
	HorizonWatermark map[int32]int64
	// From is, per partition, the first minute its rows were read from; absent: the whole table.
	From map[int32]int64
}

// The bound. A flush writes a partition's rows (kpi_minute, like_minute, survey_minute, audit_minute) only
// for events it accepted, for the press a late press turned into a repeat (later in event time than that
// late press) and for its zero marker row (the newest stored event's minute, or the receive clock's, both
// at least the watermark minus the lateness). An accepted event is at most the allowed lateness older than
// the watermark at that moment, which is at least the watermark the flush started with: the previous
// flush's mark. So every row of a flush lies at or after minuteFloor(previous mark's watermark - lateness).
//
// The newest mark is found by reading the flushes of rows from a minute `from` on: when the two newest
// found, f1 and f2, satisfy from <= minuteFloor(f2.watermark - lateness), no flush after f2 can have all
// its rows before `from`, so f1 is the newest flush and f2 its predecessor, and every row of f1 was read
// (which the rollup repair needs). `from` starts an hour and a lateness before the wall clock, which holds
// for a partition that is processing live events; otherwise it moves back to f2's bound (one more
// statement), and a partition with fewer than two flushes in that range is read over the whole table.

// ReadAssignment reads, for partitions, the marks and what else an assignment needs of the minute tables,
// by ranges of their minutes rather than whole tables (see the bound above). lookback is the allowed
// lateness the rows were written with (seconds), horizon the dedupe horizon (seconds); now only chooses
// where the search starts.
func ReadAssignment(ctx context.Context, conn driver.Conn, database string, partitions []int32, lookback, horizon int64, now time.Time) (*Assignment, error) {
	a := &Assignment{Marks: map[int32]Mark{}, Like: map[int32]int64{}, Survey: map[int32]int64{}, Audit: map[int32]int64{},
		HorizonWatermark: map[int32]int64{}, From: map[int32]int64{}}
	if len(partitions) == 0 {
		return a, nil
	}
	// Round 0 from the wall clock's range, round 1 from the range its two newest flushes call for, then the
	// whole table for what is left (a second bounded round is exact: its two newest flushes are at least the
	// first round's, so its range contains theirs).
	var whole []int32
	pending, from := partitions, minuteFloor(now.Unix()-lookback-3600)
	for round := 0; round < 2 && len(pending) > 0; round++ {
		top, err := newestFlushes(ctx, conn, database, pending, &from)
		if err != nil {
			return nil, err
		}
		var retry []int32
		next := int64(math.MaxInt64)
		for _, p := range pending {
			switch f := top[p]; {
			case len(f) == 2 && from <= minuteFloor(f[1].Watermark-lookback):
				a.Marks[p], a.From[p] = f[0], from
			case len(f) == 2 && round == 0:
				retry, next = append(retry, p), min(next, minuteFloor(f[1].Watermark-lookback))
			default:
				whole = append(whole, p)
			}
		}
		pending, from = retry, next
	}
	if whole = append(whole, pending...); len(whole) > 0 {
		top, err := newestFlushes(ctx, conn, database, whole, nil)
		if err != nil {
			return nil, err
		}
		for _, p := range whole {
			if f := top[p]; len(f) > 0 {
				a.Marks[p] = f[0]
			}
		}
	}
	if err := a.readBeyond(ctx, conn, database, partitions, lookback); err != nil {
		return nil, err
	}
	if err := a.readNewest(ctx, conn, database); err != nil {
		return nil, err
	}
	if err := a.readHorizon(ctx, conn, database, horizon); err != nil {
		return nil, err
	}
	return a, nil
}

// newestFlushes returns, per partition, its newest one or two flushes' marks with rows from minute *from
// on (nil: anywhere), newest first.
func newestFlushes(ctx context.Context, conn driver.Conn, database string, partitions []int32, from *int64) (map[int32][]Mark, error) {
	where := ""
	if from != nil {
		where = fmt.Sprintf("minute >= toDateTime(%d) AND ", max(0, *from))
	}
	rows, err := conn.Query(ctx, "SELECT kafka_partition, last_offset, any(watermark), any(clock) FROM "+clickhouse.Ident(database)+
		".kpi_minute WHERE "+where+"kafka_partition IN ("+partitionList(partitions)+")"+
		" GROUP BY kafka_partition, last_offset ORDER BY kafka_partition, last_offset DESC LIMIT 2 BY kafka_partition")
	if err != nil {
		return nil, fmt.Errorf("read kpi_minute marks: %w", err)
	}
	defer rows.Close()
	out := map[int32][]Mark{}
	for rows.Next() {
		var (
			p      uint16
			last   uint64
			wm, ck time.Time
		)
		if err := rows.Scan(&p, &last, &wm, &ck); err != nil {
			return nil, fmt.Errorf("read kpi_minute marks: %w", err)
		}
		out[int32(p)] = append(out[int32(p)], Mark{Partition: int32(p), LastOffset: int64(last), Watermark: wm.Unix(), Clock: ck.Unix()})
	}
	return out, rows.Err()
}

// readBeyond reads the side tables' offsets beyond each partition's kpi_minute mark. Only the flush after
// the mark can have written them, and it started at the mark's watermark: its rows are within the bound.
func (a *Assignment) readBeyond(ctx context.Context, conn driver.Conn, database string, partitions []int32, lookback int64) error {
	conds := make([]string, 0, len(partitions))
	lo := int64(math.MaxInt64)
	for _, p := range partitions {
		m, ok := a.Marks[p]
		if !ok {
			conds = append(conds, fmt.Sprintf("kafka_partition = %d", p))
			lo = 0
			continue
		}
		b := max(0, minuteFloor(m.Watermark-lookback))
		conds = append(conds, fmt.Sprintf("(kafka_partition = %d AND last_offset > %d AND minute >= toDateTime(%d))", p, m.LastOffset, b))
		lo = min(lo, b)
	}
	where := "(" + strings.Join(conds, " OR ") + ")"
	if lo > 0 {
		// The same bound once more outside the OR, for the primary key analysis to see it.
		where = fmt.Sprintf("minute >= toDateTime(%d) AND ", lo) + where
	}
	side, err := readSideMarks(ctx, conn, database, where)
	if err != nil {
		return err
	}
	a.Like, a.Survey, a.Audit = side[0], side[1], side[2]
	return nil
}

// markConds is a condition per partition with a mark, each within the minutes read for it, and the
// smallest of those minutes (0 when some partition was read over the whole table).
func (a *Assignment) markConds(cond func(m Mark) string) ([]string, int64) {
	conds := make([]string, 0, len(a.Marks))
	lo := int64(math.MaxInt64)
	for p, m := range a.Marks {
		from, ok := a.From[p]
		if !ok {
			from = 0
		}
		lo = min(lo, from)
		c := fmt.Sprintf("(kafka_partition = %d AND %s", p, cond(m))
		if from > 0 {
			c += fmt.Sprintf(" AND minute >= toDateTime(%d)", from)
		}
		conds = append(conds, c+")")
	}
	return conds, lo
}

func whereOf(conds []string, lo int64) string {
	w := "(" + strings.Join(conds, " OR ") + ")"
	if lo > 0 {
		w = fmt.Sprintf("minute >= toDateTime(%d) AND ", lo) + w
	}
	return w
}

// readNewest reads the location minutes of each partition's newest flush: all within its From.
func (a *Assignment) readNewest(ctx context.Context, conn driver.Conn, database string) error {
	conds, lo := a.markConds(func(m Mark) string { return fmt.Sprintf("last_offset = %d", m.LastOffset) })
	if len(conds) == 0 {
		return nil
	}
	rows, err := conn.Query(ctx, "SELECT DISTINCT location, toInt64(minute) FROM "+clickhouse.Ident(database)+".kpi_minute WHERE "+whereOf(conds, lo))
	if err != nil {
		return fmt.Errorf("newest flushes' minutes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k MinuteKey
		if err := rows.Scan(&k.Location, &k.Minute); err != nil {
			return fmt.Errorf("newest flushes' minutes: %w", err)
		}
		a.Newest = append(a.Newest, k)
	}
	return rows.Err()
}

// readHorizon finds, per partition, the newest flush among the rows read whose receive clock is at least
// the dedupe horizon before the mark's (HorizonWatermark). The watermark only grows with the offsets, so
// the largest such watermark is that flush's.
func (a *Assignment) readHorizon(ctx context.Context, conn driver.Conn, database string, horizon int64) error {
	conds, lo := a.markConds(func(m Mark) string { return fmt.Sprintf("clock <= toDateTime(%d)", max(0, m.Clock-horizon)) })
	if len(conds) == 0 {
		return nil
	}
	rows, err := conn.Query(ctx, "SELECT kafka_partition, max(watermark) FROM "+clickhouse.Ident(database)+".kpi_minute WHERE "+
		whereOf(conds, lo)+" GROUP BY kafka_partition")
	if err != nil {
		return fmt.Errorf("read kpi_minute marks within the dedupe horizon: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			p  uint16
			wm time.Time
		)
		if err := rows.Scan(&p, &wm); err != nil {
			return fmt.Errorf("read kpi_minute marks within the dedupe horizon: %w", err)
		}
		a.HorizonWatermark[int32(p)] = wm.Unix()
	}
	return rows.Err()
}

// minuteFloor is the start of the minute of unix time s (MinuteOf's rule).
func minuteFloor(s int64) int64 { return s - mod(s, 60) }
