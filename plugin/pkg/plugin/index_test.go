package plugin

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/survey"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor/buckets"
)

const indexConfig = testConfig + `
surveys:
  - id: visit
    title: {en: Visit}
    questions:
      - {id: sat, type: rating, max: 5, text: {en: "Satisfied?"}}
indices:
  - {name: visit_top2, title: {en: "Visit top-2", ru: "Визит топ-2"}, type: top_box, survey: visit, questions: [sat]}
`

// TestConfiguredIndex: an index of the configuration's indices: is a KPI of the plugin — listed with its
// title and unit, and its time series over a region is computed from the summed survey components of its
// locations (store-a 2 of 3 top answers, store-c 0 of 1: 50 %, not the mean of 66.7 and 0).
func TestConfiguredIndex(t *testing.T) {
	t.Cleanup(func() { _ = survey.Install(nil) })
	conn, chCfg := testutil.ClickHouse(t)
	path := filepath.Join(t.TempDir(), "cxm.yaml")
	if err := os.WriteFile(path, []byte(indexConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	ds := newDatasource(instanceSettings(t, map[string]any{
		"address": chCfg.Addr[0], "database": chCfg.Database, "username": chCfg.Username, "configPath": path,
	}, chCfg.Password))
	if err := ds.setup(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ds.Dispose)

	r := callResource(t, ds, "GET", "kpis", "kpis")
	var infos []KPIInfo
	if err := json.Unmarshal(r.Body, &infos); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(infos, KPIInfo{Name: "visit_top2", Title: "Visit top-2", Unit: "percent"}) {
		t.Errorf("kpis resource %s lacks the configured index", r.Body)
	}

	from := at("2026-11-23T10:00:00Z")
	m := from.Unix()
	row := func(loc string, v int32, n int64) buckets.SurveyRow {
		return buckets.SurveyRow{Key: buckets.SurveyKey{Location: loc, Minute: m, SurveyKey: kpi.SurveyKey{Survey: "visit", Item: "sat", Value: v}}, Sums: kpi.Sums{N: n}}
	}
	if err := buckets.InsertSurveyRows(context.Background(), conn, chCfg.Database, []buckets.SurveyRow{
		row("store-a", 5, 1), row("store-a", 4, 1), row("store-a", 2, 1), row("store-c", 1, 1), row("store-b", 5, 7),
	}); err != nil {
		t.Fatal(err)
	}
	dr := queryDatasource(t, ds, QueryTimeSeries, map[string]any{"kpis": []string{"visit_top2"}, "region": "central", "group": "region"}, from, from.Add(2*60e9))
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	_, values, _ := seriesValues(t, dr.Frames)
	if len(values) != 1 || len(values[0]) != 2 || values[0][0] == nil || *values[0][0] != 50 || values[0][1] != nil {
		t.Errorf("central visit_top2 = %v, want [50 nil]", values)
	}
}
