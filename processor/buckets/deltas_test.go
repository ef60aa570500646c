package buckets_test

import (
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/processor/buckets"
)

// Deltas.Add caches the last minute it counted into; events switching back and forth between locations
// and minutes must still land in their own minute.
func TestDeltasAddInterleaved(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	seq := []struct {
		loc string
		at  time.Duration
	}{
		{"a", 0}, {"a", 10 * time.Second}, {"b", 0}, {"a", 59 * time.Second}, {"a", time.Minute},
		{"a", 30 * time.Second}, {"b", 2 * time.Minute}, {"b", 1}, {"a", -time.Second},
	}
	want := map[buckets.MinuteKey]int64{}
	d := buckets.NewDeltas()
	for _, s := range seq {
		e := event.Event{Type: event.TypeButton, Kind: event.KindConsultation, Location: s.loc, Time: t0.Add(s.at)}
		d.Add(&e)
		want[buckets.MinuteKey{Location: s.loc, Minute: buckets.MinuteOf(e.Time)}]++
	}
	if len(d.Minutes) != len(want) {
		t.Fatalf("%d minutes, want %d", len(d.Minutes), len(want))
	}
	for k, n := range want {
		c := d.Minutes[k]
		if c == nil || c.Consultations != n {
			t.Errorf("%v: %+v, want %d consultations", k, c, n)
		}
	}
}
