package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/query"
)

type locationJSON struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Region    string  `json:"region"`
	TimeZone  string  `json:"timezone"`
	// Status is the location's flag (query.Flags, kpi.Flag): the worst current status of its KPIs over one
	// window (Window), grey when none is judged; WorstKPIs are the KPIs that have it (none for grey).
	Status    string   `json:"status"`
	WorstKPIs []string `json:"worst_kpis"`
	Window    string   `json:"window"`
}

// locations serves GET /v1/locations: the registry entries the token may read, with coordinates and the
// worst current status over one window: ?window=, by default kpi.status_window, the one the console's map,
// the plugin's geo query and cxm_indicator_status judge by (a KPI red over 15 minutes but green over the
// hour must not paint the location red on one page and green on another).
func (s *Server) locations(w http.ResponseWriter, r *http.Request, sc *scope) {
	p, err := newParams(r.URL, "window")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	win, err := p.one("window")
	if err != nil {
		s.paramFail(w, err)
		return
	}
	asked := win != ""
	if win, err = windowName(&s.cfg.KPI, win); err != nil {
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
	// Each KPI's status window, or the asked one; a KPI judged over a window of its own (the ИВС's
	// audits.status_window, the case KPIs' cases.status_window) has no light in any other and keeps its own,
	// as on the console's board and the plugin's map.
	sts = slices.DeleteFunc(sts, func(st query.Status) bool {
		want := s.cfg.StatusWindowOf(st.KPI)
		if _, own := s.cfg.OwnStatusWindow(st.KPI); asked && !own {
			want = win
		}
		return st.Window != want
	})
	flags := query.Flags(ids, sts)
	for _, l := range s.cfg.Locations {
		if !sc.allows(l.ID) {
			continue
		}
		f := flags[l.ID]
		out.Locations = append(out.Locations, locationJSON{
			ID: l.ID, Name: l.Name, Latitude: l.Latitude, Longitude: l.Longitude, Region: l.Region,
			TimeZone: l.TimeZone, Status: f.Status.String(), WorstKPIs: f.KPIs, Window: win,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// windowName resolves a window parameter to its name in kpi.windows ("60m" is "1h"); empty is the status
// window.
func windowName(k *config.KPI, w string) (string, error) {
	w = strings.TrimSpace(w)
	if w == "" {
		return k.StatusWindowName(), nil
	}
	d, err := config.ParseWindow(w)
	if err == nil {
		for _, cw := range k.WindowList() {
			if cw.Duration == d {
				return cw.Name, nil
			}
		}
	}
	return "", &paramError{"window", "must be one of kpi.windows (" + strings.Join(k.Windows, ", ") + "), not " + strconv.Quote(w)}
}
