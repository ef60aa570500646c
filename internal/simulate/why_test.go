package simulate

import (
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
)

// TestGeneratorWhy: with reasons configured, a day of traffic carries reasons the ingest accepts (the list
// matching each score), the first reason of a list the most frequent, review invitations for every survey
// at a location with review pages, and fewer clicks than invitations.
func TestGeneratorWhy(t *testing.T) {
	locs := DemoLocations(4)
	locs[0].Reviews = []config.ReviewLink{{Platform: "yandex", URL: "https://yandex.ru/maps/org/1"}, {Platform: "2gis", URL: "https://2gis.ru/firm/1"}}
	r := &config.Reasons{
		Positive: []config.Reason{{Code: "staff"}, {Code: "fast"}},
		Negative: []config.Reason{{Code: "queue"}, {Code: "rude"}, {Code: "stock"}},
	}
	profiles := NewProfiles(locs, 42)
	for _, p := range profiles {
		p.Reasons = r
	}
	g := NewGenerator(profiles, 7, "w", DefaultDefects)
	start := time.Date(2026, 11, 6, 0, 0, 0, 0, time.UTC)
	reasons := map[string]int{}
	var surveys0, shown, clicks int
	seen := map[string]bool{}
	for now := start; now.Before(start.Add(24 * time.Hour)); now = now.Add(time.Minute) {
		for _, e := range g.Tick(now, now.Add(time.Minute)) {
			if errs := e.Validate(); len(errs) > 0 {
				t.Fatalf("invalid event %+v: %v", e, errs)
			}
			if msg := r.Check(&e); msg != "" {
				t.Fatalf("the ingest would refuse %+v: reason %s", e, msg)
			}
			if seen[e.ID] {
				continue // a deliberate duplicate: counted once, as the pipeline does
			}
			seen[e.ID] = true
			if e.Reason != "" {
				reasons[e.Reason]++
			}
			switch {
			case e.Type == event.TypeSurvey && e.Location == locs[0].ID:
				surveys0++
			case e.Type == event.TypeReview && e.Kind == event.KindShown:
				shown++
				if e.Location != locs[0].ID {
					t.Errorf("review invitation at %s, which lists no review page", e.Location)
				}
			case e.Type == event.TypeReview && e.Kind == event.KindClick:
				clicks++
			}
		}
	}
	if reasons["queue"] <= reasons["rude"] || reasons["rude"] <= reasons["stock"] || reasons["stock"] == 0 || reasons["staff"] <= reasons["fast"] {
		t.Errorf("reasons %v: want a Pareto, the first of each list the most frequent", reasons)
	}
	// Two review pages: two invitations per survey.
	if surveys0 == 0 || shown != 2*surveys0 || clicks == 0 || clicks >= shown/2 {
		t.Errorf("surveys %d, invitations %d, clicks %d", surveys0, shown, clicks)
	}
}
