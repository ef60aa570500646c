package query

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/processor/buckets"
)

// whyEvents writes events through the processor's own buckets into the real like_minute, as a flush does.
func whyEvents(t *testing.T, evs []event.Event) *Engine {
	t.Helper()
	conn, db := testDB(t)
	d := buckets.NewDeltas()
	for i := range evs {
		d.Add(&evs[i])
	}
	if err := buckets.InsertLikes(context.Background(), conn, db, []buckets.LikeDeltas{{Mark: buckets.Mark{Partition: 0, LastOffset: int64(len(evs))}, Likes: d.Likes}}); err != nil {
		t.Fatal(err)
	}
	return New(conn, db, []config.Location{{ID: "s1"}, {ID: "s2"}}, Limits{}).WithWhy(config.Reasons{
		Positive: []config.Reason{{Code: "staff", TitleRU: "Персонал", TitleEN: "Staff"}},
		Negative: []config.Reason{{Code: "queue", TitleRU: "Очередь", TitleEN: "Queue"}, {Code: "rude", TitleRU: "Грубость", TitleEN: "Rudeness"}},
		Alert:    config.ReasonRise{Baseline: 24 * time.Hour, Alpha: 0.01, MinN: 20},
	}, config.Breakdown{MinSample: 3})
}

var whyFrom = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)

func press(loc string, at time.Time, value int, reason string) event.Event {
	return event.Event{Type: event.TypeButton, Kind: event.KindSmiley, Location: loc, Time: at, Value: value, Scale: 5, Reason: reason}
}

func nearly(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestReasons: shares, Wilson intervals (z = 1.959963984540054, computed by hand from the formula), the Pareto and the rise test on hand-computed figures.
func TestReasons(t *testing.T) {
	var evs []event.Event
	add := func(n int, at time.Time, value int, reason string) {
		for i := range n {
			evs = append(evs, press("s1", at.Add(time.Duration(i)*time.Second), value, reason))
		}
	}
	// The range 10:00-11:00: 30 queue, 10 rude (negative list, 40 answers), 5 staff (positive). A 1 without
	// a reason counts in no share. The day before: 10 queue, 30 rude.
	add(30, whyFrom.Add(5*time.Minute), 1, "queue")
	add(10, whyFrom.Add(20*time.Minute), 2, "rude")
	add(5, whyFrom.Add(30*time.Minute), 5, "staff")
	add(7, whyFrom.Add(31*time.Minute), 1, "")
	add(10, whyFrom.Add(-3*time.Hour), 1, "queue")
	add(30, whyFrom.Add(-5*time.Hour), 3, "rude")
	// Outside both windows and another location: ignored.
	add(50, whyFrom.Add(-25*time.Hour), 1, "queue")
	add(9, whyFrom.Add(90*time.Minute), 1, "queue")
	evs = append(evs, press("s2", whyFrom.Add(time.Minute), 1, "queue"))
	e := whyEvents(t, evs)

	got, err := e.Reasons(context.Background(), WhyRequest{Locations: []string{"s1"}, From: whyFrom, To: whyFrom.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d reasons, want 3: %+v", len(got), got)
	}
	want := []struct {
		pol, reason, title   string
		count, total         int64
		share, lo, hi, cum   float64
		baseCount, baseTotal int64
		z                    *float64
		rising               bool
	}{
		{"negative", "queue", "Queue", 30, 40, 0.75, 0.5980603857923197, 0.858128813609037, 0.75, 10, 40, fptr(4.47213595499958), true},
		{"negative", "rude", "Rudeness", 10, 40, 0.25, 0.14187118639096302, 0.40193961420768026, 1, 30, 40, fptr(-4.47213595499958), false},
		{"positive", "staff", "Staff", 5, 5, 1, 0.5655175352168251, 1, 1, 0, 0, nil, false},
	}
	for i, w := range want {
		g := got[i]
		if g.Location != "s1" || g.Polarity != w.pol || g.Reason != w.reason || g.TitleEN != w.title || g.Count != w.count || g.Total != w.total ||
			!nearly(g.Share, w.share) || !nearly(g.Low, w.lo) || !nearly(g.High, w.hi) || !nearly(g.Cumulative, w.cum) ||
			g.BaselineCount != w.baseCount || g.BaselineTotal != w.baseTotal || g.Rising != w.rising {
			t.Errorf("row %d: got %+v, want %+v", i, g, w)
		}
		if (g.Z == nil) != (w.z == nil) || g.Z != nil && !nearly(*g.Z, *w.z) {
			t.Errorf("row %d: z %v, want %v", i, fmtp(g.Z), fmtp(w.z))
		}
	}
	// P of the queue's rise: 1 - Φ(4.4721) = 3.8721e-6, far below alpha 0.01.
	if p := got[0].P; p == nil || math.Abs(*p-3.872108215522048e-06) > 1e-12 {
		t.Errorf("queue P = %v, want 3.8721e-6", fmtp(p))
	}
}

func fptr(v float64) *float64 { return &v }

func fmtp(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// TestRiseTestFalseAlarmRate: when the share does not change, the test at alpha 0.01 flags at most about 1 %
// of windows (simulated binomial samples of 200 answers against a 400-answer baseline, true share 0.3).
func TestRiseTestFalseAlarmRate(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	const trials, n1, n0, share, alpha = 20000, 200, 400, 0.3, 0.01
	alarms := 0
	for range trials {
		k1, k0 := 0, 0
		for range n1 {
			if rng.Float64() < share {
				k1++
			}
		}
		for range n0 {
			if rng.Float64() < share {
				k0++
			}
		}
		if _, p := riseTest(int64(k1), n1, int64(k0), n0); p < alpha {
			alarms++
		}
	}
	rate := float64(alarms) / trials
	// The binomial standard error of the rate over 20000 trials is 0.0007: 0.005..0.015 is a wide margin.
	if rate < 0.005 || rate > 0.015 {
		t.Fatalf("false-alarm rate %.4f at alpha %.2f", rate, alpha)
	}
	t.Logf("false-alarm rate %.4f at alpha %.2f", rate, alpha)
}

// TestBreakdown: per employee (min sample, masking) and per subject, hand-computed.
func TestBreakdown(t *testing.T) {
	at := whyFrom.Add(10 * time.Minute)
	ev := func(e event.Event) event.Event { e.Location, e.Time = "s1", at; return e }
	consult := func(seller string) event.Event {
		return ev(event.Event{Type: event.TypeButton, Kind: event.KindConsultation, Seller: seller})
	}
	evs := []event.Event{
		consult("emp-1"), consult("emp-1"), consult("emp-1"), consult("emp-2"),
		ev(event.Event{Type: event.TypePOS, Receipt: "r1", Amount: 10000, Items: 3, Seller: "emp-1"}),
		ev(event.Event{Type: event.TypePOS, Receipt: "r2", Amount: 5050, Items: 1, Seller: "emp-1"}),
		ev(event.Event{Type: event.TypePOS, Receipt: "r3", Amount: 1000, Items: 1, Seller: "emp-1", Refund: true}),
		ev(event.Event{Type: event.TypePOS, Receipt: "r4", Amount: 1000, Items: 1}), // no seller: in no row
		ev(event.Event{Type: event.TypeButton, Kind: event.KindLike, Subject: "parking"}),
		ev(event.Event{Type: event.TypeButton, Kind: event.KindLike, Subject: "parking"}),
		ev(event.Event{Type: event.TypeButton, Kind: event.KindLike, Subject: "parking"}),
		ev(event.Event{Type: event.TypeButton, Kind: event.KindDislike, Subject: "parking"}),
		ev(event.Event{Type: event.TypeButton, Kind: event.KindDislike, Subject: "queue"}),
	}
	e := whyEvents(t, evs)
	ctx := context.Background()
	r := WhyRequest{Locations: []string{"s1"}, From: whyFrom, To: whyFrom.Add(time.Hour), Group: "seller"}
	sellers, err := e.Breakdown(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(sellers) != 2 {
		t.Fatalf("sellers %+v", sellers)
	}
	s := sellers[0]
	// emp-1: 3 consultations, 2 sales and 1 refund (N = 6); net 1 receipt, (100.00 + 50.50 - 10.00) = 140.50,
	// items 3 + 1 - 1 = 3 per net receipt.
	if s.Key != "emp-1" || s.N != 6 || s.Withheld || *s.Consultations != 3 || *s.Receipts != 1 || *s.Refunds != 1 ||
		!nearly(*s.Revenue, 140.5) || !nearly(*s.AvgReceipt, 140.5) || !nearly(*s.ItemsPer, 3) {
		t.Errorf("emp-1: %+v", s)
	}
	if w := sellers[1]; w.Key != "emp-2" || w.N != 1 || !w.Withheld || w.Consultations != nil || w.Revenue != nil {
		t.Errorf("emp-2 below breakdown.min_sample 3 must be withheld: %+v", w)
	}
	e.why.breakdown.MaskNames = true
	masked, err := e.Breakdown(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if masked[0].Key != MaskName("emp-1") || masked[0].Key == "emp-1" || len(masked[0].Key) != 12 {
		t.Errorf("masked key %q", masked[0].Key)
	}
	byMask := r
	byMask.Keys = []string{MaskName("emp-2")}
	if only, err := e.Breakdown(ctx, byMask); err != nil || len(only) != 1 || only[0].Key != MaskName("emp-2") {
		t.Errorf("filter by pseudonym: %+v %v", only, err)
	}
	r.Group, r.Keys = "subject", nil
	subj, err := e.Breakdown(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	// parking: 3 likes, 1 dislike: Like-Index 100 (3 - 1) / 4 = 50, Wilson of 3/4 mapped by 100 (2p - 1).
	if len(subj) != 2 || subj[0].Key != "parking" || *subj[0].Likes != 3 || *subj[0].Dislikes != 1 || !nearly(*subj[0].LikeIndex, 50) ||
		!nearly(*subj[0].Low, -39.87163148351963) || !nearly(*subj[0].High, 90.88254783805989) {
		t.Errorf("subjects %+v", subj)
	}
	if q := subj[1]; q.Key != "queue" || !q.Withheld {
		t.Errorf("queue (1 press) must be withheld: %+v", q)
	}
	r.Keys = []string{"queue"}
	if only, err := e.Breakdown(ctx, r); err != nil || len(only) != 1 || only[0].Key != "queue" {
		t.Errorf("filter subject=queue: %+v %v", only, err)
	}
	if _, err := e.Breakdown(ctx, WhyRequest{From: whyFrom, To: whyFrom.Add(time.Hour), Group: "region"}); err == nil {
		t.Error("group=region accepted")
	}
}

// TestHandoffs: invitations shown, clicks and the hand-off rate per platform and location.
func TestHandoffs(t *testing.T) {
	var evs []event.Event
	rev := func(n int, kind, platform string) {
		for range n {
			evs = append(evs, event.Event{Type: event.TypeReview, Kind: kind, Platform: platform, Location: "s1", Time: whyFrom.Add(time.Minute)})
		}
	}
	rev(10, event.KindShown, "yandex")
	rev(3, event.KindClick, "yandex")
	rev(10, event.KindShown, "2gis")
	rev(1, event.KindClick, "2gis")
	e := whyEvents(t, evs)
	got, err := e.Handoffs(context.Background(), WhyRequest{From: whyFrom, To: whyFrom.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		platform      string
		shown, clicks int64
		rate, lo, hi  float64
	}{
		{"2gis", 10, 1, 0.1, 0.017876213095072896, 0.4041500267952385},
		{"yandex", 10, 3, 0.3, 0.10779126740630099, 0.6032218525388546},
		{"", 20, 4, 0.2, 0.08065766257979806, 0.41601743225189364},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i, w := range want {
		g := got[i]
		if g.Location != "s1" || g.Platform != w.platform || g.Shown != w.shown || g.Clicks != w.clicks || !nearly(*g.Rate, w.rate) || !nearly(*g.Low, w.lo) || !nearly(*g.High, w.hi) {
			t.Errorf("row %d: %+v, want %+v", i, g, w)
		}
	}
}
