package cases_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/cases"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
)

func defaults(t *testing.T) *config.Config {
	t.Helper()
	c, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRules: each row feeds a sequence to fresh rules; the last event opens the case of want ("" = none).
func TestRules(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	smiley := func(v int, at time.Time, loc string) event.Event {
		return event.Event{ID: "p", Type: event.TypeButton, Location: loc, Time: at, Kind: event.KindSmiley, Value: v, Scale: 5}
	}
	msg := func(kind string, at time.Time) event.Event {
		return event.Event{ID: "m", Type: event.TypeMessage, Location: "s1", Time: at, Kind: kind}
	}
	survey := func(a event.Answers, ext string) event.Event {
		e := event.Event{ID: "s", Type: event.TypeSurvey, Location: "s1", Time: t0, Survey: "x", Answers: &a}
		if ext != "" {
			e.Ext = json.RawMessage(ext)
		}
		return e
	}
	misuse := survey(event.Answers{NPS: ip(0), Comment: "x"}, "")
	misuse.Misuse = "per-address limit"
	for _, tc := range []struct {
		name string
		seq  []event.Event
		want string
	}{
		{"complaint", []event.Event{msg(event.KindComplaint, t0)}, "complaint"},
		{"thanks alone", []event.Event{msg(event.KindThanks, t0)}, ""},
		{"bad smiley then thanks", []event.Event{smiley(1, t0, "s1"), msg(event.KindThanks, t0.Add(5*time.Minute))}, "bad-smiley-message"},
		{"bad smiley then complaint: first rule wins", []event.Event{smiley(1, t0, "s1"), msg(event.KindComplaint, t0.Add(time.Minute))}, "complaint"},
		{"bad smiley too long before", []event.Event{smiley(1, t0, "s1"), msg(event.KindThanks, t0.Add(16*time.Minute))}, ""},
		{"bad smiley after the message", []event.Event{smiley(1, t0.Add(time.Minute), "s1"), msg(event.KindThanks, t0)}, ""},
		{"bad smiley elsewhere", []event.Event{smiley(1, t0, "s2"), msg(event.KindThanks, t0.Add(time.Minute))}, ""},
		{"middling smiley", []event.Event{smiley(2, t0, "s1"), msg(event.KindThanks, t0.Add(time.Minute))}, ""},
		{"nps 6 with comment", []event.Event{survey(event.Answers{NPS: ip(6), Comment: "meh"}, "")}, "detractor-comment"},
		{"nps 7 with comment", []event.Event{survey(event.Answers{NPS: ip(7), Comment: "ok"}, "")}, ""},
		{"nps 0 without comment", []event.Event{survey(event.Answers{NPS: ip(0)}, "")}, ""},
		{"csat 2", []event.Event{survey(event.Answers{CSAT: ip(2)}, "")}, "low-csat"},
		{"csat 3", []event.Event{survey(event.Answers{CSAT: ip(3)}, "")}, ""},
		{"contact me on a survey", []event.Event{survey(event.Answers{NPS: ip(9)}, `{"contact_me":true}`)}, "contact-me"},
		{"misuse never triggers", []event.Event{misuse}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cases.NewRules(&defaults(t).Cases)
			var open event.Event
			var ok bool
			for i := range tc.seq {
				open, ok = r.Apply(&tc.seq[i])
			}
			last := tc.seq[len(tc.seq)-1]
			switch {
			case tc.want == "" && ok:
				t.Fatalf("opened %+v", open.Case)
			case tc.want == "":
			case !ok:
				t.Fatalf("no case, want rule %s", tc.want)
			case open.Case.Rule != tc.want || open.Case.Trigger != last.ID || open.Case.ID != cases.ID(tc.want, last.ID) ||
				open.Location != last.Location || !open.Time.Equal(last.Time) || open.Case.Source != string(last.Type):
				t.Fatalf("opened %+v at %s %s, want rule %s on %s", open.Case, open.Location, open.Time, tc.want, last.ID)
			default:
				if errs := open.Validate(); errs != nil {
					t.Fatalf("open event breaks the contract: %v", errs)
				}
			}
		})
	}
}

// TestValidate: qualification at ingest; each row's error names its field.
func TestValidate(t *testing.T) {
	cfg := &defaults(t).Cases
	full := map[string]bool{"contacted": true, "justified": false, "recovered": true}
	act := func(c event.Case) *event.Event {
		c.ID = "case-1"
		return &event.Event{ID: "a", Type: event.TypeCase, Location: "s1", Case: &c}
	}
	for _, tc := range []struct {
		name  string
		e     *event.Event
		field string
		want  string
	}{
		{"resolve complete", act(event.Case{Action: "resolve", Source: "message", Checklist: full, Causes: []string{"staff.politeness"}}), "", ""},
		{"resolve without causes", act(event.Case{Action: "resolve", Source: "message", Checklist: full}), "case.causes", "at least one root cause"},
		{"resolve with a branch, not a leaf", act(event.Case{Action: "resolve", Source: "message", Checklist: full, Causes: []string{"staff"}}), "case.causes", "unknown root cause"},
		{"resolve with an item missing", act(event.Case{Action: "resolve", Source: "message", Checklist: map[string]bool{"contacted": true}, Causes: []string{"process.queue"}}), "case.checklist", "not answered: justified, recovered"},
		{"resolve without source", act(event.Case{Action: "resolve", Checklist: full, Causes: []string{"process.queue"}}), "case.source", "required"},
		{"qualify with a foreign item", act(event.Case{Action: "qualify", Source: "button", Checklist: map[string]bool{"recovered": true}}), "case.checklist.recovered", "not an item"},
		{"qualify partly", act(event.Case{Action: "qualify", Source: "message", Checklist: map[string]bool{"contacted": true}}), "", ""},
		{"source without checklist config", act(event.Case{Action: "resolve", Source: "counter", Causes: []string{"process.queue"}}), "case.source", "no checklist"},
		{"comment", act(event.Case{Action: "comment", Note: "called"}), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := cases.Validate(cfg, tc.e)
			if tc.field == "" {
				if errs != nil {
					t.Fatalf("rejected: %v", errs)
				}
				return
			}
			if !errs.Has(tc.field) || !strings.Contains(errs.Error(), tc.want) {
				t.Fatalf("errors %v, want one on %s containing %q", errs, tc.field, tc.want)
			}
		})
	}
}
