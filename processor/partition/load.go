package partition

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/processor/buckets"
	"github.com/cxm-project/cxm/processor/dedupe"
)

// Load rebuilds partition p's state as it was right after mark, from the raw events table: the ids and
// device presses of events at offsets up to mark.LastOffset within the horizon, and the watermark and
// clock the mark carries. Rows a crashed writer left beyond the mark are deliberately not read: those
// events are consumed again and must meet the same state they met the first time.
func Load(ctx context.Context, conn driver.Conn, database string, p int32, r Rules, mark *buckets.Mark) (*State, error) {
	s := NewState(p, r)
	if mark == nil {
		return s, nil
	}
	s.Watermark, s.Clock = mark.Watermark, mark.Clock
	s.durable.Store(mark.LastOffset)
	tbl := clickhouse.Ident(database) + ".events"
	// The memory's entries (dedupe.IDs): events received within the horizon (rule a), and events whose
	// event time is within it (rule b answers from memory there, see IDs.Check).
	since := max(0, s.Clock-r.DedupeHorizon)
	rows, err := conn.Query(ctx, "SELECT location, id, toUInt32(received), toUInt32(time), kafka_offset FROM "+tbl+
		" WHERE kafka_partition = ? AND kafka_offset <= ? AND (received > toDateTime(?) OR time > toDateTime(?))",
		uint16(p), uint64(mark.LastOffset), since, since)
	if err != nil {
		return nil, fmt.Errorf("partition %d: load ids: %w", p, err)
	}
	for rows.Next() {
		var (
			loc, id string
			recv, t uint32
			off     uint64
		)
		if err := rows.Scan(&loc, &id, &recv, &t, &off); err != nil {
			rows.Close()
			return nil, fmt.Errorf("partition %d: load ids: %w", p, err)
		}
		s.IDs.Load(loc, id, int64(recv), int64(t), int64(off))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("partition %d: load ids: %w", p, err)
	}

	// Every press of the window the live state keeps (State.pressWindow), whether it was judged a repeat
	// or not: the judgement follows from their event-time order, so it is not read.
	rows, err = conn.Query(ctx, "SELECT location, device, id, toInt64(time), kind, value, scale, subject FROM "+tbl+
		" WHERE kafka_partition = ? AND kafka_offset <= ? AND time >= toDateTime(?) AND type = 'button'"+
		" AND kind IN ('smiley', 'like', 'dislike') AND device != ''",
		uint16(p), uint64(mark.LastOffset), max(0, s.pressWindow()))
	if err != nil {
		return nil, fmt.Errorf("partition %d: load presses: %w", p, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			loc, dev, id, kind, subject string
			t                           int64
			value, scale                uint8
		)
		if err := rows.Scan(&loc, &dev, &id, &t, &kind, &value, &scale, &subject); err != nil {
			return nil, fmt.Errorf("partition %d: load presses: %w", p, err)
		}
		s.Presses.Load(dedupe.DeviceKey{Location: loc, Device: dev}, dedupe.Press{Time: t, ID: id, Kind: kind, Value: value, Scale: scale, Subject: subject})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("partition %d: load presses: %w", p, err)
	}
	s.Presses.Sorted()
	return s, nil
}

// WrittenBeyond returns the largest offset after mark (or after offset from-1 when there is no mark)
// that already has a row in the raw events table, or -1: batches up to it must be verified row by row.
func WrittenBeyond(ctx context.Context, conn driver.Conn, database string, p int32, r Rules, after int64, watermark int64) (int64, error) {
	var (
		n   uint64
		top uint64
	)
	err := conn.QueryRow(ctx, "SELECT count(), max(kafka_offset) FROM "+clickhouse.Ident(database)+".events"+
		" WHERE kafka_partition = ? AND kafka_offset >= ? AND time >= toDateTime(?)",
		uint16(p), uint64(max(0, after+1)), max(0, watermark-r.AllowedLateness)).Scan(&n, &top)
	if err != nil {
		return -1, fmt.Errorf("partition %d: rows beyond offset %d: %w", p, after, err)
	}
	if n == 0 {
		return -1, nil
	}
	return int64(top), nil
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
