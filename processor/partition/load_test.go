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

// TestLoadBoundedByHorizonFlush: the ids of an assignment are read from the event time of a flush a dedupe
// horizon before the mark, less the lateness, not from the horizon's start: an event received within the
// horizon may be days old in event time (an import of old receipts), and rule (a) must still find it. A
// row of another partition and one beyond the mark are not loaded; both partitions load in one go.
func TestLoadBoundedByHorizonFlush(t *testing.T) {
	conn, ch := testutil.ClickHouse(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	day := 24 * time.Hour
	pos := func(id string, at time.Time) event.Event {
		return event.Event{ID: id, Type: event.TypePOS, Location: "shop-1", Device: "till-1", Time: at, Receipt: id, Amount: 100, Items: 1, Currency: "EUR"}
	}
	row := func(e event.Event, recv time.Time, p int32, off int64) clickhouse.EventRow {
		return clickhouse.EventRow{Event: e, Received: recv, KafkaPartition: p, KafkaOffset: off}
	}
	if err := clickhouse.InsertEvents(ctx, conn, ch.Database, []clickhouse.EventRow{
		row(pos("import", now.Add(-5*day)), now.Add(-2*time.Hour), 1, 5), // received within the horizon, 5 days old
		row(pos("recent", now.Add(-time.Hour)), now.Add(-time.Hour), 1, 6),
		row(pos("beyond", now.Add(-time.Hour)), now.Add(-time.Hour), 1, 11), // a crashed writer's row beyond the mark
		row(pos("other", now.Add(-time.Hour)), now.Add(-time.Hour), 2, 3),   // partition 2's
	}); err != nil {
		t.Fatal(err)
	}
	rules := partition.RulesOf(day, 3*time.Second, 7*day+5*time.Minute, 5*time.Minute)
	a := &buckets.Assignment{
		Marks: map[int32]buckets.Mark{
			1: {Partition: 1, LastOffset: 10, Watermark: now.Unix(), Clock: now.Unix()},
			2: {Partition: 2, LastOffset: 3, Watermark: now.Unix(), Clock: now.Unix()},
		},
		HorizonWatermark: map[int32]int64{1: now.Add(-26 * time.Hour).Unix(), 2: now.Add(-26 * time.Hour).Unix()},
	}
	states, err := partition.Load(ctx, conn, ch.Database, []int32{1, 2}, rules, a)
	if err != nil {
		t.Fatal(err)
	}
	if n := states[1].IDs.Len(); n != 2 {
		t.Errorf("partition 1 loaded %d ids, want 2 (import, recent)", n)
	}
	if n := states[2].IDs.Len(); n != 1 {
		t.Errorf("partition 2 loaded %d ids, want 1", n)
	}
	beyond, err := partition.WrittenBeyond(ctx, conn, ch.Database, []int32{1, 2, 3}, rules, a.Marks)
	if err != nil {
		t.Fatal(err)
	}
	if len(beyond) != 1 || beyond[1] != 11 {
		t.Errorf("rows beyond the marks %v, want partition 1 at 11", beyond)
	}
	st := states[1]
	b := st.NewBatch(11)
	for i, c := range []struct {
		name string
		e    event.Event
		want partition.Outcome
	}{
		{"the import's receipt again, time re-stamped: rule (a)", pos("import", now), partition.Duplicate},
		{"the row beyond the mark is this very event", pos("beyond", now.Add(-time.Hour)), partition.Counted},
		{"partition 2's id is not partition 1's", pos("other", now.Add(-time.Hour)), partition.Counted},
	} {
		v, err := c.e.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		m := kafkago.Message{Partition: 1, Offset: int64(11 + i), Value: v, Time: now}
		if got := st.Apply(&m, b); got != c.want {
			t.Errorf("%s: outcome %d, want %d", c.name, got, c.want)
		}
	}
}
