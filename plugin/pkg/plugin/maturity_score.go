package plugin

// The CX maturity self-assessment: 11 questions answered 1..4; the total is round(95 * sum(answer-1) / 33)
// in 0..95 and falls into one of five stages.

// MaturityQuestions is the number of questions of the assessment.
const MaturityQuestions = 11

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

// MaturityTotal is round(95*s/33) for s = sum(answer-1), in integers: floor((190*s + 33) / 66). No total
// is ever exactly half-way (that needs 33 | s), so the rounding rule does not matter.
func MaturityTotal(answers [MaturityQuestions]uint8) int64 {
	var s int64
	for _, a := range answers {
		s += int64(a) - 1
	}
	return (190*s + 33) / 66
}

// StageOf returns the stage a total falls in.
func StageOf(total int64) MaturityStage {
	for _, st := range MaturityStages {
		if total <= st.To {
			return st
		}
	}
	return MaturityStages[len(MaturityStages)-1]
}
