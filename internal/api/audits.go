package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/evidence"
	"github.com/cxm-project/cxm/internal/objstore"
	"github.com/cxm-project/cxm/internal/query"
)

// WithEvidence sets the object store GET /v1/evidence/{key} reads (nil: the route answers 503); it
// returns s.
func (s *Server) WithEvidence(store objstore.Store) *Server {
	s.evidence = store
	return s
}

// auditRoutes adds the audit endpoints (Routes calls it).
func (s *Server) auditRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /v1/audits", "audits", s.audits)
	s.handle(mux, "GET /v1/audits/visits", "audit_visits", s.auditVisits)
	s.handle(mux, "GET /v1/audits/templates", "audit_templates", s.auditTemplates)
	s.handle(mux, "GET /v1/evidence", "evidence", s.evidenceGet)
}

// audits serves GET /v1/audits: the ИВС (standard compliance index) of the token's locations.
func (s *Server) audits(w http.ResponseWriter, r *http.Request, sc *scope) {
	p, err := newParams(r.URL, "location", "region", "from", "to", "template", "group", "by", "step")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	req := query.AuditsRequest{Locations: p.list("location"), Regions: p.list("region"), Scope: sc.allows,
		Threshold: s.cfg.Audits.Threshold()}
	if req.From, err = p.time("from", true); err != nil {
		s.paramFail(w, err)
		return
	}
	if req.To, err = p.time("to", true); err != nil {
		s.paramFail(w, err)
		return
	}
	for name, dst := range map[string]*string{"template": &req.Template, "by": &req.By, "step": &req.Step} {
		if *dst, err = p.one(name); err != nil {
			s.paramFail(w, err)
			return
		}
	}
	g, err := p.one("group")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	req.Group = query.Group(g)
	series, err := s.engine.Audits(r.Context(), req)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	if series == nil {
		series = []query.AuditSeries{}
	}
	writeJSON(w, http.StatusOK, struct {
		From   time.Time           `json:"from"`
		To     time.Time           `json:"to"`
		Series []query.AuditSeries `json:"series"`
	}{req.From.UTC(), req.To.UTC(), series})
}

// auditVisits serves GET /v1/audits/visits: the latest visits with their scores and evidence references.
func (s *Server) auditVisits(w http.ResponseWriter, r *http.Request, sc *scope) {
	p, err := newParams(r.URL, "location", "region", "from", "to", "template", "limit")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	req := query.AuditVisitsRequest{Locations: p.list("location"), Regions: p.list("region"), Scope: sc.allows, Limit: 50}
	if req.From, err = p.time("from", true); err != nil {
		s.paramFail(w, err)
		return
	}
	if req.To, err = p.time("to", true); err != nil {
		s.paramFail(w, err)
		return
	}
	if req.Template, err = p.one("template"); err != nil {
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
	vs, err := s.engine.AuditVisits(r.Context(), req)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	if vs == nil {
		vs = []query.AuditVisit{}
	}
	writeJSON(w, http.StatusOK, struct {
		Visits []query.AuditVisit `json:"visits"`
	}{vs})
}

// auditTemplates serves GET /v1/audits/templates: the checklists with their factors and elements (titles,
// weights), for readers that show them.
func (s *Server) auditTemplates(w http.ResponseWriter, r *http.Request, sc *scope) {
	if _, err := newParams(r.URL); err != nil {
		s.paramFail(w, err)
		return
	}
	ts := s.cfg.Audits.Templates
	if ts == nil {
		ts = []config.AuditTemplate{}
	}
	writeJSON(w, http.StatusOK, struct {
		Templates   any     `json:"templates"`
		CriticalCap float64 `json:"critical_cap"`
		Yellow      float64 `json:"yellow"`
		Red         float64 `json:"red"`
		MinN        int64   `json:"min_n"`
	}{ts, s.cfg.Audits.CriticalCap, s.cfg.Audits.Threshold().Yellow, s.cfg.Audits.Threshold().Red, s.cfg.Audits.Threshold().MinN})
}

// evidenceGet serves GET /v1/evidence?key=: an attachment, to a token that may read the location in its
// key (the read API's scope). The stored type is the sniffed one; the answer may not be sniffed again or
// run as a page (nosniff, a sandbox CSP), so an upload can never become script on this origin.
func (s *Server) evidenceGet(w http.ResponseWriter, r *http.Request, sc *scope) {
	p, err := newParams(r.URL, "key")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	key, err := p.one("key")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	loc, ok := evidence.LocationOf(key)
	if !ok || objstore.ValidKey(key) != nil {
		writeError(w, http.StatusNotFound, "key", "no such evidence")
		return
	}
	if !sc.allows(loc) {
		writeError(w, http.StatusForbidden, "location", "this token may not read "+loc)
		return
	}
	if s.evidence == nil {
		writeError(w, http.StatusServiceUnavailable, "", "no object store is configured on this server")
		return
	}
	rc, info, err := s.evidence.Get(r.Context(), key)
	if errors.Is(err, objstore.ErrNotFound) {
		writeError(w, http.StatusNotFound, "key", "no such evidence (never uploaded, or deleted by audits.evidence.retention)")
		return
	}
	if err != nil {
		s.log.Error("evidence get", "key", key, "err", err)
		writeError(w, http.StatusServiceUnavailable, "", "the object store failed; retry later")
		return
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, max-age=3600")
	if rs, ok := rc.(io.ReadSeeker); ok {
		// Range requests: phones play audio and video by seeking.
		http.ServeContent(w, r, "", info.Modified, rs)
		return
	}
	h.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	_, _ = io.Copy(w, rc)
}
