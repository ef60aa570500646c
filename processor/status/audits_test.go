package status_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/query"
	"github.com/cxm-project/cxm/processor/buckets"
	"github.com/cxm-project/cxm/processor/status"
)

// auditTemplate is a checklist of two factors: greet (weight 3) and smile (weight 1).
func auditTemplate() config.AuditTemplate {
	ti := config.Titles{RU: "т", EN: "t"}
	return config.AuditTemplate{ID: "retail", Title: ti, Factors: []config.AuditFactor{
		{ID: "g", Title: ti, Elements: []config.AuditElement{{ID: "greet", Title: ti, Weight: 3}}},
		{ID: "s", Title: ti, Elements: []config.AuditElement{{ID: "smile", Title: ti, Weight: 1}}},
	}}
}

// TestAuditStatus: the ИВС of a template and of each factor are KPIs of the registry ("ivs:retail",
// "ivs:retail:g", …), judged over audits.status_window by the evaluator like any KPI: their rows go to
// kpi_status and cxm_indicator_status (so CXMIndicatorRed alerts). Hand-computed: store-001 visits 75
// (greet met, smile not: 3/4) and 100, mean 87.5, n 2, 95 % interval 87.5 ± 1.95996·12.5 (clamped to 100),
// yellow against 90/80; factor s 0 and 100 = 50 (red). store-002 one visit of 25 (greet not met) -> red;
// its visit older than the 7-day window does not count. store-003 without visits is grey.
func TestAuditStatus(t *testing.T) {
	e := newEnv(t)
	f := func(x float64) *float64 { return &x }
	n := int64(1)
	e.cfg.Audits.Thresholds = config.ThresholdConfig{Yellow: f(90), Red: f(80), MinN: &n}
	e.cfg.Audits.StatusWindow = 7 * 24 * time.Hour
	e.cfg.Audits.Templates = []config.AuditTemplate{auditTemplate()}
	// kpi.thresholds for one factor overrides audits.thresholds.
	e.cfg.KPI.Thresholds["ivs:retail:g"] = config.ThresholdConfig{Yellow: f(99), Red: f(50), MinN: &n}
	if err := e.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kpi.Builtin.SetAudits(nil) })
	now := at("10:30")
	visit := func(id, loc string, when time.Time, greet, smile string) event.Event {
		c := 0.0
		return event.Event{ID: id, Type: event.TypeAudit, Location: loc, Time: when, Audit: &event.Audit{Template: "retail", Cap: &c,
			Auditor: event.Auditor{Role: event.AuditorInternal, ID: "a"}, Elements: []event.AuditResult{
				{Element: "greet", Result: greet, Factor: "g", Weight: 3}, {Element: "smile", Result: smile, Factor: "s", Weight: 1}}}}
	}
	for i, v := range []event.Event{
		visit("v1", "store-001", now.Add(-time.Hour), event.ResultMet, event.ResultNotMet),
		visit("v2", "store-001", now.Add(-2*time.Hour), event.ResultMet, event.ResultMet),
		visit("v3", "store-002", now.Add(-3*time.Hour), event.ResultNotMet, event.ResultMet),
		visit("old", "store-002", now.Add(-8*24*time.Hour), event.ResultMet, event.ResultMet),
	} {
		d := buckets.NewDeltas()
		d.Add(&v)
		if err := buckets.InsertAudits(context.Background(), e.conn.Conn, e.cfg.ClickHouse.Database, []buckets.AuditDeltas{{Mark: buckets.Mark{LastOffset: int64(i)}, Audits: d.Audits}}); err != nil {
			t.Fatal(err)
		}
	}
	reg := prometheus.NewRegistry()
	ev := status.New(e.cfg, e.conn, nil, reg)
	if err := ev.EvaluateAt(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	sts, err := query.New(e.conn, e.cfg.ClickHouse.Database, e.cfg.Locations, query.Limits{}).Statuses(context.Background(), []string{"store-001", "store-002", "store-003"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]query.Status{}
	for _, s := range sts {
		got[s.Location+" "+s.KPI+" "+s.Window] = s
	}
	for _, tc := range []struct {
		loc, kpi, status string
		value            float64
		n                int64
		low, high        float64 // 0, 0: not checked
	}{
		{"store-001", "ivs:retail", "yellow", 87.5, 2, 87.5 - 1.959963984540054*12.5, 100},
		{"store-001", "ivs:retail:g", "green", 100, 2, 0, 0},
		{"store-001", "ivs:retail:s", "red", 50, 2, 0, 0},
		{"store-002", "ivs:retail", "red", 25, 1, 0, 0},
		{"store-002", "ivs:retail:g", "red", 0, 1, 0, 0},
		{"store-002", "ivs:retail:s", "green", 100, 1, 0, 0},
		{"store-003", "ivs:retail", "grey", -1, 0, 0, 0},
	} {
		s, ok := got[tc.loc+" "+tc.kpi+" 7d"]
		if !ok {
			t.Errorf("%s %s: no kpi_status row over 7d", tc.loc, tc.kpi)
			continue
		}
		if s.Status.String() != tc.status || s.N != tc.n {
			t.Errorf("%s %s: status %s n %d, want %s n %d", tc.loc, tc.kpi, s.Status, s.N, tc.status, tc.n)
		}
		if tc.value >= 0 && (s.Value == nil || *s.Value != tc.value) {
			t.Errorf("%s %s: value %v, want %v", tc.loc, tc.kpi, s.Value, tc.value)
		}
		if tc.high > 0 && (s.Low == nil || s.High == nil || math.Abs(*s.Low-tc.low) > 1e-6 || *s.High != tc.high) {
			t.Errorf("%s %s: interval %v..%v, want %v..%v", tc.loc, tc.kpi, s.Low, s.High, tc.low, tc.high)
		}
		if tc.status != "grey" {
			if v, ok := gauge(t, reg, "cxm_indicator_status", map[string]string{"location": tc.loc, "kpi": tc.kpi, "status": tc.status}); !ok || v != 1 {
				t.Errorf("%s %s: indicator %s = %v, %v; want 1", tc.loc, tc.kpi, tc.status, v, ok)
			}
		}
	}
	// The ИВС is judged over its own window only, the other KPIs over kpi.windows.
	if _, ok := got["store-001 ivs:retail 1h"]; ok {
		t.Error("the ИВС was judged over kpi.windows too")
	}
	if _, ok := got["store-001 nps 1h"]; !ok {
		t.Error("nps is no longer judged over 1h")
	}
	if v, ok := gauge(t, reg, "cxm_kpi_threshold", map[string]string{"location": "store-002", "kpi": "ivs:retail", "level": "red"}); !ok || v != 80 {
		t.Errorf("threshold %v %v", v, ok)
	}
	if v, ok := gauge(t, reg, "cxm_kpi_threshold", map[string]string{"location": "store-002", "kpi": "ivs:retail:g", "level": "yellow"}); !ok || v != 99 {
		t.Errorf("kpi.thresholds override of a factor: yellow %v %v, want 99", v, ok)
	}
	// A week later nothing is in the window: the lights turn grey.
	if err := ev.EvaluateAt(context.Background(), now.Add(8*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if v, ok := gauge(t, reg, "cxm_indicator_status", map[string]string{"location": "store-002", "kpi": "ivs:retail", "status": "grey"}); !ok || v != 1 {
		t.Errorf("after the visits left the window: grey = %v, %v; want 1", v, ok)
	}
}
