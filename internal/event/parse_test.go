package event_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/event"
)

const env = `"id":"e1","location":"shop:1","time":"2026-05-01T12:00:00+03:00"`

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("x", 129)
	tests := []struct {
		name, in string
		want     event.Errors
	}{
		{"not JSON", `{"id":`, event.Errors{{"", "invalid JSON: unexpected end of input at offset 6"}}},
		{"empty input", ``, event.Errors{{"", "invalid JSON: unexpected end of input at offset 0"}}},
		{"array", `[1,2]`, event.Errors{{"", "must be a JSON object"}}},
		{"string", `"x"`, event.Errors{{"", "must be a JSON object"}}},
		{"trailing data", `{"id":"a"} {}`, event.Errors{{"", "invalid JSON: unexpected data after the object at offset 11"}}},
		{"two objects", `{}{}`, event.Errors{{"", "invalid JSON: unexpected data after the object at offset 2"}}},
		{"trailing comma", `{"id":"a",}`, event.Errors{{"", "invalid JSON: expected a field name at offset 10"}}},
		{"single quotes", `{'id':1}`, event.Errors{{"", "invalid JSON: expected a field name at offset 1"}}},
		{"bad escape", `{"id":"a\x"}`, event.Errors{{"", "invalid JSON: invalid escape in string at offset 8"}}},
		{"lone surrogate", `{"id":"\ud800"}`, event.Errors{{"", `invalid JSON: unpaired UTF-16 surrogate in \u escape at offset 7`}}},
		{"invalid UTF-8", "{\"id\":\"a\xff\"}", event.Errors{{"", "invalid JSON: invalid UTF-8 in string at offset 8"}}},
		{"raw newline in string", "{\"id\":\"a\nb\"}", event.Errors{{"", "invalid JSON: control character in string at offset 8"}}},
		{"leading zero number", `{"in":01}`, event.Errors{{"", "invalid JSON: expected ',' or '}' at offset 7"}}},
		{"deep ext", `{"ext":` + strings.Repeat(`[`, 70) + strings.Repeat(`]`, 70) + `}`,
			event.Errors{{"", "invalid JSON: nesting deeper than 64 at offset 71"}}},
		{"empty object", `{}`, event.Errors{{"id", "required"}, {"type", "required"}, {"location", "required"}, {"time", "required"}}},
		{"all envelope wrong, errors in canonical order regardless of key order",
			`{"time":"2026-05-01 12:00","device":"","location":"a b","type":"visit","id":"","zz":1,"aa":2}`,
			event.Errors{{"id", "must be 1 to 128 characters"}, {"type", "must be one of button, counter, pos, survey, message, case, review, audit"},
				{"location", "must be 1 to 64 characters of A-Z a-z 0-9 . _ : -"}, {"device", "must be 1 to 128 characters"},
				{"time", "must be an RFC 3339 date-time with a UTC offset, e.g. 2024-05-01T12:00:00+03:00"},
				{"aa", "unknown field"}, {"zz", "unknown field"}}},
		{"id too long", `{"id":"` + long + `","type":"counter","location":"l","time":"2026-05-01T12:00:00Z","in":1,"out":1}`,
			event.Errors{{"id", "must be 1 to 128 characters"}}},
		{"id of 128 multibyte characters is fine, 129 is not", `{` + env + `,"type":"button","kind":"like","subject":"` + strings.Repeat("я", 129) + `"}`,
			event.Errors{{"subject", "must be 1 to 128 characters"}}},
		{"control characters in identifiers", `{"id":"a\u0000b","type":"button","location":"l","device":"d\n","time":"2026-05-01T12:00:00Z","kind":"like","subject":"s\t"}`,
			event.Errors{{"id", "must not contain control characters (U+0000..U+001F, U+007F)"}, {"device", "must not contain control characters (U+0000..U+001F, U+007F)"},
				{"subject", "must not contain control characters (U+0000..U+001F, U+007F)"}}},
		{"type not a string", `{` + env + `,"type":1}`, event.Errors{{"type", "must be a string"}}},
		{"duplicate key", `{` + env + `,"type":"counter","in":1,"out":2,"in":3}`, event.Errors{{"in", "duplicate field"}}},
		{"keys are case-sensitive", `{` + env + `,"type":"counter","in":1,"out":2,"Out":3}`, event.Errors{{"Out", "unknown field"}}},
		{"null is not absent", `{` + env + `,"type":"counter","in":1,"out":2,"device":null}`, event.Errors{{"device", "must be a string"}}},
		{"long unknown key is shortened", `{` + env + `,"type":"counter","in":1,"out":2,"` + strings.Repeat("k", 100) + `":1}`,
			event.Errors{{strings.Repeat("k", 64) + "…", "unknown field"}}},
		{"time without offset", `{"id":"e","type":"counter","location":"l","time":"2026-05-01T12:00:00.5","in":1,"out":1}`,
			event.Errors{{"time", "must include a UTC offset (Z or +hh:mm / -hh:mm)"}}},
		{"time offset hours 24", `{"id":"e","type":"counter","location":"l","time":"2026-05-01T12:00:00+24:00","in":1,"out":1}`,
			event.Errors{{"time", "must be an RFC 3339 date-time with a UTC offset, e.g. 2024-05-01T12:00:00+03:00"}}},
		{"time leap second", `{"id":"e","type":"counter","location":"l","time":"2016-12-31T23:59:60Z","in":1,"out":1}`,
			event.Errors{{"time", "must be an RFC 3339 date-time with a UTC offset, e.g. 2024-05-01T12:00:00+03:00"}}},
		{"time 10 fractional digits", `{"id":"e","type":"counter","location":"l","time":"2026-05-01T12:00:00.1234567891Z","in":1,"out":1}`,
			event.Errors{{"time", "must be an RFC 3339 date-time with a UTC offset, e.g. 2024-05-01T12:00:00+03:00"}}},
		{"ext not object", `{` + env + `,"type":"counter","in":1,"out":2,"ext":"x"}`, event.Errors{{"ext", "must be an object"}}},

		{"button without kind", `{` + env + `,"type":"button","value":3}`, event.Errors{{"kind", "required"}}},
		{"smiley value above scale", `{` + env + `,"type":"button","kind":"smiley","value":4,"scale":3}`,
			event.Errors{{"value", "must be between 1 and the scale (3)"}}},
		{"smiley bad scale and value", `{` + env + `,"type":"button","kind":"smiley","value":6,"scale":6}`,
			event.Errors{{"value", "must be between 1 and the scale (5)"}, {"scale", "must be between 3 and 5"}}},
		{"smiley missing both", `{` + env + `,"type":"button","kind":"smiley"}`,
			event.Errors{{"value", "required"}, {"scale", "required"}}},
		{"smiley value as string", `{` + env + `,"type":"button","kind":"smiley","value":"3","scale":5}`,
			event.Errors{{"value", "must be an integer"}}},
		{"smiley value as 3.0", `{` + env + `,"type":"button","kind":"smiley","value":3.0,"scale":5}`,
			event.Errors{{"value", "must be an integer"}}},
		{"huge value saturates, does not wrap", `{` + env + `,"type":"button","kind":"smiley","value":18446744073709551619,"scale":5}`,
			event.Errors{{"value", "must be between 1 and the scale (5)"}}},
		{"like without subject, with value 0", `{` + env + `,"type":"button","kind":"like","value":0}`,
			event.Errors{{"value", "not allowed for kind like"}, {"subject", "required"}}},
		{"consultation with scale", `{` + env + `,"type":"button","kind":"consultation","scale":5}`,
			event.Errors{{"scale", "not allowed for kind consultation"}}},
		{"button with fields of other types", `{` + env + `,"type":"button","kind":"consultation","in":0,"refund":false,"answers":{}}`,
			event.Errors{{"in", "not allowed for type button"}, {"refund", "not allowed for type button"}, {"answers", "not allowed for type button"}}},

		{"counter negative and missing", `{` + env + `,"type":"counter","in":-1}`,
			event.Errors{{"in", "must be between 0 and 1000000"}, {"out", "required"}}},
		{"counter above max", `{` + env + `,"type":"counter","in":1000001,"out":0}`,
			event.Errors{{"in", "must be between 0 and 1000000"}}},
		{"counter with exponent", `{` + env + `,"type":"counter","in":1e2,"out":0}`,
			event.Errors{{"in", "must be an integer"}}},

		{"pos amount 3 decimals (number)", `{` + env + `,"type":"pos","receipt":"r","amount":12.345,"items":1}`,
			event.Errors{{"amount", event.ErrAmount.Error()}}},
		{"pos amount exponent", `{` + env + `,"type":"pos","receipt":"r","amount":1e3,"items":1}`,
			event.Errors{{"amount", event.ErrAmount.Error()}}},
		{"pos amount negative number", `{` + env + `,"type":"pos","receipt":"r","amount":-0,"items":1}`,
			event.Errors{{"amount", event.ErrAmount.Error()}}},
		{"pos amount 14 integer digits", `{` + env + `,"type":"pos","receipt":"r","amount":"10000000000000","items":1}`,
			event.Errors{{"amount", event.ErrAmount.Error()}}},
		{"pos amount null", `{` + env + `,"type":"pos","receipt":"r","amount":null,"items":1}`,
			event.Errors{{"amount", "must be a decimal string or a JSON number"}}},
		{"pos everything wrong", `{` + env + `,"type":"pos","receipt":"","items":0,"currency":"rub","seller":"","refund":1}`,
			event.Errors{{"receipt", "must be 1 to 128 characters"}, {"amount", "required"}, {"items", "must be between 1 and 1000000"},
				{"currency", "must be an ISO 4217 code: three upper-case letters"}, {"seller", "must be 1 to 128 characters"}, {"refund", "must be a boolean"}}},

		{"survey answers missing", `{` + env + `,"type":"survey","survey":"s"}`, event.Errors{{"answers", "required"}}},
		{"survey answers empty", `{` + env + `,"type":"survey","survey":"s","answers":{}}`,
			event.Errors{{"answers", "must contain at least one answer"}}},
		{"survey answers out of range, in canonical order", `{` + env + `,"type":"survey","survey":"s","answers":{"q11":0,"q5":5,"ces":8,"csat":0,"nps":11,"comment":""}}`,
			event.Errors{{"answers.nps", "must be between 0 and 10"}, {"answers.csat", "must be between 1 and 5"}, {"answers.ces", "must be between 1 and 7"},
				{"answers.comment", "must be 1 to 4000 characters"}, {"answers.q5", "must be between 1 and 4"}, {"answers.q11", "must be between 1 and 4"}}},
		{"survey q out of int8 range does not wrap", `{` + env + `,"type":"survey","survey":"s","answers":{"q1":261}}`,
			event.Errors{{"answers.q1", "must be between 1 and 4"}}},
		{"survey unknown and duplicate answers", `{` + env + `,"type":"survey","survey":"s","answers":{"nps":1,"nps":2,"q0":1,"q12":1,"Nps":1}}`,
			event.Errors{{"answers.nps", "duplicate field"}, {"answers.Nps", "unknown field"}, {"answers.q0", "unknown field"}, {"answers.q12", "unknown field"}}},
		{"survey comment 4001 characters", `{` + env + `,"type":"survey","survey":"s","answers":{"comment":"` + strings.Repeat("ю", 4001) + `"}}`,
			event.Errors{{"answers.comment", "must be 1 to 4000 characters"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, errs := event.Parse([]byte(tt.in))
			if !reflect.DeepEqual(errs, tt.want) {
				t.Errorf("errors\n got %q\nwant %q", errs, tt.want)
			}
			if !reflect.DeepEqual(e, event.Event{}) {
				t.Errorf("event on error is not the zero value: %+v", e)
			}
		})
	}
}

func intp(v int) *int { return &v }

func TestParseValues(t *testing.T) {
	msk := time.FixedZone("", 3*3600)
	tests := []struct {
		name, in string
		want     event.Event
	}{
		{"smiley with whitespace everywhere", " \n{ \"id\" : \"e1\" ,\t\"type\":\"button\",\"location\":\"shop:1\",\"time\":\"2026-05-01T12:00:00+03:00\",\"kind\":\"smiley\",\"value\":2,\"scale\":3 } \r\n",
			event.Event{ID: "e1", Type: event.TypeButton, Location: "shop:1", Time: time.Date(2026, 5, 1, 12, 0, 0, 0, msk), Kind: "smiley", Value: 2, Scale: 3}},
		{"escapes are decoded", `{"id":"a\"\\\/\u00e9\ud83d\ude00","type":"button","location":"l","time":"2026-05-01T09:00:00Z","kind":"like","subject":"staff:ivanova"}`,
			event.Event{ID: "a\"\\/é😀", Type: event.TypeButton, Location: "l", Time: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), Kind: "like", Subject: "staff:ivanova"}},
		{"pos with numeric amount and nanoseconds", `{"id":"p","type":"pos","location":"l","time":"2026-05-01T12:00:00.000000001-09:30","receipt":"R","amount":0.5,"items":2,"currency":"EUR","seller":"s","refund":true}`,
			event.Event{ID: "p", Type: event.TypePOS, Location: "l", Time: time.Date(2026, 5, 1, 12, 0, 0, 1, time.FixedZone("", -(9*3600+1800))),
				Receipt: "R", Amount: 50, Items: 2, Currency: "EUR", Seller: "s", Refund: true}},
		{"pos amount max", `{"id":"p","type":"pos","location":"l","time":"2026-05-01T12:00:00Z","receipt":"R","amount":"9999999999999.99","items":1,"refund":false}`,
			event.Event{ID: "p", Type: event.TypePOS, Location: "l", Time: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC), Receipt: "R", Amount: event.MaxAmount, Items: 1}},
		{"counter zeros", `{"id":"c","type":"counter","location":"l","time":"2024-02-29T00:00:00-00:00","in":0,"out":0,"ext":{ "a" : [1, {"b":" x "}] }}`,
			event.Event{ID: "c", Type: event.TypeCounter, Location: "l", Time: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), Ext: []byte(`{"a":[1,{"b":" x "}]}`)}},
		{"survey", `{"id":"s","type":"survey","location":"l","time":"2026-05-01T12:00:00Z","survey":"cx","answers":{"nps":0,"csat":5,"ces":7,"comment":"ok","q1":1,"q11":4}}`,
			event.Event{ID: "s", Type: event.TypeSurvey, Location: "l", Time: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC), Survey: "cx",
				Answers: &event.Answers{NPS: intp(0), CSAT: intp(5), CES: intp(7), Comment: "ok", Q: [11]int8{0: 1, 10: 4}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, errs := event.Parse([]byte(tt.in))
			if errs != nil {
				t.Fatalf("unexpected errors: %v", errs)
			}
			if !reflect.DeepEqual(e.Time.Location().String(), tt.want.Time.Location().String()) || !e.Time.Equal(tt.want.Time) {
				t.Errorf("time %v, want %v", e.Time, tt.want.Time)
			}
			_, gotOff := e.Time.Zone()
			_, wantOff := tt.want.Time.Zone()
			if gotOff != wantOff {
				t.Errorf("offset %d, want %d", gotOff, wantOff)
			}
			e.Time, tt.want.Time = time.Time{}, time.Time{}
			if !reflect.DeepEqual(e, tt.want) {
				t.Errorf("got  %+v\nwant %+v", e, tt.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	e, err := event.Decode([]byte(`{` + env + `,"type":"counter","in":1,"out":2}`))
	if err != nil || e.In != 1 || e.Out != 2 {
		t.Fatalf("Decode = %+v, %v", e, err)
	}
	// A nil Errors must come back as a nil error, not a non-nil interface holding nil.
	if _, err := event.Decode([]byte(`{}`)); err == nil || !strings.Contains(err.Error(), "id: required") {
		t.Fatalf("Decode({}) error = %v", err)
	}
}

func TestUnmarshalJSONIsStrict(t *testing.T) {
	var e event.Event
	err := json.Unmarshal([]byte(`{`+env+`,"type":"counter","in":1,"out":2,"x":1}`), &e)
	var errs event.Errors
	if !errors.As(err, &errs) || !errs.Has("x") {
		t.Fatalf("json.Unmarshal error = %v, want an unknown-field error on x", err)
	}
	var a event.Answers
	if err := json.Unmarshal([]byte(`{"q3":2,"nps":10}`), &a); err != nil || a.Q[2] != 2 || *a.NPS != 10 {
		t.Fatalf("Answers: %+v, %v", a, err)
	}
	if err := json.Unmarshal([]byte(`{"q3":5}`), &a); err == nil || err.Error() != "answers.q3: must be between 1 and 4" {
		t.Fatalf("Answers error = %v", err)
	}
}

// TestParseItems: contract v2 answers to configured questions keep their shape through Parse and the
// canonical encoding; bad shapes name the answer.
func TestParseItems(t *testing.T) {
	const head = `{"id":"a","type":"survey","location":"l","time":"2026-05-01T12:00:00Z","survey":"rsqs","answers":`
	e, errs := event.Parse([]byte(head + `{"nps":9,"pa1":5,"dept":[1,3],"improve":"шире проходы"}}`))
	if errs != nil {
		t.Fatal(errs)
	}
	it := e.Answers.Items
	if len(it) != 3 || it[0].Key != "pa1" || it[0].Kind != event.ItemInt || it[0].Int != 5 ||
		it[1].Kind != event.ItemCodes || len(it[1].Codes) != 2 || it[1].Codes[1] != 3 ||
		it[2].Kind != event.ItemText || it[2].Text != "шире проходы" {
		t.Fatalf("items = %+v", it)
	}
	b, _ := e.MarshalJSON()
	back, errs := event.Parse(b)
	if errs != nil || event.ItemsJSON(back.Answers.Items) != `{"pa1":5,"dept":[1,3],"improve":"шире проходы"}` {
		t.Fatalf("round trip %s: %v %q", b, errs, event.ItemsJSON(back.Answers.Items))
	}
	for _, tc := range []struct{ answers, want string }{
		{`{"pa1":5,"pa1":4}`, "answers.pa1: duplicate field"},
		{`{"pa1":true}`, "answers.pa1: must be an integer, an array of integers or a string"},
		{`{"dept":[]}`, "answers.dept: must be an array of 1 to 64 integers"},
		{`{"dept":[1,"x"]}`, "answers.dept: must be an array of 1 to 64 integers"},
		{`{"improve":""}`, "answers.improve: must be 1 to 4000 characters"},
		{`{"q12":1}`, "answers.q12: unknown field"},
		{`{"Pa1":1}`, "answers.Pa1: unknown field"},
	} {
		_, errs := event.Parse([]byte(head + tc.answers + `}`))
		if errs.Error() != tc.want {
			t.Errorf("%s: %v, want %s", tc.answers, errs, tc.want)
		}
	}
}
