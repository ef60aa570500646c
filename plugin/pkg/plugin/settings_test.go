package plugin

import (
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func TestParseSettings(t *testing.T) {
	tests := []struct {
		name     string
		json     string
		password string
		want     Settings
		wantErr  string
	}{
		{"defaults", `{"address":"ch:9000"}`, "", Settings{Address: "ch:9000", Database: "cxm", Username: "default"}, ""},
		{"everything", `{"address":"a:9440, b:9440","database":"cxm_prod","username":"grafana","tls":true,"configPath":"/etc/cxm/cxm.yaml"}`, "s3cret",
			Settings{Address: "a:9440, b:9440", Database: "cxm_prod", Username: "grafana", TLS: true, ConfigPath: "/etc/cxm/cxm.yaml", Password: "s3cret"}, ""},
		{"no address", `{}`, "", Settings{}, "address: set the host:port of ClickHouse's native protocol, e.g. 127.0.0.1:9000"},
		{"no port", `{"address":"clickhouse"}`, "", Settings{}, `address: "clickhouse" must be host:port`},
		{"bad database", `{"address":"ch:9000","database":"cxm-prod"}`, "", Settings{}, `database: clickhouse.database: "cxm-prod" must match [A-Za-z_][A-Za-z0-9_]*`},
		{"bad JSON", `{"address":9000}`, "", Settings{}, "jsonData: json: cannot unmarshal number into Go struct field Settings.address of type string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSettings(backend.DataSourceInstanceSettings{JSONData: []byte(tt.json), DecryptedSecureJSONData: map[string]string{"password": tt.password}})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	t.Run("addresses split for the connection", func(t *testing.T) {
		s, _ := ParseSettings(backend.DataSourceInstanceSettings{JSONData: []byte(`{"address":"a:9440, b:9440"}`)})
		if got := s.ClickHouse().Addr; len(got) != 2 || got[0] != "a:9440" || got[1] != "b:9440" {
			t.Errorf("Addr = %q", got)
		}
	})
}

func TestQueryDataAnswersEachQueryOnItsOwn(t *testing.T) {
	env := newTestEnv(t)
	env.insertEvents(t, eventsFixture()...)
	from, to := at("2026-11-23T10:00:00Z"), at("2026-11-23T11:00:00Z")
	good := dataQuery(t, QueryEvents, map[string]any{"eventTypes": []string{"pos"}}, from, to)
	bad := dataQuery(t, QueryTimeSeries, map[string]any{"kpis": []string{"happiness"}}, from, to)
	bad.RefID = "B"
	resp, err := env.ds.QueryData(t.Context(), newRequest(good, bad))
	if err != nil {
		t.Fatal(err)
	}
	if a := resp.Responses["A"]; a.Error != nil || a.Frames[0].Rows() != 1 {
		t.Errorf("A: error %v, frames %v", a.Error, a.Frames)
	}
	b := resp.Responses["B"]
	want := `kpis: unknown KPI "happiness": must be one of nps, csat, ces, smile_index, like_index, visitors, receipts, revenue, conversion, consultations, coverage, avg_receipt, items_per_receipt, ` +
		`cases_opened, cases_open, cases_overdue, case_first_action_hours, case_resolution_hours, cases_resolved_in_sla`
	if b.Error == nil || b.Error.Error() != want || b.ErrorSource != backend.ErrorSourceDownstream {
		t.Errorf("B: %v (%s), want %q downstream", b.Error, b.ErrorSource, want)
	}
}
