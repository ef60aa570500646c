package buckets_test

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor/buckets"
)

// TestReadAssignment: the bounded reads of an assignment give what reading the whole tables gives (the
// marks, the side tables' offsets beyond them, the newest flush's minutes), for partitions whose flushes
// follow the processor's rule (every row at most the lateness before the watermark the flush started
// with), including a newest flush of nothing but late rows that the first range misses.
func TestReadAssignment(t *testing.T) {
	conn, cfg := testutil.ClickHouse(t)
	ctx := context.Background()
	const (
		lookback = 7*24*3600 + 300
		horizon  = 24 * 3600
	)
	now := time.Now().Unix()
	now -= now % 60
	type flush struct {
		off, wm, clock int64
		minutes        []int64
	}
	h := int64(3600)
	tests := []struct {
		name    string
		p       int32
		flushes []flush
		bounded bool  // read within a range of minutes, not the whole table
		horizon int64 // expected HorizonWatermark, 0: none
	}{
		{"live, newest flush with a late row", 0, []flush{
			{10, now - 600, now - 600, []int64{now - 600}},
			{20, now - 300, now - 300, []int64{now - 300}},
			{30, now - 60, now, []int64{now - 60, now - 300 - lookback + 600}},
		}, true, 0},
		{"a year ago", 1, []flush{
			{10, now - 365*24*h, now - 365*24*h, []int64{now - 365*24*h}},
			{11, now - 365*24*h + 60, now - 365*24*h + 60, []int64{now - 365*24*h + 60}},
		}, false, 0},
		{"three hours behind, newest flush only late rows before the first range", 2, []flush{
			{5, now - 3*h - 120, now - 3*h - 120, []int64{now - 3*h - 120}},
			{6, now - 3*h, now - 3*h, []int64{now - 3*h}},
			{7, now - 3*h, now - 3*h + 60, []int64{now - 3*h - lookback + 120}},
		}, true, 0},
		{"one flush", 3, []flush{{0, now, now, []int64{now}}}, false, 0},
		{"flushes older than the dedupe horizon", 5, []flush{
			{100, now - 30*h, now - 30*h, []int64{now - 30*h}},
			{150, now - 26*h, now - 26*h, []int64{now - 26*h}},
			{200, now - 2*h, now - 2*h, []int64{now - 2*h}},
			{300, now, now, []int64{now, now - 2*h}},
		}, true, now - 26*h},
	}
	for _, tt := range tests {
		for _, f := range tt.flushes {
			d := buckets.MinuteDeltas{Mark: buckets.Mark{Partition: tt.p, LastOffset: f.off, Watermark: f.wm, Clock: f.clock},
				Minutes: map[buckets.MinuteKey]*kpi.Components{}}
			for i, m := range f.minutes {
				d.Minutes[buckets.MinuteKey{Location: fmt.Sprintf("loc-%d-%d", tt.p, i), Minute: m - m%60}] = &kpi.Components{Visitors: 1}
			}
			if err := buckets.InsertMinutes(ctx, conn, cfg.Database, []buckets.MinuteDeltas{d}); err != nil {
				t.Fatal(err)
			}
		}
	}
	likes := func(p int32, off, minute int64) {
		t.Helper()
		if err := buckets.InsertLikes(ctx, conn, cfg.Database, []buckets.LikeDeltas{{Mark: buckets.Mark{Partition: p, LastOffset: off},
			Likes: map[buckets.LikeKey]*buckets.LikeCounts{{Location: "x", Minute: minute - minute%60, Subject: "s"}: {Likes: 1}}}}); err != nil {
			t.Fatal(err)
		}
	}
	likes(0, 20, now-300)
	likes(0, 40, now-60-lookback+60) // a flush that crashed before its kpi rows, with a late row
	likes(2, 6, now-3*h)
	if err := buckets.InsertSurveyRows(ctx, conn, cfg.Database, []buckets.SurveyRow{
		{Key: buckets.SurveyKey{Location: "x", Minute: now}, Partition: 5, LastOffset: 301},
		{Key: buckets.SurveyKey{Location: "x", Minute: now}, Partition: 3, LastOffset: 0, Source: 1},
	}); err != nil {
		t.Fatal(err)
	}

	parts := []int32{0, 1, 2, 3, 4, 5}
	a, err := buckets.ReadAssignment(ctx, conn, cfg.Database, parts, lookback, horizon, time.Unix(now, 0))
	if err != nil {
		t.Fatal(err)
	}
	// The whole tables' answers.
	wholeSide := func() (likes, surveys, audits map[int32]int64, err error) {
		return buckets.ReadSideMarksFrom(ctx, conn, cfg.Database, parts, math.MinInt64)
	}
	marks, err := buckets.ReadMarks(ctx, conn, cfg.Database, parts)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(a.Marks, marks) {
		t.Errorf("marks %+v, reading the whole table %+v", a.Marks, marks)
	}
	for _, side := range []struct {
		name string
		read func() (map[int32]int64, error)
		got  map[int32]int64
	}{
		{"like_minute", func() (map[int32]int64, error) { l, _, _, err := wholeSide(); return l, err }, a.Like},
		{"survey_minute", func() (map[int32]int64, error) { _, sv, _, err := wholeSide(); return sv, err }, a.Survey},
		{"audit_minute", func() (map[int32]int64, error) { _, _, au, err := wholeSide(); return au, err }, a.Audit},
	} {
		all, err := side.read()
		if err != nil {
			t.Fatal(err)
		}
		want := map[int32]int64{}
		for p, off := range all {
			if m, ok := marks[p]; !ok || off > m.LastOffset {
				want[p] = off
			}
		}
		if !maps.Equal(side.got, want) {
			t.Errorf("%s beyond the marks %v, want %v", side.name, side.got, want)
		}
	}
	if a.Like[0] != 40 || a.Survey[5] != 301 {
		t.Errorf("like %v survey %v: the crashed flushes' offsets are missing", a.Like, a.Survey)
	}
	var tuples []string
	for p, m := range marks {
		tuples = append(tuples, fmt.Sprintf("(%d, %d)", p, m.LastOffset))
	}
	rows, err := conn.Query(ctx, "SELECT DISTINCT location, toInt64(minute) FROM "+clickhouse.Ident(cfg.Database)+
		".kpi_minute WHERE (kafka_partition, last_offset) IN ("+joinComma(tuples)+")")
	if err != nil {
		t.Fatal(err)
	}
	var newest []string
	for rows.Next() {
		var k buckets.MinuteKey
		if err := rows.Scan(&k.Location, &k.Minute); err != nil {
			t.Fatal(err)
		}
		newest = append(newest, fmt.Sprint(k))
	}
	rows.Close()
	var got []string
	for _, k := range a.Newest {
		got = append(got, fmt.Sprint(k))
	}
	slices.Sort(newest)
	slices.Sort(got)
	if !slices.Equal(got, newest) {
		t.Errorf("newest flushes' minutes %v, want %v", got, newest)
	}
	for _, tt := range tests {
		if _, ok := a.From[tt.p]; ok != tt.bounded {
			t.Errorf("%s: read within a range of minutes: %v, want %v", tt.name, ok, tt.bounded)
		}
		if got := a.HorizonWatermark[tt.p]; got != tt.horizon {
			t.Errorf("%s: horizon watermark %d, want %d", tt.name, got, tt.horizon)
		}
	}
	if _, ok := a.Marks[4]; ok {
		t.Errorf("partition 4 has no rows, got mark %+v", a.Marks[4])
	}
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
