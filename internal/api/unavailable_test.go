package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/schemas"
)

// TestClickHouseDown: while ClickHouse cannot be reached (the API talks to the shared server through a TCP
// proxy of this test, which is closed), every read endpoint answers 503 with Retry-After, like the ingest
// does while Kafka is down, and answers again once it is back.
func TestClickHouseDown(t *testing.T) {
	_, chcfg := testutil.ClickHouse(t)
	px := testutil.NewProxy(t, chcfg.Addr[0])
	viaProxy := chcfg
	viaProxy.Addr = []string{px.Addr}
	viaProxy.DialTimeout = time.Second
	ctx := context.Background()
	conn, err := clickhouse.Open(ctx, viaProxy)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cfg := &config.Config{ClickHouse: viaProxy, Locations: apiLocations}
	cfg.API = config.API{
		QueryTimeout: 20 * time.Second, ExportTimeout: time.Minute, MaxPoints: 10000, MaxRows: 1 << 40,
		MaxRange: 40 * 24 * time.Hour, MaxLocations: 100, MaxExportRows: 1000, RetryAfter: 7 * time.Second,
		Tokens: []config.APIToken{{Name: "all", Hash: HashToken(tokAll), All: true}},
	}
	mux := http.NewServeMux()
	New(cfg, conn, slog.New(slog.DiscardHandler), nil).Routes(mux)
	paths := []string{
		"/v1/kpis?kpi=nps&from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z",
		"/v1/status",
		"/v1/locations",
		"/v1/events?from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z",
	}
	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+tokAll)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec
	}
	for _, p := range paths {
		if rec := get(p); rec.Code != 200 {
			t.Fatalf("%s while up: %d %s", p, rec.Code, rec.Body)
		}
	}
	px.Down()
	for _, p := range paths {
		rec := get(p)
		var e apiError
		_ = json.NewDecoder(rec.Body).Decode(&e)
		if rec.Code != 503 || rec.Header().Get("Retry-After") != "7" || e.Reason == "" {
			t.Errorf("%s while down: %d Retry-After %q %+v, want 503 with Retry-After 7", p, rec.Code, rec.Header().Get("Retry-After"), e)
		}
	}
	px.Up(t)
	for _, p := range paths {
		deadline := time.Now().Add(30 * time.Second)
		for rec := get(p); rec.Code != 200; rec = get(p) {
			if time.Now().After(deadline) {
				t.Fatalf("%s after ClickHouse is back: %d %s", p, rec.Code, rec.Body)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	// The contract says so too.
	doc, err := openapi3.NewLoader().LoadFromData(schemas.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/v1/kpis", "/v1/status", "/v1/locations", "/v1/events"} {
		if op := doc.Paths.Find(p).Get; op.Responses.Status(503) == nil {
			t.Errorf("openapi.yaml: %s has no 503 response", p)
		}
	}
}
