package partition

import (
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/processor/buckets"
)

// TestBatchThatCountsNothingHasAMarker: every batch carries a marker row, so its mark reaches
// ClickHouse even when it counts nothing (only duplicates, late or undecodable messages), and the row
// sits at the newest counted event's location minute when there is one.
func TestBatchThatCountsNothingHasAMarker(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 30, 0, time.UTC)
	smiley := func(off int64, id, tm string) *kafkago.Message {
		return &kafkago.Message{Offset: off, Time: at, HighWaterMark: 100,
			Value: []byte(`{"id":"` + id + `","type":"button","kind":"smiley","value":1,"scale":5,"location":"shop-1","device":"d","time":"` + tm + `"}`)}
	}
	garbage := func(off int64) *kafkago.Message {
		return &kafkago.Message{Offset: off, Time: at, HighWaterMark: 100, Value: []byte(`{`)}
	}
	rules := RulesOf(time.Hour, 3*time.Second, time.Hour, time.Minute)
	for _, tc := range []struct {
		name   string
		before []*kafkago.Message // applied in an earlier batch
		batch  []*kafkago.Message
		want   buckets.MinuteKey
	}{
		{"duplicates after a counted event", []*kafkago.Message{smiley(0, "a", "2026-05-01T11:58:10Z")},
			[]*kafkago.Message{smiley(1, "a", "2026-05-01T11:58:10Z"), smiley(2, "a", "2026-05-01T11:58:10Z")},
			buckets.MinuteKey{Location: "shop-1", Minute: time.Date(2026, 5, 1, 11, 58, 0, 0, time.UTC).Unix()}},
		{"undecodable only, nothing counted yet", nil, []*kafkago.Message{garbage(0), garbage(1)},
			buckets.MinuteKey{Minute: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC).Unix()}},
		{"a counted event in the batch wins", nil, []*kafkago.Message{garbage(0), smiley(1, "b", "2026-05-01T11:59:59Z"), garbage(2)},
			buckets.MinuteKey{Location: "shop-1", Minute: time.Date(2026, 5, 1, 11, 59, 0, 0, time.UTC).Unix()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewState(0, rules)
			s.Now = func() time.Time { return at }
			var next int64
			if len(tc.before) > 0 {
				b := s.NewBatch(0)
				for _, m := range tc.before {
					s.Apply(m, b)
				}
				next = b.Last + 1
			}
			b := s.NewBatch(next)
			for _, m := range tc.batch {
				s.Apply(m, b)
			}
			if !b.HasMarker || b.Marker != tc.want {
				t.Errorf("marker %+v (has %v), want %+v", b.Marker, b.HasMarker, tc.want)
			}
			if b.Mark.LastOffset != tc.batch[len(tc.batch)-1].Offset {
				t.Errorf("mark at %d, want the batch's last offset %d", b.Mark.LastOffset, tc.batch[len(tc.batch)-1].Offset)
			}
		})
	}
}
