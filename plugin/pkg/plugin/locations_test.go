package plugin

import (
	"reflect"
	"testing"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
)

func TestSelectLocations(t *testing.T) {
	reg := []config.Location{{ID: "a", Region: "north"}, {ID: "b", Region: "south"}, {ID: "c", Region: "north"}}
	f := func(key, op, value string) Filter { return Filter{Key: key, Operator: op, Value: value} }
	tests := []struct {
		name    string
		reg     []config.Location
		m       QueryModel
		want    Selection
		wantErr string
	}{
		{"everything", reg, QueryModel{}, Selection{IDs: []string{"a", "b", "c"}}, ""},
		{"no registry, no selection: all", nil, QueryModel{}, Selection{All: true}, ""},
		{"explicit ids, deduplicated", reg, QueryModel{Locations: []string{"c", "a", "c"}}, Selection{IDs: []string{"c", "a"}}, ""},
		{"region", reg, QueryModel{Region: "north"}, Selection{IDs: []string{"a", "c"}}, ""},
		{"regions (a multi-value variable)", reg, QueryModel{Regions: []string{"south", "north"}}, Selection{IDs: []string{"a", "b", "c"}}, ""},
		{"one of several regions", reg, QueryModel{Regions: []string{"south", "west"}}, Selection{IDs: []string{"b"}}, ""},
		{"no registry, regions", nil, QueryModel{Regions: []string{"north"}}, Selection{}, "region: filtering by region needs the location registry: set configPath to the cxm YAML"},
		{"ids within a region", reg, QueryModel{Locations: []string{"a", "b"}, Region: "north"}, Selection{IDs: []string{"a"}}, ""},
		{"ad-hoc =", reg, QueryModel{Filters: []Filter{f("location", "=", "b")}}, Selection{IDs: []string{"b"}}, ""},
		{"ad-hoc region !=", reg, QueryModel{Filters: []Filter{f("region", "!=", "north")}}, Selection{IDs: []string{"b"}}, ""},
		{"filters exclude all", reg, QueryModel{Region: "south", Filters: []Filter{f("location", "=", "a")}}, Selection{IDs: []string{}}, ""},
		{"no registry, location filter names ids", nil, QueryModel{Filters: []Filter{f("location", "=", "x")}}, Selection{IDs: []string{"x"}}, ""},
		{"no registry, region", nil, QueryModel{Region: "north"}, Selection{}, "region: filtering by region needs the location registry: set configPath to the cxm YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SelectLocations(tt.reg, tt.m)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestEveryEngineKPIHasMetadata(t *testing.T) {
	for _, k := range kpi.Names {
		if m := displayOf(k); m.Title == k {
			t.Errorf("KPI %q of the engine has no metadata in internal/kpi", k)
		}
	}
}
