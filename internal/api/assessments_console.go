package api

// The console's CX maturity endpoints. GET /v1/assessments and GET /v1/assessments/{id} here are a minimal
// stand-in (same JSON shape) for the engine-wide assessments endpoints under way on another branch: when
// those are merged, drop the two GET routes below and keep POST …/email.

import (
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/cxm-project/cxm/internal/console"
	"github.com/cxm-project/cxm/internal/maturity"
	"github.com/cxm-project/cxm/internal/query"
)

// consoleBlockQuestions are the questions (1-based) measuring each maturity block, in maturity.Blocks order:
// the questionnaire names no block per question, so this assigns them by subject.
var consoleBlockQuestions = [len(maturity.Blocks)][]int{{1}, {4, 8}, {10}, {5, 9, 11}, {3, 6, 7}, {2}}

type consoleText struct {
	RU string `json:"ru"`
	EN string `json:"en"`
}

type consoleAssessmentJSON struct {
	ID        string                     `json:"id"`
	Location  string                     `json:"location"`
	Time      time.Time                  `json:"time"`
	Score     int                        `json:"score"`
	Stage     int                        `json:"stage"`
	StageName consoleText                `json:"stage_name"`
	Levels    [maturity.NumQuestions]int `json:"levels"`
	Name      string                     `json:"name"`
	Email     string                     `json:"email"`
	Lang      string                     `json:"lang"`
	Blocks    []consoleBlockJSON         `json:"blocks,omitempty"`
}

type consoleBlockJSON struct {
	Block     int         `json:"block"`
	Title     consoleText `json:"title"`
	Questions []int       `json:"questions"`
	Level     float64     `json:"level"`
}

func toConsoleAssessment(a *query.ConsoleAssessment, blocks bool) consoleAssessmentJSON {
	score := maturity.Score(a.Levels)
	stage := maturity.Stage(score)
	st := maturity.Stages[stage-1].Name
	out := consoleAssessmentJSON{ID: a.ID, Location: a.Location, Time: a.Time, Score: score, Stage: stage,
		StageName: consoleText{st.RU, st.EN}, Levels: a.Levels, Name: a.Name, Email: a.Email, Lang: a.Lang}
	if blocks {
		for i, b := range maturity.Blocks {
			sum := 0
			for _, q := range consoleBlockQuestions[i] {
				sum += a.Levels[q-1]
			}
			out.Blocks = append(out.Blocks, consoleBlockJSON{Block: i + 1, Title: consoleText{b.RU, b.EN},
				Questions: consoleBlockQuestions[i], Level: float64(sum) / float64(len(consoleBlockQuestions[i]))})
		}
	}
	return out
}

func (s *Server) consoleAssessmentRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /v1/assessments", "assessments", s.consoleAssessments)
	s.handle(mux, "GET /v1/assessments/{id}", "assessment", s.consoleAssessment)
	s.handle(mux, "POST /v1/assessments/{id}/email", "assessment_email", s.assessmentEmail)
}

// consoleAssessments serves GET /v1/assessments?from=…&to=…[&limit=100][&format=json|csv|xlsx]: the
// assessments of the token's locations, newest first.
func (s *Server) consoleAssessments(w http.ResponseWriter, r *http.Request, sc *scope) {
	p, err := newParams(r.URL, "from", "to", "limit", "format")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	from, err := p.time("from", true)
	if err != nil {
		s.paramFail(w, err)
		return
	}
	to, err := p.time("to", true)
	if err != nil {
		s.paramFail(w, err)
		return
	}
	limit := 100
	if v, err := p.one("limit"); err != nil {
		s.paramFail(w, err)
		return
	} else if v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || int64(limit) > s.cfg.API.MaxExportRows {
			writeError(w, http.StatusBadRequest, "limit", "must be a whole number from 1 to api.max_export_rows")
			return
		}
	}
	format, err := p.format("json", "csv", "xlsx")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	as, err := s.engine.ConsoleAssessments(r.Context(), sc.allows, "", from, to, limit)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	cols := []string{"id", "location", "time", "score", "stage", "stage_name"}
	for i := 1; i <= maturity.NumQuestions; i++ {
		cols = append(cols, "q"+strconv.Itoa(i))
	}
	cols = append(cols, "name", "email", "lang")
	cells := func(a *query.ConsoleAssessment) []any {
		j := toConsoleAssessment(a, false)
		out := []any{j.ID, j.Location, j.Time.Format(time.RFC3339), j.Score, j.Stage, j.StageName.EN}
		for _, l := range j.Levels {
			out = append(out, l)
		}
		return append(out, j.Name, j.Email, j.Lang)
	}
	switch format {
	case "csv":
		attachment(w, "assessments.csv", "text/csv; charset=utf-8")
		cw := csv.NewWriter(w)
		_ = cw.Write(cols)
		for i := range as {
			rec := []string{}
			for _, c := range cells(&as[i]) {
				switch v := c.(type) {
				case int:
					rec = append(rec, strconv.Itoa(v))
				case string:
					rec = append(rec, v)
				}
			}
			_ = cw.Write(rec)
		}
		cw.Flush()
	case "xlsx":
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		if err == nil {
			err = sw.SetRow("A1", header(cols))
		}
		for i := 0; err == nil && i < len(as); i++ {
			err = sw.SetRow(cellName(i+2), cells(&as[i]))
		}
		if err == nil {
			err = sw.Flush()
		}
		if err != nil {
			s.log.Error("api assessments xlsx", "err", err)
			writeError(w, http.StatusInternalServerError, "", "the export failed; the server log has the details")
			return
		}
		attachment(w, "assessments.xlsx", xlsxType)
		_ = f.Write(w)
	default:
		out := struct {
			Assessments []consoleAssessmentJSON `json:"assessments"`
		}{Assessments: make([]consoleAssessmentJSON, len(as))}
		for i := range as {
			out.Assessments[i] = toConsoleAssessment(&as[i], false)
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// findAssessment is the assessment with the path's id within the token's scope; false when it answered.
func (s *Server) findAssessment(w http.ResponseWriter, r *http.Request, sc *scope) (*query.ConsoleAssessment, bool) {
	if _, err := newParams(r.URL); err != nil {
		s.paramFail(w, err)
		return nil, false
	}
	as, err := s.engine.ConsoleAssessments(r.Context(), sc.allows, r.PathValue("id"), time.Time{}, time.Time{}, 1)
	if err != nil {
		s.writeQueryError(w, r, err)
		return nil, false
	}
	if len(as) == 0 {
		writeError(w, http.StatusNotFound, "id", "assessment "+strconv.Quote(r.PathValue("id"))+" not found")
		return nil, false
	}
	return &as[0], true
}

// consoleAssessment serves GET /v1/assessments/{id}: one assessment with its block levels.
func (s *Server) consoleAssessment(w http.ResponseWriter, r *http.Request, sc *scope) {
	if a, ok := s.findAssessment(w, r, sc); ok {
		writeJSON(w, http.StatusOK, toConsoleAssessment(a, true))
	}
}

// assessmentEmail serves POST /v1/assessments/{id}/email: sends the respondent their report, in their
// language, to the address they left with consent (console.smtp). 409 when e-mail is off or there is no
// address, 502 when the mail server refuses.
func (s *Server) assessmentEmail(w http.ResponseWriter, r *http.Request, sc *scope) {
	a, ok := s.findAssessment(w, r, sc)
	if !ok {
		return
	}
	m := console.NewMailer(s.cfg.Console.SMTP)
	if m == nil {
		writeError(w, http.StatusConflict, "console.smtp.addr", "e-mail is not configured")
		return
	}
	err := m.SendCopy(r.Context(), console.Copy{ID: a.ID, Name: a.Name, Email: a.Email, Lang: a.Lang, Location: a.Location, Time: a.Time, Levels: a.Levels})
	switch {
	case errors.Is(err, console.ErrNoEmail):
		writeError(w, http.StatusConflict, "email", err.Error())
	case err != nil:
		s.log.Error("assessment e-mail", "id", a.ID, "err", err)
		writeError(w, http.StatusBadGateway, "console.smtp", "the mail server did not take the message; the server log has the details")
	default:
		writeJSON(w, http.StatusOK, map[string]string{"sent_to": a.Email})
	}
}
