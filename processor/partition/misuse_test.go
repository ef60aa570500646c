package partition

import (
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/cxm-project/cxm/internal/event"
)

// TestMisuseKeptNotCounted: a survey answer the ingest flagged (header cxm-misuse) is stored with its
// reason and adds nothing to any KPI component; the same answer unflagged is counted.
func TestMisuseKeptNotCounted(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	msg := func(off int64, id, reason string) *kafkago.Message {
		m := &kafkago.Message{Offset: off, Time: at, HighWaterMark: 3,
			Value: []byte(`{"id":"` + id + `","type":"survey","location":"shop-1","time":"2026-05-01T12:00:00Z","survey":"default","answers":{"nps":0}}`)}
		if reason != "" {
			m.Headers = []kafkago.Header{{Key: event.MisuseHeader, Value: []byte(reason)}}
		}
		return m
	}
	s := NewState(0, RulesOf(time.Hour, 3*time.Second, time.Hour, time.Minute))
	b := s.NewBatch(0)
	for _, tc := range []struct {
		m    *kafkago.Message
		want Outcome
	}{{msg(0, "a", "burst"), Misuse}, {msg(1, "b", ""), Counted}, {msg(2, "c", "address_limit"), Misuse}} {
		if got := s.Apply(tc.m, b); got != tc.want {
			t.Errorf("offset %d: %v, want %v", tc.m.Offset, got, tc.want)
		}
	}
	var reasons []string
	for _, c := range b.Events {
		for _, r := range c {
			reasons = append(reasons, r.ID+":"+r.Misuse)
		}
	}
	if got := len(reasons); got != 3 || reasons[0] != "a:burst" || reasons[1] != "b:" || reasons[2] != "c:address_limit" {
		t.Errorf("raw rows %v, want all three with their reasons", reasons)
	}
	var surveys, detractors int64
	for _, c := range b.Deltas.Minutes {
		surveys += c.Surveys
		detractors += c.Detractors
	}
	if surveys != 1 || detractors != 1 || b.Messages[Misuse] != 2 {
		t.Errorf("counted %d surveys, %d detractors, %d misuse; want 1, 1, 2", surveys, detractors, b.Messages[Misuse])
	}
}
