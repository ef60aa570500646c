package plugin

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/cxm-project/cxm/internal/config"
)

func TestScopeLocations(t *testing.T) {
	reg := []config.Location{{ID: "a", Region: "r1"}, {ID: "b", Region: "r2"}, {ID: "c", Region: "r1"}, {ID: "d"}}
	tests := []struct {
		name, locations, regions string
		reg                      []config.Location
		want                     string // ids kept, or the error
	}{
		{"none: everything", "", "", reg, "a b c d"},
		{"locations", "b, d", "", reg, "b d"},
		{"regions", "", "r1", reg, "a c"},
		{"both", "d", "r2", reg, "b d"},
		{"unknown location", "z", "", reg, `locations: "z" is not in the registry of /etc/cxm.yaml`},
		{"unknown region", "", "r9", reg, `regions: no location of the registry is in region "r9"`},
		{"no registry", "a", "", nil, "locations: limiting a data source to locations or regions needs the location registry: set configPath to the cxm YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kept, scope, err := scopeLocations(Settings{Locations: tt.locations, Regions: tt.regions, ConfigPath: "/etc/cxm.yaml"}, tt.reg)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				var ids []string
				for _, l := range kept {
					ids = append(ids, l.ID)
					if scope != nil && !scope(l.ID) {
						t.Errorf("%s kept but out of scope", l.ID)
					}
				}
				got = strings.Join(ids, " ")
				if scope != nil && len(kept) < len(reg) {
					for _, l := range reg {
						if !strings.Contains(" "+got+" ", " "+l.ID+" ") && scope(l.ID) {
							t.Errorf("%s not kept but in scope", l.ID)
						}
					}
				}
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// A data source limited to region central reads only store-a and store-c, whatever the query asks.
func TestDataSourceLimitedToRegion(t *testing.T) {
	env := newTestEnv(t)
	env.insertEvents(t, eventsFixture()...)
	var jd map[string]any
	if err := json.Unmarshal(env.settings.JSONData, &jd); err != nil {
		t.Fatal(err)
	}
	jd["regions"] = "central"
	ds := newDatasource(instanceSettings(t, jd, env.ch.Password))
	t.Cleanup(ds.Dispose)
	from, to := at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z")

	dr := queryDatasource(t, ds, QueryEvents, nil, from, to)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	ids := dr.Frames[0].Fields[len(dr.Frames[0].Fields)-1]
	var got []string
	for i := 0; i < ids.Len(); i++ {
		got = append(got, ids.At(i).(string))
	}
	if want := []string{"b1", "p1", "s3", "s1"}; !equalStrings(got, want) { // s2 is store-b's
		t.Errorf("events %v, want %v", got, want)
	}
	for _, qt := range []string{QueryEvents, QueryMaturity, QueryCurrent} {
		dr = queryDatasource(t, ds, qt, map[string]any{"locations": []string{"store-b"}}, from, to)
		if dr.Error == nil || dr.Error.Error() != `location: this data source may not read "store-b" (its locations/regions setting)` || dr.ErrorSource != backend.ErrorSourceDownstream {
			t.Errorf("%s of store-b: %v (%s)", qt, dr.Error, dr.ErrorSource)
		}
	}
	dr = queryDatasource(t, ds, QueryTimeSeries, map[string]any{"kpis": []string{"nps"}, "locations": []string{"store-b"}}, from, to)
	if dr.Error == nil || !strings.Contains(dr.Error.Error(), "may not read") {
		t.Errorf("timeseries of store-b: %v", dr.Error)
	}
	if infos := ds.locationInfos(""); len(infos) != 2 || infos[0].ID != "store-a" || infos[1].ID != "store-c" {
		t.Errorf("locations resource: %+v", infos)
	}
	if r := ds.regions(); len(r) != 1 || r[0] != "central" {
		t.Errorf("regions resource: %v", r)
	}

	jd["locations"], jd["regions"] = "store-z", ""
	bad := newDatasource(instanceSettings(t, jd, env.ch.Password))
	if err := bad.setup(); err == nil || !strings.Contains(err.Error(), `locations: "store-z" is not in the registry`) {
		t.Errorf("unknown location in the setting: %v", err)
	}
}

// A failing statement's ClickHouse text (here: the missing table, with the database name) stays in the
// server log; the panel gets a classified message.
func TestServerErrorsDoNotLeak(t *testing.T) {
	env := newTestEnv(t)
	if err := env.conn.Exec(context.Background(), "DROP TABLE "+env.ch.Database+".events"); err != nil {
		t.Fatal(err)
	}
	from, to := at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z")
	for _, qt := range []string{QueryEvents, QueryMaturity} {
		dr := queryDatasource(t, env.ds, qt, nil, from, to)
		if dr.Error == nil || dr.Error.Error() != "ClickHouse: the query failed; the Grafana server log has the details" || dr.ErrorSource != backend.ErrorSourceDownstream {
			t.Errorf("%s: %v (%s)", qt, dr.Error, dr.ErrorSource)
		}
	}
}
