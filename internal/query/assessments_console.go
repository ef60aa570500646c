package query

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/maturity"
)

// The console's minimal read of CX maturity assessments, until the engine's own assessments read lands:
// complete assessments (every question 1..4) of the maturity survey within the caller's scope, under the
// engine's limits.

// ConsoleAssessment is one assessment as stored: its levels and the contact the respondent consented to
// keep ("" otherwise).
type ConsoleAssessment struct {
	ID, Location      string
	Time              time.Time
	Levels            [maturity.NumQuestions]int
	Name, Email, Lang string
}

// ConsoleAssessments returns at most limit assessments of [from, to) of the scope's locations, newest
// first. id, when not empty, selects one assessment over all time instead.
func (e *Engine) ConsoleAssessments(ctx context.Context, scope func(string) bool, id string, from, to time.Time, limit int) ([]ConsoleAssessment, error) {
	ms, err := e.resolve(&Request{Scope: scope})
	if err != nil {
		return nil, err
	}
	ids := make([]any, len(ms))
	for i, m := range ms {
		ids[i] = m.id
	}
	cols := []string{"id", "toString(location)", "time"}
	conds := []string{"location IN ?", "type = 'survey'", "survey = ?"}
	for i := 1; i <= maturity.NumQuestions; i++ {
		cols = append(cols, fmt.Sprintf("toUInt8(q%d)", i))
		conds = append(conds, fmt.Sprintf("q%d BETWEEN 1 AND %d", i, maturity.NumLevels))
	}
	args := []any{ch.GroupSet{Value: ids}, maturity.SurveyID}
	if id != "" {
		conds = append(conds, "id = ?")
		args = append(args, id)
		limit = 1
	} else {
		if !from.Before(to) {
			return nil, inputErr("from", "must be before to")
		}
		if to.Sub(from) > e.lim.MaxRange {
			return nil, &LimitError{Param: "from", Reason: fmt.Sprintf("the range is longer than %v", e.lim.MaxRange), Limit: "api.max_range"}
		}
		conds = append(conds, "time >= ?", "time < ?")
		args = append(args, from.UTC().Truncate(time.Second), to.UTC().Truncate(time.Second))
	}
	sql := fmt.Sprintf("SELECT %s, ext FROM %s.events WHERE %s ORDER BY time DESC, location, id LIMIT %d",
		strings.Join(cols, ", "), clickhouse.Ident(e.db), strings.Join(conds, " AND "), limit)
	ctx, cancel := e.withLimits(ctx)
	defer cancel()
	rows, err := e.conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, e.wrap(ctx, err)
	}
	defer rows.Close()
	out := []ConsoleAssessment{}
	for rows.Next() {
		var (
			a   ConsoleAssessment
			q   [maturity.NumQuestions]uint8
			ext string
		)
		dest := []any{&a.ID, &a.Location, &a.Time}
		for i := range q {
			dest = append(dest, &q[i])
		}
		if err := rows.Scan(append(dest, &ext)...); err != nil {
			return nil, fmt.Errorf("assessments: scan: %w", err)
		}
		a.Time = a.Time.UTC()
		for i, l := range q {
			a.Levels[i] = int(l)
		}
		var c struct {
			Name, Email, Lang string
			Consent           bool
		}
		if json.Unmarshal([]byte(ext), &c) == nil && c.Consent {
			a.Name, a.Email, a.Lang = c.Name, c.Email, c.Lang
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, e.wrap(ctx, err)
	}
	return out, nil
}
