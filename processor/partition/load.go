package partition

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/processor/buckets"
	"github.com/cxm-project/cxm/processor/dedupe"
)

// minLookback is the default processor.allowed_lateness (168h5m): see Rules.Lookback.
const minLookback = 7*24*3600 + 5*60

// Lookback is how far before a mark's watermark the rows of the flushes after it may lie (seconds): the
// allowed lateness they were written with. It is the configured one and at least its default, so that
// lowering the setting does not hide rows written before the change (see processor/README.md).
func (r Rules) Lookback() int64 { return max(r.AllowedLateness, minLookback) }

// Load rebuilds the state of each of partitions as it was right after its mark (a.Marks; a partition
// without one starts empty), from the raw events table: the ids and device presses of events at offsets up
// to the mark within the horizons, and the watermark and clock the mark carries. Rows a crashed writer left
// beyond the mark are deliberately not read: those events are consumed again and must meet the same state
// they met the first time. One statement reads the ids of every partition, one the presses, each bounded
// by event time (the raw table's PARTITION BY month and the second column of its sort key).
func Load(ctx context.Context, conn driver.Conn, database string, partitions []int32, r Rules, a *buckets.Assignment) (map[int32]*State, error) {
	out := make(map[int32]*State, len(partitions))
	var ids, presses []string
	idsFrom, pressFrom := int64(math.MaxInt64), int64(math.MaxInt64)
	for _, p := range partitions {
		s := NewState(p, r)
		out[p] = s
		mark, ok := a.Marks[p]
		if !ok {
			continue
		}
		s.Watermark, s.Clock = mark.Watermark, mark.Clock
		s.durable.Store(mark.LastOffset)
		// The memory's entries (dedupe.IDs): events received within the horizon (rule a), and events whose
		// event time is within it (rule b answers from memory there, see IDs.Check). Those received within
		// it were accepted after a flush whose clock was before it, so they are at most the lookback older
		// than that flush's watermark (Assignment.HorizonWatermark); not knowing such a flush, every row.
		since := max(0, s.Clock-r.DedupeHorizon)
		from := int64(0)
		if hw, ok := a.HorizonWatermark[p]; ok {
			from = max(0, min(since, hw-r.Lookback()))
		}
		idsFrom = min(idsFrom, from)
		ids = append(ids, fmt.Sprintf("(kafka_partition = %d AND kafka_offset <= %d AND time >= toDateTime(%d) AND (received > toDateTime(%d) OR time > toDateTime(%d)))",
			p, mark.LastOffset, from, since, since))
		// Every press of the window the live state keeps (State.pressWindow), whether it was judged a repeat
		// or not: the judgement follows from their event-time order, so it is not read.
		pw := max(0, s.pressWindow())
		pressFrom = min(pressFrom, pw)
		presses = append(presses, fmt.Sprintf("(kafka_partition = %d AND kafka_offset <= %d AND time >= toDateTime(%d))", p, mark.LastOffset, pw))
	}
	if len(ids) == 0 {
		return out, nil
	}
	tbl := clickhouse.Ident(database) + ".events"
	// The two statements run at once (ClickHouse reads each on its own threads, and decoding the rows is most
	// of the time); one fills the states' IDs, the other their Presses.
	var (
		wg         sync.WaitGroup
		idsErr     error
		pressErr   error
		idsQuery   = "SELECT kafka_partition, location, id, toUInt32(received), toUInt32(time), kafka_offset FROM " + tbl + " WHERE " + timeFrom(idsFrom) + "(" + strings.Join(ids, " OR ") + ")"
		pressQuery = "SELECT kafka_partition, location, device, id, toInt64(time), kind, value, scale, subject FROM " + tbl +
			" WHERE " + timeFrom(pressFrom) + "type = 'button' AND kind IN ('smiley', 'like', 'dislike') AND device != ''" +
			" AND (" + strings.Join(presses, " OR ") + ")"
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		pressErr = loadPresses(ctx, conn, pressQuery, out)
	}()
	idsErr = loadIDs(ctx, conn, idsQuery, out)
	wg.Wait()
	if idsErr != nil {
		return nil, fmt.Errorf("partitions %v: load ids: %w", partitions, idsErr)
	}
	if pressErr != nil {
		return nil, fmt.Errorf("partitions %v: load presses: %w", partitions, pressErr)
	}
	return out, nil
}

func loadIDs(ctx context.Context, conn driver.Conn, q string, into map[int32]*State) error {
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			p       uint16
			loc, id string
			recv, t uint32
			off     uint64
		)
		if err := rows.Scan(&p, &loc, &id, &recv, &t, &off); err != nil {
			return err
		}
		into[int32(p)].IDs.Load(loc, id, int64(recv), int64(t), int64(off))
	}
	return rows.Err()
}

func loadPresses(ctx context.Context, conn driver.Conn, q string, into map[int32]*State) error {
	rows, err := conn.Query(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			p                           uint16
			loc, dev, id, kind, subject string
			t                           int64
			value, scale                uint8
		)
		if err := rows.Scan(&p, &loc, &dev, &id, &t, &kind, &value, &scale, &subject); err != nil {
			return err
		}
		into[int32(p)].Presses.Load(dedupe.DeviceKey{Location: loc, Device: dev}, dedupe.Press{Time: t, ID: id, Kind: kind, Value: value, Scale: scale, Subject: subject})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range into {
		s.Presses.Sorted()
	}
	return nil
}

// timeFrom repeats the smallest bound of the per-partition conditions outside their OR, where the primary
// key analysis sees it; empty when it is 0.
func timeFrom(from int64) string {
	if from <= 0 || from == math.MaxInt64 {
		return ""
	}
	return fmt.Sprintf("time >= toDateTime(%d) AND ", from)
}

// WrittenBeyond returns, per partition that has any, the largest offset after its mark (any offset when it
// has none) that already has a row in the raw events table: batches up to it must be verified row by row.
// Those rows came from the flush after the mark, which started at the mark's watermark: they are at most
// the lookback older than it. One statement for every partition.
func WrittenBeyond(ctx context.Context, conn driver.Conn, database string, partitions []int32, r Rules, marks map[int32]buckets.Mark) (map[int32]int64, error) {
	out := map[int32]int64{}
	if len(partitions) == 0 {
		return out, nil
	}
	conds := make([]string, 0, len(partitions))
	from := int64(math.MaxInt64)
	for _, p := range partitions {
		m, ok := marks[p]
		if !ok {
			conds = append(conds, fmt.Sprintf("kafka_partition = %d", p))
			from = 0
			continue
		}
		t := max(0, m.Watermark-r.Lookback())
		from = min(from, t)
		conds = append(conds, fmt.Sprintf("(kafka_partition = %d AND kafka_offset > %d AND time >= toDateTime(%d))", p, m.LastOffset, t))
	}
	rows, err := conn.Query(ctx, "SELECT kafka_partition, max(kafka_offset) FROM "+clickhouse.Ident(database)+".events"+
		" WHERE "+timeFrom(from)+"("+strings.Join(conds, " OR ")+") GROUP BY kafka_partition")
	if err != nil {
		return nil, fmt.Errorf("partitions %v: rows beyond the marks: %w", partitions, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			p   uint16
			top uint64
		)
		if err := rows.Scan(&p, &top); err != nil {
			return nil, fmt.Errorf("partitions %v: rows beyond the marks: %w", partitions, err)
		}
		out[int32(p)] = int64(top)
	}
	return out, rows.Err()
}

// Lookup returns a function reading partition p's raw rows of one location and event-time range, by the
// raw table's sort key (location, time, id): State.Lookup.
func Lookup(conn driver.Conn, database string, p int32, timeout time.Duration) func(ctx context.Context, location string, from, to int64) ([]dedupe.Row, error) {
	q := "SELECT id, toInt64(time), kafka_offset FROM " + clickhouse.Ident(database) + ".events" +
		" WHERE location = ? AND time >= toDateTime(?) AND time < toDateTime(?) AND kafka_partition = ?"
	return func(ctx context.Context, location string, from, to int64) ([]dedupe.Row, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		rows, err := conn.Query(ctx, q, location, max(0, from), max(0, to), uint16(p))
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []dedupe.Row
		for rows.Next() {
			var (
				r   dedupe.Row
				off uint64
			)
			if err := rows.Scan(&r.ID, &r.Time, &off); err != nil {
				return nil, err
			}
			r.Offset = int64(off)
			out = append(out, r)
		}
		return out, rows.Err()
	}
}
