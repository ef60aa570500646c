package plugin

import (
	"math"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/query"
)

// colourOf is what Grafana does with absolute thresholds: the colour of the last step at or below v.
func colourOf(steps []data.Threshold, v float64) string {
	c := ""
	for _, s := range steps {
		if float64(s.Value) <= v {
			c = s.Color
		}
	}
	return c
}

// The panel's colours must be the processor's statuses (kpi.Classify) for every value, limits included.
func TestThresholdsMatchClassify(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name      string
		kpiName   string
		direction kpi.Direction
		th        kpi.Threshold
	}{
		{"higher is better", "nps", kpi.HigherIsBetter, kpi.Threshold{Direction: kpi.HigherIsBetter, Yellow: 30, Red: 0}},
		{"lower is better", "ces", kpi.LowerIsBetter, kpi.Threshold{Direction: kpi.LowerIsBetter, Yellow: 3, Red: 5}},
		{"direction from the KPI when the row has none", "nps", 0, kpi.Threshold{Direction: kpi.HigherIsBetter, Yellow: 50, Red: 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := thresholdsOf(query.Status{KPI: tc.kpiName, Direction: tc.direction, Yellow: f(tc.th.Yellow), Red: f(tc.th.Red)})
			if cfg == nil {
				t.Fatal("no thresholds")
			}
			for _, v := range []float64{-100, tc.th.Red - 1, math.Nextafter(tc.th.Red, math.Inf(-1)), tc.th.Red,
				math.Nextafter(tc.th.Red, math.Inf(1)), (tc.th.Red + tc.th.Yellow) / 2, math.Nextafter(tc.th.Yellow, math.Inf(-1)),
				tc.th.Yellow, math.Nextafter(tc.th.Yellow, math.Inf(1)), tc.th.Yellow + 1, 100} {
				want := kpi.Classify(kpi.Value{Valid: true, Value: v, N: 100}, tc.th).String()
				if got := colourOf(cfg.Steps, v); got != want {
					t.Errorf("value %v: panel colour %s, processor status %s", v, got, want)
				}
			}
		})
	}
}
