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

// run reads every partition from now - horizon. It returns only on a setup error or when ctx ends; the
// readers themselves retry broker errors internally.
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

func (t *Tailer) readPartition(ctx context.Context, partition int, from, end int64, caughtUp func()) {
	r := kafkago.NewReader(kafkago.ReaderConfig{
		Brokers:   t.cfg.Brokers,
		Topic:     t.topic,
		Partition: partition,
		Dialer:    t.dialer(),
		// Other instances' ids may arrive up to MaxWait late (this instance adds its own at once); batching
		// fetches keeps the tail from competing with the producers for the broker.
		MinBytes: 1 << 20,
		MaxBytes: 16 << 20,
		MaxWait:  time.Second,
	})
	defer r.Close()
	if err := r.SetOffset(from); err != nil {
		t.log.Error("dedupe: set offset", "partition", partition, "err", err)
		return
	}
	done := from >= end
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return // ctx ended or the reader was closed; kafka-go retries broker errors itself
		}
		// This instance's own events were added when Kafka confirmed them: decoding their ids again would
		// cost as much as the rest of the tail, for nothing. Only those whose write it saw fail are learned.
		if !t.set.own(m.Headers) {
			if id, ok := IDOf(m.Value); ok {
				t.set.Add(id, m.Time)
			}
		} else if t.set.nUnsure.Load() > 0 {
			if id, ok := IDOf(m.Value); ok && t.set.takeUnsure(id) {
				t.set.Add(id, m.Time)
			}
		}
		if !done && m.Offset+1 >= end {
			done = true
			caughtUp()
		}
	}
}

var idPrefix = []byte(`{"id":"`)

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
