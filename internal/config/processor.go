package config

import "time"

// maxInsertBlockSize is ClickHouse's default max_insert_block_size. The processor's effectively-once
// mechanism needs every delta insert to stay one block (one part), so a flush must never exceed it.
const maxInsertBlockSize = 1048576

// Processor configures `cxm process`: the consumer group, its batches and the event-time rules. See
// processor/README.md for the mechanism these limits bound.
type Processor struct {
	// GroupID is the Kafka consumer group every processor instance joins; instances share its partitions.
	GroupID string `koanf:"group_id"`
	// FlushInterval is how long consumed events wait before they are written to ClickHouse together: the
	// main part of the end-to-end latency, and what keeps inserts few (3 per flush, any partition count).
	FlushInterval time.Duration `koanf:"flush_interval"`
	// FlushMaxEvents caps the events (raw rows) of one flush; also caps the delta rows of each insert, so it
	// must stay below ClickHouse's max_insert_block_size (1048576).
	FlushMaxEvents int `koanf:"flush_max_events"`
	// PartitionMaxPending is how many consumed events one partition may hold unwritten; when reached, that
	// partition stops reading until a flush takes them (back-pressure while ClickHouse is slow or down).
	PartitionMaxPending int `koanf:"partition_max_pending"`
	// DedupeHorizon is how long, in Kafka receive time (and event time), an event id is kept in memory: the
	// same location and id received again within it is a duplicate, dropped before anything else. Older
	// event times are checked against the raw events table, so an event sent again within allowed_lateness
	// counts once whatever this is. Memory: ~80 bytes per id.
	DedupeHorizon time.Duration `koanf:"dedupe_horizon"`
	// DedupeLookupCache is how many raw-table rows (location, id, event time) each partition keeps from its
	// lookups of event times older than the dedupe horizon (~60 bytes each); past it the cache starts over.
	DedupeLookupCache int `koanf:"dedupe_lookup_cache"`
	// RepeatInterval: a smiley, like or dislike press less than this after the same device's previous
	// press is a repeat, stored but not counted. Compared at 1 s resolution (the raw table's).
	RepeatInterval time.Duration `koanf:"repeat_interval"`
	// AllowedLateness is how far an event's time may lie behind its partition's watermark (the largest
	// event time accepted so far) and still be counted in its own minute; older events are dead-lettered.
	AllowedLateness time.Duration `koanf:"allowed_lateness"`
	// MaxFutureSkew is how far a Kafka record time may lie ahead of the processor's clock and still be
	// trusted (a later one moves neither the dedupe clock nor the watermark), and the margin
	// allowed_lateness keeps over ingest.max_past for receive clocks that differ between ingest instances.
	MaxFutureSkew time.Duration `koanf:"max_future_skew"`
	// WriteTimeout bounds one ClickHouse statement of a flush (and is the server's receive_timeout of each
	// insert, so an insert whose client stopped mid-stream ends within it). A statement is also cut short at
	// the member's lease (processor/lease), whatever this is.
	WriteTimeout time.Duration `koanf:"write_timeout"`
	// FenceMargin is how long before its lease ends a member's writes must have ended: the time a query
	// may take from the client to the server's process list, where a new owner waits for it.
	FenceMargin time.Duration `koanf:"fence_margin"`
	// RetryMin and RetryMax bound the exponential back-off between attempts while ClickHouse fails.
	RetryMin time.Duration `koanf:"retry_min"`
	RetryMax time.Duration `koanf:"retry_max"`
	// ReaderStallTimeout: a partition reader that delivers nothing this long while the partition holds
	// messages beyond the next offset to read is closed and opened again there (kafka-go readers have been
	// seen to stop delivering without an error).
	ReaderStallTimeout time.Duration `koanf:"reader_stall_timeout"`
	// QueueCapacity is how many fetched messages each partition's reader buffers ahead.
	QueueCapacity int `koanf:"queue_capacity"`
	// EventInsertStreams is how many concurrent INSERTs a flush's raw events are split into. ClickHouse
	// writes one INSERT on one thread; more streams use more of its cores (and make more parts to merge).
	EventInsertStreams int `koanf:"event_insert_streams"`
}

func (p *Processor) validate(c *Config, es *Errors) {
	if p.GroupID == "" {
		es.add("processor.group_id", "must not be empty")
	}
	if p.FlushInterval <= 0 {
		es.add("processor.flush_interval", "must be positive, got %s", p.FlushInterval)
	}
	if p.FlushMaxEvents < 1 || p.FlushMaxEvents >= maxInsertBlockSize {
		es.add("processor.flush_max_events", "must be 1..%d (below ClickHouse's max_insert_block_size), got %d", maxInsertBlockSize-1, p.FlushMaxEvents)
	}
	if p.PartitionMaxPending < 1 || p.PartitionMaxPending > p.FlushMaxEvents {
		es.add("processor.partition_max_pending", "must be 1..processor.flush_max_events (%d), got %d", p.FlushMaxEvents, p.PartitionMaxPending)
	}
	if p.DedupeHorizon < time.Second {
		es.add("processor.dedupe_horizon", "must be at least 1s, got %s", p.DedupeHorizon)
	}
	if p.DedupeLookupCache < 1 {
		es.add("processor.dedupe_lookup_cache", "must be at least 1, got %d", p.DedupeLookupCache)
	}
	if p.RepeatInterval < 0 {
		es.add("processor.repeat_interval", "must not be negative, got %s", p.RepeatInterval)
	}
	if p.AllowedLateness < 0 {
		es.add("processor.allowed_lateness", "must not be negative, got %s", p.AllowedLateness)
	}
	if p.MaxFutureSkew < 0 {
		es.add("processor.max_future_skew", "must not be negative, got %s", p.MaxFutureSkew)
	}
	if mp := c.Ingest.MaxPast; mp > 0 && p.AllowedLateness < mp+p.MaxFutureSkew {
		// The watermark follows the receive clocks of the ingest instances: an event the ingest accepted
		// as at most max_past old must not be dead-lettered as late by the processor.
		es.add("processor.allowed_lateness", "must be at least ingest.max_past (%s) + processor.max_future_skew (%s), got %s",
			mp, p.MaxFutureSkew, p.AllowedLateness)
	}
	if p.WriteTimeout <= 0 {
		es.add("processor.write_timeout", "must be positive, got %s", p.WriteTimeout)
	} else if rt := c.Kafka.Consumer.RebalanceTimeout; rt > 0 && p.WriteTimeout >= rt {
		es.add("processor.write_timeout", "must be below kafka.consumer.rebalance_timeout (%s), got %s", rt, p.WriteTimeout)
	}
	if p.FenceMargin <= 0 {
		es.add("processor.fence_margin", "must be positive, got %s", p.FenceMargin)
	} else if ttl, hb := LeaseTTL(c.Kafka.Consumer), c.Kafka.Consumer.HeartbeatInterval; hb > 0 && ttl > 0 && hb+p.FenceMargin+time.Second > ttl {
		// The lease runs min(session, rebalance timeout) from each answered heartbeat: with a heartbeat
		// every heartbeat_interval, a healthy member must keep at least a second to write in.
		es.add("processor.fence_margin", "kafka.consumer.heartbeat_interval (%s) + processor.fence_margin (%s) + 1s must not exceed the lease, min(kafka.consumer.session_timeout, rebalance_timeout) = %s: a member could not write between heartbeats",
			hb, p.FenceMargin, ttl)
	}
	if p.RetryMin <= 0 || p.RetryMax < p.RetryMin {
		es.add("processor.retry_min", "must be positive and not above processor.retry_max, got %s and %s", p.RetryMin, p.RetryMax)
	}
	if mw := c.Kafka.Consumer.ReaderMaxWait(); p.ReaderStallTimeout <= mw {
		es.add("processor.reader_stall_timeout", "must be above kafka.consumer.max_wait + %s (%s), the longest a fetch may take, got %s",
			FetchAnswerAllowance, mw, p.ReaderStallTimeout)
	}
	if p.QueueCapacity < 1 {
		es.add("processor.queue_capacity", "must be at least 1, got %d", p.QueueCapacity)
	}
	if p.EventInsertStreams < 1 || p.EventInsertStreams > 16 {
		es.add("processor.event_insert_streams", "must be 1..16, got %d", p.EventInsertStreams)
	}
}

// processorDefaults are the defaults of the processor section, keyed "processor.…".
func processorDefaults() map[string]any {
	return map[string]any{
		"processor.group_id":              "cxm-processor",
		"processor.flush_interval":        500 * time.Millisecond,
		"processor.flush_max_events":      200000,
		"processor.partition_max_pending": 50000,
		"processor.dedupe_horizon":        24 * time.Hour,
		"processor.dedupe_lookup_cache":   200000,
		"processor.repeat_interval":       3 * time.Second,
		"processor.allowed_lateness":      7*24*time.Hour + 5*time.Minute,
		"processor.max_future_skew":       5 * time.Minute,
		"processor.write_timeout":         8 * time.Second,
		"processor.fence_margin":          time.Second,
		"processor.reader_stall_timeout":  10 * time.Second,
		"processor.retry_min":             100 * time.Millisecond,
		"processor.retry_max":             5 * time.Second,
		"processor.queue_capacity":        2000,
		"processor.event_insert_streams":  2,
	}
}

// LeaseTTL is how long after a heartbeat answered without error no other member can own the member's
// partitions: the coordinator evicts a silent member after the session timeout, and completes a rebalance
// without it after the rebalance timeout.
func LeaseTTL(c Consumer) time.Duration {
	return min(c.SessionTimeout, c.RebalanceTimeout)
}
