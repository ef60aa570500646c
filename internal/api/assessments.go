package api

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/cxm-project/cxm/internal/maturity"
	"github.com/cxm-project/cxm/internal/query"
)

// defaultAssessments is the list's length when limit= is not given.
const defaultAssessments = 100

// textJSON is a text of the maturity model in both languages.
type textJSON struct {
	RU string `json:"ru"`
	EN string `json:"en"`
}

// assessmentJSON is one CX maturity assessment (schemas/openapi.yaml, Assessment).
type assessmentJSON struct {
	ID        string                     `json:"id"`
	Location  string                     `json:"location"`
	Time      time.Time                  `json:"time"`
	Score     int                        `json:"score"`
	Stage     int                        `json:"stage"`
	StageName textJSON                   `json:"stage_name"`
	Levels    [maturity.NumQuestions]int `json:"levels"`
	Name      string                     `json:"name"`
	Email     string                     `json:"email"`
	Lang      string                     `json:"lang"`
	// Blocks only in GET /v1/assessments/{id}.
	Blocks []blockJSON `json:"blocks,omitempty"`
}

type blockJSON struct {
	Block     int      `json:"block"`
	Title     textJSON `json:"title"`
	Questions []int    `json:"questions"`
	Level     float64  `json:"level"` // mean level 1..4 of the block's questions
}

func toAssessmentJSON(a *query.Assessment) assessmentJSON {
	st := maturity.Stages[a.Stage-1].Name
	return assessmentJSON{ID: a.ID, Location: a.Location, Time: a.Time, Score: a.Score, Stage: a.Stage,
		StageName: textJSON(st), Levels: a.Levels, Name: a.Name, Email: a.Email, Lang: a.Lang}
}

// assessmentColumns are the CSV and XLSX columns of the list.
var assessmentColumns = func() []string {
	cols := []string{"id", "location", "time", "score", "stage", "stage_name"}
	for i := 1; i <= maturity.NumQuestions; i++ {
		cols = append(cols, "q"+strconv.Itoa(i))
	}
	return append(cols, "name", "email", "lang")
}()

// assessmentCells are a's cells in assessmentColumns order: numbers as numbers.
func assessmentCells(a *query.Assessment) []any {
	cells := []any{a.ID, a.Location, a.Time.Format(time.RFC3339), a.Score, a.Stage, maturity.Stages[a.Stage-1].Name.EN}
	for _, l := range a.Levels {
		cells = append(cells, l)
	}
	return append(cells, a.Name, a.Email, a.Lang)
}

// assessments serves GET /v1/assessments: the CX maturity assessments of the token's locations in the
// range, newest first.
func (s *Server) assessments(w http.ResponseWriter, r *http.Request, sc *scope) {
	p, err := newParams(r.URL, "location", "region", "from", "to", "limit", "format")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	req := query.AssessmentsRequest{Locations: p.list("location"), Regions: p.list("region"), Scope: sc.allows, Limit: defaultAssessments}
	if req.From, err = p.time("from", true); err != nil {
		s.paramFail(w, err)
		return
	}
	if req.To, err = p.time("to", true); err != nil {
		s.paramFail(w, err)
		return
	}
	if v, err := p.one("limit"); err != nil {
		s.paramFail(w, err)
		return
	} else if v != "" {
		if req.Limit, err = strconv.Atoi(v); err != nil {
			writeError(w, http.StatusBadRequest, "limit", "must be a whole number, not "+strconv.Quote(v))
			return
		}
	}
	format, err := p.format("json", "csv", "xlsx")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	as, err := s.engine.Assessments(r.Context(), req)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	switch format {
	case "csv":
		attachment(w, "assessments.csv", "text/csv; charset=utf-8")
		cw := csv.NewWriter(w)
		_ = cw.Write(assessmentColumns)
		rec := make([]string, len(assessmentColumns))
		for i := range as {
			for j, c := range assessmentCells(&as[i]) {
				switch v := c.(type) {
				case int:
					rec[j] = strconv.Itoa(v)
				case string:
					rec[j] = v
				}
			}
			_ = cw.Write(rec)
		}
		cw.Flush()
	case "xlsx":
		if err := writeAssessmentsXLSX(w, as); err != nil {
			s.log.Error("api assessments export", "err", err)
			writeError(w, http.StatusInternalServerError, "", "the export failed; the server log has the details")
		}
	default:
		out := struct {
			Assessments []assessmentJSON `json:"assessments"`
		}{Assessments: make([]assessmentJSON, len(as))}
		for i := range as {
			out.Assessments[i] = toAssessmentJSON(&as[i])
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// assessment serves GET /v1/assessments/{id}: one assessment with its blocks.
func (s *Server) assessment(w http.ResponseWriter, r *http.Request, sc *scope) {
	if _, err := newParams(r.URL); err != nil {
		s.paramFail(w, err)
		return
	}
	a, err := s.engine.Assessment(r.Context(), r.PathValue("id"), sc.allows)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	out := toAssessmentJSON(a)
	levels := a.Blocks()
	for i, b := range maturity.Blocks {
		out.Blocks = append(out.Blocks, blockJSON{Block: i + 1, Title: textJSON(b), Questions: maturity.BlockQuestions[i], Level: levels[i]})
	}
	writeJSON(w, http.StatusOK, out)
}

func writeAssessmentsXLSX(w http.ResponseWriter, as []query.Assessment) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "assessments"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", header(assessmentColumns)); err != nil {
		return err
	}
	for i := range as {
		if err := sw.SetRow(cellName(i+2), assessmentCells(&as[i])); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	attachment(w, "assessments.xlsx", xlsxType)
	return f.Write(w)
}
