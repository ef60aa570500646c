package plugin

import (
	"math"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/query"
)

// Thresholds come from kpi_status: the yellow and red limits and the direction the processor's status
// evaluator applied (it reads them from the cxm config's kpi section), so a panel turns red exactly when
// the pipeline's status — and its alert — does.

// thresholdsOf turns a status row's limits into Grafana thresholds (the row's direction, else the KPI's
// default from the registry); nil without limits.
func thresholdsOf(st query.Status) *data.ThresholdsConfig {
	if st.Yellow == nil && st.Red == nil {
		return nil
	}
	dir := st.Direction
	if dir == 0 {
		dir = kpi.DefaultDirection(st.KPI)
	}
	lowerBetter := dir == kpi.LowerIsBetter
	steps := []data.Threshold{data.NewThreshold(math.Inf(-1), "green", "")}
	if !lowerBetter {
		steps[0].Color = "red"
	}
	add := func(v *float64, color string) {
		if v != nil {
			steps = append(steps, data.NewThreshold(*v, color, ""))
		}
	}
	if lowerBetter {
		// A Grafana step at t colours values >= t, but kpi.Classify turns yellow (red) only strictly above
		// the limit (a value on a limit takes the better side): the step starts at the next float up.
		above := func(v *float64) *float64 {
			if v == nil {
				return nil
			}
			n := math.Nextafter(*v, math.Inf(1))
			return &n
		}
		add(above(st.Yellow), "yellow")
		add(above(st.Red), "red")
	} else {
		add(st.Red, "yellow")
		add(st.Yellow, "green")
	}
	return &data.ThresholdsConfig{Mode: data.ThresholdsModeAbsolute, Steps: steps}
}

// statusMappings colour the status text as the traffic light it is.
func statusMappings() data.ValueMappings {
	return data.ValueMappings{data.ValueMapper{
		"green":  {Color: "green", Text: "green", Index: 0},
		"yellow": {Color: "yellow", Text: "yellow", Index: 1},
		"red":    {Color: "red", Text: "red", Index: 2},
		"grey":   {Color: "text", Text: "no data", Index: 3},
		"none":   {Color: "transparent", Text: "not judged", Index: 4},
	}}
}

// statusField is a status column: coloured background in tables.
func statusField(name, displayName string, values []string) *data.Field {
	return data.NewField(name, nil, values).SetConfig(&data.FieldConfig{
		DisplayName: displayName,
		Mappings:    statusMappings(),
		Custom:      map[string]any{"cellOptions": map[string]any{"type": "color-background"}},
	})
}

// rankThresholds colour a status rank (0 grey, 1 green, 2 yellow, 3 red): the Geomap marker colour.
func rankThresholds() *data.ThresholdsConfig {
	return &data.ThresholdsConfig{Mode: data.ThresholdsModeAbsolute, Steps: []data.Threshold{
		data.NewThreshold(math.Inf(-1), "text", ""),
		data.NewThreshold(1, "green", ""),
		data.NewThreshold(2, "yellow", ""),
		data.NewThreshold(3, "red", ""),
	}}
}
