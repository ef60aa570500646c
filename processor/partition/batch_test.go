package partition

import (
	"testing"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
)

// Rows added to a batch come back in order across chunks, and filtering keeps that order.
func TestBatchEventChunks(t *testing.T) {
	b := NewState(3, Rules{}).NewBatch(0)
	const n = 3*maxChunk + 17
	for i := range n {
		b.addEvent(clickhouse.EventRow{KafkaOffset: int64(i)})
	}
	if got := b.NumEvents(); got != n {
		t.Fatalf("NumEvents = %d, want %d", got, n)
	}
	if len(b.Events) < 2 {
		t.Fatalf("%d chunks, want several", len(b.Events))
	}
	check := func(want func(int64) bool) {
		t.Helper()
		next := int64(0)
		for _, c := range b.Events {
			if len(c) == 0 {
				t.Fatal("empty chunk")
			}
			for _, r := range c {
				for !want(next) {
					next++
				}
				if r.KafkaOffset != next {
					t.Fatalf("row offset %d, want %d", r.KafkaOffset, next)
				}
				next++
			}
		}
		for ; next < n; next++ {
			if want(next) {
				t.Fatalf("offset %d missing", next)
			}
		}
	}
	check(func(int64) bool { return true })
	keep := func(o int64) bool { return o%3 != 0 && (o < 100 || o > 8000) }
	b.FilterEvents(func(r *clickhouse.EventRow) bool { return keep(r.KafkaOffset) })
	check(keep)
	b.FilterEvents(func(*clickhouse.EventRow) bool { return false })
	if b.NumEvents() != 0 || len(b.Events) != 0 {
		t.Fatalf("after dropping all: %d rows in %d chunks", b.NumEvents(), len(b.Events))
	}
}

// A released batch's full chunks go back for reuse holding no row, also where filtering left old rows past
// a chunk's length; the next batch's rows are its own.
func TestBatchReleaseReusesClearedChunks(t *testing.T) {
	old := NewState(3, Rules{}).NewBatch(0)
	for i := range 2 * maxChunk {
		old.addEvent(clickhouse.EventRow{Event: event.Event{ID: "old"}, KafkaOffset: int64(i)})
	}
	old.FilterEvents(func(r *clickhouse.EventRow) bool { return r.KafkaOffset%2 == 0 })
	old.Release()
	if old.Events != nil {
		t.Fatalf("released batch still holds %d chunks", len(old.Events))
	}
	for range 4 { // more than were released: some come from the pool, the rest are new
		c := newChunk(maxChunk)
		if len(c) != 0 || cap(c) != maxChunk {
			t.Fatalf("chunk of len %d cap %d, want 0 and %d", len(c), cap(c), maxChunk)
		}
		for i, r := range c[:cap(c)] {
			if r.ID != "" || r.KafkaOffset != 0 {
				t.Fatalf("reused chunk holds an old row at %d: %+v", i, r.KafkaOffset)
			}
		}
	}
}
