package plugin

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/testutil"
)

// -update rewrites the golden frame files in testdata/ from the current answers (review the diff).
var update = flag.Bool("update", false, "rewrite testdata/*.jsonc golden frames")

// testConfig is the cxm YAML the test data sources read: three locations in two regions.
const testConfig = `
locations:
  - {id: store-a, name: "Alpha", latitude: 55.75, longitude: 37.62, region: central, timezone: UTC}
  - {id: store-b, name: "Beta", latitude: 59.93, longitude: 30.34, region: northwest, timezone: UTC}
  - {id: store-c, name: "Gamma", latitude: 55.79, longitude: 37.66, region: central, timezone: UTC}
`

// testEnv is a data source on a fresh migrated database of the real ClickHouse.
type testEnv struct {
	ds       *Datasource
	conn     driver.Conn
	ch       config.ClickHouse
	settings backend.DataSourceInstanceSettings
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	conn, chCfg := testutil.ClickHouse(t)
	path := filepath.Join(t.TempDir(), "cxm.yaml")
	if err := os.WriteFile(path, []byte(testConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	s := instanceSettings(t, map[string]any{
		"address": chCfg.Addr[0], "database": chCfg.Database, "username": chCfg.Username, "configPath": path,
	}, chCfg.Password)
	ds := newDatasource(s)
	if err := ds.setup(); err != nil {
		t.Fatalf("data source setup: %v", err)
	}
	t.Cleanup(ds.Dispose)
	return &testEnv{ds: ds, conn: conn, ch: chCfg, settings: s}
}

func instanceSettings(t *testing.T, jsonData map[string]any, password string) backend.DataSourceInstanceSettings {
	t.Helper()
	b, err := json.Marshal(jsonData)
	if err != nil {
		t.Fatal(err)
	}
	return backend.DataSourceInstanceSettings{
		UID: "cxm-test", Name: "CXM test", JSONData: b,
		DecryptedSecureJSONData: map[string]string{"password": password},
	}
}

func (e *testEnv) insertEvents(t *testing.T, evs ...event.Event) {
	t.Helper()
	rows := make([]clickhouse.EventRow, len(evs))
	for i, ev := range evs {
		rows[i] = clickhouse.EventRow{Event: ev, Received: ev.Time, KafkaOffset: int64(i)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := clickhouse.InsertEvents(ctx, e.conn, e.ch.Database, rows); err != nil {
		t.Fatalf("insert events: %v", err)
	}
}

// query runs one query through QueryData as Grafana sends it.
func (e *testEnv) query(t *testing.T, queryType string, model map[string]any, from, to time.Time) backend.DataResponse {
	t.Helper()
	return queryDatasource(t, e.ds, queryType, model, from, to)
}

func queryDatasource(t *testing.T, h backend.QueryDataHandler, queryType string, model map[string]any, from, to time.Time) backend.DataResponse {
	t.Helper()
	resp, err := h.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{dataQuery(t, queryType, model, from, to)}})
	if err != nil {
		t.Fatalf("QueryData: %v", err)
	}
	return resp.Responses["A"]
}

func dataQuery(t *testing.T, queryType string, model map[string]any, from, to time.Time) backend.DataQuery {
	t.Helper()
	if model == nil {
		model = map[string]any{}
	}
	model["refId"] = "A"
	model["queryType"] = queryType
	b, err := json.Marshal(model)
	if err != nil {
		t.Fatal(err)
	}
	return backend.DataQuery{
		RefID: "A", QueryType: queryType, JSON: b, TimeRange: backend.TimeRange{From: from, To: to},
		Interval: time.Minute, MaxDataPoints: 1000,
	}
}

// golden compares a response with testdata/<name>.jsonc: the whole frames, field config and values.
func golden(t *testing.T, name string, dr backend.DataResponse) {
	t.Helper()
	experimental.CheckGoldenJSONResponse(t, "testdata", name, &dr, *update)
}

func intp(v int) *int { return &v }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func newRequest(qs ...backend.DataQuery) *backend.QueryDataRequest {
	return &backend.QueryDataRequest{Queries: qs}
}
