package event_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/cxm-project/cxm/internal/event"
)

var benchInputs = []struct{ name, json string }{
	{"smiley", `{"id":"evt-0002","type":"button","location":"shop:msk-01","device":"smiley-2","time":"2026-05-01T12:00:01.250+03:00","kind":"smiley","value":5,"scale":5}`},
	{"counter", `{"id":"door-1:2026-05-01T12:05:00+03:00","type":"counter","location":"shop:msk-01","device":"door-1","time":"2026-05-01T12:05:00+03:00","in":14,"out":0}`},
	{"pos", `{"id":"pos-7:R-000123","type":"pos","location":"shop:msk-01","device":"pos-7","time":"2026-05-01T12:07:30+03:00","receipt":"R-000123","amount":"1249.90","items":3,"currency":"RUB","seller":"seller-2"}`},
	{"survey", `{"id":"web-88a1","type":"survey","location":"clinic.spb_2","time":"2026-05-01T10:00:00-04:00","survey":"after-appointment","answers":{"nps":9,"csat":4,"ces":6,"comment":"Quick check-in, but the parking was full."}}`},
	{"pretty-with-ext", "{\n  \"id\": \"evt-0006\",\n  \"type\": \"button\",\n  \"location\": \"shop:msk-01\",\n  \"time\": \"2026-05-01T12:00:00+03:00\",\n  \"kind\": \"like\",\n  \"subject\": \"queue\",\n  \"ext\": {\"firmware\": \"2.4.1\", \"battery\": 0.87}\n}"},
}

func BenchmarkParse(b *testing.B) {
	for _, in := range benchInputs {
		data := []byte(in.json)
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, errs := event.Parse(data); errs != nil {
					b.Fatal(errs)
				}
			}
		})
	}
	// A rejected event costs more (error strings, sorting) but stays in the same range.
	bad := []byte(`{"id":"","type":"survey","location":"a b","time":"2026-05-01T10:00:00","survey":"s","answers":{"nps":11,"q5":5,"x":1},"y":2}`)
	b.Run("invalid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, errs := event.Parse(bad); len(errs) != 7 {
				b.Fatal(errs)
			}
		}
	})
}

// BenchmarkDecode is the processor's path: canonical JSON written by AppendJSON.
func BenchmarkDecode(b *testing.B) {
	e, errs := event.Parse([]byte(benchInputs[2].json))
	if errs != nil {
		b.Fatal(errs)
	}
	data, _ := e.MarshalJSON()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := event.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	e, errs := event.Parse([]byte(benchInputs[3].json))
	if errs != nil {
		b.Fatal(errs)
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = e.AppendJSON(buf[:0])
	}
}

// stdEvent mirrors the wire format for BenchmarkStdlibBaseline only.
type stdEvent struct {
	ID       string          `json:"id"`
	Type     string          `json:"type"`
	Location string          `json:"location"`
	Device   string          `json:"device"`
	Time     string          `json:"time"`
	Kind     string          `json:"kind"`
	Value    int             `json:"value"`
	Scale    int             `json:"scale"`
	Subject  string          `json:"subject"`
	In       int64           `json:"in"`
	Out      int64           `json:"out"`
	Receipt  string          `json:"receipt"`
	Amount   json.Number     `json:"amount"`
	Items    int             `json:"items"`
	Currency string          `json:"currency"`
	Seller   string          `json:"seller"`
	Refund   bool            `json:"refund"`
	Survey   string          `json:"survey"`
	Answers  map[string]any  `json:"answers"`
	Ext      json.RawMessage `json:"ext"`
}

// BenchmarkStdlibBaseline is the yardstick the hand-written decoder was measured against: encoding/json's
// strict struct decode alone, with no validation and no per-field errors.
func BenchmarkStdlibBaseline(b *testing.B) {
	data := []byte(benchInputs[2].json)
	b.ReportAllocs()
	for b.Loop() {
		var e stdEvent
		d := json.NewDecoder(bytes.NewReader(data))
		d.DisallowUnknownFields()
		if err := d.Decode(&e); err != nil {
			b.Fatal(err)
		}
	}
}
