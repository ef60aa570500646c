package partition_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor/partition"
)

// benchMessages are n POS events of 40 locations, every tenth one a resend, with event times age before
// the receive time.
func benchMessages(n int, age time.Duration) []kafkago.Message {
	now := time.Now().UTC().Truncate(time.Second)
	out := make([]kafkago.Message, n)
	for i := range out {
		j := i
		if i%10 == 9 {
			j = i - 5
		}
		loc := fmt.Sprintf("shop:b-%02d", j%40)
		e := event.Event{ID: fmt.Sprintf("pos:%d", j), Type: event.TypePOS, Location: loc, Device: "till-1",
			Time: now.Add(-age + time.Duration(j)*time.Millisecond), Receipt: "R", Amount: 100, Items: 1, Currency: "EUR"}
		v, _ := e.MarshalJSON()
		out[i] = kafkago.Message{Partition: 1, Offset: int64(i), Value: v, Time: now}
	}
	return out
}

// pressMessages are n smiley presses of 4 locations with 2 terminals each (busy terminals: a week's
// lateness window holds thousands of presses per terminal), every fiftieth one arriving three days late:
// the late ones are inserted deep into their terminal's memory of presses.
func pressMessages(n int) []kafkago.Message {
	now := time.Now().UTC().Truncate(time.Second)
	out := make([]kafkago.Message, n)
	for i := range out {
		at := now.Add(-time.Hour + time.Duration(i/8)*time.Second)
		if i%50 == 49 {
			at = at.Add(-72 * time.Hour)
		}
		e := event.Event{ID: fmt.Sprintf("p:%d", i), Type: event.TypeButton, Location: fmt.Sprintf("shop:b-%02d", i%4),
			Device: fmt.Sprintf("t-%d", i/4%2), Time: at, Kind: event.KindSmiley, Scale: 5, Value: 1 + i%5}
		v, _ := e.MarshalJSON()
		out[i] = kafkago.Message{Partition: 1, Offset: int64(i), Value: v, Time: now}
	}
	return out
}

// BenchmarkApply is the per-message cost of a partition's decisions: "recent" events (the memory decides;
// Prepare costs nothing more), "presses" (repeats judged, some presses late) and "old" ones (event times two days back: the raw table is asked once per
// location-day, here an empty table of the running ClickHouse).
func BenchmarkApply(b *testing.B) {
	rules := partition.RulesOf(24*time.Hour, 3*time.Second, 7*24*time.Hour+5*time.Minute, 5*time.Minute)
	run := func(b *testing.B, msgs []kafkago.Message, setup func(*partition.State)) {
		b.ReportAllocs()
		for b.Loop() {
			st := partition.NewState(1, rules)
			if setup != nil {
				setup(st)
			}
			batch := st.NewBatch(0)
			for i := range msgs {
				if err := st.Prepare(context.Background(), &msgs[i]); err != nil {
					b.Fatal(err)
				}
				st.Apply(&msgs[i], batch)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(msgs)), "ns/event")
	}
	const n = 20000
	recent := benchMessages(n, time.Hour)
	b.Run("recent/memory-only", func(b *testing.B) { run(b, recent, nil) })
	b.Run("presses/memory-only", func(b *testing.B) { run(b, pressMessages(n), nil) })
	conn, ch := testutil.ClickHouse(b)
	lookup := func(st *partition.State) {
		st.WithLookup(partition.Lookup(conn, ch.Database, 1, 10*time.Second), 200000)
	}
	b.Run("recent/with-lookup", func(b *testing.B) { run(b, recent, lookup) })
	old := benchMessages(n, 48*time.Hour)
	b.Run("old/with-lookup", func(b *testing.B) { run(b, old, lookup) })
}
