package plugin

import (
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

type currentRow struct {
	location, kpi, window, status string
	value                         any
	n                             int64
}

func currentRows(f *data.Frame) []currentRow {
	var out []currentRow
	for i := 0; i < f.Rows(); i++ {
		r := currentRow{
			location: f.Fields[0].At(i).(string), kpi: f.Fields[3].At(i).(string), window: f.Fields[5].At(i).(string),
			n: f.Fields[7].At(i).(int64), status: f.Fields[10].At(i).(string),
		}
		if v := f.Fields[6].At(i).(*float64); v != nil {
			r.value = *v
		}
		out = append(out, r)
	}
	return out
}

func TestCurrentQuery(t *testing.T) {
	env := newTestEnv(t)
	kpiFixture(t, env)
	from, to := at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z")
	tests := []struct {
		name  string
		model map[string]any
		want  []currentRow
	}{
		{"shortest window, latest row", nil, []currentRow{
			{"store-a", "csat", "15m", "green", 90.0, 10},
			{"store-a", "nps", "15m", "yellow", 50.0, 6},
			{"store-b", "nps", "15m", "red", -100.0, 2},
		}},
		{"window 1h", map[string]any{"window": "1h"}, []currentRow{{"store-a", "nps", "1h", "yellow", 45.0, 20}}},
		{"window 60m is 1h", map[string]any{"window": "60m"}, []currentRow{{"store-a", "nps", "1h", "yellow", 45.0, 20}}},
		{"one KPI, one region", map[string]any{"kpis": []string{"nps"}, "region": "northwest"}, []currentRow{{"store-b", "nps", "15m", "red", -100.0, 2}}},
		{"ad-hoc location filter", map[string]any{"filters": []map[string]string{{"key": "location", "operator": "=", "value": "store-b"}}}, []currentRow{{"store-b", "nps", "15m", "red", -100.0, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dr := env.query(t, QueryCurrent, tt.model, from, to)
			if dr.Error != nil {
				t.Fatal(dr.Error)
			}
			got := currentRows(dr.Frames[0])
			if len(got) != len(tt.want) {
				t.Fatalf("rows = %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("row %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
	t.Run("golden: one KPI carries its unit, bounds and shared thresholds", func(t *testing.T) {
		golden(t, "current_nps", env.query(t, QueryCurrent, map[string]any{"kpis": []string{"nps"}}, from, to))
	})
	t.Run("alert rules get a numeric long frame", func(t *testing.T) {
		req := newRequest(dataQuery(t, QueryCurrent, map[string]any{"kpis": []string{"nps"}}, from, to))
		req.Headers = map[string]string{"FromAlert": "true"}
		resp, err := env.ds.QueryData(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		dr := resp.Responses["A"]
		if dr.Error != nil {
			t.Fatal(dr.Error)
		}
		golden(t, "current_alert", dr)
		f := dr.Frames[0]
		if f.Meta.Type != data.FrameTypeNumericLong {
			t.Errorf("frame type = %s, want numeric long", f.Meta.Type)
		}
	})
}

func TestGeoQuery(t *testing.T) {
	env := newTestEnv(t)
	kpiFixture(t, env)
	from, to := at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z")
	dr := env.query(t, QueryGeo, map[string]any{"kpis": []string{"nps", "csat"}}, from, to)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	golden(t, "geo", dr)
	f := dr.Frames[0]
	type row struct {
		id, status, worst string
		lat, lon          float64
		rank              int64
		nps               any
	}
	want := []row{
		{"store-a", "yellow", "nps", 55.75, 37.62, 2, 50.0},
		{"store-b", "red", "nps", 59.93, 30.34, 3, -100.0},
		{"store-c", "grey", "", 55.79, 37.66, 0, nil},
	}
	if f.Rows() != len(want) {
		t.Fatalf("rows = %d, want %d", f.Rows(), len(want))
	}
	for i, w := range want {
		got := row{f.Fields[0].At(i).(string), f.Fields[5].At(i).(string), f.Fields[7].At(i).(string),
			f.Fields[3].At(i).(float64), f.Fields[4].At(i).(float64), f.Fields[6].At(i).(int64), nil}
		if v := f.Fields[8].At(i).(*float64); v != nil {
			got.nps = *v
		}
		if got != w {
			t.Errorf("row %d = %+v, want %+v", i, got, w)
		}
	}
	if f.Fields[3].Name != "latitude" || f.Fields[4].Name != "longitude" || f.Fields[3].Type() != data.FieldTypeFloat64 {
		t.Errorf("Geomap needs numeric latitude/longitude fields, got %s %s", f.Fields[3].Name, f.Fields[4].Name)
	}
	_ = backend.ErrorSourceDownstream
}
