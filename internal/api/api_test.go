package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/xuri/excelize/v2"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/schemas"
)

const (
	tokAll     = "read-all-secret"
	tokCentral = "read-msk1-secret"
)

type fixture struct {
	t      *testing.T
	mux    *http.ServeMux
	router routers.Router
	doc    *openapi3.T
}

var apiLocations = []config.Location{
	{ID: "msk-1", Name: "Moscow 1", Region: "central", TimeZone: "Europe/Moscow", Latitude: 55.7, Longitude: 37.6},
	{ID: "msk-2", Name: "Moscow 2", Region: "central", TimeZone: "Europe/Moscow", Latitude: 55.8, Longitude: 37.5},
	{ID: "del-1", Name: "Delhi", Region: "south", TimeZone: "Asia/Kolkata", Latitude: 28.6, Longitude: 77.2},
}

// setup builds the API on a fresh database with known rows: every minute row of msk-1 has promoters 2,
// detractors 1, visitors 10, receipts 3; msk-2 promoters 1, passives 1, visitors 5, receipts 1; del-1 none.
func setup(t *testing.T, mutate func(*config.API)) (*fixture, driver.Conn, string) {
	t.Helper()
	conn, chcfg := testutil.ClickHouse(t)
	return setupOn(t, conn, chcfg, mutate)
}

// setupOn is setup on a database the caller migrated (a cluster's).
func setupOn(t *testing.T, conn driver.Conn, chcfg config.ClickHouse, mutate func(*config.API)) (*fixture, driver.Conn, string) {
	t.Helper()
	db := chcfg.Database
	cfg := &config.Config{ClickHouse: chcfg, Locations: apiLocations}
	cfg.KPI.Windows, cfg.KPI.StatusWindow = []string{"15m", "1h", "24h", "7d"}, "1h"
	cfg.API = config.API{
		QueryTimeout: 20 * time.Second, ExportTimeout: time.Minute, MaxPoints: 10000, MaxRows: 1 << 40,
		MaxRange: 40 * 24 * time.Hour, MaxLocations: 100, MaxExportRows: 1000,
		Tokens: []config.APIToken{
			{Name: "all", Hash: HashToken(tokAll), All: true},
			{Name: "msk1", Hash: HashToken(tokCentral), Locations: []string{"msk-1"}},
		},
	}
	if mutate != nil {
		mutate(&cfg.API)
	}
	s := New(cfg, conn, slog.New(slog.NewTextHandler(os.Stderr, nil)), prometheus.NewRegistry())
	mux := http.NewServeMux()
	s.Routes(mux)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(schemas.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI 3 document: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range []string{"application/x-ndjson", "text/csv", xlsxType} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
	return &fixture{t: t, mux: mux, router: router, doc: doc}, conn, db
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// get performs a request and checks the request and the response against the OpenAPI document.
func (f *fixture) get(token, path string) *httptest.ResponseRecorder {
	f.t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080"+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	f.mux.ServeHTTP(rec, req)
	route, params, err := f.router.FindRoute(req)
	if err != nil {
		f.t.Fatalf("%s: no route in openapi.yaml: %v", path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if rec.Code < 400 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			f.t.Errorf("%s: request does not conform to openapi.yaml: %v", path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		f.t.Errorf("%s: response %d does not conform to openapi.yaml: %v\n%s", path, rec.Code, err, truncate(rec.Body.String()))
	}
	return rec
}

func truncate(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

func insertMinutes(t *testing.T, conn driver.Conn, db string, from time.Time, minutes int) {
	rows := make([]testutil.MinuteRow, 0, 2*minutes)
	for i := range minutes {
		m := from.Add(time.Duration(i) * time.Minute)
		rows = append(rows,
			testutil.MinuteRow{Location: "msk-1", Minute: m, C: kpi.Components{Promoters: 2, Detractors: 1, Visitors: 10, Receipts: 3}},
			testutil.MinuteRow{Location: "msk-2", Minute: m, C: kpi.Components{Promoters: 1, Passives: 1, Visitors: 5, Receipts: 1}})
	}
	testutil.InsertMinutes(t, conn, db, rows...)
}

type kpisBody struct {
	From, To string
	Step     *string
	Group    string
	Series   []struct {
		Location, Region, KPI string
		Points                []struct {
			Time      string
			Value     *float64
			N         int64
			Low, High *float64
		}
	}
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", truncate(rec.Body.String()), err)
	}
	return v
}

func TestKPIsEndpoint(t *testing.T) {
	f, conn, db := setup(t, nil)
	// 2026-03-02 18:00Z .. 2026-03-03 06:00Z: 720 minutes across the Moscow day boundary at 21:00Z.
	start := time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC)
	insertMinutes(t, conn, db, start, 720)

	// Totals: msk-1 has 720 minutes of P2 D1 (NPS = 100*(2-1)/3), conversion 3/10.
	rec := f.get(tokAll, "/v1/kpis?kpi=nps&kpi=conversion&location=msk-1&from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z")
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	body := decode[kpisBody](t, rec)
	if body.Step != nil || len(body.Series) != 2 {
		t.Fatalf("got %+v", body)
	}
	p := body.Series[0].Points[0]
	if body.Series[0].KPI != "nps" || p.N != 720*3 || !near(*p.Value, 100.0/3) {
		t.Errorf("nps total %+v, want n %d value %v", p, 720*3, 100.0/3)
	}
	if c := body.Series[1].Points[0]; c.N != 7200 || !near(*c.Value, 30) {
		t.Errorf("conversion total %+v, want n 7200 value 30", c)
	}
	// Seconds, as `date` prints them, are accepted: the range is truncated to whole minutes and the answer
	// says which, with the same figures.
	rec = f.get(tokAll, "/v1/kpis?kpi=nps&kpi=conversion&location=msk-1&from=2026-03-02T00:00:30Z&to=2026-03-04T00:00:59%2B00:00")
	if rec.Code != 200 {
		t.Fatalf("seconds: %d %s", rec.Code, rec.Body)
	}
	if sb := decode[kpisBody](t, rec); sb.From != "2026-03-02T00:00:00Z" || sb.To != "2026-03-04T00:00:00Z" ||
		sb.Series[0].Points[0].N != p.N || *sb.Series[0].Points[0].Value != *p.Value {
		t.Errorf("with seconds: from %s to %s, %+v; want the whole-minute answer %+v", sb.From, sb.To, sb.Series[0].Points[0], p)
	}

	// Daily in Moscow: the day of 2026-03-02 ends at 21:00Z, so 180 minutes fall on it and 540 on the 3rd.
	rec = f.get(tokAll, "/v1/kpis?kpi=visitors&location=msk-1&from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z&step=1d")
	body = decode[kpisBody](t, rec)
	want := []struct {
		time string
		n    int64
	}{{"2026-03-01T21:00:00Z", 180 * 10}, {"2026-03-02T21:00:00Z", 540 * 10}, {"2026-03-03T21:00:00Z", 0}}
	if len(body.Series) != 1 || len(body.Series[0].Points) != len(want) {
		t.Fatalf("daily: %s", rec.Body)
	}
	for i, w := range want {
		got := body.Series[0].Points[i]
		if got.Time != w.time || got.N != w.n || (w.n == 0) != (got.Value == nil) {
			t.Errorf("daily point %d: %+v, want time %s n %d", i, got, w.time, w.n)
		}
	}

	// group=region sums msk-1 and msk-2: P 3 D 1 Pa 1 per minute → NPS 100*(3-1)/5 = 40.
	rec = f.get(tokAll, "/v1/kpis?kpi=nps&region=central&group=region&from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z")
	body = decode[kpisBody](t, rec)
	if len(body.Series) != 1 || body.Series[0].Region != "central" || body.Series[0].Location != "" || !near(*body.Series[0].Points[0].Value, 40) {
		t.Errorf("region aggregate: %s", rec.Body)
	}

	// An empty range: null value, n 0.
	rec = f.get(tokAll, "/v1/kpis?kpi=nps&location=del-1&from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z")
	body = decode[kpisBody](t, rec)
	if p := body.Series[0].Points[0]; p.Value != nil || p.N != 0 || p.Low != nil {
		t.Errorf("empty range: %+v", p)
	}

	// CSV and XLSX hold the same points as the JSON.
	q := "/v1/kpis?kpi=nps&kpi=conversion&kpi=visitors&region=central&from=2026-03-02T12:00:00Z&to=2026-03-03T12:00:00Z&step=6h"
	jsonRows := flatten(decode[kpisBody](t, f.get(tokAll, q)))
	rec = f.get(tokAll, q+"&format=csv")
	csvRows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	compareTable(t, "csv", csvRows, jsonRows)
	rec = f.get(tokAll, q+"&format=xlsx")
	x, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	xlsxRows, err := x.GetRows("kpis", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	// Times are date cells (UTC): their raw value is Excel's serial day number.
	for _, r := range xlsxRows[1:] {
		serial, err := strconv.ParseFloat(r[3], 64)
		if err != nil {
			t.Fatalf("xlsx time %q is not a date cell", r[3])
		}
		d, err := excelize.ExcelDateToTime(serial, false)
		if err != nil {
			t.Fatal(err)
		}
		r[3] = d.Round(time.Second).Format(time.RFC3339)
	}
	compareTable(t, "xlsx", xlsxRows, jsonRows)
}

// flatten turns the JSON answer into the long table the CSV and XLSX must equal.
func flatten(b kpisBody) [][]string {
	out := [][]string{{"location", "region", "kpi", "time", "value", "n", "low", "high"}}
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	for _, s := range b.Series {
		for _, p := range s.Points {
			out = append(out, []string{s.Location, s.Region, s.KPI, p.Time, f(p.Value), strconv.FormatInt(p.N, 10), f(p.Low), f(p.High)})
		}
	}
	return out
}

func compareTable(t *testing.T, format string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) || len(want) < 2 {
		t.Fatalf("%s: %d rows, want %d", format, len(got), len(want))
	}
	for i := range want {
		for j := range want[i] {
			g := ""
			if j < len(got[i]) {
				g = got[i][j]
			}
			if g == want[i][j] {
				continue
			}
			// Numbers compare by value: a spreadsheet may spell a float differently.
			gf, e1 := strconv.ParseFloat(g, 64)
			wf, e2 := strconv.ParseFloat(want[i][j], 64)
			if e1 != nil || e2 != nil || !near(gf, wf) {
				t.Errorf("%s row %d col %s: %q, want %q", format, i, want[0][j], g, want[i][j])
			}
		}
	}
}

func near(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

func TestAuthScopingAndErrors(t *testing.T) {
	f, conn, db := setup(t, nil)
	insertMinutes(t, conn, db, time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC), 60)
	rng := "&from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z"
	for _, tc := range []struct {
		name, token, path string
		code              int
		param             string
	}{
		{"no token", "", "/v1/kpis?kpi=nps" + rng, 401, "authorization"},
		{"write-style unknown token", "nope", "/v1/kpis?kpi=nps" + rng, 401, "authorization"},
		{"location outside scope", tokCentral, "/v1/kpis?kpi=nps&location=msk-2" + rng, 403, "location"},
		{"region with no allowed location", tokCentral, "/v1/kpis?kpi=nps&region=south" + rng, 403, "location"},
		{"unknown KPI", tokAll, "/v1/kpis?kpi=happiness" + rng, 400, "kpi"},
		{"missing from", tokAll, "/v1/kpis?kpi=nps&to=2026-03-04T00:00:00Z", 400, "from"},
		{"bad time", tokAll, "/v1/kpis?kpi=nps&from=yesterday&to=2026-03-04T00:00:00Z", 400, "from"},
		{"from in year 1", tokAll, "/v1/kpis?kpi=nps&from=0001-01-01T00:00:00Z&to=2026-03-04T00:00:00Z", 400, "from"},
		{"bad relative time", tokAll, "/v1/kpis?kpi=nps&from=now-3y&to=now", 400, "from"},
		{"to before from", tokAll, "/v1/kpis?kpi=nps&from=2026-03-04T00:00:00Z&to=2026-03-02T00:00:00Z", 400, "to"},
		{"bad step", tokAll, "/v1/kpis?kpi=nps&step=25h" + rng, 400, "step"},
		{"unknown location", tokAll, "/v1/kpis?kpi=nps&location=mars" + rng, 400, "location"},
		{"unknown parameter", tokAll, "/v1/kpis?kpi=nps&locations=msk-1" + rng, 400, "locations"},
		{"bad group", tokAll, "/v1/kpis?kpi=nps&group=city" + rng, 400, "group"},
		{"too many points", tokAll, "/v1/kpis?kpi=nps&kpi=csat&step=1m" + rng, 400, "step"},
		{"range too long", tokAll, "/v1/kpis?kpi=nps&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", 400, "to"},
		{"aggregated days over zones", tokAll, "/v1/kpis?kpi=nps&group=all&step=1d" + rng, 400, "tz"},
		{"bad format", tokAll, "/v1/kpis?kpi=nps&format=pdf" + rng, 400, "format"},
		{"events outside scope", tokCentral, "/v1/events?location=msk-2" + rng, 403, "location"},
		{"events bad type", tokAll, "/v1/events?type=smoke" + rng, 400, "type"},
		{"status outside scope", tokCentral, "/v1/status?location=del-1", 403, "location"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := f.get(tc.token, tc.path)
			if rec.Code != tc.code {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.code, rec.Body)
			}
			e := decode[apiError](t, rec)
			if e.Param != tc.param || e.Reason == "" {
				t.Errorf("error %+v, want param %q and a reason", e, tc.param)
			}
		})
	}

	// A token scoped to msk-1 asking for everything gets msk-1 only.
	body := decode[kpisBody](t, f.get(tokCentral, "/v1/kpis?kpi=nps"+rng))
	if len(body.Series) != 1 || body.Series[0].Location != "msk-1" {
		t.Errorf("scoped all-locations query answered %+v", body.Series)
	}
	// ... and its region aggregate sums msk-1 alone (NPS 100*(2-1)/3), not msk-2.
	body = decode[kpisBody](t, f.get(tokCentral, "/v1/kpis?kpi=nps&region=central&group=region"+rng))
	if p := body.Series[0].Points[0]; p.N != 60*3 || !near(*p.Value, 100.0/3) {
		t.Errorf("scoped region aggregate %+v, want msk-1 only", p)
	}
	// Locations lists only what the token may read.
	locs := decode[struct{ Locations []locationJSON }](t, f.get(tokCentral, "/v1/locations"))
	if len(locs.Locations) != 1 || locs.Locations[0].ID != "msk-1" {
		t.Errorf("locations for the msk-1 token: %+v", locs)
	}
}

func TestLimitsFromConfig(t *testing.T) {
	f, conn, db := setup(t, func(a *config.API) { a.MaxRows = 10; a.MaxExportRows = 5 })
	insertMinutes(t, conn, db, time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC), 60)
	rec := f.get(tokAll, "/v1/kpis?kpi=nps&location=msk-1&from=2026-03-02T18:07:00Z&to=2026-03-02T18:50:00Z")
	e := decode[apiError](t, rec)
	if rec.Code != 400 || e.Limit != "api.max_rows" {
		t.Errorf("max_rows: %d %+v", rec.Code, e)
	}
	insertEvents(t, conn, db, 8)
	rec = f.get(tokAll, "/v1/events?location=msk-1&from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z")
	e = decode[apiError](t, rec)
	if rec.Code != 400 || e.Limit != "api.max_export_rows" {
		t.Errorf("max_export_rows: %d %+v", rec.Code, e)
	}
}

// insertEvents writes n survey events for msk-1, one a minute from 2026-03-02T20:00Z, with nps = i % 11
// and csat missing on odd rows.
func insertEvents(t *testing.T, conn driver.Conn, db string, n int) {
	must(t, conn.Exec(context.Background(), fmt.Sprintf(`INSERT INTO %s.events (id, type, location, device, time, survey, nps, csat, comment, amount_cents, received, ext)
SELECT concat('ev-', toString(number)), 'survey', 'msk-1', 'qr', toDateTime('2026-03-02 20:00:00', 'UTC') + number * 60, 'default',
  toUInt8(number %% 11), if(number %% 2 = 0, toUInt8(4), NULL), concat('comment, "quoted" ', toString(number)),
  toInt64(number * 1001), toDateTime('2026-03-02 20:00:00', 'UTC') + number * 60 + 1, '{"k":1}'
FROM numbers(%d)`, clickhouse.Ident(db), n)))
}

func TestEventsExport(t *testing.T) {
	f, conn, db := setup(t, nil)
	insertEvents(t, conn, db, 25)
	q := "/v1/events?location=msk-1&from=2026-03-02T20:05:00Z&to=2026-03-02T20:15:00Z"
	rec := f.get(tokAll, q)
	if rec.Code != 200 || rec.Header().Get("X-CXM-Event-Count") != "10" {
		t.Fatalf("%d count %q: %s", rec.Code, rec.Header().Get("X-CXM-Event-Count"), rec.Body)
	}
	schema := f.doc.Components.Schemas["Event"].Value
	var lines []map[string]any
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		if err := schema.VisitJSON(v); err != nil {
			t.Errorf("ndjson line does not conform to Event: %v", err)
		}
		lines = append(lines, v)
	}
	if len(lines) != 10 {
		t.Fatalf("%d lines, want 10", len(lines))
	}
	for i, l := range lines {
		k := i + 5
		if l["id"] != fmt.Sprintf("ev-%d", k) || l["nps"] != float64(k%11) || l["amount_cents"] != float64(k*1001) {
			t.Errorf("line %d: %v", i, l)
		}
		if (k%2 == 0) != (l["csat"] != nil) {
			t.Errorf("line %d csat %v", i, l["csat"])
		}
	}
	// CSV and XLSX: the same rows, column by column.
	rec = f.get(tokAll, q+"&format=csv")
	csvRows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rec = f.get(tokAll, q+"&format=xlsx")
	x, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	xRows, err := x.GetRows("events", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for name, rows := range map[string][][]string{"csv": csvRows, "xlsx": xRows} {
		if len(rows) != 11 || strings.Join(rows[0], ",") != strings.Join(eventHeader(), ",") {
			t.Fatalf("%s: %d rows, header %v", name, len(rows), rows[0])
		}
		for i, l := range lines {
			r := rows[i+1]
			col := func(c string) string {
				for j, h := range rows[0] {
					if h == c && j < len(r) {
						return r[j]
					}
				}
				return ""
			}
			wantCSAT := ""
			if l["csat"] != nil {
				wantCSAT = "4"
			}
			tm := col("time")
			if name == "xlsx" { // a date cell: its serial number, in UTC
				serial, _ := strconv.ParseFloat(tm, 64)
				d, err := excelize.ExcelDateToTime(serial, false)
				if err != nil {
					t.Fatalf("xlsx time %q: %v", tm, err)
				}
				tm = d.Round(time.Second).Format(time.RFC3339)
			}
			// A survey's row leaves the fields of other types empty (the NDJSON keeps the contract's zeros).
			if col("id") != l["id"] || col("nps") != fmt.Sprint(l["nps"]) || col("csat") != wantCSAT ||
				col("amount_cents") != "" || col("in") != "" || col("refund") != "" || col("repeat") != "" ||
				col("q1") != "" || col("comment") != l["comment"] || tm != l["time"] {
				t.Errorf("%s row %d: %v, want %v", name, i, r, l)
			}
		}
	}
}

func eventHeader() []string {
	h := []string{"id", "type", "location", "device", "time", "kind", "value", "scale", "subject", "in", "out",
		"receipt", "amount_cents", "items", "currency", "seller", "refund", "survey", "nps", "csat", "ces", "comment"}
	for i := 1; i <= 11; i++ {
		h = append(h, "q"+strconv.Itoa(i))
	}
	return append(h, "ext", "repeat", "received", "misuse", "answers")
}

func TestStatusAndLocations(t *testing.T) {
	f, conn, db := setup(t, nil)
	ctx := context.Background()
	// Two evaluations of msk-1 nps: the later (red) is current. msk-2 is green. del-1 has none (grey).
	must(t, conn.Exec(ctx, "INSERT INTO "+clickhouse.Ident(db)+`.kpi_status SELECT 'msk-1', 'nps', '1h', toDateTime('2026-03-02 10:00:00', 'UTC'), 40, 50, 30, 50, 'green', toDateTime('2026-03-02 09:00:00', 'UTC'), 20, 0, 'higher' FROM numbers(1)`))
	must(t, conn.Exec(ctx, "INSERT INTO "+clickhouse.Ident(db)+`.kpi_status SELECT 'msk-1', 'nps', '1h', toDateTime('2026-03-02 11:00:00', 'UTC'), -5, 60, -15, 5, 'red', toDateTime('2026-03-02 11:00:00', 'UTC'), 20, 0, 'higher' FROM numbers(1)`))
	must(t, conn.Exec(ctx, "INSERT INTO "+clickhouse.Ident(db)+`.kpi_status SELECT 'msk-2', 'conversion', '1h', toDateTime('2026-03-02 11:00:00', 'UTC'), 25, 100, 20, 30, 'green', toDateTime('2026-03-01 11:00:00', 'UTC'), 15, 10, 'higher' FROM numbers(1)`))
	rec := f.get(tokAll, "/v1/status?location=msk-1")
	st := decode[struct{ Statuses []statusJSON }](t, rec)
	if len(st.Statuses) != 1 || st.Statuses[0].Status != "red" || *st.Statuses[0].Value != -5 || st.Statuses[0].N != 60 ||
		!st.Statuses[0].Since.Equal(time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC)) || *st.Statuses[0].Thresholds.Yellow != 20 {
		t.Errorf("status: %s", rec.Body)
	}
	locs := decode[struct{ Locations []locationJSON }](t, f.get(tokAll, "/v1/locations"))
	want := map[string]string{"msk-1": "red", "msk-2": "green", "del-1": "grey"}
	if len(locs.Locations) != 3 {
		t.Fatalf("locations %+v", locs)
	}
	for _, l := range locs.Locations {
		if want[l.ID] != l.Status || l.Window != "1h" {
			t.Errorf("%s: status %s over %q, want %s over the status window 1h", l.ID, l.Status, l.Window, want[l.ID])
		}
	}

	// A red over a shorter window paints the location red only when that window is asked for: the flag is
	// judged over one window, like the console's map and the plugin's geo query.
	must(t, conn.Exec(ctx, "INSERT INTO "+clickhouse.Ident(db)+`.kpi_status SELECT 'msk-2', 'conversion', '15m', toDateTime('2026-03-02 11:00:00', 'UTC'), 5, 40, 2, 9, 'red', toDateTime('2026-03-02 10:50:00', 'UTC'), 15, 10, 'higher' FROM numbers(1)`))
	for _, c := range []struct {
		query string
		want  map[string]string
	}{
		{"", map[string]string{"msk-1": "red", "msk-2": "green", "del-1": "grey"}},
		{"?window=1h", map[string]string{"msk-1": "red", "msk-2": "green", "del-1": "grey"}},
		{"?window=60m", map[string]string{"msk-1": "red", "msk-2": "green", "del-1": "grey"}},
		{"?window=15m", map[string]string{"msk-1": "grey", "msk-2": "red", "del-1": "grey"}},
	} {
		locs := decode[struct{ Locations []locationJSON }](t, f.get(tokAll, "/v1/locations"+c.query))
		for _, l := range locs.Locations {
			if c.want[l.ID] != l.Status {
				t.Errorf("/v1/locations%s: %s is %s, want %s", c.query, l.ID, l.Status, c.want[l.ID])
			}
		}
	}
	rec = f.get(tokAll, "/v1/locations?window=2h")
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"window"`) {
		t.Errorf("window=2h: %d %s, want 400 naming the window parameter", rec.Code, rec.Body)
	}
}
