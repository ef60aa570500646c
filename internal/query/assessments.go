package query

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/maturity"
)

// AssessmentsRequest selects CX maturity assessments.
type AssessmentsRequest struct {
	Locations, Regions []string
	From, To           time.Time // [From, To)
	Limit              int       // rows, 1..api.max_export_rows
	Scope              func(location string) bool
}

// Assessment is one complete CX maturity self-assessment (every question answered 1..4), scored by the
// model in internal/maturity.
type Assessment struct {
	ID       string
	Location string
	Time     time.Time
	Levels   [maturity.NumQuestions]int
	Score    int // 0..95
	Stage    int // 1..5
	// Name, Email and Lang are what the respondent gave with consent to store them ("" otherwise).
	Name, Email, Lang string
}

// Blocks are the mean level of each of the model's six blocks.
func (a *Assessment) Blocks() [len(maturity.Blocks)]float64 { return maturity.BlockLevels(a.Levels) }

// NotFoundError is a single item that does not exist within the caller's scope.
type NotFoundError struct{ What, ID string }

func (e *NotFoundError) Error() string { return e.What + " " + strconv.Quote(e.ID) + " not found" }

// assessmentWhere are the conditions of a complete assessment of the maturity survey.
func assessmentWhere() string {
	var b strings.Builder
	b.WriteString("type = 'survey' AND survey = ?")
	for i := 1; i <= maturity.NumQuestions; i++ {
		fmt.Fprintf(&b, " AND q%d BETWEEN 1 AND %d", i, maturity.NumLevels)
	}
	return b.String()
}

func assessmentSelect() string {
	cols := []string{"id", "location", "time"}
	for i := 1; i <= maturity.NumQuestions; i++ {
		cols = append(cols, "q"+strconv.Itoa(i))
	}
	return strings.Join(append(cols, "ext"), ", ")
}

// Assessments returns at most r.Limit assessments of the range, newest first (ties by location and id),
// under the engine's limits; the condition is on the sort key (location, time).
func (e *Engine) Assessments(ctx context.Context, r AssessmentsRequest) ([]Assessment, error) {
	if err := e.checkRange(r.From, r.To); err != nil {
		return nil, err
	}
	if err := e.checkLimit(r.Limit); err != nil {
		return nil, err
	}
	ids, err := e.locationIDs(r.Locations, r.Regions, r.Scope)
	if err != nil {
		return nil, err
	}
	sql := fmt.Sprintf("SELECT %s FROM %s.events WHERE location IN ? AND time >= ? AND time < ? AND %s ORDER BY time DESC, location, id LIMIT %d",
		assessmentSelect(), clickhouse.Ident(e.db), assessmentWhere(), r.Limit)
	return e.readAssessments(ctx, sql, inSet(ids), r.From.UTC().Truncate(time.Second), r.To.UTC().Truncate(time.Second), maturity.SurveyID)
}

// Assessment returns the assessment with event id id among the scope's locations. An assessment has no
// location in its id, so the read covers the scope's locations over all time, bounded by api.max_rows and
// the timeout like every read.
func (e *Engine) Assessment(ctx context.Context, id string, scope func(string) bool) (*Assessment, error) {
	if id == "" {
		return nil, inputErr("id", "is required")
	}
	ids, err := e.locationIDs(nil, nil, scope)
	if err != nil {
		return nil, err
	}
	sql := fmt.Sprintf("SELECT %s FROM %s.events WHERE location IN ? AND id = ? AND %s LIMIT 1",
		assessmentSelect(), clickhouse.Ident(e.db), assessmentWhere())
	as, err := e.readAssessments(ctx, sql, inSet(ids), id, maturity.SurveyID)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, &NotFoundError{What: "assessment", ID: id}
	}
	return &as[0], nil
}

func (e *Engine) readAssessments(ctx context.Context, sql string, args ...any) ([]Assessment, error) {
	ctx, cancel := e.withLimits(ctx)
	defer cancel()
	rows, err := e.conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, e.wrap(ctx, err)
	}
	defer rows.Close()
	out := []Assessment{}
	var (
		a    Assessment
		q    [maturity.NumQuestions]uint8
		ext  string
		dest = []any{&a.ID, &a.Location, &a.Time}
	)
	for i := range q {
		dest = append(dest, &q[i])
	}
	dest = append(dest, &ext)
	for rows.Next() {
		a = Assessment{}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("assessments: scan: %w", err)
		}
		a.Time = a.Time.UTC()
		for i, l := range q {
			a.Levels[i] = int(l)
		}
		a.Score = maturity.Score(a.Levels)
		a.Stage = maturity.Stage(a.Score)
		a.Name, a.Email, a.Lang = contact(ext)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, e.wrap(ctx, err)
	}
	return out, nil
}

// contact reads the respondent's name, e-mail and language from an assessment's ext, which holds them
// only when the respondent consented (ingest/maturity drops them otherwise).
func contact(ext string) (name, email, lang string) {
	var c struct {
		Name    string `json:"name"`
		Email   string `json:"email"`
		Lang    string `json:"lang"`
		Consent bool   `json:"consent"`
	}
	if ext == "" || json.Unmarshal([]byte(ext), &c) != nil || !c.Consent {
		return "", "", ""
	}
	return c.Name, c.Email, c.Lang
}
