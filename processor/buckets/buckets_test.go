package buckets_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor/buckets"
)

func ip(v int) *int { return &v }

// TestAdd checks the mapping on hand-computed cases.
func TestAdd(t *testing.T) {
	tests := []struct {
		name string
		e    event.Event
		want kpi.Components
	}{
		{"smiley 5 of 5", event.Event{Type: event.TypeButton, Kind: event.KindSmiley, Value: 5, Scale: 5},
			kpi.Components{SmileSum12: 12, SmileSumSq144: 144, SmileN: 1, SmileFaces: [5]int64{0, 0, 0, 0, 1}}},
		{"smiley 2 of 4", event.Event{Type: event.TypeButton, Kind: event.KindSmiley, Value: 2, Scale: 4},
			kpi.Components{SmileSum12: 4, SmileSumSq144: 16, SmileN: 1, SmileFaces: [5]int64{0, 1, 0, 0, 0}}},
		{"smiley 2 of 3", event.Event{Type: event.TypeButton, Kind: event.KindSmiley, Value: 2, Scale: 3},
			kpi.Components{SmileSum12: 6, SmileSumSq144: 36, SmileN: 1, SmileFaces: [5]int64{0, 1, 0, 0, 0}}},
		{"smiley 1 of 5", event.Event{Type: event.TypeButton, Kind: event.KindSmiley, Value: 1, Scale: 5},
			kpi.Components{SmileN: 1, SmileFaces: [5]int64{1, 0, 0, 0, 0}}},
		{"smiley 4 of 5", event.Event{Type: event.TypeButton, Kind: event.KindSmiley, Value: 4, Scale: 5},
			kpi.Components{SmileSum12: 9, SmileSumSq144: 81, SmileN: 1, SmileFaces: [5]int64{0, 0, 0, 1, 0}}},
		{"like", event.Event{Type: event.TypeButton, Kind: event.KindLike, Subject: "queue"}, kpi.Components{Likes: 1}},
		{"dislike", event.Event{Type: event.TypeButton, Kind: event.KindDislike, Subject: "queue"}, kpi.Components{Dislikes: 1}},
		{"consultation", event.Event{Type: event.TypeButton, Kind: event.KindConsultation}, kpi.Components{Consultations: 1}},
		{"counter", event.Event{Type: event.TypeCounter, In: 14, Out: 3}, kpi.Components{Visitors: 14, Exits: 3}},
		{"sale", event.Event{Type: event.TypePOS, Amount: 124990, Items: 3}, kpi.Components{Receipts: 1, RevenueCents: 124990, Items: 3}},
		{"refund", event.Event{Type: event.TypePOS, Amount: 1050, Items: 1, Refund: true}, kpi.Components{Refunds: 1, RevenueCents: -1050, Items: -1}},
		{"nps 9 csat 4 ces 6", event.Event{Type: event.TypeSurvey, Answers: &event.Answers{NPS: ip(9), CSAT: ip(4), CES: ip(6)}},
			kpi.Components{Surveys: 1, Promoters: 1, CSATTop2: 1, CSATN: 1, CESSum: 6, CESSumSq: 36, CESN: 1}},
		{"nps 10", event.Event{Type: event.TypeSurvey, Answers: &event.Answers{NPS: ip(10)}}, kpi.Components{Surveys: 1, Promoters: 1}},
		{"nps 8 csat 3", event.Event{Type: event.TypeSurvey, Answers: &event.Answers{NPS: ip(8), CSAT: ip(3)}},
			kpi.Components{Surveys: 1, Passives: 1, CSATN: 1}},
		{"nps 7", event.Event{Type: event.TypeSurvey, Answers: &event.Answers{NPS: ip(7)}}, kpi.Components{Surveys: 1, Passives: 1}},
		{"nps 6", event.Event{Type: event.TypeSurvey, Answers: &event.Answers{NPS: ip(6)}}, kpi.Components{Surveys: 1, Detractors: 1}},
		{"nps 0 csat 5 ces 1", event.Event{Type: event.TypeSurvey, Answers: &event.Answers{NPS: ip(0), CSAT: ip(5), CES: ip(1)}},
			kpi.Components{Surveys: 1, Detractors: 1, CSATTop2: 1, CSATN: 1, CESSum: 1, CESSumSq: 1, CESN: 1}},
		{"comment only", event.Event{Type: event.TypeSurvey, Answers: &event.Answers{Comment: "ok"}}, kpi.Components{Surveys: 1, NPSMissing: 1}},
		{"maturity", event.Event{Type: event.TypeSurvey, Answers: &event.Answers{Q: [11]int8{1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3}}},
			kpi.Components{Surveys: 1, NPSMissing: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c kpi.Components
			buckets.Add(&c, &tt.e)
			if c != tt.want {
				t.Errorf("got  %+v\nwant %+v", c, tt.want)
			}
		})
	}
}

func TestMinuteOf(t *testing.T) {
	for in, want := range map[string]string{
		"2026-05-01T12:00:59.999+03:00": "2026-05-01T09:00:00Z",
		"2026-05-01T12:01:00+03:00":     "2026-05-01T09:01:00Z",
		"1969-12-31T23:59:30Z":          "1969-12-31T23:59:00Z",
	} {
		tm, _ := time.Parse(time.RFC3339Nano, in)
		if got := time.Unix(buckets.MinuteOf(tm), 0).UTC().Format(time.RFC3339); got != want {
			t.Errorf("MinuteOf(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestInsertAndSum writes deltas of two partitions in one insert, reads the marks back and sums, and checks
// the insert made exactly one part (the atomicity the mechanism relies on).
func TestInsertAndSum(t *testing.T) {
	conn, cfg := testutil.ClickHouse(t)
	ctx := context.Background()
	m0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	d := buckets.NewDeltas()
	events := []event.Event{
		{Location: "a", Time: m0, Type: event.TypeCounter, In: 5, Out: 2},
		{Location: "a", Time: m0.Add(30 * time.Second), Type: event.TypeButton, Kind: event.KindLike, Subject: "queue"},
		{Location: "a", Time: m0.Add(90 * time.Second), Type: event.TypePOS, Amount: 1000, Items: 2},
		{Location: "a", Time: m0.Add(40 * 24 * time.Hour), Type: event.TypePOS, Amount: 300, Items: 1, Refund: true},
	}
	for i := range events {
		d.Add(&events[i])
	}
	parts := []buckets.MinuteDeltas{
		{Mark: buckets.Mark{Partition: 3, LastOffset: 41, Watermark: m0.Unix(), Clock: m0.Unix() + 5}, Minutes: d.Minutes},
		{Mark: buckets.Mark{Partition: 4, LastOffset: 7, Watermark: 100, Clock: 200}, Marker: buckets.MinuteKey{Location: "b", Minute: m0.Unix()}},
	}
	partsBefore := activeParts(t, conn, cfg.Database)
	if err := buckets.InsertMinutes(ctx, conn, cfg.Database, parts); err != nil {
		t.Fatal(err)
	}
	if got := activeParts(t, conn, cfg.Database) - partsBefore; got != 1 {
		t.Errorf("one insert spanning %d months made %d parts, want 1", 2, got)
	}
	if err := buckets.InsertLikes(ctx, conn, cfg.Database, []buckets.LikeDeltas{{Mark: parts[0].Mark, Likes: d.Likes}}); err != nil {
		t.Fatal(err)
	}
	marks, err := buckets.ReadMarks(ctx, conn, cfg.Database, []int32{3, 4, 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(marks) != 2 || marks[3] != parts[0].Mark || marks[4] != parts[1].Mark {
		t.Errorf("marks %+v", marks)
	}
	lm, _, _, err := buckets.ReadSideMarksFrom(ctx, conn, cfg.Database, []int32{3, 4}, math.MinInt64)
	if err != nil || len(lm) != 1 || lm[3] != 41 {
		t.Errorf("like marks %v %v", lm, err)
	}
	sums, err := buckets.SumComponents(ctx, conn, cfg.Database, []string{"a", "b"}, m0, m0.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := kpi.Components{Visitors: 5, Exits: 2, Likes: 1, Receipts: 1, RevenueCents: 1000, Items: 2}
	if sums["a"] != want || sums["b"] != (kpi.Components{}) || len(sums) != 2 {
		t.Errorf("sums %+v, want a=%+v and a zero b", sums, want)
	}
	all, err := buckets.SumComponents(ctx, conn, cfg.Database, nil, m0, m0.Add(50*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := all["a"].RevenueCents; got != 700 {
		t.Errorf("net revenue %d, want 700", got)
	}
}

func activeParts(t *testing.T, conn driver.Conn, db string) uint64 {
	t.Helper()
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM system.parts WHERE database = ? AND table = 'kpi_minute' AND active", db).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
