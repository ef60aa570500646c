package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/query"
)

// kpisJSON is the answer of GET /v1/kpis (schemas/openapi.yaml, KPIResponse).
type kpisJSON struct {
	From   time.Time    `json:"from"`
	To     time.Time    `json:"to"`
	Step   *string      `json:"step"`
	Group  string       `json:"group"`
	Series []seriesJSON `json:"series"`
}

type seriesJSON struct {
	Location string      `json:"location,omitempty"`
	Region   string      `json:"region,omitempty"`
	KPI      string      `json:"kpi"`
	Points   []pointJSON `json:"points"`
}

type pointJSON struct {
	Time  time.Time `json:"time"`
	Value *float64  `json:"value"`
	N     int64     `json:"n"`
	Low   *float64  `json:"low"`
	High  *float64  `json:"high"`
}

// kpis serves GET /v1/kpis: figures re-aggregated from the stored components for any range, step and
// selection, as JSON, CSV or XLSX (the same rows in each).
func (s *Server) kpis(w http.ResponseWriter, r *http.Request, sc *scope) {
	req, format, err := parseKPIRequest(r, sc)
	if err != nil {
		var pe *paramError
		if errors.As(err, &pe) {
			writeError(w, http.StatusBadRequest, pe.param, pe.reason)
			return
		}
		s.writeQueryError(w, r, err)
		return
	}
	// An explicit location outside the token's scope is 403 before anything runs; region and all-location
	// selections are narrowed to the scope by the engine.
	for _, id := range req.Locations {
		if s.cfg.Location(id) != nil && !sc.allows(id) {
			writeError(w, http.StatusForbidden, "location", "this token may not read location "+strconv.Quote(id))
			return
		}
	}
	res, err := s.engine.KPIs(r.Context(), req)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	out := toKPIsJSON(res)
	switch format {
	case "csv":
		writeKPIsCSV(w, out)
	case "xlsx":
		if err := writeKPIsXLSX(w, out); err != nil {
			s.log.Error("api kpis xlsx", "err", err)
		}
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

func parseKPIRequest(r *http.Request, sc *scope) (query.Request, string, error) {
	p, err := newParams(r.URL, "kpi", "location", "region", "group", "from", "to", "step", "tz", "format")
	if err != nil {
		return query.Request{}, "", err
	}
	req := query.Request{
		KPIs:      p.list("kpi"),
		Locations: p.list("location"),
		Regions:   p.list("region"),
		Scope:     sc.allows,
		Now:       p.now, // the case KPIs' open and overdue: the instant relative times are read at
	}
	if len(req.KPIs) == 0 {
		return req, "", &paramError{"kpi", "is required: one or more of " + kpiList()}
	}
	if req.From, err = p.minute("from", true); err != nil {
		return req, "", err
	}
	if req.To, err = p.minute("to", true); err != nil {
		return req, "", err
	}
	g, err := p.one("group")
	if err != nil {
		return req, "", err
	}
	req.Group = query.Group(g)
	step, err := p.one("step")
	if err != nil {
		return req, "", err
	}
	if step != "" {
		if req.Step, err = query.ParseStep(step); err != nil {
			return req, "", &paramError{"step", err.Error()}
		}
	}
	tz, err := p.one("tz")
	if err != nil {
		return req, "", err
	}
	if tz != "" {
		z, err := time.LoadLocation(tz)
		if err != nil || tz == "Local" {
			return req, "", &paramError{"tz", "must be an IANA time zone such as Europe/Moscow, not " + strconv.Quote(tz)}
		}
		req.TimeZone = z
	}
	format, err := p.format("json", "csv", "xlsx")
	return req, format, err
}

func kpiList() string {
	s := ""
	for i, k := range kpi.Names {
		if i > 0 {
			s += ", "
		}
		s += k
	}
	return s
}

func toKPIsJSON(res *query.Result) *kpisJSON {
	out := &kpisJSON{From: res.From, To: res.To, Group: string(res.Group), Series: make([]seriesJSON, len(res.Series))}
	if !res.Step.IsZero() {
		st := res.Step.String()
		out.Step = &st
	}
	for i, s := range res.Series {
		js := seriesJSON{Location: s.Location, Region: s.Region, KPI: s.KPI, Points: make([]pointJSON, len(s.Points))}
		for j, p := range s.Points {
			js.Points[j] = pointJSON{Time: p.Time, Value: p.Value, N: p.N, Low: p.Low, High: p.High}
		}
		out.Series[i] = js
	}
	return out
}
