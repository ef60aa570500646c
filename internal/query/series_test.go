package query

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/kpi"
)

// BenchmarkSeries is the engine's work after the statement: figures of 13 KPIs at 2,016 points (one
// location, 7 days in 5-minute steps) from summed components, without ClickHouse.
func BenchmarkSeries(b *testing.B) {
	from := mustTime("2026-03-08T00:00:00Z")
	r := Request{KPIs: minuteKPIs(), From: from, To: from.AddDate(0, 0, 7), Step: Step{Minutes: 5}, Group: GroupLocation}
	keys := []seriesKey{{key: "loc-1", location: "loc-1", tz: time.UTC}}
	rng := rand.New(rand.NewPCG(1, 2))
	comps := make([]kpi.Components, 2016)
	for i := range comps {
		for range 60 {
			c := randomComponents(rng)
			merge(&comps[i], &c)
		}
	}
	sums := map[string]*keySums{"loc-1": {comps: comps}}
	e := New(nil, "cxm", nil, Limits{})
	b.ReportAllocs()
	for b.Loop() {
		e.series(keys, sums, &r)
	}
}

// minuteKPIs are the KPIs of kpi_minute's components (not the case KPIs, read from the events table),
// which the benchmarks measure.
func minuteKPIs() []string {
	return slices.DeleteFunc(slices.Clone(kpi.Names), kpi.IsCase)
}
