package event_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/event"
)

func TestMarshalCanonical(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, msk)
	tests := []struct {
		name string
		e    event.Event
		want string
	}{
		{"smiley, only its kind's fields", event.Event{ID: "e", Type: event.TypeButton, Location: "l", Device: "d", Time: at, Kind: "smiley", Value: 2, Scale: 3},
			`{"id":"e","type":"button","location":"l","device":"d","time":"2026-05-01T12:00:00+03:00","kind":"smiley","value":2,"scale":3}`},
		{"like", event.Event{ID: "e", Type: event.TypeButton, Location: "l", Time: at.UTC(), Kind: "like", Subject: "staff:ivanova"},
			`{"id":"e","type":"button","location":"l","time":"2026-05-01T09:00:00Z","kind":"like","subject":"staff:ivanova"}`},
		{"consultation", event.Event{ID: "e", Type: event.TypeButton, Location: "l", Time: at, Kind: "consultation"},
			`{"id":"e","type":"button","location":"l","time":"2026-05-01T12:00:00+03:00","kind":"consultation"}`},
		{"counter writes zeros", event.Event{ID: "e", Type: event.TypeCounter, Location: "l", Time: at.Add(1500 * time.Millisecond)},
			`{"id":"e","type":"counter","location":"l","time":"2026-05-01T12:00:01.5+03:00","in":0,"out":0}`},
		{"pos amount as string", event.Event{ID: "e", Type: event.TypePOS, Location: "l", Time: at, Receipt: "R", Amount: 1230, Items: 1, Currency: "RUB", Seller: "s", Refund: true},
			`{"id":"e","type":"pos","location":"l","time":"2026-05-01T12:00:00+03:00","receipt":"R","amount":"12.30","items":1,"currency":"RUB","seller":"s","refund":true}`},
		{"pos zero amount, no refund", event.Event{ID: "e", Type: event.TypePOS, Location: "l", Time: at, Receipt: "R", Items: 1},
			`{"id":"e","type":"pos","location":"l","time":"2026-05-01T12:00:00+03:00","receipt":"R","amount":"0.00","items":1}`},
		{"survey answers in fixed order", event.Event{ID: "e", Type: event.TypeSurvey, Location: "l", Time: at, Survey: "s",
			Answers: &event.Answers{CES: intp(7), NPS: intp(0), Comment: "\"hi\"\n\x01", Q: [11]int8{4: 3, 10: 1}}},
			`{"id":"e","type":"survey","location":"l","time":"2026-05-01T12:00:00+03:00","survey":"s","answers":{"nps":0,"ces":7,"comment":"\"hi\"\n\u0001","q5":3,"q11":1}}`},
		{"fields of other types are dropped, ext compacted", event.Event{ID: "e", Type: event.TypeCounter, Location: "l", Time: at, In: 1, Out: 2,
			Kind: "like", Receipt: "R", Ext: []byte(` { "a" : "b c" } `)},
			`{"id":"e","type":"counter","location":"l","time":"2026-05-01T12:00:00+03:00","in":1,"out":2,"ext":{"a":"b c"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.e.MarshalJSON()
			if err != nil || string(got) != tt.want {
				t.Fatalf("MarshalJSON\n got %s (%v)\nwant %s", got, err, tt.want)
			}
			// json.Marshal goes through the same method, for values and pointers alike.
			viaStd, err := json.Marshal(&tt.e)
			if err != nil || string(viaStd) != tt.want {
				t.Errorf("json.Marshal = %s, %v", viaStd, err)
			}
			back, errs := event.Parse(got)
			if errs != nil {
				t.Fatalf("canonical form does not parse: %v", errs)
			}
			if !back.Time.Equal(tt.e.Time) || back.Time.Format(time.RFC3339Nano) != tt.e.Time.Format(time.RFC3339Nano) {
				t.Errorf("time %v, want %v with the same offset", back.Time, tt.e.Time)
			}
			again, _ := back.MarshalJSON()
			if string(again) != tt.want {
				t.Errorf("second encoding differs: %s", again)
			}
		})
	}
}

// TestRoundTrip: for every event Parse returns, Parse(Marshal(e)) is deeply equal to e, including the time's
// offset and the nanoseconds.
func TestRoundTrip(t *testing.T) {
	inputs := []string{
		`{"id":"e","type":"button","location":"l","time":"2026-05-01T12:00:00.123456789+05:45","kind":"smiley","value":5,"scale":5}`,
		`{"id":"e","type":"button","location":"l","time":"0000-01-01T00:00:00-23:59","kind":"dislike","subject":"q\u2028\u00e9"}`,
		`{"id":"e","type":"counter","location":"l","time":"9999-12-31T23:59:59.999999999+23:59","in":1000000,"out":0,"ext":{}}`,
		`{"id":"e","type":"pos","location":"l","time":"2026-05-01T12:00:00Z","receipt":"R","amount":12.3,"items":3}`,
		`{"id":"e","type":"pos","location":"l","time":"2026-05-01T12:00:00Z","receipt":"R","amount":"0","items":1,"refund":true,"ext":{"k":[1.5e300,"\u00e9"]}}`,
		`{"id":"e","type":"survey","location":"l","time":"2026-05-01T12:00:00Z","survey":"s","answers":{"q1":1,"q2":2,"q3":3,"q4":4,"q5":1,"q6":2,"q7":3,"q8":4,"q9":1,"q10":2,"q11":3}}`,
	}
	for _, in := range inputs {
		e, errs := event.Parse([]byte(in))
		if errs != nil {
			t.Fatalf("%s: %v", in, errs)
		}
		out, _ := e.MarshalJSON()
		back, errs := event.Parse(out)
		if errs != nil || !reflect.DeepEqual(back, e) {
			t.Errorf("%s\n-> %s\n-> %+v (%v)\nwant %+v", in, out, back, errs, e)
		}
	}
}

func TestValidateGoBuilt(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	valid := func(e event.Event) event.Event {
		e.ID, e.Location, e.Time = "e", "l", at
		return e
	}
	tests := []struct {
		name string
		e    event.Event
		want event.Errors
	}{
		{"counter with zero counts is valid", valid(event.Event{Type: event.TypeCounter}), nil},
		{"pos with zero amount is valid", valid(event.Event{Type: event.TypePOS, Receipt: "R", Items: 1}), nil},
		{"time.Now with a named zone is valid", event.Event{ID: "e", Location: "l", Time: time.Now(), Type: event.TypeButton, Kind: "consultation"}, nil},
		{"zero event", event.Event{}, event.Errors{{"id", "required"}, {"type", "required"}, {"location", "required"}, {"time", "required"}}},
		{"negative amount", valid(event.Event{Type: event.TypePOS, Receipt: "R", Items: 1, Amount: -1}), event.Errors{{"amount", event.ErrAmount.Error()}}},
		{"amount above max", valid(event.Event{Type: event.TypePOS, Receipt: "R", Items: 1, Amount: event.MaxAmount + 1}), event.Errors{{"amount", event.ErrAmount.Error()}}},
		{"offset with seconds", event.Event{ID: "e", Location: "l", Type: event.TypeCounter, Time: time.Date(1880, 1, 1, 0, 0, 0, 0, time.FixedZone("LMT", 9017))},
			event.Errors{{"time", "year must be 0000 to 9999 and the UTC offset whole minutes under 24 hours"}}},
		{"year 10000", event.Event{ID: "e", Location: "l", Type: event.TypeCounter, Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
			event.Errors{{"time", "year must be 0000 to 9999 and the UTC offset whole minutes under 24 hours"}}},
		{"invalid UTF-8", valid(event.Event{Type: event.TypeButton, Kind: "like", Subject: "\xff"}), event.Errors{{"subject", "must be valid UTF-8"}}},
		{"ext not an object", valid(event.Event{Type: event.TypeCounter, Ext: []byte(`[1]`)}), event.Errors{{"ext", "must be a JSON object"}}},
		{"ext not JSON", valid(event.Event{Type: event.TypeCounter, Ext: []byte(`{"a":}`)}), event.Errors{{"ext", "must be a JSON object"}}},
		{"value on like, in on button", valid(event.Event{Type: event.TypeButton, Kind: "like", Subject: "s", Value: 3, In: 2}),
			event.Errors{{"value", "not allowed for kind like"}, {"in", "not allowed for type button"}}},
		{"smiley without scale", valid(event.Event{Type: event.TypeButton, Kind: "smiley", Value: 3}), event.Errors{{"scale", "required"}}},
		{"survey with empty answers", valid(event.Event{Type: event.TypeSurvey, Survey: "s", Answers: &event.Answers{}}),
			event.Errors{{"answers", "must contain at least one answer"}}},
		{"survey q out of range", valid(event.Event{Type: event.TypeSurvey, Survey: "s", Answers: &event.Answers{Q: [11]int8{2: -1}}}),
			event.Errors{{"answers.q3", "must be between 1 and 4"}}},
		{"comment too long", valid(event.Event{Type: event.TypeSurvey, Survey: "s", Answers: &event.Answers{Comment: strings.Repeat("a", 4001)}}),
			event.Errors{{"answers.comment", "must be 1 to 4000 characters"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.Validate(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestErrorsFormat(t *testing.T) {
	errs := event.Errors{{"", "must be a JSON object"}, {"answers.nps", "must be between 0 and 10"}}
	if got, want := errs.Error(), "must be a JSON object; answers.nps: must be between 0 and 10"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	b, _ := json.Marshal(errs[1:])
	if got, want := string(b), `[{"field":"answers.nps","reason":"must be between 0 and 10"}]`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
}
