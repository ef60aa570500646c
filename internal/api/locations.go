package api

import (
	"net/http"

	"github.com/cxm-project/cxm/internal/kpi"
)

type locationJSON struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Region    string  `json:"region"`
	TimeZone  string  `json:"timezone"`
	// Status is the location's flag (kpi.Flag): the worst current status of its KPIs, grey when none is
	// judged; WorstKPIs are the KPIs that have it (none for grey).
	Status    string   `json:"status"`
	WorstKPIs []string `json:"worst_kpis"`
}

// locations serves GET /v1/locations: the registry entries the token may read, with coordinates and the
// worst current status.
func (s *Server) locations(w http.ResponseWriter, r *http.Request, sc *scope) {
	if _, err := newParams(r.URL); err != nil {
		s.paramFail(w, err)
		return
	}
	out := struct {
		Locations []locationJSON `json:"locations"`
	}{Locations: []locationJSON{}}
	var ids []string
	for _, l := range s.cfg.Locations {
		if sc.allows(l.ID) {
			ids = append(ids, l.ID)
		}
	}
	if len(ids) == 0 {
		writeJSON(w, http.StatusOK, out)
		return
	}
	sts, err := s.engine.Statuses(r.Context(), ids, sc.allows)
	if err != nil {
		s.writeQueryError(w, r, err)
		return
	}
	byLoc := map[string][]kpi.Judged{}
	for _, st := range sts {
		byLoc[st.Location] = append(byLoc[st.Location], kpi.Judged{KPI: st.KPI, Status: st.Status})
	}
	for _, l := range s.cfg.Locations {
		if !sc.allows(l.ID) {
			continue
		}
		flag, worst := kpi.Flag(byLoc[l.ID])
		out.Locations = append(out.Locations, locationJSON{
			ID: l.ID, Name: l.Name, Latitude: l.Latitude, Longitude: l.Longitude, Region: l.Region,
			TimeZone: l.TimeZone, Status: flag.String(), WorstKPIs: worst,
		})
	}
	writeJSON(w, http.StatusOK, out)
}
