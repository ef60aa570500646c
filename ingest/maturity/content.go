package maturity

import model "github.com/cxm-project/cxm/internal/maturity"

// The questionnaire and the stage descriptions are the CX maturity model (internal/maturity), which the
// read side shares; these are the form's views of them.

// SurveyID is the survey name of assessment events.
const SurveyID = model.SurveyID

type text model.Text

func (t text) in(lang string) string { return model.Text(t).In(lang) }

type question struct {
	Title  text
	Levels [model.NumLevels]text
}

type stage struct {
	Name    text
	From    int
	To      int
	Summary text
	Blocks  [len(model.Blocks)]text
	Drivers []text
}

var (
	questions = func() (qs [model.NumQuestions]question) {
		for i, q := range model.Questions {
			qs[i].Title = text(q.Title)
			for j, l := range q.Levels {
				qs[i].Levels[j] = text(l)
			}
		}
		return
	}()
	blocks = func() (bs [len(model.Blocks)]text) {
		for i, b := range model.Blocks {
			bs[i] = text(b)
		}
		return
	}()
	stages = func() (ss [len(model.Stages)]stage) {
		for i, s := range model.Stages {
			ss[i] = stage{Name: text(s.Name), From: s.From, To: s.To, Summary: text(s.Summary)}
			for j, b := range s.Blocks {
				ss[i].Blocks[j] = text(b)
			}
			for _, d := range s.Drivers {
				ss[i].Drivers = append(ss[i].Drivers, text(d))
			}
		}
		return
	}()
)

// Score and Stage are the model's.
var (
	Score = model.Score
	Stage = model.Stage
)
