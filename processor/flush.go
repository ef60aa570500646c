package processor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/processor/lease"
	"github.com/cxm-project/cxm/processor/partition"
	"github.com/cxm-project/cxm/processor/writer"
)

// slot is one flush in flight: the batches it took (their offsets are committed and their metrics counted
// once it is in) and the writer's progress with them.
type slot struct {
	batches []*partition.Batch
	fl      *writer.Flush
}

// slots are the at most two flushes in flight, in the order their marks must be written:
//
//   - current is being written; if its context ended it stays here, stuck, and nothing else is written
//     until it is in (a later batch's mark would claim its offsets too). It is never replaced, only
//     cleared once in.
//   - ahead was collected while current wrote its marks, and its raw events may be written already
//     (writer.Prewrite). It becomes current once current is in, before anything new is collected.
type slots struct {
	current, ahead *slot
}

// promote makes the flush written ahead the current one, once the current one is in.
func (s *slots) promote() {
	if s.current == nil && s.ahead != nil {
		s.current, s.ahead = s.ahead, nil
	}
}

// flusher is the flush state machine of one generation: it takes the consumers' pending batches, several
// partitions per flush, and brings each flush into ClickHouse before the next one's marks (see slots).
type flusher struct {
	p         *Processor
	gen       *kafkago.Generation
	topic     string
	w         *writer.Writer
	dlq       *kafka.Producer
	consumers []*consumer
	rr        int // round-robin start, so a busy low partition cannot starve the others
	slots     slots
	// started is when the newest flush was collected (writeAhead waits a flush interval after it).
	started  time.Time
	draining bool
	// lease bounds every write of the generation (processor/lease).
	lease *lease.Lease
	// next is, per partition, the first offset the next batch must start at: the mark loaded on assignment,
	// then the end of each batch taken. A batch that does not start there would, once written, claim
	// offsets never written (its mark covers everything before it).
	next map[int32]int64
	// broken: the generation must end without writing anything more (a contiguity or mark violation); the
	// next generation reloads every partition from ClickHouse.
	broken bool
}

// loop flushes every interval, or when a consumer's batch is full (wake), until ctx ends or the
// generation is broken. The final drain is the caller's (drain).
func (f *flusher) loop(ctx context.Context, interval time.Duration, wake <-chan struct{}) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
		case <-ticker.C:
		case <-wake:
		}
		// select picks at random among ready cases: a tick or wake-up must never start a flush once the
		// generation ended (it would take new batches past an abandoned flush).
		if ctx.Err() != nil || f.broken {
			return
		}
		f.once(ctx)
	}
}

// collect takes pending batches up to processor.flush_max_events.
func (f *flusher) collect() []*partition.Batch {
	limit := f.p.cfg.Processor.FlushMaxEvents
	var out []*partition.Batch
	n := len(f.consumers)
	for i := range n {
		c := f.consumers[(f.rr+i)%n]
		if b := c.take(limit); b != nil {
			if want, ok := f.next[b.Partition]; ok && b.From != want {
				f.p.log.Error("batch does not follow the partition's last batch: not written, generation ends",
					"partition", b.Partition, "want", want, "from", b.From, "last", b.Last)
				f.broken = true
				return nil
			}
			f.next[b.Partition] = b.Last + 1
			out = append(out, b)
			limit -= b.Len()
		}
	}
	f.rr++
	return out
}

// once writes the pending batches, retrying until they are in or ctx ends. A flush abandoned earlier is
// finished first (nothing may be written after it before it is in), and so is a flush whose raw events
// were written ahead while the one before it wrote its marks (see retry).
func (f *flusher) once(ctx context.Context) {
	f.slots.promote()
	if f.slots.current == nil && !f.start() {
		return
	}
	for f.slots.current != nil {
		if !f.retry(ctx) {
			return
		}
		f.slots.promote()
	}
}

// start collects the pending batches into a new current flush; false when there are none.
func (f *flusher) start() bool {
	s := f.newSlot()
	if s == nil {
		return false
	}
	f.slots.current = s
	return true
}

// newSlot collects the pending batches into a flush; nil when there are none.
func (f *flusher) newSlot() *slot {
	batches := f.collect()
	if len(batches) == 0 {
		return nil
	}
	f.started = time.Now()
	return &slot{batches: batches, fl: &writer.Flush{Batches: slices.Clone(batches), Lease: f.lease}}
}

// writeAhead runs while the current flush writes its marks: when the next flush is due (a flush interval
// since the current one started, or a partition at processor.partition_max_pending), it collects it and
// writes its raw events, so ClickHouse's insert of those overlaps the current flush's mark inserts. Under
// light load the current flush ends long before the next is due, and inserts stay one set per interval.
func (f *flusher) writeAhead(ctx context.Context) {
	if f.draining || f.slots.ahead != nil {
		return
	}
	due := time.Since(f.started) >= f.p.cfg.Processor.FlushInterval
	for _, c := range f.consumers {
		due = due || c.full()
	}
	if !due {
		return
	}
	s := f.newSlot()
	if s == nil {
		return
	}
	f.slots.ahead = s
	f.w.Prewrite(ctx, s.fl)
}

// drain writes everything still pending (consumers are stopped), after the generation ended or for
// shutdown. Another member may own these partitions already if this one was evicted meanwhile, so every
// batch is verified against ClickHouse's marks first (fencing, see the writer).
func (f *flusher) drain(ctx context.Context) {
	f.draining = true
	for ctx.Err() == nil && !f.broken {
		f.slots.promote()
		if f.slots.current == nil && !f.start() {
			return
		}
		for _, b := range f.slots.current.fl.Batches {
			b.Verify = true
		}
		if !f.retry(ctx) {
			return
		}
	}
}

// retry brings the current flush in, retrying with back-off until it is in or ctx ends. An inconsistency
// with ClickHouse's marks is not retried: the generation ends and the partitions are reloaded.
func (f *flusher) retry(ctx context.Context) bool {
	batches, fl := f.slots.current.batches, f.slots.current.fl
	start := time.Now()
	b := f.p.backoff()
	for {
		err := f.deadLetters(ctx, batches)
		if err == nil {
			err = f.w.WriteWith(ctx, fl, f.writeAhead)
			if err != nil {
				f.p.m.ClickHouseErrors.Inc()
			}
		}
		if err == nil {
			break
		}
		if errors.Is(err, writer.ErrInconsistent) {
			f.p.log.Error("flush refused, generation ends", "err", err)
			f.broken = true
			return false
		}
		if errors.Is(err, lease.ErrExpired) {
			// Heartbeats went unanswered for the whole lease (a pause, or cut off from the coordinator):
			// another member may own these partitions and have read their marks. Nothing more is written;
			// the next generation reloads whatever it is given from ClickHouse.
			f.p.log.Error("lease expired before a write: this member may have lost its partitions, generation ends", "err", err, "partitions", len(batches))
			f.p.m.LeaseExpired.Inc()
			f.broken = true
			return false
		}
		if ctx.Err() != nil {
			return false
		}
		f.p.log.Warn("flush failed, retrying", "err", err, "partitions", len(batches))
		if !sleep(ctx, b.Next()) {
			return false
		}
	}
	f.slots.current = nil
	ack := time.Now()
	f.p.m.FlushSeconds.Observe(ack.Sub(start).Seconds())
	offsets := map[int]int64{}
	for _, b := range batches {
		offsets[int(b.Partition)] = b.Last + 1
		f.account(b, ack)
	}
	f.p.flushed(batches)
	for _, b := range batches {
		b.Release() // the raw rows are in and the writer returned: nothing reads them any more
	}
	// Their raw rows are in: each partition's memory may now leave them to the table (dedupe lookups).
	for _, b := range batches {
		for _, c := range f.consumers {
			if c.id == b.Partition {
				c.state.SetDurable(b.Last)
			}
		}
	}
	// Kafka's commit only saves a new owner from reading what ClickHouse already says is done.
	if err := f.gen.CommitOffsets(map[string]map[int]int64{f.topic: offsets}); err != nil {
		f.p.m.KafkaErrors.Inc()
		f.p.log.Warn("commit offsets", "err", err)
	}
	return true
}

// deadLetters sends the batches' dead letters not sent yet. A retry after a crash sends them again:
// the dead-letter topic is at least once, and its cxm-kafka-partition / cxm-kafka-offset headers say
// which event each was, for consumers that want to drop repeats.
func (f *flusher) deadLetters(ctx context.Context, batches []*partition.Batch) error {
	var msgs []kafkago.Message
	for _, b := range batches {
		for _, d := range b.DeadLetters {
			m := kafka.DeadLetterMessage(d.Msg.Value, d.Reason, kafka.SourceProcessor, d.Field)
			m.Key = d.Msg.Key
			m.Headers = append(m.Headers,
				kafkago.Header{Key: "cxm-kafka-partition", Value: strconv.AppendInt(nil, int64(d.Msg.Partition), 10)},
				kafkago.Header{Key: "cxm-kafka-offset", Value: strconv.AppendInt(nil, d.Msg.Offset, 10)})
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := f.dlq.Produce(ctx, msgs...); err != nil {
		f.p.m.KafkaErrors.Inc()
		return fmt.Errorf("dead-letter %d messages: %w", len(msgs), err)
	}
	for _, b := range batches {
		for _, d := range b.DeadLetters {
			f.p.m.DeadLettered.WithLabelValues(d.Label).Inc()
		}
		b.DeadLetters = nil
	}
	return nil
}

func (f *flusher) account(b *partition.Batch, ack time.Time) {
	for t, n := range b.Types {
		f.p.m.EventsConsumed.WithLabelValues(string(t)).Add(float64(n))
	}
	if n := b.Messages[partition.Undecodable]; n > 0 {
		f.p.m.EventsConsumed.WithLabelValues("undecodable").Add(float64(n))
	}
	f.p.m.Duplicates.Add(float64(b.Messages[partition.Duplicate]))
	f.p.m.Repeats.Add(float64(b.Messages[partition.Repeat]))
	f.p.m.Late.Add(float64(b.Messages[partition.Late]))
	if b.FutureTimes > 0 {
		f.p.m.FutureRecordTimes.Add(float64(b.FutureTimes))
		f.p.log.Warn("Kafka record times ahead of this clock by more than processor.max_future_skew: not trusted (a producer's clock is wrong)",
			"partition", b.Partition, "messages", b.FutureTimes)
	}
	ps := strconv.Itoa(int(b.Partition))
	f.p.m.Lag.WithLabelValues(ps).Set(float64(b.Lag))
	f.p.m.Watermark.WithLabelValues(ps).Set(float64(b.Mark.Watermark))
	an := ack.UnixNano()
	for _, r := range b.RecvNanos {
		f.p.m.EndToEndSeconds.Observe(float64(an-r) / 1e9)
	}
	f.p.mu.Lock()
	f.p.written[int(b.Partition)] = b.Last + 1
	f.p.mu.Unlock()
}
