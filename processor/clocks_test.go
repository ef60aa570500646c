package processor_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kafka"
	"github.com/cxm-project/cxm/internal/testutil"
)

// produceAt writes msgs with the given Kafka record time (zero: the producer's clock).
func produceAt(t *testing.T, kc config.Kafka, at time.Time, msgs ...msg) {
	t.Helper()
	p := kafka.NewProducer(kc, kc.Topics.Events, slog.New(slog.DiscardHandler), nil)
	defer p.Close()
	for _, m := range msgs {
		v, err := m.e.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Produce(context.Background(), kafkago.Message{Key: []byte(m.e.Location), Value: v, Time: at}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestClocks: one record must not move a partition's clocks so that other events become late or
// remembered ids are forgotten, and an event the ingest accepts (at most ingest.max_past old) must never be
// dead-lettered as late by the processor.
func TestClocks(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	pos := func(id string, at time.Time) msg {
		return msg{e: event.Event{ID: id, Type: event.TypePOS, Location: "shop:g-01", Device: "pos-1", Time: at,
			Receipt: id, Amount: 1000, Items: 1, Currency: "EUR"}}
	}
	t.Run("a Kafka record time years ahead", func(t *testing.T) {
		kc := testutil.Kafka(t)
		conn, ch := testutil.ClickHouse(t)
		bogus := pos("bogus", now.AddDate(10, 0, 0))
		produceAt(t, kc, now.AddDate(10, 0, 0), bogus)
		msgs := generate(6000, 41, base) // duplicates of recent ids included: they must still be recognised
		produce(t, kc, msgs)
		stop := startProcessor(t, testConfig(t, kc, ch, "clocks"))
		waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), time.Minute)
		stop()
		check(t, conn, ch.Database, expect(append([]msg{bogus}, msgs...)))
	})
	t.Run("accepted by the ingest is never late", func(t *testing.T) {
		kc := testutil.Kafka(t)
		conn, ch := testutil.ClickHouse(t)
		cfg := testConfig(t, kc, ch, "clocks")
		ahead := pos("ahead", now.Add(cfg.Ingest.MaxFuture/2))            // a device clock ahead, accepted by the ingest
		oldest := pos("oldest", now.Add(-cfg.Ingest.MaxPast+time.Minute)) // as old as the ingest accepts
		msgs := []msg{ahead, oldest, pos("now", now)}
		produce(t, kc, msgs)
		stop := startProcessor(t, cfg)
		waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), time.Minute)
		stop()
		check(t, conn, ch.Database, expect(msgs))
	})
}
