package event_test

import (
	"testing"

	"github.com/cxm-project/cxm/internal/event"
)

// TestMessageAndCaseParse: the closed loop's types through Parse, each row one rule; errors name the
// nested field.
func TestMessageAndCaseParse(t *testing.T) {
	const env = `"location":"store-001","time":"2026-05-01T12:00:00Z",`
	for _, tc := range []struct {
		name, json string
		field      string // "" = valid
	}{
		{"button complaint, no text", `{"id":"m","type":"message",` + env + `"kind":"complaint"}`, ""},
		{"consent false alone is no message", `{"id":"m","type":"message",` + env + `"kind":"thanks","message":{"consent":false}}`, ""},
		{"empty message object", `{"id":"m","type":"message",` + env + `"kind":"thanks","message":{}}`, "message"},
		{"text too long", `{"id":"m","type":"message",` + env + `"kind":"complaint","message":{"text":"` + long(4001) + `"}}`, "message.text"},
		{"text of 4000", `{"id":"m","type":"message",` + env + `"kind":"complaint","message":{"text":"` + long(4000) + `"}}`, ""},
		{"contact with consent false", `{"id":"m","type":"message",` + env + `"kind":"complaint","message":{"contact":"a@b.c","consent":false}}`, "message.consent"},
		{"consent not bool", `{"id":"m","type":"message",` + env + `"kind":"complaint","message":{"consent":"yes"}}`, "message.consent"},
		{"value on a message", `{"id":"m","type":"message",` + env + `"kind":"complaint","value":1}`, "value"},
		{"message on a survey", `{"id":"m","type":"survey",` + env + `"survey":"s","answers":{"nps":1},"message":{"text":"x"}}`, "message"},
		{"case comment without note", `{"id":"c","type":"case",` + env + `"case":{"id":"k","action":"comment"}}`, "case.note"},
		{"case checklist not bool", `{"id":"c","type":"case",` + env + `"case":{"id":"k","action":"qualify","checklist":{"a":1}}}`, "case.checklist.a"},
		{"case checklist empty", `{"id":"c","type":"case",` + env + `"case":{"id":"k","action":"qualify","checklist":{}}}`, "case.checklist"},
		{"case causes empty", `{"id":"c","type":"case",` + env + `"case":{"id":"k","action":"resolve","causes":[]}}`, "case.causes"},
		{"case causes not strings", `{"id":"c","type":"case",` + env + `"case":{"id":"k","action":"resolve","causes":[1]}}`, "case.causes"},
		{"case duplicate key", `{"id":"c","type":"case",` + env + `"case":{"id":"k","id":"j","action":"reopen"}}`, "case.id"},
		{"case reopen", `{"id":"c","type":"case",` + env + `"case":{"id":"k","action":"reopen","actor":"ann"}}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, errs := event.Parse([]byte(tc.json))
			if tc.field == "" {
				if errs != nil {
					t.Fatalf("rejected: %v", errs)
				}
				canon, _ := e.MarshalJSON()
				if _, errs := event.Parse(canon); errs != nil {
					t.Fatalf("canonical form %s rejected: %v", canon, errs)
				}
				if verrs := e.Validate(); verrs != nil {
					t.Fatalf("Validate: %v", verrs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.field {
				t.Fatalf("errors %v, want one on %s", errs, tc.field)
			}
		})
	}
}

func long(n int) string {
	b := make([]rune, n)
	for i := range b {
		b[i] = 'ж'
	}
	return string(b)
}
