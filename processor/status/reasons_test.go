package status_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor/buckets"
	"github.com/cxm-project/cxm/processor/status"
)

// TestReasonRiseMetrics: the evaluator exports each reason's share and the rise flag the CXMReasonRising
// alert reads. store-a: queue 30 of 40 negative answers in the last 24 h against 10 of 40 in the 28 days
// before (z = 4.47, p = 3.9e-6 < 0.01): rising. rude 10 of 40 against 30 of 40: not rising. store-b has
// only 5 answers: below min_n, no flag.
func TestReasonRiseMetrics(t *testing.T) {
	conn, ch := testutil.ClickHouse(t)
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ClickHouse = ch
	cfg.Locations = []config.Location{{ID: "store-a"}, {ID: "store-b"}}
	cfg.Reasons.Negative = []config.Reason{{Code: "queue", TitleRU: "Очередь", TitleEN: "Queue"}, {Code: "rude", TitleRU: "Грубость", TitleEN: "Rudeness"}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 10, 12, 0, 30, 0, time.UTC)
	d := buckets.NewDeltas()
	add := func(loc string, n int, at time.Time, reason string) {
		for i := range n {
			e := event.Event{Type: event.TypeButton, Kind: event.KindSmiley, Value: 1, Scale: 5, Location: loc, Time: at.Add(time.Duration(i) * time.Second), Reason: reason}
			d.Add(&e)
		}
	}
	add("store-a", 30, now.Add(-2*time.Hour), "queue")
	add("store-a", 10, now.Add(-3*time.Hour), "rude")
	add("store-a", 10, now.Add(-5*24*time.Hour), "queue")
	add("store-a", 30, now.Add(-6*24*time.Hour), "rude")
	add("store-b", 5, now.Add(-time.Hour), "queue")
	add("store-b", 40, now.Add(-3*24*time.Hour), "rude")
	if err := buckets.InsertLikes(context.Background(), conn, ch.Database, []buckets.LikeDeltas{{Likes: d.Likes}}); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	ev := status.New(cfg, conn, nil, reg)
	ev.EvaluateReasons(context.Background(), now)

	lbl := func(loc, reason string) map[string]string {
		return map[string]string{"location": loc, "polarity": "negative", "reason": reason}
	}
	for _, c := range []struct {
		loc, reason string
		share       float64
		rising      float64
		judged      bool
	}{
		{"store-a", "queue", 0.75, 1, true},
		{"store-a", "rude", 0.25, 0, true},
		{"store-b", "queue", 1, 0, false},
	} {
		if v, ok := gauge(t, reg, "cxm_reason_share", lbl(c.loc, c.reason)); !ok || v != c.share {
			t.Errorf("%s %s share %v (%v), want %v", c.loc, c.reason, v, ok, c.share)
		}
		v, ok := gauge(t, reg, "cxm_reason_rising", lbl(c.loc, c.reason))
		if ok != c.judged || ok && v != c.rising {
			t.Errorf("%s %s rising %v (present %v), want %v (present %v)", c.loc, c.reason, v, ok, c.rising, c.judged)
		}
	}
	if p, ok := gauge(t, reg, "cxm_reason_rise_p", lbl("store-a", "queue")); !ok || p > 4e-6 || p < 3.8e-6 {
		t.Errorf("p %v", p)
	}
}
