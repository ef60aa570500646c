// Package processor is CXM's windowed processor: it consumes the events topic in a consumer group, drops
// duplicate ids, marks repeat presses, counts every event into its location's event-time minute and writes
// raw events and minute deltas to ClickHouse effectively once (processor/README.md has the mechanism).
//
// The work is split like this: partition decides per message (dedupe, repeats, watermark, lateness);
// buckets maps events to kpi.Components and owns the minute tables; writer brings a flush into ClickHouse
// exactly once; this package wires the consumer group, the per-partition readers and the flush loop.
package processor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/httpserver"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/retry"
	"github.com/cxm-project/cxm/processor/buckets"
	"github.com/cxm-project/cxm/processor/metrics"
	"github.com/cxm-project/cxm/processor/partition"
	"github.com/cxm-project/cxm/processor/writer"
)

// Processor is one instance; any number of them share the topic's partitions.
type Processor struct {
	cfg   *config.Config
	log   *slog.Logger
	rules partition.Rules
	m     *metrics.Metrics
	km    *kafka.Metrics // of the dead-letter producer

	mu         sync.Mutex
	conn       driver.Conn
	watermarks map[int]int64
	owned      map[int]bool
	joined     atomic.Bool
}

// New checks the configuration; it connects to nothing (Run does, and keeps retrying). Its metrics, and its
// dead-letter producer's (labelled component="processor"), register with reg; nil leaves them unregistered.
func New(cfg *config.Config, log *slog.Logger, reg prometheus.Registerer) (*Processor, error) {
	if err := clickhouse.ValidateDatabase(cfg.ClickHouse.Database); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	pc := cfg.Processor
	return &Processor{
		cfg:        cfg,
		log:        log,
		rules:      partition.RulesOf(pc.DedupeHorizon, pc.RepeatInterval, pc.AllowedLateness, pc.MaxFutureSkew),
		m:          metrics.New(reg),
		km:         kafka.NewMetrics(kafka.ComponentRegisterer(reg, "processor")),
		watermarks: map[int]int64{},
		owned:      map[int]bool{},
	}, nil
}

// Mount adds the processor's readiness check: ready once it is in the consumer group with its partitions'
// state loaded and ClickHouse answers.
func (p *Processor) Mount(srv *httpserver.Server) {
	srv.AddCheck(httpserver.Check{Name: "processor", Func: func(ctx context.Context) error {
		p.mu.Lock()
		conn := p.conn
		p.mu.Unlock()
		if conn == nil {
			return errors.New("not connected to ClickHouse yet")
		}
		if err := clickhouse.Ping(ctx, conn); err != nil {
			return err
		}
		if !p.joined.Load() {
			return errors.New("not in the consumer group yet")
		}
		return nil
	}})
}

// Watermark is the event-time watermark of partition as last written to ClickHouse by this instance (the
// largest accepted event time); zero when this instance has not written that partition.
func (p *Processor) Watermark(partition int) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	w, ok := p.watermarks[partition]
	if !ok {
		return time.Time{}
	}
	return time.Unix(w, 0).UTC()
}

// Owns reports whether this instance currently holds partition.
func (p *Processor) Owns(partition int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.owned[partition]
}

// Run consumes until ctx ends, then flushes what it holds, commits and leaves the group.
func (p *Processor) Run(ctx context.Context) error {
	conn, err := p.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	dlq := kafka.NewProducer(p.cfg.Kafka, p.cfg.Kafka.Topics.DeadLetter, p.log, p.km)
	defer dlq.Close()
	group, err := kafka.NewConsumerGroup(p.cfg.Kafka, p.cfg.Processor.GroupID, p.cfg.Kafka.Topics.Events)
	if err != nil {
		return err
	}
	defer group.Close()
	w := writer.New(conn, p.cfg.ClickHouse.Database, p.rules.AllowedLateness, p.cfg.Processor.WriteTimeout, p.cfg.Processor.EventInsertStreams)
	for ctx.Err() == nil {
		gen, err := group.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			p.m.KafkaErrors.Inc()
			p.log.Warn("consumer group", "err", err)
			sleep(ctx, p.cfg.Processor.RetryMax)
			continue
		}
		done := make(chan struct{})
		gen.Start(func(gctx context.Context) {
			defer close(done)
			p.runGeneration(ctx, gctx, gen, conn, w, dlq)
		})
		<-done
	}
	p.joined.Store(false)
	return nil
}

func (p *Processor) connect(ctx context.Context) (driver.Conn, error) {
	b := p.backoff()
	for {
		conn, err := clickhouse.Open(ctx, p.cfg.ClickHouse)
		if err == nil {
			p.mu.Lock()
			p.conn = conn
			p.mu.Unlock()
			return conn, nil
		}
		p.m.ClickHouseErrors.Inc()
		p.log.Warn("clickhouse unreachable, retrying", "err", err)
		if !sleep(ctx, b.Next()) {
			return nil, ctx.Err()
		}
	}
}

// runGeneration owns the generation's partitions until the generation or ctx ends.
func (p *Processor) runGeneration(ctx, gctx context.Context, gen *kafkago.Generation, conn driver.Conn, w *writer.Writer, dlq *kafka.Producer) {
	topic := p.cfg.Kafka.Topics.Events
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-gctx.Done():
			cancel()
		case <-runCtx.Done():
		}
	}()
	if gctx.Err() != nil {
		// kafka-go runs a function started after the generation closed without waiting for it: such a
		// function must not touch a partition.
		return
	}
	assigned := gen.Assignments[topic]
	p.log.Info("generation", "id", gen.ID, "partitions", len(assigned))
	wake := make(chan struct{}, 1)
	consumers, err := p.assign(runCtx, conn, assigned, wake)
	if err != nil {
		return // the generation or ctx ended while loading
	}
	if gctx.Err() != nil {
		return
	}
	p.joined.Store(true)
	var wg sync.WaitGroup
	for _, c := range consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.run(runCtx, p.cfg.Kafka, p.cfg.Processor.QueueCapacity)
		}()
	}
	defer func() {
		p.mu.Lock()
		for _, c := range consumers {
			delete(p.owned, int(c.id))
		}
		p.mu.Unlock()
	}()
	f := &flusher{p: p, gen: gen, topic: topic, w: w, dlq: dlq, consumers: consumers, next: map[int32]int64{}}
	for _, c := range consumers {
		if c.written >= 0 {
			f.next[c.id] = c.written + 1
		}
	}
	ticker := time.NewTicker(p.cfg.Processor.FlushInterval)
	defer ticker.Stop()
	for {
		select {
		case <-runCtx.Done():
		case <-ticker.C:
		case <-wake:
		}
		// select picks at random among ready cases: a tick or wake-up must never start a flush once the
		// generation ended (it would take new batches past an abandoned flush).
		if runCtx.Err() != nil || f.broken {
			break
		}
		f.once(runCtx)
	}
	cancel() // readers blocked in a fetch return (also when the generation ends because f.broken)
	for _, c := range consumers {
		c.stop()
	}
	wg.Wait()
	if f.broken {
		return // nothing more is written in this generation; the next one reloads from the marks
	}
	// Shutdown, or a rebalance whose other members wait for us up to the rebalance timeout: write what was
	// consumed within one write timeout, so the next owner need not redo it. This function returns (and
	// kafka-go lets the instance rejoin) only once that final flush is in or abandoned.
	fctx, cancelDrain := context.WithTimeout(context.Background(), p.cfg.Processor.WriteTimeout)
	f.drain(fctx)
	cancelDrain()
}

// assign loads the state of every assigned partition from ClickHouse, retrying while it fails.
func (p *Processor) assign(ctx context.Context, conn driver.Conn, assigned []kafkago.PartitionAssignment, wake chan<- struct{}) ([]*consumer, error) {
	ids := make([]int32, len(assigned))
	for i, a := range assigned {
		ids[i] = int32(a.ID)
	}
	b := p.backoff()
	for {
		cs, err := p.load(ctx, conn, assigned, ids, wake)
		if err == nil {
			p.mu.Lock()
			for _, c := range cs {
				p.owned[int(c.id)] = true
				p.watermarks[int(c.id)] = c.state.Watermark
			}
			p.mu.Unlock()
			return cs, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		p.m.ClickHouseErrors.Inc()
		p.log.Warn("load partition state, retrying", "err", err)
		if !sleep(ctx, b.Next()) {
			return nil, ctx.Err()
		}
	}
}

func (p *Processor) load(ctx context.Context, conn driver.Conn, assigned []kafkago.PartitionAssignment, ids []int32, wake chan<- struct{}) ([]*consumer, error) {
	db := p.cfg.ClickHouse.Database
	ctx, cancel := context.WithTimeout(ctx, max(p.cfg.Processor.WriteTimeout, time.Minute))
	defer cancel()
	marks, err := buckets.ReadMarks(ctx, conn, db, ids)
	if err != nil {
		return nil, err
	}
	likeMarks, err := buckets.ReadLikeMarks(ctx, conn, db, ids)
	if err != nil {
		return nil, err
	}
	if len(marks) > 0 {
		parts := make([]int, 0, len(marks))
		for id := range marks {
			parts = append(parts, int(id))
		}
		ends, err := kafka.EndOffsets(ctx, p.cfg.Kafka, p.cfg.Kafka.Topics.Events, parts)
		if err != nil {
			return nil, err
		}
		if err := checkMarks(marks, ends, p.cfg.Kafka.Topics.Events); err != nil {
			return nil, err
		}
	}
	var cs []*consumer
	for _, a := range assigned {
		id := int32(a.ID)
		var (
			mark *buckets.Mark
			next = a.Offset // Kafka's committed offset, or FirstOffset
			last = int64(-1)
		)
		if m, ok := marks[id]; ok {
			// ClickHouse is the truth: it may be ahead of Kafka's commit (a crash between the two).
			mark, next, last = &m, m.LastOffset+1, m.LastOffset
		}
		st, err := partition.Load(ctx, conn, db, id, p.rules, mark)
		if err != nil {
			return nil, err
		}
		beyond, err := partition.WrittenBeyond(ctx, conn, db, id, p.rules, last, st.Watermark)
		if err != nil {
			return nil, err
		}
		c := newConsumer(id, st, next, p.cfg.Processor.PartitionMaxPending, wake, p.log, p.m.KafkaErrors)
		c.verifyUntil = beyond
		c.written = last
		if l, ok := likeMarks[id]; ok && l > last {
			c.cutAt = l
			c.verifyUntil = max(c.verifyUntil, l)
		}
		p.log.Info("partition assigned", "partition", id, "from", next, "watermark", time.Unix(st.Watermark, 0).UTC(),
			"ids", st.IDs.Len(), "devices", st.Presses.Len(), "verify_until", c.verifyUntil, "cut_at", c.cutAt)
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b *consumer) int { return int(a.id - b.id) })
	return cs, nil
}

// flusher writes the consumers' batches, several partitions per flush.
type flusher struct {
	p         *Processor
	gen       *kafkago.Generation
	topic     string
	w         *writer.Writer
	dlq       *kafka.Producer
	consumers []*consumer
	rr        int // round-robin start, so a busy low partition cannot starve the others
	// stuck is a flush abandoned when its context ended. Nothing after it may be written before it: a
	// later batch's mark would claim its offsets too.
	stuck []*partition.Batch
	fl    *writer.Flush
	// started is when the current flush was collected.
	started time.Time
	// ahead is the next flush, collected while the current one wrote its marks, its raw events possibly
	// written already (writeAhead); it is written right after the current one, before anything else.
	ahead    []*partition.Batch
	aheadFl  *writer.Flush
	draining bool
	// next is, per partition, the first offset the next batch must start at: the mark loaded on assignment,
	// then the end of each batch taken. A batch that does not start there would, once written, claim
	// offsets never written (its mark covers everything before it).
	next map[int32]int64
	// broken: the generation must end without writing anything more (a contiguity or mark violation); the
	// next generation reloads every partition from ClickHouse.
	broken bool
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
	f.promote()
	if f.stuck == nil {
		if !f.start() {
			return
		}
	}
	for f.stuck != nil {
		if !f.retry(ctx) {
			return
		}
		f.promote()
	}
}

// start collects the pending batches into a new current flush; false when there are none.
func (f *flusher) start() bool {
	batches := f.collect()
	if len(batches) == 0 {
		return false
	}
	f.stuck, f.fl = batches, &writer.Flush{Batches: slices.Clone(batches)}
	f.started = time.Now()
	return true
}

// promote makes the flush written ahead the current one, once the current one is in.
func (f *flusher) promote() {
	if f.stuck == nil && f.ahead != nil {
		f.stuck, f.fl = f.ahead, f.aheadFl
		f.ahead, f.aheadFl = nil, nil
	}
}

// writeAhead runs while the current flush writes its marks: when the next flush is due (a flush interval
// since the current one started, or a partition at processor.partition_max_pending), it collects it and
// writes its raw events, so ClickHouse's insert of those overlaps the current flush's mark inserts. Under
// light load the current flush ends long before the next is due, and inserts stay one set per interval.
func (f *flusher) writeAhead(ctx context.Context) {
	if f.draining || f.ahead != nil {
		return
	}
	due := time.Since(f.started) >= f.p.cfg.Processor.FlushInterval
	for _, c := range f.consumers {
		due = due || c.full()
	}
	if !due {
		return
	}
	batches := f.collect()
	if len(batches) == 0 {
		return
	}
	f.ahead, f.aheadFl = batches, &writer.Flush{Batches: slices.Clone(batches)}
	f.started = time.Now()
	f.w.Prewrite(ctx, f.aheadFl)
}

// drain writes everything still pending (consumers are stopped), after the generation ended or for
// shutdown. Another member may own these partitions already if this one was evicted meanwhile, so every
// batch is verified against ClickHouse's marks first (fencing, see the writer).
func (f *flusher) drain(ctx context.Context) {
	f.draining = true
	for ctx.Err() == nil && !f.broken {
		f.promote()
		if f.stuck == nil && !f.start() {
			return
		}
		for _, b := range f.fl.Batches {
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
	batches, fl := f.stuck, f.fl
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
		if ctx.Err() != nil {
			return false
		}
		f.p.log.Warn("flush failed, retrying", "err", err, "partitions", len(batches))
		if !sleep(ctx, b.Next()) {
			return false
		}
	}
	f.stuck, f.fl = nil, nil
	ack := time.Now()
	f.p.m.FlushSeconds.Observe(ack.Sub(start).Seconds())
	offsets := map[int]int64{}
	for _, b := range batches {
		offsets[int(b.Partition)] = b.Last + 1
		f.account(b, ack)
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
	ps := strconv.Itoa(int(b.Partition))
	f.p.m.Lag.WithLabelValues(ps).Set(float64(b.Lag))
	f.p.m.Watermark.WithLabelValues(ps).Set(float64(b.Mark.Watermark))
	an := ack.UnixNano()
	for _, r := range b.RecvNanos {
		f.p.m.EndToEndSeconds.Observe(float64(an-r) / 1e9)
	}
	f.p.mu.Lock()
	f.p.watermarks[int(b.Partition)] = b.Mark.Watermark
	f.p.mu.Unlock()
}

// backoff is the jittered back-off of one retry loop, processor.retry_min doubling up to retry_max.
func (p *Processor) backoff() *retry.Backoff {
	return retry.New(p.cfg.Processor.RetryMin, p.cfg.Processor.RetryMax)
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
