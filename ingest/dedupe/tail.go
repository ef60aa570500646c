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
)

// Tailer keeps a Set current from the events topic: every id any instance wrote in the last horizon.
type Tailer struct {
	set   *Set
	cfg   config.Kafka
	topic string
	log   *slog.Logger
	ready atomic.Bool
	state atomic.Value // string: why not ready
}

// NewTailer returns a tailer feeding set from the topic.
func NewTailer(set *Set, cfg config.Kafka, topic string, log *slog.Logger) *Tailer {
	t := &Tailer{set: set, cfg: cfg, topic: topic, log: log}
	t.state.Store("not started")
	return t
}

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
	backoff := 500 * time.Millisecond
	for ctx.Err() == nil {
		err := t.run(ctx)
		if ctx.Err() != nil {
			return
		}
		t.state.Store("reading the events topic failed: " + err.Error())
		t.log.Warn("dedupe: tailing the events topic failed, retrying", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

func (t *Tailer) dialer() *kafkago.Dialer {
	return &kafkago.Dialer{Timeout: t.cfg.DialTimeout, ClientID: t.cfg.ClientID + "-dedupe"}
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
	var lastErr error
	for _, addr := range t.cfg.Brokers {
		conn, err := t.dialer().DialContext(ctx, "tcp", addr)
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
	var lastErr error
	for _, addr := range t.cfg.Brokers {
		conn, err := t.dialer().DialLeader(ctx, "tcp", addr, t.topic, partition)
		if err != nil {
			lastErr = err
			continue
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
	return 0, 0, lastErr
}

// Fetch sizes of the tail. Other instances' ids may arrive up to tailMaxWait late (this instance adds its own
// at once); fetching a megabyte at a time keeps the tail from competing with the producers for the broker
// and lets it decode in large batches.
const (
	tailMinBytes = 1 << 20
	tailMaxBytes = 16 << 20
	tailMaxWait  = time.Second
)

// readPartition reads the partition from offset from on, for ever, reconnecting after failures.
func (t *Tailer) readPartition(ctx context.Context, partition int, from, end int64, caughtUp func()) {
	p := &tailPartition{t: t, partition: partition, off: from, end: end, done: from >= end, caughtUp: caughtUp}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		n := p.read
		err := p.fetch(ctx)
		if ctx.Err() != nil {
			return
		}
		if p.read > n {
			backoff = 100 * time.Millisecond
		}
		t.log.Warn("dedupe: reading the events topic failed, retrying", "partition", partition, "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

// tailPartition is the reading position in one partition.
type tailPartition struct {
	t         *Tailer
	partition int
	off, end  int64
	read      int64 // messages read, to see progress between failures
	done      bool
	caughtUp  func()
}

// fetch reads batches over one connection to the partition's leader until an error. It uses a kafka-go
// Conn rather than a Reader: the Reader hands every message to ReadMessage through a channel and resets
// the connection's deadline per message, which cost as much as decoding the messages.
func (p *tailPartition) fetch(ctx context.Context) error {
	conn, err := p.t.dialLeader(ctx, p.partition)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() }) // unblocks a read waiting for data
	defer stop()
	if _, err := conn.Seek(p.off, kafkago.SeekAbsolute|kafkago.SeekDontCheck); err != nil {
		return err
	}
	for {
		_ = conn.SetReadDeadline(time.Now().Add(tailMaxWait + 30*time.Second))
		batch := conn.ReadBatchWith(kafkago.ReadBatchConfig{MinBytes: tailMinBytes, MaxBytes: tailMaxBytes, MaxWait: tailMaxWait})
		for {
			m, err := batch.ReadMessage()
			if err != nil {
				break // io.EOF at the end of the batch; Close reports real errors
			}
			p.t.learn(m.Headers, m.Value, m.Time)
			p.off = m.Offset + 1
			p.read++
		}
		if err := batch.Close(); err != nil && !errors.Is(err, kafkago.RequestTimedOut) {
			// RequestTimedOut is an idle partition: some brokers (kfake) answer a long poll that waited
			// MaxWait without data with it instead of an empty batch. Anything else is a failure.
			if !errors.Is(err, kafkago.OffsetOutOfRange) {
				return err
			}
			// Retention removed what was next: those ids are older than any horizon worth keeping.
			first, err := conn.ReadFirstOffset()
			if err != nil {
				return err
			}
			if first <= p.off {
				return fmt.Errorf("offset %d out of range", p.off)
			}
			p.t.log.Warn("dedupe: events deleted before they were read", "partition", p.partition, "from", p.off, "to", first)
			p.off = first
			if _, err := conn.Seek(p.off, kafkago.SeekAbsolute|kafkago.SeekDontCheck); err != nil {
				return err
			}
		}
		if !p.done && p.off >= p.end {
			p.done = true
			p.caughtUp()
		}
	}
}

// dialLeader connects to the leader of the partition.
func (t *Tailer) dialLeader(ctx context.Context, partition int) (*kafkago.Conn, error) {
	var lastErr error
	for _, addr := range t.cfg.Brokers {
		conn, err := t.dialer().DialLeader(ctx, "tcp", addr, t.topic, partition)
		if err == nil {
			return conn, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// learn adds the id of a message unless this instance wrote it (and saw the write succeed).
func (t *Tailer) learn(headers []kafkago.Header, value []byte, at time.Time) {
	own := t.set.own(headers)
	if own && t.set.nUnsure.Load() == 0 {
		// This instance's own events were added when Kafka confirmed them: reading their ids again would
		// cost as much as the rest of the tail, for nothing. Only those whose write it saw fail are learned.
		return
	}
	id, ok := idBytes(value)
	if !ok {
		return
	}
	k := t.set.keyBytes(id)
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
