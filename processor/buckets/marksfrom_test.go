package buckets_test

import (
	"context"
	"math"
	"testing"

	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor/buckets"
)

// TestReadMarksFrom: the writer's verification reads marks among the rows of minutes from a bound on; the
// newest mark there, or none when every row is older (and the whole table when the bound is unset).
func TestReadMarksFrom(t *testing.T) {
	conn, cfg := testutil.ClickHouse(t)
	ctx := context.Background()
	const day = 86400
	t0 := int64(1_790_000_000) - 1_790_000_000%day
	for _, f := range []struct {
		off, minute int64
	}{{10, t0}, {20, t0 + day}, {30, t0 + 2*day}} {
		d := buckets.MinuteDeltas{Mark: buckets.Mark{Partition: 4, LastOffset: f.off, Watermark: f.minute, Clock: f.minute},
			Minutes: map[buckets.MinuteKey]*kpi.Components{{Location: "a", Minute: f.minute}: {Visitors: 1}}}
		if err := buckets.InsertMinutes(ctx, conn, cfg.Database, []buckets.MinuteDeltas{d}); err != nil {
			t.Fatal(err)
		}
		if err := buckets.InsertLikes(ctx, conn, cfg.Database, []buckets.LikeDeltas{{Mark: d.Mark,
			Likes: map[buckets.LikeKey]*buckets.LikeCounts{{Location: "a", Minute: f.minute, Subject: "s"}: {Likes: 1}}}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		from int64
		want int64 // -1: no mark
	}{
		{"unset", math.MinInt64, 30},
		{"before every row", t0 - day, 30},
		{"within a minute of the newest", t0 + 2*day + 59, 30},
		{"after the first", t0 + 1, 30},
		{"after every row", t0 + 3*day, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			marks, err := buckets.ReadMarksFrom(ctx, conn, cfg.Database, []int32{4, 5}, tc.from)
			if err != nil {
				t.Fatal(err)
			}
			likes, _, _, err := buckets.ReadSideMarksFrom(ctx, conn, cfg.Database, []int32{4, 5}, tc.from)
			if err != nil {
				t.Fatal(err)
			}
			m, ok := marks[4]
			l, lok := likes[4]
			if tc.want < 0 {
				if ok || lok || len(marks) > 0 {
					t.Fatalf("marks %v, like marks %v; want none", marks, likes)
				}
				return
			}
			if !ok || m.LastOffset != tc.want || m.Watermark != t0+2*day || !lok || l != tc.want {
				t.Fatalf("mark %+v (%v), like mark %d (%v); want %d", m, ok, l, lok, tc.want)
			}
			if _, ok := marks[5]; ok {
				t.Fatalf("a mark for partition 5, which has no rows: %v", marks)
			}
		})
	}
}
