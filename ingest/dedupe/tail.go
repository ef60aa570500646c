package dedupe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/retry"
)

// Tailer keeps a Set current from the events topic: every id any instance wrote in the last horizon.
//
// It reads only what other instances wrote (and this one before a restart). The instance's own producer
// reports where its acknowledged messages went (Observe), so the tailer polls each partition's end offset
// and fetches just the offsets between those: a lone instance reads nothing back, and the broker serves it
// nothing. Messages of this instance that it does read (their write was reported failed, or the report came
// too late, see settleMax) carry its origin header and are learned only when their write was reported
// failed (Set.MaybeWritten).
type Tailer struct {
	set   *Set
	cfg   config.Kafka
	topic string
	log   *slog.Logger
	ready atomic.Bool
	state atomic.Value // string: why not ready
	own   ownWrites

	readOwn, readOthers atomic.Int64 // messages decoded, by origin
}

// NewTailer returns a tailer feeding set from the topic. Give it to the instance's producer of the topic
// (kafka.Producer.Observe) before the first write, or it reads back every message the instance writes.
func NewTailer(set *Set, cfg config.Kafka, topic string, log *slog.Logger) *Tailer {
	t := &Tailer{set: set, cfg: cfg, topic: topic, log: log}
	t.state.Store("not started")
	return t
}

// ProduceStarted implements kafka.Observer for the instance's producer of the topic.
func (t *Tailer) ProduceStarted() uint64 { return t.own.ProduceStarted() }

// ProduceDone implements kafka.Observer for the instance's producer of the topic.
func (t *Tailer) ProduceDone(call uint64, written []kafka.Written) { t.own.ProduceDone(call, written) }

// Read returns how many messages the tailer has decoded so far: this instance's own (written by this
// process) and the others'.
func (t *Tailer) Read() (own, others int64) { return t.readOwn.Load(), t.readOthers.Load() }

// Ready is nil once the ids written before the start have all been read; until then an id accepted before a
// restart could still be written again (the processor's dedupe catches that).
func (t *Tailer) Ready(context.Context) error {
	if t.ready.Load() {
		return nil
	}
	return errors.New("dedupe: " + t.state.Load().(string))
}

// Run tails until ctx ends, reconnecting after failures.
func (t *Tailer) Run(ctx context.Context) {
	b := retry.New(500*time.Millisecond, 10*time.Second)
	for ctx.Err() == nil {
		err := t.run(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := b.Next()
		t.state.Store("reading the events topic failed: " + err.Error())
		t.log.Warn("dedupe: tailing the events topic failed, retrying", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// dialer is the project's Dialer (kafka.Dialer), its client id marked as the dedupe tail's.
func (t *Tailer) dialer() (*kafkago.Dialer, error) {
	d, err := kafka.Dialer(t.cfg)
	if err != nil {
		return nil, err
	}
	d.ClientID += "-dedupe"
	return d, nil
}

// run reads every partition from now - horizon. It returns only on a setup error or when ctx ends; each
// partition's reader retries broker errors itself (readPartition).
func (t *Tailer) run(ctx context.Context) error {
	start := time.Now().Add(-t.set.horizon)
	parts, err := t.partitions(ctx)
	if err != nil {
		return err
	}
	type bounds struct{ from, end int64 }
	b := make([]bounds, len(parts))
	for i, p := range parts {
		if b[i].from, b[i].end, err = t.offsets(ctx, p, start); err != nil {
			return fmt.Errorf("partition %d: %w", p, err)
		}
	}
	t.state.Store("catching up with the events topic")
	var pending atomic.Int64
	pending.Store(int64(len(parts)))
	caughtUp := func() {
		if pending.Add(-1) == 0 {
			t.ready.Store(true)
			t.log.Info("dedupe: caught up with the events topic", "ids", t.set.Len(), "partitions", len(parts))
		}
	}
	var wg sync.WaitGroup
	for i, p := range parts {
		if b[i].from >= b[i].end {
			caughtUp()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.readPartition(ctx, p, b[i].from, b[i].end, caughtUp)
		}()
	}
	wg.Wait()
	return ctx.Err()
}

func (t *Tailer) partitions(ctx context.Context) ([]int, error) {
	d, err := t.dialer()
	if err != nil {
		return nil, err
	}
	var lastErr error
	for _, addr := range t.cfg.Brokers {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			lastErr = err
			continue
		}
		ps, err := conn.ReadPartitions(t.topic)
		conn.Close()
		if err != nil {
			return nil, err
		}
		ids := make([]int, 0, len(ps))
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
		if len(ids) == 0 {
			return nil, fmt.Errorf("topic %s has no partitions", t.topic)
		}
		return ids, nil
	}
	return nil, lastErr
}

// offsets finds the first offset at or after start and the end offset now.
func (t *Tailer) offsets(ctx context.Context, partition int, start time.Time) (from, end int64, err error) {
	conn, err := t.dialLeader(ctx, partition)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else {
		_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	}
	if end, err = conn.ReadLastOffset(); err != nil {
		return 0, 0, err
	}
	if from, err = conn.ReadOffset(start); err != nil {
		return 0, 0, err
	}
	// ListOffsets answers -1 when no message is that new: start at the end.
	if from < 0 || from > end {
		from = end
	}
	return from, end, nil
}

// Polling. The tailer asks each partition's leader for the end offset every tailPoll, so ids written by other
// instances are known about tailPoll after Kafka has them (plus the few milliseconds this instance's
// running writes take to end, see fetch); this instance adds its own at once. A fetch returns at most
// tailMaxBytes.
const (
	tailPoll     = 250 * time.Millisecond
	tailMaxBytes = 4 << 20
	tailMaxWait  = time.Second
	// settleMax is how long the tailer waits for this instance's calls to report their offsets before it
	// reads what they may have written all the same. Calls end within ingest.produce_timeout, normally in
	// milliseconds.
	settleMax = 10 * time.Second
)

// readPartition reads the partition from offset from on, for ever, reconnecting after failures.
func (t *Tailer) readPartition(ctx context.Context, partition int, from, end int64, caughtUp func()) {
	p := &tailPartition{t: t, partition: partition, off: from, end: end, done: from >= end, caughtUp: caughtUp}
	b := retry.New(100*time.Millisecond, 10*time.Second)
	for ctx.Err() == nil {
		n := p.progress
		err := p.fetch(ctx)
		if ctx.Err() != nil {
			return
		}
		if p.progress > n {
			b.Reset()
		}
		wait := b.Next()
		t.log.Warn("dedupe: reading the events topic failed, retrying", "partition", partition, "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// tailPartition is the reading position in one partition.
type tailPartition struct {
	t         *Tailer
	partition int
	off, end  int64 // every id below off is known; end is the end offset at the start
	progress  int64 // offsets passed, to see progress between failures
	done      bool
	caughtUp  func()
	gaps      []offRange
}

// advance moves the position to off: every id below it is known.
func (p *tailPartition) advance(off int64) {
	p.progress += off - p.off
	p.off = off
}

// fetch polls the partition over one connection to its leader until an error. Each poll reads the end
// offset and marks this instance's producer calls. Once every call started before the mark has ended, all of
// this instance's acknowledged writes below that end offset are known, and only the offsets between them are
// read. It uses a kafka-go Conn rather than a Reader: the Reader hands every message to ReadMessage through
// a channel and resets the connection's deadline per message, which cost as much as decoding the messages.
func (p *tailPartition) fetch(ctx context.Context) error {
	conn, err := p.t.dialLeader(ctx, p.partition)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() }) // unblocks a read waiting for data
	defer stop()
	for {
		_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
		end, err := conn.ReadLastOffset()
		if err != nil {
			return err
		}
		if end > p.off {
			// Calls still running may have written below end; waiting for them (milliseconds, normally)
			// saves reading their messages back.
			if !p.t.own.wait(ctx, p.t.own.mark(), settleMax) && ctx.Err() != nil {
				return ctx.Err()
			}
			p.gaps = p.t.own.gaps(p.gaps[:0], p.partition, p.off, end)
			for _, g := range p.gaps {
				if err := p.readRange(conn, g.from, g.to); err != nil {
					return err
				}
			}
			p.advance(end)
		}
		if !p.done && p.off >= p.end {
			p.done = true
			p.caughtUp()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(tailPoll):
		}
	}
}

// readRange reads the messages of offsets [from, to) and learns their ids.
func (p *tailPartition) readRange(conn *kafkago.Conn, from, to int64) error {
	at := max(from, p.off)
	if _, err := conn.Seek(at, kafkago.SeekAbsolute|kafkago.SeekDontCheck); err != nil {
		return err
	}
	for at < to {
		_ = conn.SetDeadline(time.Now().Add(tailMaxWait + 30*time.Second)) // the fetch's write and its answer
		batch := conn.ReadBatchWith(kafkago.ReadBatchConfig{MinBytes: 1, MaxBytes: tailMaxBytes, MaxWait: tailMaxWait})
		before := at
		for {
			m, err := batch.ReadMessage()
			if err != nil || m.Offset >= to {
				break // io.EOF at the end of the batch (Close reports real errors), or past the range
			}
			p.t.learn(m.Headers, m.Key, m.Value, m.Time)
			at = m.Offset + 1
		}
		// Everything below at is known now: a retry after a failure goes on from there.
		p.advance(at)
		err := batch.Close()
		if err != nil && !errors.Is(err, kafkago.RequestTimedOut) {
			// RequestTimedOut is a fetch that found no data within MaxWait: some brokers (kfake) answer so
			// instead of with an empty batch. Anything else is a failure.
			if !errors.Is(err, kafkago.OffsetOutOfRange) {
				return err
			}
			// Retention removed what was next: those ids are older than any horizon worth keeping.
			first, err := conn.ReadFirstOffset()
			if err != nil {
				return err
			}
			if first <= at {
				return fmt.Errorf("offset %d out of range", at)
			}
			p.t.log.Warn("dedupe: events deleted before they were read", "partition", p.partition, "from", at, "to", first)
			at = min(first, to)
			p.advance(at)
			if _, err := conn.Seek(at, kafkago.SeekAbsolute|kafkago.SeekDontCheck); err != nil {
				return err
			}
			continue
		}
		if at == before {
			// No message at or after at: kafka-go steps over offsets a batch lacks (compaction, control
			// records) by the batch's last offset.
			if next := batch.Offset(); next > at {
				at = min(next, to)
				p.advance(at)
				continue
			}
			return fmt.Errorf("no message at offset %d, below the end offset %d", at, to)
		}
	}
	return nil
}

// dialLeader connects to the leader of the partition.
func (t *Tailer) dialLeader(ctx context.Context, partition int) (*kafkago.Conn, error) {
	d, err := t.dialer()
	if err != nil {
		return nil, err
	}
	var lastErr error
	for _, addr := range t.cfg.Brokers {
		conn, err := d.DialLeader(ctx, "tcp", addr, t.topic, partition)
		if err == nil {
			return conn, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// learn adds the id of a message unless this instance wrote it (and saw the write succeed). The message
// key is the event's location (every writer of the topic keys by location: it picks the partition).
func (t *Tailer) learn(headers []kafkago.Header, location, value []byte, at time.Time) {
	own := t.set.own(headers)
	if own {
		t.readOwn.Add(1)
	} else {
		t.readOthers.Add(1)
	}
	if own && t.set.nUnsure.Load() == 0 {
		// This instance's own events were added when Kafka confirmed them. Only those whose write it saw
		// fail are learned.
		return
	}
	id, ok := idBytes(value)
	if !ok {
		return
	}
	k := t.set.keyBytes(location, id)
	if own && !t.set.takeUnsureKey(k) {
		return
	}
	t.set.addKey(k, at)
}

var idPrefix = []byte(`{"id":"`)

// idBytes is IDOf without copying the id out of value unless it has escapes.
func idBytes(value []byte) ([]byte, bool) {
	if !bytes.HasPrefix(value, idPrefix) {
		return nil, false
	}
	rest := value[len(idPrefix):]
	if i := bytes.IndexByte(rest, '"'); i >= 0 && bytes.IndexByte(rest[:i], '\\') < 0 {
		return rest[:i], true
	}
	id, ok := IDOf(value)
	return []byte(id), ok
}

// IDOf reads the id of an event in canonical JSON (id is always its first member), without decoding the rest.
func IDOf(value []byte) (string, bool) {
	if !bytes.HasPrefix(value, idPrefix) {
		return "", false
	}
	rest := value[len(idPrefix):]
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case '"':
			return string(rest[:i]), true
		case '\\':
			// Escaped ids are rare: let encoding/json unescape the string.
			var s string
			dec := json.NewDecoder(bytes.NewReader(value[len(idPrefix)-1:]))
			if err := dec.Decode(&s); err != nil {
				return "", false
			}
			return s, true
		}
	}
	return "", false
}
