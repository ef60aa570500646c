package partition

import (
	"testing"

	"github.com/cxm-project/cxm/internal/clickhouse"
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
