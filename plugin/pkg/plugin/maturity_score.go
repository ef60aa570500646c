package plugin

import "github.com/cxm-project/cxm/ingest/maturity"

// The CX maturity self-assessment: 11 questions answered 1..4; the total is round(95 * sum(answer-1) / 33)
// in 0..95 and falls into one of five stages. The scoring is the assessment's own (ingest/maturity), so
// a company's stage in Grafana is the one its result page showed.

// MaturityQuestions is the number of questions of the assessment.
const MaturityQuestions = 11

// MaturitySurvey is the survey name of CX maturity assessments.
const MaturitySurvey = maturity.SurveyID

// MaturityStage is a stage of the CX maturity model and its total range, both ends included.
type MaturityStage struct {
	Number   int64
	Name     string
	From, To int64
}

// MaturityStages are the five stages in order.
var MaturityStages = []MaturityStage{
	{1, "Ignoring", 0, 19},
	{2, "Exploring", 20, 39},
	{3, "Mobilizing", 40, 59},
	{4, "Scaling", 60, 79},
	{5, "Embedding", 80, 95},
}

// MaturityTotal is the assessment's total score.
func MaturityTotal(answers [MaturityQuestions]uint8) int64 {
	var levels [MaturityQuestions]int
	for i, a := range answers {
		levels[i] = int(a)
	}
	return int64(maturity.Score(levels))
}

// StageOf returns the stage a total falls in.
func StageOf(total int64) MaturityStage {
	return MaturityStages[maturity.Stage(int(total))-1]
}
