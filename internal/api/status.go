package api

import (
	"net/http"
	"strconv"
	"time"
)

type statusJSON struct {
	Location    string     `json:"location"`
	KPI         string     `json:"kpi"`
	Window      string     `json:"window"`
	Status      string     `json:"status"`
	Value       *float64   `json:"value"`
	N           int64      `json:"n"`
	Low         *float64   `json:"low"`
	High        *float64   `json:"high"`
	Thresholds  thresholds `json:"thresholds"`
	Since       time.Time  `json:"since"`
	EvaluatedAt time.Time  `json:"evaluated_at"`
}

type thresholds struct {
	Yellow    *float64 `json:"yellow"`
	Red       *float64 `json:"red"`
	Direction string   `json:"direction"`
}

// status serves GET /v1/status: the current traffic light per location, KPI and window, with the value,
// sample size and interval it was judged on, the thresholds, and since when it has had this colour.
func (s *Server) status(w http.ResponseWriter, r *http.Request, sc *scope) {
	p, err := newParams(r.URL, "location")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	ids := p.list("location")
	for _, id := range ids {
		if s.cfg.Location(id) != nil && !sc.allows(id) {
			writeError(w, http.StatusForbidden, "location", "this token may not read location "+strconv.Quote(id))
			return
		}
	}
	sts, err := s.engine.Statuses(r.Context(), ids, sc.allows)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	out := struct {
		Statuses []statusJSON `json:"statuses"`
	}{Statuses: make([]statusJSON, len(sts))}
	for i, st := range sts {
		out.Statuses[i] = statusJSON{
			Location: st.Location, KPI: st.KPI, Window: st.Window, Status: st.Status.String(),
			Value: st.Value, N: st.N, Low: st.Low, High: st.High,
			Thresholds: thresholds{Yellow: st.Yellow, Red: st.Red, Direction: st.Direction.String()},
			Since:      st.Since, EvaluatedAt: st.EvaluatedAt,
		}
	}
	writeJSON(w, http.StatusOK, out)
}
