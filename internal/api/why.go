package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/cxm-project/cxm/internal/query"
)

// The "why and who" endpoints: follow-up reasons, breakdowns per subject and employee, review hand-off.

type reasonJSON struct {
	Location      string   `json:"location"`
	Polarity      string   `json:"polarity"`
	Reason        string   `json:"reason"`
	TitleRU       string   `json:"title_ru"`
	TitleEN       string   `json:"title_en"`
	Count         int64    `json:"count"`
	Total         int64    `json:"total"`
	Share         float64  `json:"share"`
	Low           float64  `json:"low"`
	High          float64  `json:"high"`
	Cumulative    float64  `json:"cumulative"`
	BaselineCount int64    `json:"baseline_count"`
	BaselineTotal int64    `json:"baseline_total"`
	BaselineShare *float64 `json:"baseline_share"`
	Z             *float64 `json:"z"`
	P             *float64 `json:"p"`
	Rising        bool     `json:"rising"`
}

type breakdownJSON struct {
	Key           string   `json:"key"`
	N             int64    `json:"n"`
	Withheld      bool     `json:"withheld"`
	Likes         *int64   `json:"likes,omitempty"`
	Dislikes      *int64   `json:"dislikes,omitempty"`
	LikeIndex     *float64 `json:"like_index,omitempty"`
	Low           *float64 `json:"low,omitempty"`
	High          *float64 `json:"high,omitempty"`
	Consultations *int64   `json:"consultations,omitempty"`
	Receipts      *int64   `json:"receipts,omitempty"`
	Refunds       *int64   `json:"refunds,omitempty"`
	Revenue       *float64 `json:"revenue,omitempty"`
	AvgReceipt    *float64 `json:"avg_receipt,omitempty"`
	ItemsPer      *float64 `json:"items_per_receipt,omitempty"`
}

type handoffJSON struct {
	Location string   `json:"location"`
	Platform string   `json:"platform"`
	Shown    int64    `json:"shown"`
	Clicks   int64    `json:"clicks"`
	Rate     *float64 `json:"rate"`
	Low      *float64 `json:"low"`
	High     *float64 `json:"high"`
}

type whyEnvelope[T any] struct {
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Group string    `json:"group,omitempty"`
	Rows  []T       `json:"rows"`
}

// parseWhy reads location, region, from and to (and group plus subject / seller for breakdowns).
func (s *Server) parseWhy(w http.ResponseWriter, r *http.Request, sc *scope, breakdown bool) (query.WhyRequest, bool) {
	allowed := []string{"location", "region", "from", "to"}
	if breakdown {
		allowed = append(allowed, "group", "subject", "seller")
	}
	fail := func(err error) (query.WhyRequest, bool) {
		var pe *paramError
		if errors.As(err, &pe) {
			writeError(w, http.StatusBadRequest, pe.param, pe.reason)
		} else {
			s.writeQueryError(w, r, err)
		}
		return query.WhyRequest{}, false
	}
	p, err := newParams(r.URL, allowed...)
	if err != nil {
		return fail(err)
	}
	req := query.WhyRequest{Locations: p.list("location"), Regions: p.list("region"), Scope: sc.allows}
	if req.From, err = p.minute("from", true); err != nil {
		return fail(err)
	}
	if req.To, err = p.minute("to", true); err != nil {
		return fail(err)
	}
	if breakdown {
		if req.Group, err = p.one("group"); err != nil {
			return fail(err)
		}
		switch req.Group {
		case "subject":
			req.Keys = p.list("subject")
			if len(p.list("seller")) > 0 {
				return fail(&paramError{"seller", "filters group=seller only"})
			}
		case "seller":
			req.Keys = p.list("seller")
			if len(p.list("subject")) > 0 {
				return fail(&paramError{"subject", "filters group=subject only"})
			}
		default:
			return fail(&paramError{"group", "must be subject or seller, not " + strconv.Quote(req.Group)})
		}
	}
	for _, id := range req.Locations {
		if s.cfg.Location(id) != nil && !sc.allows(id) {
			writeError(w, http.StatusForbidden, "location", "this token may not read location "+strconv.Quote(id))
			return query.WhyRequest{}, false
		}
	}
	return req, true
}

// reasons serves GET /v1/reasons.
func (s *Server) reasons(w http.ResponseWriter, r *http.Request, sc *scope) {
	req, ok := s.parseWhy(w, r, sc, false)
	if !ok {
		return
	}
	rows, err := s.engine.Reasons(r.Context(), req)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	out := whyEnvelope[reasonJSON]{From: req.From.UTC(), To: req.To.UTC(), Rows: make([]reasonJSON, len(rows))}
	for i, x := range rows {
		out.Rows[i] = reasonJSON(x)
	}
	writeJSON(w, http.StatusOK, out)
}

// breakdown serves GET /v1/breakdown.
func (s *Server) breakdown(w http.ResponseWriter, r *http.Request, sc *scope) {
	req, ok := s.parseWhy(w, r, sc, true)
	if !ok {
		return
	}
	rows, err := s.engine.Breakdown(r.Context(), req)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	out := whyEnvelope[breakdownJSON]{From: req.From.UTC(), To: req.To.UTC(), Group: req.Group, Rows: make([]breakdownJSON, len(rows))}
	for i, x := range rows {
		out.Rows[i] = breakdownJSON(x)
	}
	writeJSON(w, http.StatusOK, out)
}

// handoff serves GET /v1/handoff.
func (s *Server) handoff(w http.ResponseWriter, r *http.Request, sc *scope) {
	req, ok := s.parseWhy(w, r, sc, false)
	if !ok {
		return
	}
	rows, err := s.engine.Handoffs(r.Context(), req)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	out := whyEnvelope[handoffJSON]{From: req.From.UTC(), To: req.To.UTC(), Rows: make([]handoffJSON, len(rows))}
	for i, x := range rows {
		out.Rows[i] = handoffJSON(x)
	}
	writeJSON(w, http.StatusOK, out)
}
