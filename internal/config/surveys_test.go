package config

import (
	"strings"
	"testing"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/survey"
)

// TestSurveyTemplates: the shipped RSQS (28 items, 5 dimensions) and SERVQUAL (22 paired items, 5
// dimensions) templates load, their indices become KPIs (one per dimension too) that kpi.thresholds may
// name, and an answer is checked against its questionnaire.
func TestSurveyTemplates(t *testing.T) {
	t.Cleanup(func() { _ = survey.Install(nil) })
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SurveyFiles = []string{"../../deploy/surveys/rsqs.yaml", "../../deploy/surveys/servqual.yaml"}
	yellow, red := 70.0, 50.0
	c.KPI.Thresholds["csi_rsqs"] = ThresholdConfig{Yellow: &yellow, Red: &red}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	cat := c.Catalog()
	rsqs, sq := cat.Survey("rsqs"), cat.Survey("servqual")
	if rsqs == nil || sq == nil {
		t.Fatal("templates not loaded")
	}
	items := 0
	for _, q := range rsqs.Questions {
		if q.Dimension != "" {
			items++
		}
	}
	if items != 28 || len(rsqs.Dimensions()) != 5 {
		t.Errorf("RSQS: %d items in %d dimensions, want 28 in 5", items, len(rsqs.Dimensions()))
	}
	if len(sq.Questions) != 44 || len(sq.Dimensions()) != 5 {
		t.Errorf("SERVQUAL: %d questions in %d dimensions, want 44 (22 expectations, 22 perceptions) in 5", len(sq.Questions), len(sq.Dimensions()))
	}
	for _, name := range []string{"csi_rsqs", "csi_rsqs_physical", "csi_rsqs_policy", "nps_rsqs", "servqual_gap", "servqual_gap_empathy"} {
		if !kpi.Known(name) || !strings.Contains(strings.Join(kpi.Names, ","), name) {
			t.Errorf("index %s is not a KPI", name)
		}
	}
	e := &event.Event{Type: event.TypeSurvey, Survey: "rsqs", Answers: &event.Answers{Items: []event.Item{
		{Key: "rsqs01", Kind: event.ItemInt, Int: 2}, {Key: "recommend", Kind: event.ItemInt, Int: 6},
		{Key: "improve", Kind: event.ItemText, Text: "Wider aisles"}}}}
	if errs := cat.Check(e); errs != nil {
		t.Errorf("check: %v", errs)
	}
	e.Answers.Items[0].Int = 6
	if errs := cat.Check(e); errs.Error() != "answers.rsqs01: 6 is outside 1..5" {
		t.Errorf("check: %v", errs)
	}
	// A questionnaire id also used by a v1 QR survey is refused.
	c.Ingest.Surveys = append(c.Ingest.Surveys, Survey{ID: "rsqs", Questions: []string{"nps"}})
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "also a configured questionnaire") {
		t.Errorf("validate: %v", err)
	}
}
