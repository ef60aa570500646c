package reindex_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/survey"
	cxmtest "github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor/buckets"
	"github.com/cxm-project/cxm/processor/reindex"
)

func build(t *testing.T, weightA float64) *survey.Catalog {
	t.Helper()
	q := func(id, dim string) survey.Question {
		return survey.Question{ID: id, Type: survey.Rating, Max: 5, Text: survey.Text{EN: id}, Dimension: dim}
	}
	cat, errs := survey.Build([]survey.Survey{{ID: "shop", Title: survey.Text{EN: "Shop"}, Questions: []survey.Question{q("a1", "da"), q("b1", "db")}}},
		[]survey.Index{{Name: "rx_csi", Type: survey.TypeCSI, Survey: "shop", Dimensions: []survey.Dimension{{ID: "da", Weight: weightA}, {ID: "db", Weight: 1}}}})
	if errs != nil {
		t.Fatal(errs)
	}
	if err := survey.Install(cat); err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestReindexDefinitionChange: components the processor wrote agree with a recompute (nothing to
// correct); after the CSI's dimension weights change, cxm reindex corrects only the scores, the index of
// the range equals the hand-computed value under the new weights, and a second run writes nothing.
func TestReindexDefinitionChange(t *testing.T) {
	t.Cleanup(func() { _ = survey.Install(nil) })
	conn, cfg := cxmtest.ClickHouse(t)
	ctx := context.Background()
	db := cfg.Database
	cat := build(t, 1)
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	ans := func(a1, b1 int) *event.Answers {
		return &event.Answers{Items: []event.Item{{Key: "a1", Kind: event.ItemInt, Int: a1}, {Key: "b1", Kind: event.ItemInt, Int: b1}}}
	}
	// shop-1: a1 5, b1 1 (A 100, B 0); shop-2: a1 3, b1 5 (A 50, B 100); a misuse answer counted nowhere.
	evs := []event.Event{
		{ID: "1", Type: event.TypeSurvey, Location: "shop-1", Time: t0.Add(10 * time.Second), Survey: "shop", Answers: ans(5, 1)},
		{ID: "2", Type: event.TypeSurvey, Location: "shop-2", Time: t0.Add(70 * time.Second), Survey: "shop", Answers: ans(3, 5)},
		{ID: "3", Type: event.TypeSurvey, Location: "shop-2", Time: t0.Add(80 * time.Second), Survey: "shop", Answers: ans(1, 1), Misuse: "burst"},
	}
	var rows []clickhouse.EventRow
	d := buckets.NewDeltas()
	for i, e := range evs {
		rows = append(rows, clickhouse.EventRow{Event: e, Received: e.Time, KafkaOffset: int64(i)})
		if e.Misuse == "" {
			d.Add(&evs[i])
		}
	}
	if err := clickhouse.InsertEvents(ctx, conn, db, rows); err != nil {
		t.Fatal(err)
	}
	// What the processor writes for these events (its own path: Deltas.Add, InsertSurveys with a mark).
	if err := buckets.InsertSurveys(ctx, conn, db, []buckets.SurveyDeltas{{Mark: buckets.Mark{LastOffset: 2}, Surveys: d.Surveys}}); err != nil {
		t.Fatal(err)
	}
	from, to := t0, t0.Add(time.Hour)
	run := func(c *survey.Catalog) reindex.Result {
		t.Helper()
		var calls int
		res, err := reindex.Run(ctx, conn, db, c, nil, from, to, 30*time.Minute, func(done, total int, _, _ int64) {
			calls++
			if total != 2 || done != calls {
				t.Errorf("progress %d/%d at call %d", done, total, calls)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	csi := func() kpi.Value {
		t.Helper()
		sums, err := buckets.SumSurveys(ctx, conn, db, []string{"shop"}, from, to)
		if err != nil {
			t.Fatal(err)
		}
		all := &kpi.SurveySums{}
		for _, s := range sums {
			all.AddAll(s)
		}
		return kpi.Compute("rx_csi", &kpi.Components{Survey: all}, kpi.Options{})
	}
	if res := run(cat); res.Events != 2 || res.Rows != 0 {
		t.Errorf("recompute of what the processor wrote: %+v, want 2 events and no correction", res)
	}
	// Weights 1:1: CSI (50 + 75)/2 = 62.5.
	if v := csi(); v.N != 2 || v.Value != 62.5 {
		t.Errorf("csi %+v, want 62.5", v)
	}
	cat = build(t, 3) // weights 3:1: shop-1 (300 + 0)/4 = 75, shop-2 (150 + 100)/4 = 62.5, CSI 68.75
	if v := csi(); v.Value != 62.5 {
		t.Errorf("before the reindex history keeps the old definition: %v", v.Value)
	}
	res := run(cat)
	if res.Rows != 2 { // one score item per location minute; answer counts and dimensions unchanged
		t.Errorf("reindex wrote %d rows, want 2 (the overall scores of two minutes)", res.Rows)
	}
	if v := csi(); v.N != 2 || math.Abs(v.Value-68.75) > 1e-9 {
		t.Errorf("csi after reindex %+v, want 68.75", v)
	}
	if res := run(cat); res.Rows != 0 {
		t.Errorf("second reindex wrote %d rows, want none (idempotent)", res.Rows)
	}
	_, marks, _, err := buckets.ReadSideMarksFrom(ctx, conn, db, []int32{0}, math.MinInt64)
	if err != nil || marks[0] != 2 {
		t.Errorf("survey marks %v (%v): the corrections must not move the processor's mark", marks, err)
	}
}
