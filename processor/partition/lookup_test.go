package partition_test

import (
	"context"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor/buckets"
	"github.com/cxm-project/cxm/processor/partition"
)

// TestLookupByOffset: for an event time older than the dedupe horizon the raw table decides, and only by
// the partition's offset order, so a replay after a crash decides as the first run did. The table holds a
// row at an offset below the mark (an original), one at an event's own offset beyond the mark (written by
// an attempt that crashed before its mark: this very event) and one beyond the event's offset (a later
// event of a crashed attempt: not an original).
func TestLookupByOffset(t *testing.T) {
	conn, ch := testutil.ClickHouse(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	old := now.Add(-3 * 24 * time.Hour) // beyond the 24 h horizon, within the 7 days of lateness
	const p = 3
	pos := func(id, loc string) event.Event {
		return event.Event{ID: id, Type: event.TypePOS, Location: loc, Device: "till-1", Time: old, Receipt: id, Amount: 100, Items: 1, Currency: "EUR"}
	}
	row := func(e event.Event, off int64) clickhouse.EventRow {
		return clickhouse.EventRow{Event: e, Received: now.Add(-3 * 24 * time.Hour), KafkaPartition: p, KafkaOffset: off}
	}
	if err := clickhouse.InsertEvents(ctx, conn, ch.Database, []clickhouse.EventRow{
		row(pos("A", "shop-1"), 10), row(pos("B", "shop-1"), 25), row(pos("C", "shop-1"), 30),
		row(pos("D", "shop-1"), 11), {Event: pos("E", "shop-1"), Received: old, KafkaPartition: p + 1, KafkaOffset: 5},
	}); err != nil {
		t.Fatal(err)
	}
	rules := partition.RulesOf(24*time.Hour, 3*time.Second, 7*24*time.Hour+5*time.Minute, 5*time.Minute)
	mark := buckets.Mark{Partition: p, LastOffset: 20, Watermark: now.Unix(), Clock: now.Unix()}
	states, err := partition.Load(ctx, conn, ch.Database, []int32{p}, rules, &buckets.Assignment{Marks: map[int32]buckets.Mark{p: mark}})
	if err != nil {
		t.Fatal(err)
	}
	st := states[p]
	st.WithLookup(partition.Lookup(conn, ch.Database, p, 10*time.Second), 1000)
	b := st.NewBatch(21)
	for _, c := range []struct {
		name string
		off  int64
		e    event.Event
		want partition.Outcome
	}{
		{"A sent again: its original is at offset 10", 21, pos("A", "shop-1"), partition.Duplicate},
		{"C: the row at offset 30 is a later event's", 22, pos("C", "shop-1"), partition.Counted},
		{"A of another location", 23, pos("A", "shop-2"), partition.Counted},
		{"E: its row is another partition's", 24, pos("E", "shop-1"), partition.Counted},
		{"B: the row at its own offset is itself", 25, pos("B", "shop-1"), partition.Counted},
		{"B again: now it is a duplicate", 26, pos("B", "shop-1"), partition.Duplicate},
		{"D sent again", 27, pos("D", "shop-1"), partition.Duplicate},
	} {
		off := c.off
		v, err := c.e.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		m := kafkago.Message{Partition: p, Offset: off, Value: v, Time: now}
		if err := st.Prepare(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if got := st.Apply(&m, b); got != c.want {
			t.Errorf("%s (offset %d): outcome %d, want %d", c.name, off, got, c.want)
		}
	}
}
