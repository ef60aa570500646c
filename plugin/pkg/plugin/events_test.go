package plugin

import (
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/cxm-project/cxm/internal/event"
)

func eventsFixture() []event.Event {
	t0 := at("2026-11-23T10:00:00Z")
	return []event.Event{
		{ID: "s1", Type: event.TypeSurvey, Location: "store-a", Time: t0.Add(1 * time.Minute), Survey: "qr",
			Answers: &event.Answers{NPS: intp(9), CSAT: intp(5), Comment: "Friendly staff"}},
		{ID: "s2", Type: event.TypeSurvey, Location: "store-b", Time: t0.Add(2 * time.Minute), Survey: "qr",
			Answers: &event.Answers{NPS: intp(3), Comment: "Long queue"}},
		{ID: "s3", Type: event.TypeSurvey, Location: "store-a", Time: t0.Add(3 * time.Minute), Survey: "qr",
			Answers: &event.Answers{CES: intp(6)}},
		{ID: "p1", Type: event.TypePOS, Location: "store-a", Time: t0.Add(4 * time.Minute), Receipt: "R-1",
			Amount: 123456, Items: 3, Currency: "RUB", Seller: "s-7"},
		{ID: "b1", Type: event.TypeButton, Location: "store-c", Time: t0.Add(5 * time.Minute), Device: "smiley-1",
			Kind: event.KindSmiley, Value: 4, Scale: 5},
		{ID: "old", Type: event.TypeSurvey, Location: "store-a", Time: t0.Add(-time.Hour), Survey: "qr",
			Answers: &event.Answers{Comment: "Outside the range"}},
	}
}

func TestEventsQuery(t *testing.T) {
	env := newTestEnv(t)
	env.insertEvents(t, eventsFixture()...)
	from, to := at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z")

	tests := []struct {
		name   string
		model  map[string]any
		wantID []string // event ids in frame order
	}{
		{"all newest first", nil, []string{"b1", "p1", "s3", "s2", "s1"}},
		{"survey comments", map[string]any{"eventTypes": []string{"survey"}, "withComment": true}, []string{"s2", "s1"}},
		{"one location", map[string]any{"locations": []string{"store-a"}}, []string{"p1", "s3", "s1"}},
		{"region", map[string]any{"region": "central"}, []string{"b1", "p1", "s3", "s1"}},
		{"ad-hoc region filter", map[string]any{"filters": []map[string]string{{"key": "region", "operator": "!=", "value": "central"}}}, []string{"s2"}},
		{"limit", map[string]any{"limit": 2}, []string{"b1", "p1"}},
		{"two types", map[string]any{"eventTypes": []string{"pos", "button"}}, []string{"b1", "p1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dr := env.query(t, QueryEvents, tt.model, from, to)
			if dr.Error != nil {
				t.Fatalf("error: %v", dr.Error)
			}
			if len(dr.Frames) != 1 {
				t.Fatalf("got %d frames, want 1", len(dr.Frames))
			}
			f := dr.Frames[0]
			ids := f.Fields[len(f.Fields)-1]
			var got []string
			for i := 0; i < ids.Len(); i++ {
				got = append(got, ids.At(i).(string))
			}
			if !equalStrings(got, tt.wantID) {
				t.Errorf("ids = %v, want %v", got, tt.wantID)
			}
		})
	}

	t.Run("golden", func(t *testing.T) {
		golden(t, "events_comments", env.query(t, QueryEvents, map[string]any{"withComment": true}, from, to))
		golden(t, "events_pos", env.query(t, QueryEvents, map[string]any{"eventTypes": []string{"pos"}}, from, to))
	})
}

func TestEventsQueryErrorsAreDownstream(t *testing.T) {
	env := newTestEnv(t)
	from, to := at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z")
	tests := []struct {
		name  string
		qt    string
		model map[string]any
		want  string
	}{
		{"bad type", QueryEvents, map[string]any{"eventTypes": []string{"smoke"}}, `eventTypes: "smoke" is not one of button, counter, pos, survey, message, case, review`},
		{"bad limit", QueryEvents, map[string]any{"limit": 20000}, "limit: must be between 1 and 10000, got 20000"},
		{"bad filter key", QueryEvents, map[string]any{"filters": []map[string]string{{"key": "city", "operator": "=", "value": "x"}}}, `filters[0].key: ad-hoc filters work on location and region, not "city"`},
		{"bad operator", QueryEvents, map[string]any{"filters": []map[string]string{{"key": "location", "operator": "=~", "value": "x"}}}, `filters[0].operator: must be = or !=, not "=~"`},
		{"unknown query type", "pie", nil, `queryType: "pie" is not one of timeseries, current, geo, events, maturity, cases, reasons, breakdown, handoff, audits`},
		{"bad window", QueryCurrent, map[string]any{"window": "soon"}, `window: "soon" is not a positive duration such as 15m, 1h or 1d`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dr := env.query(t, tt.qt, tt.model, from, to)
			if dr.Error == nil || dr.Error.Error() != tt.want {
				t.Fatalf("error = %v, want %q", dr.Error, tt.want)
			}
			if dr.ErrorSource != backend.ErrorSourceDownstream {
				t.Errorf("error source = %q, want downstream", dr.ErrorSource)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
