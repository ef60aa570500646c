package plugin

import (
	"testing"
	"time"

	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/maturity"
)

// MaturitySurvey is the survey name of CX maturity assessments.
const MaturitySurvey = maturity.SurveyID

// MaturityTotal is the model's total of one assessment's answers.
func MaturityTotal(answers [MaturityQuestions]uint8) int64 {
	var levels [MaturityQuestions]int
	for i, a := range answers {
		levels[i] = int(a)
	}
	return int64(maturity.Score(levels))
}

func TestMaturityTotalAndStage(t *testing.T) {
	tests := []struct {
		name    string
		answers [11]uint8
		total   int64
		stage   string
	}{
		{"all 1: nothing done", [11]uint8{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 0, "Ignoring"},
		{"all 4: everything", [11]uint8{4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4}, 95, "Embedding"},
		{"sum 6: 17.27 -> 17", [11]uint8{2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1}, 17, "Ignoring"},
		{"sum 7: 20.15 -> 20, first of Exploring", [11]uint8{2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1}, 20, "Exploring"},
		{"sum 11: 31.67 -> 32", [11]uint8{2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, 32, "Exploring"},
		{"sum 14: 40.30 -> 40", [11]uint8{3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2}, 40, "Mobilizing"},
		{"sum 22: 63.33 -> 63", [11]uint8{3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, 63, "Scaling"},
		{"sum 27: 77.73 -> 78", [11]uint8{4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3}, 78, "Scaling"},
		{"sum 28: 80.61 -> 81", [11]uint8{4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3}, 81, "Embedding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			total := MaturityTotal(tt.answers)
			if total != tt.total {
				t.Errorf("total = %d, want %d", total, tt.total)
			}
			if st := StageOf(total); st.Name != tt.stage {
				t.Errorf("stage = %s, want %s", st.Name, tt.stage)
			}
		})
	}
}

func maturityEvent(id, loc string, at time.Time, q [11]int8) event.Event {
	return event.Event{ID: id, Type: event.TypeSurvey, Location: loc, Time: at, Survey: MaturitySurvey, Answers: &event.Answers{Q: q}}
}

func TestMaturityQuery(t *testing.T) {
	env := newTestEnv(t)
	t0 := at("2026-11-23T10:00:00Z")
	env.insertEvents(t, maturityFixture(t0)...)
	from, to := t0, t0.Add(time.Hour)

	dr := env.query(t, QueryMaturity, nil, from, to)
	if dr.Error != nil {
		t.Fatal(dr.Error)
	}
	golden(t, "maturity_all", dr)

	stages := dr.Frames[1]
	wantCounts := []int64{1, 0, 1, 0, 1}
	for i, want := range wantCounts {
		if got := stages.Fields[4].At(i).(int64); got != want {
			t.Errorf("stage %d assessments = %d, want %d", i+1, got, want)
		}
	}
	questions := dr.Frames[2]
	// q1: levels 1, 3, 4 once each; mean 8/3.
	for lvl, want := range []int64{1, 0, 1, 1} {
		if got := questions.Fields[1+lvl].At(0).(int64); got != want {
			t.Errorf("q1 level %d = %d, want %d", lvl+1, got, want)
		}
	}
	if got := *questions.Fields[5].At(0).(*float64); got != 8.0/3.0 {
		t.Errorf("q1 mean = %v, want 8/3", got)
	}

	t.Run("one location", func(t *testing.T) {
		dr := env.query(t, QueryMaturity, map[string]any{"locations": []string{"store-a"}}, from, to)
		if dr.Error != nil {
			t.Fatal(dr.Error)
		}
		a := dr.Frames[0]
		if a.Rows() != 2 || a.Fields[3].At(0).(int64) != 81 || a.Fields[3].At(1).(int64) != 0 {
			t.Errorf("store-a totals: rows %d, %v, %v; want 81 then 0", a.Rows(), a.Fields[3].At(0), a.Fields[3].At(1))
		}
	})
}

// The stage table above names the stages; the assessment decides which one a total is in. Every total
// 0..95 must land in the stage whose range holds it.
func TestMaturityStagesCoverEveryTotal(t *testing.T) {
	for total := int64(0); total <= 95; total++ {
		st := StageOf(total)
		if total < st.From || total > st.To {
			t.Errorf("total %d: stage %d %s covers %d..%d", total, st.Number, st.Name, st.From, st.To)
		}
	}
}

// maturityFixture: three complete assessments (totals 0, 40, 81), an incomplete one and another survey.
func maturityFixture(t0 time.Time) []event.Event {
	return []event.Event{
		maturityEvent("m1", "store-a", t0.Add(time.Minute), [11]int8{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}),   // 0 Ignoring
		maturityEvent("m2", "store-b", t0.Add(2*time.Minute), [11]int8{3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2}), // 40 Mobilizing
		maturityEvent("m3", "store-a", t0.Add(3*time.Minute), [11]int8{4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3}), // 81 Embedding
		// Incomplete (q11 unanswered): not an assessment.
		maturityEvent("m4", "store-c", t0.Add(4*time.Minute), [11]int8{4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0}),
		// Another survey: not an assessment.
		event.Event{ID: "x1", Type: event.TypeSurvey, Location: "store-a", Time: t0.Add(5 * time.Minute), Survey: "qr", Answers: &event.Answers{Q: [11]int8{4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4}}},
	}
}
