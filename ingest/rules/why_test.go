package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
)

func TestCheckWhy(t *testing.T) {
	cfg := &config.Config{
		Locations: []config.Location{{ID: "s1", Reviews: []config.ReviewLink{{Platform: "yandex", URL: "https://yandex.ru/maps/org/1"}}}},
		Ingest:    config.Ingest{MaxFuture: time.Hour, MaxPast: 24 * time.Hour},
		Reasons: config.Reasons{
			Positive: []config.Reason{{Code: "staff", TitleRU: "Персонал", TitleEN: "Staff"}},
			Negative: []config.Reason{{Code: "queue", TitleRU: "Очередь", TitleEN: "Queue"}},
		},
	}
	r := New(cfg)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	nps := func(v int) *event.Answers { return &event.Answers{NPS: &v} }
	for _, tc := range []struct {
		name  string
		e     event.Event
		field string // "" = accepted
		has   string
	}{
		{"happy smiley, positive reason", event.Event{Type: event.TypeButton, Kind: event.KindSmiley, Value: 5, Scale: 5, Reason: "staff"}, "", ""},
		{"middle face asks what could be better", event.Event{Type: event.TypeButton, Kind: event.KindSmiley, Value: 3, Scale: 5, Reason: "queue"}, "", ""},
		{"unhappy smiley, positive reason", event.Event{Type: event.TypeButton, Kind: event.KindSmiley, Value: 1, Scale: 5, Reason: "staff"}, "reason", "reasons.negative [queue]"},
		{"dislike, negative reason", event.Event{Type: event.TypeButton, Kind: event.KindDislike, Subject: "x", Reason: "queue"}, "", ""},
		{"like, unknown code", event.Event{Type: event.TypeButton, Kind: event.KindLike, Subject: "x", Reason: "parking"}, "reason", `not "parking"`},
		{"promoter, positive", event.Event{Type: event.TypeSurvey, Survey: "s", Answers: nps(9), Reason: "staff"}, "", ""},
		{"detractor, positive", event.Event{Type: event.TypeSurvey, Survey: "s", Answers: nps(6), Reason: "staff"}, "reason", "reasons.negative"},
		{"comment only", event.Event{Type: event.TypeSurvey, Survey: "s", Answers: &event.Answers{Comment: "x"}, Reason: "queue"}, "reason", "needs a rating"},
		{"configured review page", event.Event{Type: event.TypeReview, Kind: event.KindClick, Platform: "yandex"}, "", ""},
		{"review page of no config", event.Event{Type: event.TypeReview, Kind: event.KindClick, Platform: "google"}, "platform", "locations[].reviews"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.e
			e.Location, e.Time, e.ID = "s1", now, "x"
			errs := r.Check(&e, now)
			if tc.field == "" {
				if errs != nil {
					t.Fatalf("refused: %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.field || !strings.Contains(errs[0].Reason, tc.has) {
				t.Fatalf("errors %v, want one on %s containing %q", errs, tc.field, tc.has)
			}
		})
	}
}
