package buckets_test

import (
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/processor/buckets"
)

// BenchmarkAdd feeds a mix of every event type into components, the processor's per-event cost of the
// KPI formulas.
func BenchmarkAdd(b *testing.B) {
	nps, csat, ces := 9, 4, 6
	evs := []event.Event{
		{Type: event.TypeButton, Kind: event.KindSmiley, Value: 4, Scale: 5},
		{Type: event.TypeButton, Kind: event.KindLike},
		{Type: event.TypeButton, Kind: event.KindConsultation},
		{Type: event.TypeCounter, In: 3, Out: 2},
		{Type: event.TypePOS, Amount: 12345, Items: 3},
		{Type: event.TypeSurvey, Answers: &event.Answers{NPS: &nps, CSAT: &csat, CES: &ces}},
	}
	for i := range evs {
		evs[i].Time = time.Unix(1_800_000_000, 0)
	}
	var c kpi.Components
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buckets.Add(&c, &evs[i%len(evs)])
	}
}
