package processor_test

import (
	"context"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/query"
	"github.com/cxm-project/cxm/internal/testutil"
)

// TestWhyThroughPipeline: follow-up reasons, sellers and review hand-offs go through Kafka and the processor
// (duplicates dropped once, as for every KPI) into like_minute, and the engine reads back hand-computed
// figures.
func TestWhyThroughPipeline(t *testing.T) {
	kc := testutil.Kafka(t)
	conn, ch := testutil.ClickHouse(t)
	at := base.Add(10 * time.Minute)
	ev := func(id string, e event.Event) msg {
		e.ID, e.Location, e.Time = id, "why-1", at
		return msg{e: e}
	}
	nps := func(v int) *event.Answers { return &event.Answers{NPS: &v} }
	msgs := []msg{
		ev("p1", event.Event{Type: event.TypeButton, Kind: event.KindSmiley, Device: "d1", Value: 1, Scale: 5, Reason: "queue"}),
		ev("p1", event.Event{Type: event.TypeButton, Kind: event.KindSmiley, Device: "d1", Value: 1, Scale: 5, Reason: "queue"}), // re-sent
		ev("p2", event.Event{Type: event.TypeButton, Kind: event.KindSmiley, Device: "d2", Value: 5, Scale: 5, Reason: "staff"}),
		ev("s1", event.Event{Type: event.TypeSurvey, Survey: "exit", Answers: nps(2), Reason: "rude"}),
		ev("s2", event.Event{Type: event.TypeSurvey, Survey: "exit", Answers: nps(6), Reason: "queue"}),
		ev("c1", event.Event{Type: event.TypeButton, Kind: event.KindConsultation, Seller: "emp-1"}),
		ev("r1", event.Event{Type: event.TypePOS, Receipt: "r1", Amount: 123456, Items: 4, Seller: "emp-1"}),
		ev("v1", event.Event{Type: event.TypeReview, Kind: event.KindShown, Platform: "yandex", Survey: "exit"}),
		ev("v2", event.Event{Type: event.TypeReview, Kind: event.KindShown, Platform: "yandex", Survey: "exit"}),
		ev("v3", event.Event{Type: event.TypeReview, Kind: event.KindClick, Platform: "yandex", Survey: "exit"}),
		ev("v3", event.Event{Type: event.TypeReview, Kind: event.KindClick, Platform: "yandex", Survey: "exit"}), // re-sent
	}
	produce(t, kc, msgs)
	stop := startProcessor(t, testConfig(t, kc, ch, "why"))
	waitCaughtUp(t, conn, ch.Database, endOffsets(t, kc), 2*time.Minute)
	stop()

	e := query.New(conn, ch.Database, []config.Location{{ID: "why-1"}}, query.Limits{}).
		WithWhy(config.Reasons{Alert: config.ReasonRise{Baseline: time.Hour, Alpha: 0.01, MinN: 20}}, config.Breakdown{MinSample: 1})
	r := query.WhyRequest{From: base, To: base.Add(time.Hour)}
	ctx := context.Background()
	rs, err := e.Reasons(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	// Negative answers with a reason: queue (press p1 once, survey s2), rude (s1): 2 of 3 and 1 of 3.
	type share struct {
		pol, reason  string
		count, total int64
	}
	want := []share{{"negative", "queue", 2, 3}, {"negative", "rude", 1, 3}, {"positive", "staff", 1, 1}}
	if len(rs) != len(want) {
		t.Fatalf("reasons %+v", rs)
	}
	for i, w := range want {
		if g := rs[i]; (share{g.Polarity, g.Reason, g.Count, g.Total}) != w {
			t.Errorf("reason %d: %+v, want %+v", i, g, w)
		}
	}
	r.Group = "seller"
	bs, err := e.Breakdown(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 1 || bs[0].Key != "emp-1" || *bs[0].Consultations != 1 || *bs[0].Receipts != 1 || *bs[0].Revenue != 1234.56 || *bs[0].ItemsPer != 4 {
		t.Errorf("sellers %+v", bs)
	}
	hs, err := e.Handoffs(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	// 2 invitations, 1 click (the re-sent click counts once): rate 0.5.
	if len(hs) != 2 || hs[0].Platform != "yandex" || hs[0].Shown != 2 || hs[0].Clicks != 1 || *hs[0].Rate != 0.5 {
		t.Errorf("hand-off %+v", hs)
	}
	var raw uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+ch.Database+".events WHERE type = 'review' AND platform = 'yandex'").Scan(&raw); err != nil || raw != 3 {
		t.Errorf("raw review events %d (%v), want 3", raw, err)
	}
}
