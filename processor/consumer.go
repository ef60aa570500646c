package processor

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/retry"
	"github.com/cxm-project/cxm/processor/metrics"
	"github.com/cxm-project/cxm/processor/partition"
)

// consumer reads one assigned partition and applies each message to the partition's pending batch. It
// stops reading while the batch is full or sealed: that is the back-pressure that halts consumption while
// ClickHouse is down, and what bounds memory to one pending batch per partition plus the flush in flight.
type consumer struct {
	id         int32
	state      *partition.State
	next       int64 // offset to read from
	maxPending int
	// verifyUntil: batches starting at or before it may be partly in ClickHouse already.
	verifyUntil int64
	// cutAt: the previous owner wrote like_minute but not kpi_minute up to this offset; the batch must
	// end exactly there (-1: no cut).
	cutAt int64
	// written is the partition's kpi_minute mark when it was assigned (-1: none).
	written int64
	wake    chan<- struct{}
	log     *slog.Logger
	// m is the processor's metrics: failed fetches and missing offsets are counted there.
	m *metrics.Metrics

	mu      sync.Mutex
	cond    *sync.Cond
	pending *partition.Batch
	sealed  bool
	stopped bool
}

func newConsumer(id int32, st *partition.State, next int64, maxPending int, wake chan<- struct{}, log *slog.Logger, m *metrics.Metrics) *consumer {
	c := &consumer{id: id, state: st, next: next, maxPending: maxPending, verifyUntil: -1, cutAt: -1, written: -1, wake: wake, log: log, m: m}
	c.cond = sync.NewCond(&c.mu)
	c.m.MissingOffsets.WithLabelValues(strconv.Itoa(int(id))) // exported at 0 from the assignment on
	return c
}

func (c *consumer) run(ctx context.Context, kc config.Kafka, queue int, stall time.Duration) {
	d, err := kafka.Dialer(kc)
	if err != nil {
		c.log.Error("partition reader", "partition", c.id, "err", err)
		return
	}
	open := func(offset int64) *kafkago.Reader {
		r := kafkago.NewReader(kafkago.ReaderConfig{
			Brokers:         kc.Brokers,
			Topic:           kc.Topics.Events,
			Partition:       int(c.id),
			Dialer:          d,
			MinBytes:        1,
			MaxBytes:        kc.Consumer.MaxBytes,
			MaxWait:         kc.Consumer.ReaderMaxWait(), // the broker waits max_wait, the answer gets a second more
			QueueCapacity:   queue,
			ReadLagInterval: -1, // the lag comes with every message (HighWaterMark)
			ErrorLogger:     kafka.ErrorLogger(c.log.With("partition", c.id), "reader"),
		})
		if err := r.SetOffset(offset); err != nil {
			c.log.Error("set offset", "partition", c.id, "offset", offset, "err", err)
			_ = r.Close()
			return nil
		}
		return r
	}
	r := open(c.nextOffset())
	if r == nil {
		return
	}
	defer func() { _ = r.Close() }()
	var st stallDeadline
	defer st.stop()
	// now is read once per message, for the fetch deadline and the state's trust in record times: reading
	// the clock was a tenth of the per-message cost here.
	now := time.Now()
	for {
		fctx := st.context(ctx, stall, now)
		m, err := r.FetchMessage(fctx)
		now = time.Now()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, context.Canceled) {
				return
			}
			if errors.Is(err, context.DeadlineExceeded) {
				// Nothing for a while: idle at the end, or a reader that stopped delivering. Only the
				// partition's offsets tell which; a stuck reader is replaced by one at the next offset (what
				// it had queued is read again from there).
				if next, ok := c.stuck(ctx, kc); ok {
					c.m.ReaderRestarts.Inc()
					_ = r.Close()
					if r = open(next); r == nil {
						return
					}
				}
				continue
			}
			c.m.KafkaErrors.Inc()
			c.log.Warn("fetch", "partition", c.id, "err", err)
			continue
		}
		// Events older than the dedupe horizon may need the raw table: read outside the lock, retried until
		// ClickHouse answers (reading this partition waits meanwhile, like a full batch).
		for b := retry.New(100*time.Millisecond, 5*time.Second); ; {
			err := c.state.PrepareAt(ctx, &m, now)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return
			}
			c.m.ClickHouseErrors.Inc()
			wait := b.Next()
			c.log.Warn("dedupe lookup failed, retrying", "partition", c.id, "offset", m.Offset, "err", err, "in", wait)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			now = time.Now()
		}
		ok, waited := c.apply(&m)
		if !ok {
			return
		}
		if waited {
			now = time.Now() // the clock read before a wait for room must not time the next fetch
		}
	}
}

// apply waits for room in the pending batch and adds m; ok is false when the consumer was stopped
// meanwhile, and waited says whether it had to wait.
func (c *consumer) apply(m *kafkago.Message) (ok, waited bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for !c.stopped && (c.sealed || c.pending != nil && c.pending.Len() >= c.maxPending) {
		c.signal()
		c.cond.Wait()
		waited = true
	}
	if c.stopped {
		return false, waited
	}
	from := m.Offset
	if c.next >= 0 && m.Offset > c.next {
		// Offsets the partition no longer has (retention deleted them before they were processed, or a
		// compacted topic): nothing can bring their events back. Said loudly, and the batch starts where
		// the previous one ended, so its mark covers the gap as the range it is instead of the batch failing
		// the contiguity check again after every reload.
		n := m.Offset - c.next
		c.m.MissingOffsets.WithLabelValues(strconv.Itoa(int(c.id))).Add(float64(n))
		c.log.Error("offsets missing from the partition: their events are lost (retention deleted them before they were processed, or the topic is compacted)",
			"partition", c.id, "first_missing", c.next, "last_missing", m.Offset-1, "count", n)
		if c.pending == nil {
			from = c.next
		}
	}
	c.next = m.Offset + 1
	if c.pending == nil {
		c.pending = c.state.NewBatch(from)
		c.pending.Verify = from <= c.verifyUntil
	}
	c.state.Apply(m, c.pending)
	if c.cutAt >= 0 {
		if m.Offset >= c.cutAt {
			if m.Offset > c.cutAt {
				// Offsets skipped the cut (a compacted topic?): the like deltas of the crashed batch can no
				// longer be matched exactly; the writer's verification will refuse the batch and say so.
				c.log.Error("cut offset not seen", "partition", c.id, "cut", c.cutAt, "offset", m.Offset)
			} else {
				c.pending.SkipLikes = true
			}
			c.pending.Verify = true
			c.sealed = true
			c.cutAt = -1
			c.signal()
		}
	}
	if c.pending.Len() >= c.maxPending {
		c.signal()
	}
	return true, waited
}

// stallDeadline is the deadline of a partition reader's fetches. One deadline serves many fetches: it is
// renewed once half of it has passed, not per message (that would allocate a context and a timer on the
// per-event path), so a silent reader is noticed between stall/2 and stall after its last message.
type stallDeadline struct {
	ctx     context.Context
	cancel  context.CancelFunc
	renewed time.Time
}

func (d *stallDeadline) context(parent context.Context, stall time.Duration, now time.Time) context.Context {
	if d.ctx == nil || d.ctx.Err() != nil || now.Sub(d.renewed) > stall/2 {
		d.stop()
		d.ctx, d.cancel = context.WithTimeout(parent, stall)
		d.renewed = now
	}
	return d.ctx
}

func (d *stallDeadline) stop() {
	if d.cancel != nil {
		d.cancel()
	}
}

// nextOffset is the offset to read from (a negative one is kafka-go's FirstOffset).
func (c *consumer) nextOffset() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.next
}

// stuck says whether the partition holds messages at or beyond the next offset to read (the reader
// delivered nothing for reader_stall_timeout although there is something to deliver), and that offset.
func (c *consumer) stuck(ctx context.Context, kc config.Kafka) (int64, bool) {
	next := c.nextOffset()
	first, end, err := kafka.PartitionBounds(ctx, kc, kc.Topics.Events, int(c.id))
	if err != nil {
		c.m.KafkaErrors.Inc()
		c.log.Warn("offsets of an idle partition", "partition", c.id, "err", err)
		return 0, false
	}
	if !behind(next, first, end) {
		return 0, false
	}
	c.log.Warn("partition reader delivered nothing while its partition holds more: reopened at the next offset",
		"partition", c.id, "next", next, "first", first, "end", end)
	return next, true
}

// behind reports whether a reader at next (negative: the partition's first offset) has messages to read
// in a partition holding offsets first..end-1.
func behind(next, first, end int64) bool {
	if next < 0 {
		return end > first
	}
	return end > max(next, first)
}

func (c *consumer) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// take hands the pending batch to the flusher (nil when there is none) and lets reading go on.
func (c *consumer) take(limit int) *partition.Batch {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.pending
	if b == nil || b.Len() > limit {
		return nil
	}
	c.pending, c.sealed = nil, false
	c.state.Seal(b)
	c.cond.Broadcast()
	return b
}

// full reports whether the pending batch reached processor.partition_max_pending (reading waits).
func (c *consumer) full() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sealed || c.pending != nil && c.pending.Len() >= c.maxPending
}

func (c *consumer) stop() {
	c.mu.Lock()
	c.stopped = true
	c.cond.Broadcast()
	c.mu.Unlock()
}
