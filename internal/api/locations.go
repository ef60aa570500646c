package api

import (
	"net/http"

	"github.com/cxm-project/cxm/internal/query"
)

type locationJSON struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Region    string  `json:"region"`
	TimeZone  string  `json:"timezone"`
	// Status is the worst current status of the location's KPIs (grey without any), the colour of its flag
	// on a map; WorstKPIs are the KPIs that have it.
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
	worst := map[string]*locationJSON{}
	for _, l := range s.cfg.Locations {
		if !sc.allows(l.ID) {
			continue
		}
		out.Locations = append(out.Locations, locationJSON{
			ID: l.ID, Name: l.Name, Latitude: l.Latitude, Longitude: l.Longitude, Region: l.Region,
			TimeZone: l.TimeZone, Status: "grey", WorstKPIs: []string{},
		})
	}
	for i := range out.Locations {
		worst[out.Locations[i].ID] = &out.Locations[i]
	}
	for _, st := range sts {
		l := worst[st.Location]
		if l == nil {
			continue
		}
		switch rank, cur := query.StatusRank[st.Status], query.StatusRank[l.Status]; {
		case rank > cur:
			l.Status, l.WorstKPIs = st.Status, []string{st.KPI}
		case rank == cur && rank > 0 && !contains(l.WorstKPIs, st.KPI):
			l.WorstKPIs = append(l.WorstKPIs, st.KPI)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
