package status_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/survey"
	"github.com/cxm-project/cxm/processor/buckets"
	"github.com/cxm-project/cxm/processor/status"
)

// TestIndexTrafficLight: an index of the configuration with a threshold under kpi.thresholds gets a
// traffic light like any KPI: 2 top-2 answers of 10 at store-001 (20 %) turn it red, store-002 without
// answers stays grey.
func TestIndexTrafficLight(t *testing.T) {
	t.Cleanup(func() { _ = survey.Install(nil) })
	e := newEnv(t)
	e.cfg.Questionnaires.Surveys = []survey.Survey{{ID: "visit", Title: survey.Text{EN: "Visit"},
		Questions: []survey.Question{{ID: "sat", Type: survey.Rating, Max: 5, Text: survey.Text{EN: "Satisfied?"}}}}}
	e.cfg.Questionnaires.Indices = []survey.Index{{Name: "visit_top2", Type: survey.TypeTopBox, Survey: "visit", Questions: []string{"sat"}}}
	f := func(x float64) *float64 { return &x }
	n := int64(5)
	e.cfg.KPI.Thresholds["visit_top2"] = config.ThresholdConfig{Yellow: f(80), Red: f(70), MinN: &n}
	e.cfg.KPI.EvaluateInterval = time.Hour
	e.cfg.KPI.EvaluateAfterFlush = time.Second
	if err := e.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Minute)
	row := func(v int32, n int64) buckets.SurveyRow {
		return buckets.SurveyRow{Key: buckets.SurveyKey{Location: "store-001", Minute: now.Unix(),
			SurveyKey: kpi.SurveyKey{Survey: "visit", Item: "sat", Value: v}}, Sums: kpi.Sums{N: n}}
	}
	if err := buckets.InsertSurveyRows(context.Background(), e.conn, e.cfg.ClickHouse.Database, []buckets.SurveyRow{row(5, 2), row(2, 8)}); err != nil {
		t.Fatal(err)
	}
	ev := status.New(e.cfg, e.conn, nil, prometheus.NewRegistry())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ev.Run(ctx) }()
	defer func() { cancel(); <-done }()
	ev.Notify(map[string]struct{}{"store-001": {}, "store-002": {}})
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := e.statuses(t)
		a, b := got[[3]string{"store-001", "visit_top2", "1h"}], got[[3]string{"store-002", "visit_top2", "1h"}]
		if a.Status == kpi.Red && a.N == 10 && b.Status == kpi.Grey {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("visit_top2 statuses store-001 %+v, store-002 %+v; want red over n=10 and grey", a, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
