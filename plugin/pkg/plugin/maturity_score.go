package plugin

import "github.com/cxm-project/cxm/internal/maturity"

// The CX maturity self-assessment: 11 questions answered 1..4; the total is round(95 * sum(answer-1) / 33)
// in 0..95 and falls into one of five stages. The scoring is the model's (internal/maturity), so a
// company's stage in Grafana is the one its result page showed.

// MaturityQuestions is the number of questions of the assessment.
const MaturityQuestions = maturity.NumQuestions

// MaturityStage is a stage of the CX maturity model and its total range, both ends included.
type MaturityStage struct {
	Number   int64
	Name     string
	From, To int64
}

// MaturityStages are the five stages in order, named in English as Grafana's panels are.
var MaturityStages = func() []MaturityStage {
	ss := make([]MaturityStage, len(maturity.Stages))
	for i, s := range maturity.Stages {
		ss[i] = MaturityStage{int64(i + 1), s.Name.EN, int64(s.From), int64(s.To)}
	}
	return ss
}()

// StageOf returns the stage a total falls in.
func StageOf(total int64) MaturityStage {
	return MaturityStages[maturity.Stage(int(total))-1]
}
