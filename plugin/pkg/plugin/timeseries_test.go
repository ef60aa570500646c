package plugin

import (
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// seriesValues returns each frame's labels and values, in order.
func seriesValues(t *testing.T, frames data.Frames) (labels []data.Labels, values [][]*float64, times [][]time.Time) {
	t.Helper()
	for _, f := range frames {
		v := f.Fields[1]
		labels = append(labels, v.Labels)
		var vs []*float64
		var ts []time.Time
		for i := 0; i < v.Len(); i++ {
			vs = append(vs, v.At(i).(*float64))
			ts = append(ts, f.Fields[0].At(i).(time.Time))
		}
		values, times = append(values, vs), append(times, ts)
	}
	return
}

func fmtValues(vs []*float64) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		if v == nil {
			out[i] = nil
		} else {
			out[i] = *v
		}
	}
	return out
}

func TestTimeSeriesQuery(t *testing.T) {
	env := newTestEnv(t)
	kpiFixture(t, env)
	from, to := at("2026-11-23T10:00:00Z"), at("2026-11-23T10:05:00Z")

	tests := []struct {
		name       string
		model      map[string]any
		from, to   time.Time
		maxPoints  int64
		wantLabels []data.Labels
		wantValues [][]any
		wantStart  time.Time
		wantStep   time.Duration
	}{
		{"per location, one minute", map[string]any{"kpis": []string{"nps"}, "locations": []string{"store-a", "store-b"}}, from, to, 1000,
			[]data.Labels{{"kpi": "nps", "location": "store-a", "region": "central"}, {"kpi": "nps", "location": "store-b", "region": "northwest"}},
			[][]any{{50.0, 50.0, nil, nil, nil}, {-100.0, nil, nil, nil, nil}}, from, time.Minute},
		{"region", map[string]any{"kpis": []string{"nps", "conversion"}, "region": "central", "group": "region"}, from, to, 1000,
			[]data.Labels{{"kpi": "nps", "region": "central"}, {"kpi": "conversion", "region": "central"}},
			[][]any{{50.0, 50.0, nil, nil, nil}, {20.0, nil, nil, nil, nil}}, from, time.Minute},
		{"all locations summed", map[string]any{"kpis": []string{"nps"}, "group": "all"}, from, to, 1000,
			[]data.Labels{{"kpi": "nps"}},
			[][]any{{0.0, 50.0, nil, nil, nil}}, from, time.Minute},
		{"max data points bound the step: 2h in at most 10 points is 15m", map[string]any{"kpis": []string{"nps"}, "locations": []string{"store-a"}},
			at("2026-11-23T10:00:00Z"), at("2026-11-23T12:00:00Z"), 10,
			[]data.Labels{{"kpi": "nps", "location": "store-a", "region": "central"}},
			[][]any{{50.0, nil, nil, nil, 100.0, nil, nil, nil}}, from, 15 * time.Minute},
		{"hour steps read the hourly rollup", map[string]any{"kpis": []string{"nps"}, "locations": []string{"store-a"}},
			at("2026-11-23T10:00:00Z"), at("2026-11-23T12:00:00Z"), 2,
			[]data.Labels{{"kpi": "nps", "location": "store-a", "region": "central"}},
			[][]any{{50.0, 100.0}}, from, time.Hour},
		{"ragged range widens to whole minutes", map[string]any{"kpis": []string{"nps"}, "locations": []string{"store-b"}},
			at("2026-11-23T10:00:30Z"), at("2026-11-23T10:01:10Z"), 1000,
			[]data.Labels{{"kpi": "nps", "location": "store-b", "region": "northwest"}},
			[][]any{{-100.0, nil}}, from, time.Minute},
		{"ad-hoc filter excludes everything", map[string]any{"kpis": []string{"nps"}, "locations": []string{"store-a"}, "filters": []map[string]string{{"key": "location", "operator": "!=", "value": "store-a"}}},
			from, to, 1000, nil, nil, time.Time{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dq := dataQuery(t, QueryTimeSeries, tt.model, tt.from, tt.to)
			dq.MaxDataPoints = tt.maxPoints
			resp, err := env.ds.QueryData(t.Context(), newRequest(dq))
			if err != nil {
				t.Fatal(err)
			}
			dr := resp.Responses["A"]
			if dr.Error != nil {
				t.Fatal(dr.Error)
			}
			labels, values, times := seriesValues(t, dr.Frames)
			if len(labels) != len(tt.wantLabels) {
				t.Fatalf("got %d series %v, want %d", len(labels), labels, len(tt.wantLabels))
			}
			for i := range labels {
				if labels[i].String() != tt.wantLabels[i].String() {
					t.Errorf("series %d labels = %v, want %v", i, labels[i], tt.wantLabels[i])
				}
				if got := fmtValues(values[i]); !equalAny(got, tt.wantValues[i]) {
					t.Errorf("series %d values = %v, want %v", i, got, tt.wantValues[i])
				}
				if !times[i][0].Equal(tt.wantStart) || len(times[i]) > 1 && times[i][1].Sub(times[i][0]) != tt.wantStep {
					t.Errorf("series %d starts %v step %v, want %v step %v", i, times[i][0], times[i][1].Sub(times[i][0]), tt.wantStart, tt.wantStep)
				}
			}
		})
	}

	t.Run("golden: field config with thresholds from kpi_status", func(t *testing.T) {
		golden(t, "timeseries_nps", env.query(t, QueryTimeSeries, map[string]any{"kpis": []string{"nps"}, "locations": []string{"store-a", "store-b", "store-c"}}, from, to))
	})
}

func equalAny(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
