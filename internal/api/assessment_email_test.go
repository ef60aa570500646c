package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/testutil"
)

// Every way POST /v1/assessments/{id}/email answers without sending, on real rows (the sending itself is
// tested against a real SMTP server in internal/console and through the console in Chromium).
func TestAssessmentEmailRefusals(t *testing.T) {
	conn, chcfg := testutil.ClickHouse(t)
	for _, a := range []struct{ id, loc, ext, q string }{
		{"a-1", "msk-1", `{"name":"Ada","email":"ada@example.org","lang":"en","consent":true}`, "3, 3, 3, 3, 2, 2, 2, 2, 4, 1, 1"},
		{"a-2", "msk-1", `{"email":"kept@example.org","consent":false}`, "1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1"},
		{"a-3", "msk-2", `{"email":"bob@example.org","consent":true}`, "4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4"},
		{"partial", "msk-1", `{}`, "4, 4, 0, 4, 4, 4, 4, 4, 4, 4, 4"}, // an unanswered question: not an assessment
	} {
		must(t, conn.Exec(context.Background(), fmt.Sprintf(`INSERT INTO %s.events (id, type, location, device, time, survey, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, ext, received)
SELECT '%s', 'survey', '%s', 'web', toDateTime('2026-03-02 10:00:00', 'UTC'), 'cx-maturity', %s, '%s', toDateTime('2026-03-02 10:00:00', 'UTC') FROM numbers(1)`,
			clickhouse.Ident(chcfg.Database), a.id, a.loc, a.q, a.ext)))
	}
	server := func(smtp config.SMTP) *http.ServeMux {
		cfg := &config.Config{ClickHouse: chcfg, Locations: apiLocations, Console: config.Console{SMTP: smtp}}
		cfg.API = config.API{QueryTimeout: 20 * time.Second, ExportTimeout: time.Minute, MaxPoints: 10000, MaxRows: 1 << 40,
			MaxRange: 40 * 24 * time.Hour, MaxLocations: 100, MaxExportRows: 1000,
			Tokens: []config.APIToken{{Name: "all", Hash: HashToken(tokAll), All: true}, {Name: "msk1", Hash: HashToken(tokCentral), Locations: []string{"msk-1"}}}}
		mux := http.NewServeMux()
		New(cfg, conn, slog.New(slog.DiscardHandler), prometheus.NewRegistry()).Routes(mux)
		return mux
	}
	do := func(mux *http.ServeMux, method, token, path string) (int, map[string]any) {
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		var body map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		return rec.Code, body
	}

	off := server(config.SMTP{})
	down := server(config.SMTP{Addr: "127.0.0.1:1", From: "cxm@example.org", Timeout: 5 * time.Second})
	for _, tc := range []struct {
		name      string
		mux       *http.ServeMux
		token, id string
		code      int
		param     string
	}{
		{"e-mail off", off, tokAll, "a-1", http.StatusConflict, "console.smtp.addr"},
		{"mail server down", down, tokAll, "a-1", http.StatusBadGateway, "console.smtp"},
		{"no consent, no address", down, tokAll, "a-2", http.StatusConflict, "email"},
		{"other store's assessment", down, tokCentral, "a-3", http.StatusNotFound, "id"},
		{"incomplete answers", down, tokAll, "partial", http.StatusNotFound, "id"},
		{"unknown", down, tokAll, "nope", http.StatusNotFound, "id"},
		{"no token", down, "wrong", "a-1", http.StatusUnauthorized, "authorization"},
	} {
		code, body := do(tc.mux, http.MethodPost, tc.token, "/v1/assessments/"+tc.id+"/email")
		if code != tc.code || body["param"] != tc.param {
			t.Errorf("%s: %d %v, want %d naming %s", tc.name, code, body, tc.code, tc.param)
		}
	}
}
