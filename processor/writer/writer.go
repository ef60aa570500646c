// Package writer brings flushes into ClickHouse effectively once: raw events first, then like_minute and
// audit_minute, then kpi_minute, whose rows carry each partition's offset mark and so say the flush is complete. After an
// ambiguous failure (or for batches a crashed owner may have half written) it first checks what is already
// there and writes only the rest.
package writer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/processor/buckets"
	"github.com/cxm-project/cxm/processor/fence"
	"github.com/cxm-project/cxm/processor/lease"
	"github.com/cxm-project/cxm/processor/partition"
)

// Writer writes flushes to one database.
type Writer struct {
	conn     driver.Conn
	database string
	lateness int64
	timeout  time.Duration
	streams  int
	procs    *fence.Processes
}

// New returns a writer; each statement is bounded by timeout, and lateness (seconds) bounds the raw-table
// months a verification reads. The raw events of a flush go in up to streams concurrent INSERTs.
func New(conn driver.Conn, database string, lateness int64, timeout time.Duration, streams int) *Writer {
	return &Writer{conn: conn, database: database, lateness: lateness, timeout: timeout, streams: max(1, streams), procs: fence.Local(conn)}
}

// WithProcesses makes the writer wait for failed inserts in procs (every server of a cluster); it
// returns w.
func (w *Writer) WithProcesses(procs *fence.Processes) *Writer {
	w.procs = procs
	return w
}

// Flush is one write: the batches of several partitions, at most one per partition.
type Flush struct {
	Batches []*partition.Batch
	// Lease, when set, bounds every insert: one that could not end before the lease does is not started
	// (lease.ErrExpired), since another member may own the partitions by then.
	Lease *lease.Lease
	// progress of the stages that returned success; a failed stage's outcome is unknown and is verified.
	eventsDone, likesDone, surveysDone, auditsDone, kpiDone bool
	verify                                                  bool
	// failedQueries are the query ids of inserts that failed on the client side (timeout, lost connection):
	// the server may still be running them, so nothing is verified until they are gone from system.processes.
	failedQueries []string
	// repair holds the location minutes of a kpi_minute insert that did not return success: its views may
	// have missed the block although kpi_minute has it, so once the flush is in the rollups are repaired.
	repair []buckets.MinuteKey
}

// ErrInconsistent means ClickHouse holds a mark inside a batch rather than at its end (writing would count
// something twice), or before the batch's first offset - 1 (writing would claim offsets nobody wrote): the
// mechanism excludes both, so the flush is refused.
var ErrInconsistent = errors.New("inconsistent marks")

// Write makes one attempt. On error the caller retries the same Flush (after a back-off); it then verifies
// first. Write returns nil once everything of the flush is in ClickHouse.
func (w *Writer) Write(ctx context.Context, f *Flush) error {
	return w.WriteWith(ctx, f, nil)
}

// WriteWith is Write, running alongside (when not nil) concurrently with the mark stages (like_minute
// and kpi_minute), once the flush's raw events are in: the flusher uses it to write the next flush's raw
// events meanwhile (Prewrite), so ClickHouse works on both. It returns after alongside returned.
func (w *Writer) WriteWith(ctx context.Context, f *Flush, alongside func(context.Context)) error {
	if err := w.writeEvents(ctx, f); err != nil {
		return err
	}
	if alongside != nil {
		done := make(chan struct{})
		go func() {
			defer close(done)
			alongside(ctx)
		}()
		defer func() { <-done }()
	}
	return w.writeMarks(ctx, f)
}

// Prewrite writes f's raw events now, before the flush before it has written its marks, unless f must be
// verified first (verification reads the marks, which that flush is writing: Write does it later). Safe
// because raw rows beyond a partition's mark are expected after a crash anyway: a new owner neither
// loads them into its state (partition.Load) nor writes them twice (it verifies up to the highest offset
// it finds, partition.WrittenBeyond). An error only makes f's Write verify first.
func (w *Writer) Prewrite(ctx context.Context, f *Flush) {
	if f.needsVerify() {
		return
	}
	_ = w.writeEvents(ctx, f)
}

func (f *Flush) needsVerify() bool {
	need := f.verify || len(f.failedQueries) > 0
	for _, b := range f.Batches {
		need = need || b.Verify
	}
	return need
}

// writeEvents verifies when needed and writes the flush's raw events unless they are in.
func (w *Writer) writeEvents(ctx context.Context, f *Flush) error {
	need := f.needsVerify()
	for len(f.failedQueries) > 0 {
		if err := w.awaitGone(ctx, f.failedQueries[0]); err != nil {
			return err
		}
		f.failedQueries = f.failedQueries[1:]
	}
	if need {
		if err := w.verify(ctx, f); err != nil {
			return err
		}
		f.verify = false
	}
	if !f.eventsDone {
		if err := w.insertEvents(ctx, f); err != nil {
			return err
		}
		f.eventsDone = true
	}
	return nil
}

// writeMarks writes like_minute, survey_minute, audit_minute, then kpi_minute, whose rows carry the marks
// that say the flush is in.
func (w *Writer) writeMarks(ctx context.Context, f *Flush) error {
	if !f.likesDone {
		var likes []buckets.LikeDeltas
		for _, b := range f.Batches {
			if !b.SkipLikes && len(b.Deltas.Likes) > 0 {
				likes = append(likes, buckets.LikeDeltas{Mark: b.Mark, Likes: b.Deltas.Likes})
			}
		}
		if id, err := w.stage(ctx, f, func(ctx context.Context) error {
			return buckets.InsertLikes(ctx, w.conn, w.database, likes)
		}); err != nil {
			f.failed(id)
			return err
		}
		f.likesDone = true
	}
	if !f.surveysDone {
		var svs []buckets.SurveyDeltas
		for _, b := range f.Batches {
			if !b.SkipSurveys && len(b.Deltas.Surveys) > 0 {
				svs = append(svs, buckets.SurveyDeltas{Mark: b.Mark, Surveys: b.Deltas.Surveys})
			}
		}
		if id, err := w.stage(ctx, f, func(ctx context.Context) error {
			return buckets.InsertSurveys(ctx, w.conn, w.database, svs)
		}); err != nil {
			f.failed(id)
			return err
		}
		f.surveysDone = true
	}
	if !f.auditsDone {
		var audits []buckets.AuditDeltas
		for _, b := range f.Batches {
			if !b.SkipAudits && len(b.Deltas.Audits) > 0 {
				audits = append(audits, buckets.AuditDeltas{Mark: b.Mark, Audits: b.Deltas.Audits})
			}
		}
		if id, err := w.stage(ctx, f, func(ctx context.Context) error {
			return buckets.InsertAudits(ctx, w.conn, w.database, audits)
		}); err != nil {
			f.failed(id)
			return err
		}
		f.auditsDone = true
	}
	if !f.kpiDone {
		var mins []buckets.MinuteDeltas
		for _, b := range f.Batches {
			if len(b.Deltas.Minutes) > 0 || b.HasMarker {
				mins = append(mins, buckets.MinuteDeltas{Mark: b.Mark, Minutes: b.Deltas.Minutes, Marker: b.Marker})
			}
		}
		if id, err := w.stage(ctx, f, func(ctx context.Context) error {
			return buckets.InsertMinutes(ctx, w.conn, w.database, mins)
		}); err != nil {
			f.failed(id)
			if f.repair == nil {
				f.repair = minuteKeys(mins)
			}
			return err
		}
		f.kpiDone = true
	}
	if f.repair != nil {
		ctx, cancel, err := w.bound(ctx, f)
		if err != nil {
			return err
		}
		defer cancel()
		// Tagged like the inserts: a new owner waits for a repair of its partitions' minutes too.
		ctx = withParts(ctx, f.partitions())
		if err := RepairRollups(ctx, w.conn, w.database, f.repair); err != nil {
			return err
		}
		f.repair = nil
	}
	return nil
}

// minuteKeys are the location minutes a kpi_minute insert writes (the marker rows' too).
func minuteKeys(mins []buckets.MinuteDeltas) []buckets.MinuteKey {
	out := []buckets.MinuteKey{}
	for _, m := range mins {
		if len(m.Minutes) == 0 {
			out = append(out, m.Marker)
		}
		for k := range m.Minutes {
			out = append(out, k)
		}
	}
	return out
}

// stage runs one insert under the write timeout. On error it returns the insert's query id too: an insert
// that failed on the client side may still be written by the server, so the next attempt waits for it to
// end and verifies (Flush.failed).
// The query id names the flush's partitions, so a new owner of any of them waits for it (fence), and
// the server's receive_timeout ends it if the client stops mid-stream.
func (w *Writer) stage(ctx context.Context, f *Flush, insert func(context.Context) error) (id string, err error) {
	ctx, cancel, err := w.bound(ctx, f)
	if err != nil {
		return "", err
	}
	defer cancel()
	id = fence.QueryID(f.partitions())
	settings := ch.Settings{"receive_timeout": max(1, int(w.timeout.Round(time.Second)/time.Second))}
	if err := insert(ch.Context(ctx, ch.WithQueryID(id), ch.WithSettings(settings))); err != nil {
		if errors.Is(err, lease.ErrExpired) {
			return "", err
		}
		return id, err
	}
	return "", nil
}

// bound limits one write to the write timeout and the flush's lease.
func (w *Writer) bound(ctx context.Context, f *Flush) (context.Context, context.CancelFunc, error) {
	if f.Lease == nil {
		ctx, cancel := context.WithTimeout(ctx, w.timeout)
		return ctx, cancel, nil
	}
	return f.Lease.Bound(ctx, w.timeout)
}

func (f *Flush) partitions() []int32 {
	out := make([]int32, 0, len(f.Batches))
	for _, b := range f.Batches {
		out = append(out, b.Partition)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// failed records inserts that failed (their query ids): the next attempt verifies first.
func (f *Flush) failed(ids ...string) {
	for _, id := range ids {
		if id != "" {
			f.verify, f.failedQueries = true, append(f.failedQueries, id)
		}
	}
}

// insertEvents writes the flush's raw rows in up to w.streams concurrent INSERTs. ClickHouse runs each
// INSERT on one thread (parse, sort, compress, write the part), so one stream leaves the server's other
// cores idle while the client waits. Splitting is safe because the raw table needs no atomicity: every
// row carries its Kafka partition and offset, and a retry (or the next owner) verifies which rows are in
// and writes only the others. Only kpi_minute, whose rows carry the marks, must stay one INSERT.
func (w *Writer) insertEvents(ctx context.Context, f *Flush) error {
	var chunks [][]clickhouse.EventRow // the batches' rows as they are, never copied into one slice
	total := 0
	for _, b := range f.Batches {
		for _, c := range b.Events {
			chunks = append(chunks, c)
			total += len(c)
		}
	}
	if total == 0 {
		return nil
	}
	groups := splitChunks(chunks, total, w.streams)
	ids, errs := make([]string, len(groups)), make([]error, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i], errs[i] = w.stage(ctx, f, func(ctx context.Context) error {
				return clickhouse.InsertEventChunks(ctx, w.conn, w.database, g...)
			})
		}()
	}
	wg.Wait()
	f.failed(ids...)
	return errors.Join(errs...)
}

// splitChunks deals whole chunks into at most n groups of about total/n rows each, in order.
func splitChunks(chunks [][]clickhouse.EventRow, total, n int) [][][]clickhouse.EventRow {
	if n <= 1 || len(chunks) <= 1 {
		return [][][]clickhouse.EventRow{chunks}
	}
	per := (total + n - 1) / n
	var out [][][]clickhouse.EventRow
	var cur [][]clickhouse.EventRow
	rows := 0
	for _, c := range chunks {
		cur = append(cur, c)
		rows += len(c)
		if rows >= per && len(out) < n-1 {
			out = append(out, cur)
			cur, rows = nil, 0
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// awaitGone waits until the server (every server of a cluster) no longer runs query id: only then is
// what it wrote final, and a verification cannot miss rows it is still adding. The insert ran with
// receive_timeout = the write timeout, so it ends on the server within it even if the connection died.
func (w *Writer) awaitGone(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*w.timeout)
	defer cancel()
	if err := w.procs.Await(ctx, 100*time.Millisecond, fence.Is(id)); err != nil {
		return fmt.Errorf("wait for failed insert %s to end: %w", id, err)
	}
	return nil
}

// verify finds out, per batch, what is already written, and drops it from the flush.
func (w *Writer) verify(ctx context.Context, f *Flush) error {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	parts := make([]int32, len(f.Batches))
	for i, b := range f.Batches {
		parts[i] = b.Partition
	}
	marks, err := buckets.ReadMarks(ctx, w.conn, w.database, parts)
	if err != nil {
		return err
	}
	likeMarks, err := buckets.ReadLikeMarks(ctx, w.conn, w.database, parts)
	if err != nil {
		return err
	}
	surveyMarks, err := buckets.ReadSurveyMarks(ctx, w.conn, w.database, parts)
	if err != nil {
		return err
	}
	auditMarks, err := buckets.ReadAuditMarks(ctx, w.conn, w.database, parts)
	if err != nil {
		return err
	}
	var (
		keep  []*partition.Batch
		conds []string
	)
	for _, b := range f.Batches {
		if m, ok := marks[b.Partition]; ok && m.LastOffset >= b.From {
			if m.LastOffset >= b.Last {
				continue // the whole batch is in: its kpi rows are the last thing written
			}
			return fmt.Errorf("%w: kpi_minute mark %d of partition %d lies inside batch %d..%d", ErrInconsistent, m.LastOffset, b.Partition, b.From, b.Last)
		} else if ok && m.LastOffset+1 != b.From {
			// Fencing: the batch's mark would claim offsets mark+1..From-1, which nobody wrote.
			return fmt.Errorf("%w: kpi_minute mark %d of partition %d is before batch %d..%d (offsets between would be lost)", ErrInconsistent, m.LastOffset, b.Partition, b.From, b.Last)
		}
		if l, ok := likeMarks[b.Partition]; ok && l >= b.From {
			if l < b.Last {
				return fmt.Errorf("%w: like_minute mark %d of partition %d lies inside batch %d..%d", ErrInconsistent, l, b.Partition, b.From, b.Last)
			}
			b.SkipLikes = true
		}
		if l, ok := surveyMarks[b.Partition]; ok && l >= b.From {
			if l < b.Last {
				return fmt.Errorf("%w: survey_minute mark %d of partition %d lies inside batch %d..%d", ErrInconsistent, l, b.Partition, b.From, b.Last)
			}
			b.SkipSurveys = true
		}
		if a, ok := auditMarks[b.Partition]; ok && a >= b.From {
			if a < b.Last {
				return fmt.Errorf("%w: audit_minute mark %d of partition %d lies inside batch %d..%d", ErrInconsistent, a, b.Partition, b.From, b.Last)
			}
			b.SkipAudits = true
		}
		keep = append(keep, b)
		if b.NumEvents() > 0 {
			conds = append(conds, fmt.Sprintf("(kafka_partition = %d AND kafka_offset BETWEEN %d AND %d)", b.Partition, b.From, b.Last))
		}
	}
	if len(conds) > 0 {
		minWM := keep[0].StartWatermark
		for _, b := range keep {
			minWM = min(minWM, b.StartWatermark)
		}
		// Every stored event of these batches is at most the allowed lateness before its batch's starting
		// watermark, so older months of the raw table are pruned by its PARTITION BY toYYYYMM(time).
		rows, err := w.conn.Query(ctx, "SELECT kafka_partition, kafka_offset FROM "+clickhouse.Ident(w.database)+
			".events WHERE time >= toDateTime(?) AND ("+strings.Join(conds, " OR ")+")", max(0, minWM-w.lateness))
		if err != nil {
			return fmt.Errorf("verify raw events: %w", err)
		}
		present := map[int32]map[int64]bool{}
		for rows.Next() {
			var (
				p   uint16
				off uint64
			)
			if err := rows.Scan(&p, &off); err != nil {
				rows.Close()
				return fmt.Errorf("verify raw events: %w", err)
			}
			if present[int32(p)] == nil {
				present[int32(p)] = map[int64]bool{}
			}
			present[int32(p)][int64(off)] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("verify raw events: %w", err)
		}
		for _, b := range keep {
			if ps := present[b.Partition]; len(ps) > 0 {
				b.FilterEvents(func(r *clickhouse.EventRow) bool { return !ps[r.KafkaOffset] })
			}
		}
	}
	for _, b := range f.Batches {
		b.Verify = false
	}
	f.Batches = keep
	return nil
}
