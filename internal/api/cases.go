package api

import (
	"net/http"
	"strconv"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/internal/query"
)

// The closed loop's read endpoints, behind the same read tokens and location scoping as every other
// read: a token sees the cases of its locations only. Actions are written through the ingest
// (POST /v1/cases/{id}/actions, ingest/caseaction), with the same token.

func (s *Server) routeCases(mux *http.ServeMux) {
	s.handle(mux, "GET /v1/cases", "cases", s.casesList)
	s.handle(mux, "GET /v1/cases/figures", "case_figures", s.caseFigures)
	s.handle(mux, "GET /v1/cases/config", "case_config", s.caseConfig)
	s.handle(mux, "GET /v1/cases/{id}", "case", s.caseOne)
}

// casesList serves GET /v1/cases: the inbox's list, newest first.
func (s *Server) casesList(w http.ResponseWriter, r *http.Request, sc *scope) {
	p, err := newParams(r.URL, "location", "region", "from", "to", "status", "rule", "assignee", "limit")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	req := query.CasesRequest{Locations: p.list("location"), Regions: p.list("region"), Scope: sc.allows, Now: p.now}
	if req.From, err = p.time("from", true); err != nil {
		s.paramFail(w, err)
		return
	}
	if req.To, err = p.time("to", true); err != nil {
		s.paramFail(w, err)
		return
	}
	for name, dst := range map[string]*string{"status": &req.Status, "rule": &req.Rule, "assignee": &req.Assignee} {
		if *dst, err = p.one(name); err != nil {
			s.paramFail(w, err)
			return
		}
	}
	if v, err := p.one("limit"); err != nil {
		s.paramFail(w, err)
		return
	} else if v != "" {
		if req.Limit, err = strconv.Atoi(v); err != nil || req.Limit < 1 {
			writeError(w, http.StatusBadRequest, "limit", "must be a whole number of at least 1, not "+strconv.Quote(v))
			return
		}
	}
	cs, err := s.engine.Cases(r.Context(), req)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Cases []query.Case `json:"cases"`
	}{cs})
}

// caseOne serves GET /v1/cases/{id}: the case, its trigger's words and its whole history.
func (s *Server) caseOne(w http.ResponseWriter, r *http.Request, sc *scope) {
	p, err := newParams(r.URL, "from", "to")
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
	c, hist, err := s.engine.CaseHistory(r.Context(), r.PathValue("id"), from, to, p.now, sc.allows)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Case    *query.Case        `json:"case"`
		History []query.CaseAction `json:"history"`
	}{c, hist})
}

// caseFigures serves GET /v1/cases/figures: the case KPIs and the root-cause Pareto per location,
// region or all together, over the cases opened in [from, to).
func (s *Server) caseFigures(w http.ResponseWriter, r *http.Request, sc *scope) {
	p, err := newParams(r.URL, "location", "region", "from", "to", "group_by")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	req := query.CaseFiguresRequest{Locations: p.list("location"), Regions: p.list("region"), Scope: sc.allows, Now: p.now}
	if req.From, err = p.time("from", true); err != nil {
		s.paramFail(w, err)
		return
	}
	if req.To, err = p.time("to", true); err != nil {
		s.paramFail(w, err)
		return
	}
	if req.GroupBy, err = p.one("group_by"); err != nil {
		s.paramFail(w, err)
		return
	}
	fs, err := s.engine.CaseFigures(r.Context(), req)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		KPIs    []kpi.Meta          `json:"kpis"`
		Figures []query.CaseFigures `json:"figures"`
	}{caseMetas(), fs})
}

func caseMetas() []kpi.Meta {
	names := kpi.CaseNames()
	out := make([]kpi.Meta, len(names))
	for i, n := range names {
		out[i], _ = kpi.MetaOf(n)
	}
	return out
}

// caseConfig serves GET /v1/cases/config: what the inbox needs to qualify a case (checklists per event
// type, the root-cause tree with titles), the rules' SLAs, and who the caller is.
func (s *Server) caseConfig(w http.ResponseWriter, r *http.Request, sc *scope) {
	if _, err := newParams(r.URL); err != nil {
		s.paramFail(w, err)
		return
	}
	c := &s.cfg.Cases
	type rule struct {
		ID       string   `json:"id"`
		Kind     string   `json:"kind"`
		SLAHours float64  `json:"sla_hours"`
		Messages []string `json:"messages,omitempty"`
	}
	rules := make([]rule, len(c.Rules))
	for i, r := range c.Rules {
		rules[i] = rule{ID: r.ID, Kind: r.Kind, SLAHours: c.RuleSLA(r.ID).Hours(), Messages: r.Messages}
	}
	writeJSON(w, http.StatusOK, struct {
		Actor               string                            `json:"actor"`
		Rules               []rule                            `json:"rules"`
		FirstActionSLAHours float64                           `json:"first_action_sla_hours"`
		Checklists          map[string][]config.ChecklistItem `json:"checklists"`
		Causes              []causeJSON                       `json:"causes"`
		KPIs                []kpi.Meta                        `json:"kpis"`
	}{sc.name, rules, c.FirstActionSLA.Hours(), checklistsJSON(c.Checklists), causesJSON("", c.Causes), caseMetas()})
}

type causeJSON struct {
	ID       string      `json:"id"` // the dotted path: the value a case carries
	TitleRU  string      `json:"title_ru"`
	TitleEN  string      `json:"title_en"`
	Children []causeJSON `json:"children,omitempty"`
}

func causesJSON(prefix string, cs []config.Cause) []causeJSON {
	out := make([]causeJSON, len(cs))
	for i, c := range cs {
		out[i] = causeJSON{ID: prefix + c.ID, TitleRU: c.TitleRU, TitleEN: c.TitleEN, Children: causesJSON(prefix+c.ID+".", c.Children)}
	}
	return out
}

func checklistsJSON(m map[string][]config.ChecklistItem) map[string][]config.ChecklistItem {
	if m == nil {
		return map[string][]config.ChecklistItem{}
	}
	return m
}
