package console

import (
	"github.com/cxm-project/cxm/internal/maturity"
)

// maturityText is a text of the CX maturity model in both languages.
type maturityText struct {
	RU string `json:"ru"`
	EN string `json:"en"`
}

// maturityJSON is the model the report page labels an assessment with (/console/maturity.json): the
// questions and their levels, the blocks, and each stage's range, summary, block characteristics and
// drivers. The assessment itself (levels, score, stage, block levels) comes from the API.
type maturityJSON struct {
	Questions []maturityQuestion `json:"questions"`
	Blocks    []maturityText     `json:"blocks"`
	Stages    []maturityStage    `json:"stages"`
	MaxScore  int                `json:"max_score"`
}

type maturityQuestion struct {
	Title  maturityText   `json:"title"`
	Levels []maturityText `json:"levels"`
}

type maturityStage struct {
	Name    maturityText   `json:"name"`
	From    int            `json:"from"`
	To      int            `json:"to"`
	Summary maturityText   `json:"summary"`
	Blocks  []maturityText `json:"blocks"`
	Drivers []maturityText `json:"drivers"`
}

func mt(t maturity.Text) maturityText { return maturityText{RU: t.RU, EN: t.EN} }

func maturityModel() maturityJSON {
	var m maturityJSON
	for _, q := range maturity.Questions {
		mq := maturityQuestion{Title: mt(q.Title)}
		for _, l := range q.Levels {
			mq.Levels = append(mq.Levels, mt(l))
		}
		m.Questions = append(m.Questions, mq)
	}
	for _, b := range maturity.Blocks {
		m.Blocks = append(m.Blocks, mt(b))
	}
	for _, s := range maturity.Stages {
		ms := maturityStage{Name: mt(s.Name), From: s.From, To: s.To, Summary: mt(s.Summary)}
		for _, b := range s.Blocks {
			ms.Blocks = append(ms.Blocks, mt(b))
		}
		for _, d := range s.Drivers {
			ms.Drivers = append(ms.Drivers, mt(d))
		}
		m.Stages = append(m.Stages, ms)
		m.MaxScore = max(m.MaxScore, s.To)
	}
	return m
}
