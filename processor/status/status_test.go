package status_test

import (
	"context"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/query"
	"github.com/cxm-project/cxm/internal/testutil"
	"github.com/cxm-project/cxm/processor/status"
)

// countingConn is the real connection, counting the SELECTs that go through it, to prove the evaluator
// reads each window with one statement for all locations rather than one per location.
type countingConn struct {
	driver.Conn
	queries atomic.Int64
}

func (c *countingConn) Query(ctx context.Context, q string, args ...any) (driver.Rows, error) {
	c.queries.Add(1)
	return c.Conn.Query(ctx, q, args...)
}

// env is a fresh migrated database with four locations: store-001 and store-002 in region north (which has
// an NPS override), store-002 with a location override on top, store-003 in south (global thresholds) and
// store-004, which stays silent.
type env struct {
	conn *countingConn
	cfg  *config.Config
}

func newEnv(t *testing.T) *env {
	t.Helper()
	conn, chcfg := testutil.ClickHouse(t)
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ClickHouse = chcfg
	cfg.Locations = []config.Location{
		{ID: "store-001", Name: "A", Region: "north", TimeZone: "Europe/Moscow"},
		{ID: "store-002", Name: "B", Region: "north", TimeZone: "Europe/Moscow"},
		{ID: "store-003", Name: "C", Region: "south", TimeZone: "Europe/Moscow"},
		{ID: "store-004", Name: "D", Region: "south", TimeZone: "Europe/Moscow"},
	}
	cfg.KPI.Windows = []string{"15m", "1h"}
	cfg.KPI.StatusWindow = "1h"
	f := func(x float64) *float64 { return &x }
	n := func(x int64) *int64 { return &x }
	cfg.KPI.Overrides = []config.ThresholdOverride{
		{Region: "north", KPI: "nps", ThresholdConfig: config.ThresholdConfig{Yellow: f(40), Red: f(10)}},
		{Location: "store-002", KPI: "nps", ThresholdConfig: config.ThresholdConfig{Red: f(20), MinN: n(5)}},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return &env{conn: &countingConn{Conn: conn}, cfg: cfg}
}

type minute struct {
	location                                        string
	at                                              time.Time
	promoters, passives, detractors, visitors, recs int64
}

func (e *env) insert(t *testing.T, rows ...minute) {
	t.Helper()
	out := make([]testutil.MinuteRow, len(rows))
	for i, r := range rows {
		out[i] = testutil.MinuteRow{Location: r.location, Minute: r.at, C: kpi.Components{
			Promoters: r.promoters, Passives: r.passives, Detractors: r.detractors, Visitors: r.visitors, Receipts: r.recs}}
	}
	testutil.InsertMinutes(t, e.conn.Conn, e.cfg.ClickHouse.Database, out...)
}

// statuses reads kpi_status with the query engine's own reader, which proves the table is what it reads.
func (e *env) statuses(t *testing.T) map[[3]string]query.Status {
	t.Helper()
	eng := query.New(e.conn.Conn, e.cfg.ClickHouse.Database, e.cfg.Locations, query.Limits{})
	sts, err := eng.Statuses(context.Background(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[[3]string]query.Status{}
	for _, s := range sts {
		out[[3]string{s.Location, s.KPI, s.Window}] = s
	}
	return out
}

func at(hm string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", "2026-03-02 "+hm)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr(x float64) *float64 { return &x }

// want is the expected kpi_status row of one location, KPI and window.
type want struct {
	loc, kpi, window string
	value            *float64 // nil: undefined
	n                int64
	status           string
	since            string // hh:mm
	yellow, red      *float64
	direction        string
}

func checkStatuses(t *testing.T, got map[[3]string]query.Status, evaluatedAt time.Time, wants []want) {
	t.Helper()
	for _, w := range wants {
		s, ok := got[[3]string{w.loc, w.kpi, w.window}]
		if !ok {
			t.Errorf("%s %s %s: no kpi_status row", w.loc, w.kpi, w.window)
			continue
		}
		name := w.loc + " " + w.kpi + " " + w.window
		if !s.EvaluatedAt.Equal(evaluatedAt) {
			t.Errorf("%s: evaluated_at %s, want %s", name, s.EvaluatedAt, evaluatedAt)
		}
		if !sameFloat(s.Value, w.value) || s.N != w.n || s.Status.String() != w.status || !s.Since.Equal(at(w.since)) ||
			!sameFloat(s.Yellow, w.yellow) || !sameFloat(s.Red, w.red) || s.Direction.String() != w.direction {
			t.Errorf("%s: got value %s n %d %s since %s thresholds %s/%s %s\nwant value %s n %d %s since %s thresholds %s/%s %s",
				name, fstr(s.Value), s.N, s.Status, s.Since.Format("15:04"), fstr(s.Yellow), fstr(s.Red), s.Direction,
				fstr(w.value), w.n, w.status, w.since, fstr(w.yellow), fstr(w.red), w.direction)
		}
	}
}

func sameFloat(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) < 1e-9
}

func fstr(p *float64) string {
	if p == nil {
		return "NULL"
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}

// gauge returns the value of the series name{labels} in reg; ok is false when there is no such series.
func gauge(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, lp := range m.GetLabel() {
				have[lp.GetName()] = lp.GetValue()
			}
			if len(have) != len(labels) {
				continue
			}
			for k, v := range labels {
				if have[k] != v {
					continue metric
				}
			}
			return value(m), true
		}
	}
	return 0, false
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return math.NaN()
}

func count(t *testing.T, reg prometheus.Gatherer, name string) int {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return len(mf.GetMetric())
		}
	}
	return 0
}

func lbl(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func (e *env) scalar(t *testing.T, sql string, args ...any) uint64 {
	t.Helper()
	var n uint64
	if err := e.conn.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestEvaluate(t *testing.T) {
	e := newEnv(t)
	db := clickhouse.Ident(e.cfg.ClickHouse.Database)
	// Figures computed by hand:
	// store-001: 09:50 20 detractors, 100 visitors, 10 receipts; 10:20 20 promoters, 10 passives, 10
	//   detractors, 50 visitors, 5 receipts.
	//   1h [09:30, 10:30): NPS (20-30)/60 = -16.67 < red 10 (north) -> red; conversion 15/150 = 10 %, n 150,
	//   exactly red 10 -> yellow (a limit is the better side); visitors 150, no threshold -> none.
	//   15m [10:15, 10:30): NPS (20-10)/40 = 25, n 40: between 10 and 40 -> yellow; conversion 5/50 = 10 %,
	//   n 50 < min_n 100 -> grey.
	// store-002: 10:25 3 promoters, 1 passive, 2 detractors: NPS 1/6 = 16.67, n 6. Its thresholds are yellow
	//   40 (region), red 20 and min_n 5 (location) -> red. Region alone would say yellow, global grey.
	// store-003: 10:10 35 promoters: 1h NPS 100, n 35 -> green (global 30/0); 15m: nothing -> grey.
	// store-004: silent -> grey (none for KPIs without threshold), n 0, no value.
	e.insert(t,
		minute{"store-001", at("09:50"), 0, 0, 20, 100, 10},
		minute{"store-001", at("10:20"), 20, 10, 10, 50, 5},
		minute{"store-002", at("10:25"), 3, 1, 2, 0, 0},
		minute{"store-003", at("10:10"), 35, 0, 0, 0, 0},
	)
	reg := prometheus.NewRegistry()
	ev := status.New(e.cfg, e.conn, nil, reg)
	ctx := context.Background()

	before := e.conn.queries.Load()
	if err := ev.EvaluateAt(ctx, at("10:30").Add(17*time.Second)); err != nil { // truncated to 10:30
		t.Fatal(err)
	}
	// One statement restores since from kpi_status, one per window computes every KPI of all 4 locations,
	// and one the case KPIs over their own window (cases.status_window).
	if q := e.conn.queries.Load() - before; q != 4 {
		t.Errorf("first evaluation issued %d SELECTs, want 4 (restore + one per window + the cases' window, not per location)", q)
	}

	const h = "higher"
	first := []want{
		{"store-001", "nps", "1h", ptr(-100.0 / 6), 60, "red", "10:30", ptr(40), ptr(10), h},
		{"store-001", "nps", "15m", ptr(25), 40, "yellow", "10:30", ptr(40), ptr(10), h},
		{"store-001", "conversion", "1h", ptr(10), 150, "yellow", "10:30", ptr(15), ptr(10), h},
		{"store-001", "conversion", "15m", ptr(10), 50, "grey", "10:30", ptr(15), ptr(10), h},
		{"store-001", "visitors", "1h", ptr(150), 150, "none", "10:30", nil, nil, h},
		{"store-002", "nps", "1h", ptr(100.0 / 6), 6, "red", "10:30", ptr(40), ptr(20), h},
		{"store-002", "nps", "15m", ptr(100.0 / 6), 6, "red", "10:30", ptr(40), ptr(20), h},
		{"store-003", "nps", "1h", ptr(100), 35, "green", "10:30", ptr(30), ptr(0), h},
		{"store-003", "nps", "15m", nil, 0, "grey", "10:30", ptr(30), ptr(0), h},
		{"store-004", "nps", "1h", nil, 0, "grey", "10:30", ptr(30), ptr(0), h},
		{"store-004", "conversion", "1h", nil, 0, "grey", "10:30", ptr(15), ptr(10), h},
		{"store-004", "visitors", "1h", nil, 0, "none", "10:30", nil, nil, h},
	}
	got := e.statuses(t)
	if len(got) != 4*13*2+4*6 {
		t.Errorf("kpi_status has %d location/KPI/window keys, want 128 (4 locations x (13 KPIs x 2 windows + 6 case KPIs x 7d))", len(got))
	}
	checkStatuses(t, got, at("10:30"), first)
	if n := e.scalar(t, "SELECT count() FROM "+db+".kpi_status_history"); n != 128 {
		t.Errorf("history has %d rows, want 128", n)
	}
	if n := e.scalar(t, "SELECT toUInt64(sum(min_n)) FROM "+db+".kpi_status_history WHERE location = 'store-002' AND kpi = 'nps'"); n != 10 {
		t.Errorf("store-002 nps history min_n sum %d, want 5 + 5 (the location override, both windows)", n)
	}

	// Prometheus: the status window's lights, values, sample sizes and thresholds.
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64 // NaN: the series must not exist
	}{
		{"cxm_indicator_status", lbl("location", "store-001", "kpi", "nps", "status", "red"), 1},
		{"cxm_indicator_status", lbl("location", "store-001", "kpi", "nps", "status", "yellow"), 0},
		{"cxm_indicator_status", lbl("location", "store-001", "kpi", "nps", "status", "green"), 0},
		{"cxm_indicator_status", lbl("location", "store-001", "kpi", "nps", "status", "grey"), 0},
		{"cxm_indicator_status", lbl("location", "store-001", "kpi", "conversion", "status", "yellow"), 1},
		{"cxm_indicator_status", lbl("location", "store-002", "kpi", "nps", "status", "red"), 1},
		{"cxm_indicator_status", lbl("location", "store-003", "kpi", "nps", "status", "green"), 1},
		{"cxm_indicator_status", lbl("location", "store-004", "kpi", "nps", "status", "grey"), 1},
		{"cxm_indicator_status", lbl("location", "store-004", "kpi", "visitors", "status", "none"), math.NaN()},
		{"cxm_kpi_value", lbl("location", "store-001", "kpi", "nps", "window", "1h"), -100.0 / 6},
		{"cxm_kpi_value", lbl("location", "store-001", "kpi", "nps", "window", "15m"), 25},
		{"cxm_kpi_value", lbl("location", "store-004", "kpi", "nps", "window", "1h"), math.NaN()},
		{"cxm_kpi_sample_size", lbl("location", "store-004", "kpi", "nps", "window", "1h"), 0},
		{"cxm_kpi_sample_size", lbl("location", "store-001", "kpi", "conversion", "window", "1h"), 150},
		{"cxm_kpi_threshold", lbl("location", "store-002", "kpi", "nps", "level", "red"), 20},
		{"cxm_kpi_threshold", lbl("location", "store-002", "kpi", "nps", "level", "yellow"), 40},
		{"cxm_kpi_threshold", lbl("location", "store-001", "kpi", "nps", "level", "red"), 10},
		{"cxm_kpi_threshold", lbl("location", "store-003", "kpi", "nps", "level", "yellow"), 30},
		{"cxm_kpi_threshold", lbl("location", "store-003", "kpi", "visitors", "level", "red"), math.NaN()},
		{"cxm_status_evaluations_total", nil, 1},
		{"cxm_status_clickhouse_errors_total", nil, 0},
		{"cxm_status_evaluation_duration_seconds", nil, 1},
	} {
		v, ok := gauge(t, reg, tc.name, tc.labels)
		switch {
		case math.IsNaN(tc.want) && ok:
			t.Errorf("%s%v = %g, want no series", tc.name, tc.labels, v)
		case !math.IsNaN(tc.want) && (!ok || math.Abs(v-tc.want) > 1e-9):
			t.Errorf("%s%v = %g (present %v), want %g", tc.name, tc.labels, v, ok, tc.want)
		}
	}
	// 7 KPIs and 4 case KPIs with thresholds x 4 statuses x 4 locations.
	if n := count(t, reg, "cxm_indicator_status"); n != 11*4*4 {
		t.Errorf("%d cxm_indicator_status series, want 176", n)
	}

	// A minute later store-002 gets 10 more promoters: 13-2 of 16 = 68.75 -> green, since 10:31. store-001's
	// 1h NPS [09:31, 10:31) is unchanged and red: since stays 10:30. store-003's 15m stays grey since 10:30.
	e.insert(t, minute{"store-002", at("10:30"), 10, 0, 0, 0, 0})
	before = e.conn.queries.Load()
	if err := ev.EvaluateAt(ctx, at("10:31")); err != nil {
		t.Fatal(err)
	}
	if q := e.conn.queries.Load() - before; q != 3 {
		t.Errorf("second evaluation issued %d SELECTs, want 3 (state in memory: no restore)", q)
	}
	checkStatuses(t, e.statuses(t), at("10:31"), []want{
		{"store-002", "nps", "1h", ptr(68.75), 16, "green", "10:31", ptr(40), ptr(20), h},
		{"store-001", "nps", "1h", ptr(-100.0 / 6), 60, "red", "10:30", ptr(40), ptr(10), h},
		{"store-003", "nps", "15m", nil, 0, "grey", "10:30", ptr(30), ptr(0), h},
		{"store-004", "nps", "1h", nil, 0, "grey", "10:30", ptr(30), ptr(0), h},
	})
	if v, _ := gauge(t, reg, "cxm_indicator_status", lbl("location", "store-002", "kpi", "nps", "status", "red")); v != 0 {
		t.Errorf("store-002 nps red = %g after turning green", v)
	}
	if v, _ := gauge(t, reg, "cxm_indicator_status", lbl("location", "store-002", "kpi", "nps", "status", "green")); v != 1 {
		t.Errorf("store-002 nps green = %g after turning green", v)
	}
	var hist []string
	rows, err := e.conn.Query(ctx, "SELECT toString(status), toString(since) FROM "+db+".kpi_status_history WHERE location = 'store-002' AND kpi = 'nps' AND window = '1h' ORDER BY evaluated_at")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s, since string
		if err := rows.Scan(&s, &since); err != nil {
			t.Fatal(err)
		}
		hist = append(hist, s+"@"+since)
	}
	rows.Close()
	if got, want := strings.Join(hist, " "), "red@2026-03-02 10:30:00 green@2026-03-02 10:31:00"; got != want {
		t.Errorf("store-002 nps 1h history %s, want %s", got, want)
	}

	// A restart: a new evaluator knows nothing but kpi_status, and keeps store-001 red since 10:30.
	reg2 := prometheus.NewRegistry()
	ev2 := status.New(e.cfg, e.conn, nil, reg2)
	before = e.conn.queries.Load()
	if err := ev2.EvaluateAt(ctx, at("10:32")); err != nil {
		t.Fatal(err)
	}
	if q := e.conn.queries.Load() - before; q != 4 {
		t.Errorf("evaluation after restart issued %d SELECTs, want 4 (restore + 2 windows + the cases' window)", q)
	}
	checkStatuses(t, e.statuses(t), at("10:32"), []want{
		{"store-001", "nps", "1h", ptr(-100.0 / 6), 60, "red", "10:30", ptr(40), ptr(10), h},
		{"store-002", "nps", "1h", ptr(68.75), 16, "green", "10:31", ptr(40), ptr(20), h},
	})

	// Ownership: the first evaluator now owns store-001 only. It evaluates nothing else and drops the other
	// locations' series, so a store moved to another instance is not exported (nor alerted) twice.
	ev.SetOwner(func(l string) bool { return l == "store-001" })
	if err := ev.EvaluateAt(ctx, at("10:33")); err != nil {
		t.Fatal(err)
	}
	if n := e.scalar(t, "SELECT count() FROM "+db+".kpi_status_history WHERE evaluated_at = ?", at("10:33")); n != 32 {
		t.Errorf("owner evaluation wrote %d history rows, want 32 (store-001 only: 13 KPIs x 2 windows + 6 case KPIs)", n)
	}
	if n := e.scalar(t, "SELECT count() FROM "+db+".kpi_status_history WHERE evaluated_at = ? AND location != 'store-001'", at("10:33")); n != 0 {
		t.Errorf("owner evaluation wrote %d rows of locations it does not own", n)
	}
	if _, ok := gauge(t, reg, "cxm_indicator_status", lbl("location", "store-002", "kpi", "nps", "status", "green")); ok {
		t.Error("store-002 is still exported by an evaluator that no longer owns it")
	}
	if v, ok := gauge(t, reg, "cxm_indicator_status", lbl("location", "store-001", "kpi", "nps", "status", "red")); !ok || v != 1 {
		t.Errorf("store-001 nps red = %g (present %v) at its owner", v, ok)
	}
	if v, _ := gauge(t, reg, "cxm_status_evaluations_total", nil); v != 3 {
		t.Errorf("evaluations_total %g, want 3", v)
	}
}

// A failing ClickHouse read is returned and counted, and nothing is counted as evaluated.
func TestEvaluateClickHouseError(t *testing.T) {
	e := newEnv(t)
	cfg := *e.cfg
	cfg.ClickHouse.Database = e.cfg.ClickHouse.Database + "_missing"
	reg := prometheus.NewRegistry()
	ev := status.New(&cfg, e.conn, nil, reg)
	if err := ev.EvaluateAt(context.Background(), at("10:30")); err == nil {
		t.Fatal("evaluation against a missing database succeeded")
	}
	if v, _ := gauge(t, reg, "cxm_status_clickhouse_errors_total", nil); v != 1 {
		t.Errorf("clickhouse errors %g, want 1", v)
	}
	if v, _ := gauge(t, reg, "cxm_status_evaluations_total", nil); v != 0 {
		t.Errorf("evaluations %g, want 0", v)
	}
}

// Run evaluates at once and stops cleanly when its context ends.
func TestRun(t *testing.T) {
	e := newEnv(t)
	// History rows from a month long past (beyond kpi.status_history_retention) and from yesterday: Run's
	// retention drops the first and keeps the second.
	hist := "INSERT INTO " + clickhouse.Ident(e.cfg.ClickHouse.Database) + ".kpi_status_history (location, kpi, window, evaluated_at, n, status, since, direction, min_n)"
	b, err := e.conn.PrepareBatch(context.Background(), hist)
	if err != nil {
		t.Fatal(err)
	}
	old, recent := time.Date(2020, 1, 15, 0, 0, 0, 0, time.UTC), time.Now().UTC().Add(-24*time.Hour).Truncate(time.Second)
	for _, at := range []time.Time{old, recent} {
		if err := b.Append("store-001", "nps", "1h", at, int64(0), "grey", at, "higher", int64(0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	ev := status.New(e.cfg, e.conn, nil, reg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ev.Run(ctx) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if v, _ := gauge(t, reg, "cxm_status_evaluations_total", nil); v >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run did not evaluate within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	count := func(at time.Time) uint64 {
		return e.scalar(t, "SELECT count() FROM "+clickhouse.Ident(e.cfg.ClickHouse.Database)+".kpi_status_history WHERE evaluated_at = ?", at)
	}
	// Retention runs right after the first evaluation; a fresh deadline, for a loaded machine.
	deadline = time.Now().Add(60 * time.Second)
	for count(old) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the history of %s is still there: kpi.status_history_retention is %s", old.Format("2006-01"), e.cfg.KPI.StatusHistoryRetention)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := count(recent); n != 1 {
		t.Errorf("%d history rows of yesterday, want the 1 inserted (retention must keep them)", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run returned %v", err)
	}
	// Every location has fresh statuses though none sent anything.
	got := e.statuses(t)
	if s := got[[3]string{"store-004", "nps", "1h"}]; s.Status.String() != "grey" || time.Since(s.EvaluatedAt) > 5*time.Minute {
		t.Errorf("store-004 nps 1h after Run: %+v", s)
	}
}

// OwnedBy maps a location to the partition the producer puts its events in.
func TestOwnedBy(t *testing.T) {
	// Each location is owned by exactly one partition of four.
	for _, l := range []string{"store-001", "store-002", "store-003", "store-004", "store-005"} {
		n := 0
		for p := range 4 {
			if status.OwnedBy(func(q int) bool { return q == p }, 4)(l) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s owned by %d of 4 partitions, want 1", l, n)
		}
	}
}
