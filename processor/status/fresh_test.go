package status_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/processor/status"
)

// TestNotifyTurnsTheLight: with kpi.evaluate_after_flush, a flush's notification judges its locations again
// between the ticks (the next tick is an hour away here), over windows that include the minute in progress:
// detractors counted in the current minute turn store-001's NPS red in kpi_status and in
// cxm_indicator_status, while the location nobody notified keeps its earlier evaluation.
func TestNotifyTurnsTheLight(t *testing.T) {
	e := newEnv(t)
	e.cfg.KPI.EvaluateInterval = time.Hour
	e.cfg.KPI.EvaluateAfterFlush = time.Second
	reg := prometheus.NewRegistry()
	ev := status.New(e.cfg, e.conn, nil, reg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ev.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v", err)
		}
	}()
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 30 s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("first evaluation", func() bool { v, _ := gauge(t, reg, "cxm_status_evaluations_total", nil); return v >= 1 })
	before := e.statuses(t)
	if s := before[[3]string{"store-001", "nps", "1h"}]; s.Status != kpi.Grey {
		t.Fatalf("store-001 nps before any event: %+v, want grey", s)
	}

	now := time.Now().UTC().Truncate(time.Minute)
	e.insert(t, minute{location: "store-001", at: now, detractors: 40}, minute{location: "store-003", at: now, detractors: 40})
	ev.Notify(map[string]struct{}{"store-001": {}})
	red := lbl("location", "store-001", "kpi", "nps", "status", "red")
	waitFor("cxm_indicator_status red for store-001", func() bool { v, _ := gauge(t, reg, "cxm_indicator_status", red); return v == 1 })
	// The metrics are set before the rows are written.
	waitFor("kpi_status red for store-001", func() bool { return e.statuses(t)[[3]string{"store-001", "nps", "1h"}].Status == kpi.Red })
	got := e.statuses(t)
	if s := got[[3]string{"store-001", "nps", "1h"}]; s.Status != kpi.Red || s.N != 40 || !s.EvaluatedAt.After(before[[3]string{"store-001", "nps", "1h"}].EvaluatedAt) {
		t.Errorf("store-001 nps 1h after the notification: %+v, want red over n=40, evaluated later", s)
	}
	if s, b := got[[3]string{"store-003", "nps", "1h"}], before[[3]string{"store-003", "nps", "1h"}]; s.Status != b.Status || !s.EvaluatedAt.Equal(b.EvaluatedAt) {
		t.Errorf("store-003 was not notified but changed: %+v, before %+v", s, b)
	}
	if v, _ := gauge(t, reg, "cxm_indicator_status", lbl("location", "store-003", "kpi", "nps", "status", "red")); v != 0 {
		t.Errorf("store-003 red indicator %g without a notification", v)
	}
}
