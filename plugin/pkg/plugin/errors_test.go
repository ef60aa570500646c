package plugin

import (
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func TestEngineAndServerErrorsAreDownstream(t *testing.T) {
	env := newTestEnv(t)
	kpiFixture(t, env)
	from, to := at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z")
	down := newDatasource(instanceSettings(t, map[string]any{"address": "127.0.0.1:1", "configPath": env.ds.settings.ConfigPath}, ""))
	t.Cleanup(down.Dispose)
	tests := []struct {
		name   string
		ds     *Datasource
		qt     string
		model  map[string]any
		prefix string
	}{
		{"unknown location", env.ds, QueryTimeSeries, map[string]any{"kpis": []string{"nps"}, "locations": []string{"store-z"}}, `location: unknown location "store-z"`},
		{"unknown location in current", env.ds, QueryCurrent, map[string]any{"locations": []string{"store-z"}}, `location: unknown location "store-z"`},
		{"bad group", env.ds, QueryTimeSeries, map[string]any{"group": "city"}, `group: must be location, region or all, not "city"`},
		{"ClickHouse down", down, QueryCurrent, nil, "ClickHouse at 127.0.0.1:1 is unreachable (check address and TLS): "},
		{"ClickHouse down for events", down, QueryEvents, nil, "ClickHouse at 127.0.0.1:1 is unreachable (check address and TLS): "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dr := queryDatasource(t, tt.ds, tt.qt, tt.model, from, to)
			if dr.Error == nil || !strings.HasPrefix(dr.Error.Error(), tt.prefix) {
				t.Fatalf("error = %v, want prefix %q", dr.Error, tt.prefix)
			}
			if dr.ErrorSource != backend.ErrorSourceDownstream {
				t.Errorf("error source = %q, want downstream", dr.ErrorSource)
			}
		})
	}
}
