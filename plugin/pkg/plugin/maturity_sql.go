package plugin

import (
	"fmt"
	"strings"
	"time"
)

// maxAssessments bounds the assessments one query reads; far more than a range normally holds.
const maxAssessments = 10000

// maturitySQL reads complete CX maturity assessments (every question answered 1..4), newest first.
type maturitySQL struct {
	Database  string
	From, To  time.Time
	Locations Selection
}

func (q maturitySQL) Build() (string, []any) {
	var w where
	w.timeRange("time", q.From, q.To)
	w.locations(q.Locations)
	w.add("type = 'survey'")
	w.add("survey = ?", MaturitySurvey)
	cols := make([]string, MaturityQuestions)
	for i := range cols {
		cols[i] = fmt.Sprintf("q%d", i+1)
		w.add(fmt.Sprintf("q%d BETWEEN 1 AND 4", i+1))
	}
	sql := fmt.Sprintf("SELECT time, location, id, %s FROM %s WHERE %s ORDER BY time DESC, location, id LIMIT %d",
		strings.Join(cols, ", "), table(q.Database, "events"), w.String(), maxAssessments)
	return sql, w.args
}
