package status_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/processor/buckets"
	"github.com/cxm-project/cxm/processor/status"
)

// TestAuditStatus: the evaluator judges each location's ИВС over audits.status_window and exports it as
// the indicator "ivs:<template>", so CXMIndicatorRed alerts on it. store-001: visits 75 and 100, mean 87.5
// with yellow 90 / red 80 -> yellow; store-002: one visit of 25 -> red; a visit older than the window does
// not count; store-003 without visits exports nothing.
func TestAuditStatus(t *testing.T) {
	e := newEnv(t)
	f := func(x float64) *float64 { return &x }
	n := int64(1)
	e.cfg.Audits.Thresholds = config.ThresholdConfig{Yellow: f(90), Red: f(80), MinN: &n}
	e.cfg.Audits.StatusWindow = 7 * 24 * time.Hour
	e.cfg.Audits.Templates = []config.AuditTemplate{{ID: "retail"}}
	now := at("10:30")
	visit := func(id, loc string, when time.Time, greet, smile string) event.Event {
		c := 0.0
		return event.Event{ID: id, Type: event.TypeAudit, Location: loc, Time: when, Audit: &event.Audit{Template: "retail", Cap: &c,
			Auditor: event.Auditor{Role: event.AuditorInternal, ID: "a"}, Elements: []event.AuditResult{
				{Element: "greet", Result: greet, Factor: "g", Weight: 3}, {Element: "smile", Result: smile, Factor: "g", Weight: 1}}}}
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
	for _, tc := range []struct {
		loc, status string
		value       float64
		n           float64
	}{{"store-001", "yellow", 87.5, 2}, {"store-002", "red", 25, 1}} {
		if v, ok := gauge(t, reg, "cxm_indicator_status", map[string]string{"location": tc.loc, "kpi": "ivs:retail", "status": tc.status}); !ok || v != 1 {
			t.Errorf("%s: indicator %s = %v, %v; want 1", tc.loc, tc.status, v, ok)
		}
		if v, _ := gauge(t, reg, "cxm_kpi_value", map[string]string{"location": tc.loc, "kpi": "ivs:retail", "window": "7d"}); v != tc.value {
			t.Errorf("%s: value %v, want %v", tc.loc, v, tc.value)
		}
		if v, _ := gauge(t, reg, "cxm_kpi_sample_size", map[string]string{"location": tc.loc, "kpi": "ivs:retail", "window": "7d"}); v != tc.n {
			t.Errorf("%s: n %v, want %v", tc.loc, v, tc.n)
		}
	}
	if v, ok := gauge(t, reg, "cxm_kpi_threshold", map[string]string{"location": "store-002", "kpi": "ivs:retail", "level": "red"}); !ok || v != 80 {
		t.Errorf("threshold %v %v", v, ok)
	}
	if _, ok := gauge(t, reg, "cxm_indicator_status", map[string]string{"location": "store-003", "kpi": "ivs:retail", "status": "grey"}); ok {
		t.Error("a location without visits exports an ИВС light")
	}
	// A week later nothing is in the window: the series go.
	if err := ev.EvaluateAt(context.Background(), now.Add(8*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, ok := gauge(t, reg, "cxm_indicator_status", map[string]string{"location": "store-002", "kpi": "ivs:retail", "status": "red"}); ok {
		t.Error("the red light stayed after its visits left the window")
	}
}
