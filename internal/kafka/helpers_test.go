package kafka_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kafka"
)

func dialer(t testing.TB, cfg config.Kafka) *kafkago.Dialer {
	t.Helper()
	d, err := kafka.Dialer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func transport(t testing.TB, cfg config.Kafka) *kafkago.Transport {
	t.Helper()
	tr, err := kafka.Transport(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// events builds n events spread over locs locations as keyed messages (key = location), the way the
// ingest writes them. Each location's events carry increasing times, so order per key is checkable.
func events(t testing.TB, n, locs int) []kafkago.Message {
	t.Helper()
	base := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	msgs := make([]kafkago.Message, n)
	for i := range msgs {
		loc := fmt.Sprintf("store-%03d", i%locs)
		e := event.Event{
			ID:       fmt.Sprintf("ev-%06d", i),
			Location: loc,
			Device:   "dev-" + loc,
			Time:     base.Add(time.Duration(i) * time.Millisecond),
		}
		switch i % 4 {
		case 0:
			e.Type, e.Kind, e.Value, e.Scale = event.TypeButton, event.KindSmiley, 1+i%5, 5
		case 1:
			e.Type, e.In, e.Out = event.TypeCounter, int64(i%7), int64(i%5)
		case 2:
			e.Type, e.Receipt, e.Amount, e.Items, e.Currency = event.TypePOS, fmt.Sprintf("r-%d", i), event.Amount(100+i), 1+i%9, "EUR"
		case 3:
			nps := i % 11
			e.Type, e.Survey, e.Answers = event.TypeSurvey, "nps-2026", &event.Answers{NPS: &nps, Comment: "friendly staff, short queue"}
		}
		v, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		msgs[i] = kafkago.Message{Key: []byte(loc), Value: v}
	}
	return msgs
}

// produceAll writes msgs in batches of batch through p.
func produceAll(t testing.TB, ctx context.Context, p interface {
	Produce(context.Context, ...kafkago.Message) error
}, msgs []kafkago.Message, batch int) {
	t.Helper()
	for i := 0; i < len(msgs); i += batch {
		if err := p.Produce(ctx, msgs[i:min(i+batch, len(msgs))]...); err != nil {
			t.Fatalf("produce batch at %d: %v", i, err)
		}
	}
}

// received is what a consumer read: values per key in read order, and the partition of each key.
type received struct {
	byKey     map[string][]string
	partition map[string]int
	total     int
}

func newReceived() *received {
	return &received{byKey: map[string][]string{}, partition: map[string]int{}}
}

func (r *received) add(t testing.TB, m kafkago.Message) {
	t.Helper()
	k := string(m.Key)
	if p, ok := r.partition[k]; ok && p != m.Partition {
		t.Errorf("key %s read from partitions %d and %d: one location must live in one partition", k, p, m.Partition)
	}
	r.partition[k] = m.Partition
	r.byKey[k] = append(r.byKey[k], string(m.Value))
	r.total++
}

// check compares what was read with what was sent: every message once, in the order sent per key.
func (r *received) check(t testing.TB, sent []kafkago.Message) {
	t.Helper()
	want := map[string][]string{}
	for _, m := range sent {
		want[string(m.Key)] = append(want[string(m.Key)], string(m.Value))
	}
	if r.total != len(sent) {
		t.Errorf("read %d messages, sent %d", r.total, len(sent))
	}
	if len(r.byKey) != len(want) {
		t.Errorf("read %d keys, sent %d", len(r.byKey), len(want))
	}
	for k, w := range want {
		got := r.byKey[k]
		if len(got) != len(w) {
			t.Errorf("key %s: read %d messages, sent %d", k, len(got), len(w))
			continue
		}
		for i := range w {
			if got[i] != w[i] {
				t.Errorf("key %s: message %d is %s, sent %s (lost, duplicated or reordered)", k, i, got[i], w[i])
				break
			}
		}
	}
}

// readN reads n messages from r, committing as it goes.
func readN(t testing.TB, ctx context.Context, r *kafkago.Reader, n int, into *received) {
	t.Helper()
	for range n {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("after %d messages: %v", into.total, err)
		}
		into.add(t, m)
		if err := r.CommitMessages(ctx, m); err != nil {
			t.Fatalf("commit: %v", err)
		}
	}
}
