package simulate

import (
	"math"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/event"
)

// Three simulated days (a Friday to a Sunday) must look like the product description promises: every event valid, conversion
// between 15 and 30 % for normal stores, NPS between 20 and 50, nothing while closed but counter readings.
func TestGeneratorWeek(t *testing.T) {
	locs := DemoLocations(20)
	profiles := NewProfiles(locs, 42)
	g := NewGenerator(profiles, 7, "t", DefaultDefects)
	const days = 3
	start := time.Date(2026, 11, 6, 0, 0, 0, 0, time.UTC) // a Friday
	type agg struct{ visitors, receipts, prom, det, npsN, counters int }
	per := map[string]*agg{}
	ids := map[string]int{}
	closedEvents := 0
	for now := start; now.Before(start.Add(days * 24 * time.Hour)); now = now.Add(time.Minute) {
		for _, e := range g.Tick(now, now.Add(time.Minute)) {
			if errs := e.Validate(); len(errs) > 0 {
				t.Fatalf("generated an invalid event %+v: %v", e, errs)
			}
			ids[e.ID]++
			if ids[e.ID] > 1 {
				continue // a deliberate duplicate: count it once, as the pipeline does
			}
			a := per[e.Location]
			if a == nil {
				a = &agg{}
				per[e.Location] = a
			}
			loc := profiles[0].Location
			for _, p := range profiles {
				if p.Location.ID == e.Location {
					loc = p.Location
				}
			}
			if e.Type != event.TypeCounter && !loc.OpenAt(e.Time) && !loc.OpenAt(e.Time.Add(-10*time.Minute)) && !loc.OpenAt(e.Time.Add(time.Hour)) {
				closedEvents++
			}
			switch e.Type {
			case event.TypeCounter:
				a.visitors += int(e.In)
				a.counters++
			case event.TypePOS:
				a.receipts++
			case event.TypeSurvey:
				if e.Answers.NPS != nil {
					a.npsN++
					switch n := *e.Answers.NPS; {
					case n >= 9:
						a.prom++
					case n <= 6:
						a.det++
					}
				}
			}
		}
	}
	if closedEvents > 0 {
		t.Errorf("%d non-counter events while stores were closed", closedEvents)
	}
	dups := 0
	for _, n := range ids {
		if n > 1 {
			dups++
		}
	}
	if dups == 0 {
		t.Error("no duplicate events: the pipeline's dedupe is never exercised")
	}
	for i, p := range profiles {
		a := per[p.Location.ID]
		if a.counters != days*24*60 {
			t.Errorf("%s: %d counter readings, want one a minute (%d)", p.Location.ID, a.counters, days*24*60)
		}
		conv := 100 * float64(a.receipts) / float64(a.visitors)
		nps := 100 * float64(a.prom-a.det) / float64(a.npsN)
		// The sample must agree with the store's profile within three standard errors.
		wantNPS := 100 * (p.PromoterShare - p.DetractShare)
		se := 100 * math.Sqrt((p.PromoterShare+p.DetractShare-math.Pow(p.PromoterShare-p.DetractShare, 2))/float64(a.npsN))
		if math.Abs(nps-wantNPS) > 3*se || math.IsNaN(nps) {
			t.Errorf("%s: NPS %.1f from %d answers, profile says %.1f ± %.1f", p.Location.ID, nps, a.npsN, wantNPS, 3*se)
		}
		wantConv := 100 * p.Conversion
		seConv := 100 * math.Sqrt(p.Conversion*(1-p.Conversion)/float64(a.visitors))
		if math.Abs(conv-wantConv) > 3*seConv {
			t.Errorf("%s: conversion %.2f%% of %d visitors, profile says %.2f ± %.2f", p.Location.ID, conv, a.visitors, wantConv, 3*seConv)
		}
		if i%7 == 3 {
			continue // the deliberately bad stores
		}
		if wantConv < 15 || wantConv > 30 || wantNPS < 20 || wantNPS > 50 {
			t.Errorf("%s: profile conversion %.1f%%, NPS %.1f; want 15-30%% and 20-50", p.Location.ID, wantConv, wantNPS)
		}
	}
}
