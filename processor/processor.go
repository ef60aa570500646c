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
	"log/slog"
	"slices"
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
	"github.com/cxm-project/cxm/processor/fence"
	"github.com/cxm-project/cxm/processor/lease"
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

	mu    sync.Mutex
	conn  driver.Conn
	procs *fence.Processes // where inserts of other members are looked for before reading marks
	// written is, per partition, the offset after the last batch this instance brought in (0: none).
	written map[int]int64
	owned   map[int]bool
	joined  atomic.Bool
	onFlush func(locations map[string]struct{})
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
		cfg:     cfg,
		log:     log,
		rules:   partition.RulesOf(pc.DedupeHorizon, pc.RepeatInterval, pc.AllowedLateness, pc.MaxFutureSkew),
		m:       metrics.New(reg),
		km:      kafka.NewMetrics(kafka.ComponentRegisterer(reg, "processor")),
		written: map[int]int64{},
		owned:   map[int]bool{},
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

// WrittenTo is the offset up to which (exclusive) this instance has brought partition's events into
// ClickHouse, marks included; zero when it has written none of that partition. Read in the process, it
// says a replay is done without querying ClickHouse for the marks.
func (p *Processor) WrittenTo(partition int) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.written[partition]
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
	procs, err := p.processes(ctx, conn)
	if err != nil {
		return err
	}
	p.procs = procs
	w := writer.New(conn, p.cfg.ClickHouse.Database, p.rules.Lookback(), p.cfg.Processor.WriteTimeout, p.cfg.Processor.EventInsertStreams).
		WithProcesses(procs)
	for ctx.Err() == nil {
		gen, err := group.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			p.m.KafkaErrors.Inc()
			p.log.Warn("consumer group", "err", kafka.Explain(p.cfg.Kafka, err))
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

// processes is where the fence looks for inserts: this server, or every server of the cluster.
func (p *Processor) processes(ctx context.Context, conn driver.Conn) (*fence.Processes, error) {
	ch := p.cfg.ClickHouse
	if ch.Cluster == "" {
		return fence.Local(conn), nil
	}
	b := p.backoff()
	for {
		procs, err := fence.Cluster(ctx, conn, ch.Cluster, ch.Username, ch.Password)
		if err == nil {
			return procs, nil
		}
		p.m.ClickHouseErrors.Inc()
		p.log.Warn("servers of the cluster, retrying", "err", err)
		if !sleep(ctx, b.Next()) {
			return nil, ctx.Err()
		}
	}
}

func (p *Processor) connect(ctx context.Context) (driver.Conn, error) {
	b := p.backoff()
	for {
		// Marks are read with sequential consistency on a cluster: a replica behind the last flush fails the
		// read instead of answering with an older mark.
		conn, err := clickhouse.OpenConsistent(ctx, p.cfg.ClickHouse)
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
	// The lease (processor/lease): every write ends before another member can have these partitions.
	l := lease.New(config.LeaseTTL(p.cfg.Kafka.Consumer), p.cfg.Processor.FenceMargin)
	leaseCtx, stopLease := context.WithCancel(context.Background())
	leaseDone := make(chan struct{})
	go func() {
		defer close(leaseDone)
		p.keepLease(leaseCtx, l, gen, cancel)
	}()
	defer func() { stopLease(); <-leaseDone; l.Revoke() }()
	if !awaitLease(runCtx, l) {
		return
	}
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
			c.run(runCtx, p.cfg.Kafka, p.cfg.Processor.QueueCapacity, p.cfg.Processor.ReaderStallTimeout)
		}()
	}
	defer func() {
		p.mu.Lock()
		for _, c := range consumers {
			delete(p.owned, int(c.id))
		}
		p.mu.Unlock()
	}()
	f := &flusher{p: p, gen: gen, topic: topic, w: w, dlq: dlq, consumers: consumers, next: map[int32]int64{}, lease: l}
	for _, c := range consumers {
		if c.written >= 0 {
			f.next[c.id] = c.written + 1
		}
	}
	f.loop(runCtx, p.cfg.Processor.FlushInterval, wake)
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
	// Fencing: an insert of these partitions by their former owner (or by this member before a restart of
	// the generation) may still be running on the server; the marks are final only once it has ended.
	if err := p.procs.Await(ctx, 100*time.Millisecond, fence.Touching(ids)); err != nil {
		return nil, err
	}
	read, err := readAssignment(ctx, conn, db, p.rules, ids, func(marks map[int32]buckets.Mark) error {
		if len(marks) == 0 {
			return nil
		}
		parts := make([]int, 0, len(marks))
		for id := range marks {
			parts = append(parts, int(id))
		}
		ends, err := kafka.EndOffsets(ctx, p.cfg.Kafka, p.cfg.Kafka.Topics.Events, parts)
		if err != nil {
			return err
		}
		return checkMarks(marks, ends, p.cfg.Kafka.Topics.Events)
	})
	if err != nil {
		return nil, err
	}
	marks := read.Marks
	var cs []*consumer
	for _, a := range assigned {
		id := int32(a.ID)
		var (
			next = a.Offset // Kafka's committed offset, or FirstOffset
			last = int64(-1)
		)
		if m, ok := marks[id]; ok {
			// ClickHouse is the truth: it may be ahead of Kafka's commit (a crash between the two).
			next, last = m.LastOffset+1, m.LastOffset
		}
		st := read.states[id]
		st.WithLookup(partition.Lookup(conn, db, id, p.cfg.Processor.WriteTimeout), p.cfg.Processor.DedupeLookupCache)
		beyond, ok := read.beyond[id]
		if !ok {
			beyond = -1
		}
		c := newConsumer(id, st, next, p.cfg.Processor.PartitionMaxPending, wake, p.log, p.m)
		c.verifyUntil = beyond
		c.written = last
		// like_minute, survey_minute and audit_minute are written before kpi_minute: a mark of any of them
		// beyond kpi_minute's is the end of the flush that crashed before its kpi rows (one flush writes marks
		// at a time); the writer's verification skips what is in (partition.Batch.Skip*).
		for _, ms := range []map[int32]int64{read.Like, read.Survey, read.Audit} {
			if l, ok := ms[id]; ok && l > last {
				c.cutAt = max(c.cutAt, l)
				c.verifyUntil = max(c.verifyUntil, l)
			}
		}
		p.log.Info("partition assigned", "partition", id, "from", next, "watermark", time.Unix(st.Watermark, 0).UTC(),
			"ids", st.IDs.Len(), "devices", st.Presses.Len(), "verify_until", c.verifyUntil, "cut_at", c.cutAt)
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b *consumer) int { return int(a.id - b.id) })
	return cs, nil
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
