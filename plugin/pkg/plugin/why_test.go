package plugin

import (
	"context"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/processor/buckets"
)

// TestWhyQueries: the reasons, breakdown and hand-off query types answer the engine's figures for a hand-
// made minute, as table frames; the config's breakdown.min_sample (default 10) withholds small samples.
func TestWhyQueries(t *testing.T) {
	env := newTestEnv(t)
	t0 := at("2026-11-23T10:00:00Z")
	d := buckets.NewDeltas()
	add := func(n int, e event.Event) {
		for range n {
			e.Location, e.Time = "store-a", t0.Add(5*time.Minute)
			d.Add(&e)
		}
	}
	add(3, event.Event{Type: event.TypeButton, Kind: event.KindSmiley, Value: 1, Scale: 5, Reason: "queue"})
	add(1, event.Event{Type: event.TypeButton, Kind: event.KindSmiley, Value: 2, Scale: 5, Reason: "rude"})
	add(12, event.Event{Type: event.TypeButton, Kind: event.KindConsultation, Seller: "emp-1"})
	add(2, event.Event{Type: event.TypeButton, Kind: event.KindConsultation, Seller: "emp-2"})
	add(8, event.Event{Type: event.TypeButton, Kind: event.KindLike, Subject: "parking"})
	add(4, event.Event{Type: event.TypeButton, Kind: event.KindDislike, Subject: "parking"})
	add(4, event.Event{Type: event.TypeReview, Kind: event.KindShown, Platform: "2gis"})
	add(1, event.Event{Type: event.TypeReview, Kind: event.KindClick, Platform: "2gis"})
	if err := buckets.InsertLikes(context.Background(), env.conn, env.ch.Database, []buckets.LikeDeltas{{Likes: d.Likes}}); err != nil {
		t.Fatal(err)
	}
	// Grafana's range is not whole minutes: it widens to [10:00, 11:00).
	from, to := t0.Add(12*time.Second), t0.Add(59*time.Minute+30*time.Second)

	dr := env.query(t, QueryReasons, map[string]any{"locations": []string{"store-a"}}, from, to)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	f := dr.Frames[0]
	if n, _ := f.RowLen(); n != 2 || f.Fields[2].At(0) != "queue" || f.Fields[5].At(0) != int64(3) || f.Fields[6].At(0) != int64(4) ||
		f.Fields[7].At(0) != 0.75 || f.Fields[10].At(1) != 1.0 {
		t.Errorf("reasons frame: %d rows, %v %v %v %v", n, f.Fields[2].At(0), f.Fields[5].At(0), f.Fields[7].At(0), f.Fields[10].At(1))
	}

	dr = env.query(t, QueryBreakdown, map[string]any{"by": "seller"}, from, to)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	f = dr.Frames[0]
	// emp-1: 12 consultations (n 12 >= 10); emp-2: 2, withheld.
	if n, _ := f.RowLen(); n != 2 || f.Fields[0].At(0) != "emp-1" || *(f.Fields[3].At(0).(*float64)) != 12 ||
		f.Fields[0].At(1) != "emp-2" || f.Fields[2].At(1) != true || f.Fields[3].At(1).(*float64) != nil {
		t.Errorf("seller frame: %v", f.Fields)
	}
	dr = env.query(t, QueryBreakdown, map[string]any{"by": "subject"}, from, to)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	f = dr.Frames[0]
	// parking: 8 likes, 4 dislikes: Like-Index 100 * 4 / 12 = 33.33.
	if li := f.Fields[5].At(0).(*float64); li == nil || *li < 33.333 || *li > 33.334 {
		t.Errorf("subject frame like_index %v", li)
	}
	dr = env.query(t, QueryBreakdown, map[string]any{"by": "team"}, from, to)
	if dr.Error == nil {
		t.Error("by=team accepted")
	}

	dr = env.query(t, QueryHandoff, nil, from, to)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	f = dr.Frames[0]
	if n, _ := f.RowLen(); n != 2 || f.Fields[1].At(0) != "2gis" || f.Fields[2].At(0) != int64(4) || *(f.Fields[4].At(0).(*float64)) != 0.25 || f.Fields[1].At(1) != "all" {
		t.Errorf("hand-off frame: %d rows %v", n, f.Fields)
	}
}
