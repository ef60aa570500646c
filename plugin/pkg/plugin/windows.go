package plugin

import (
	"slices"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"

	"github.com/cxm-project/cxm/internal/query"
)

// windowDuration parses a status window ("15m", "1h", "1d"); ok is false for anything else.
func windowDuration(w string) (time.Duration, bool) {
	d, err := gtime.ParseDuration(w)
	return d, err == nil && d > 0
}

// windowLess orders windows by length, unparseable ones last and by name.
func windowLess(a, b string) bool {
	da, oka := windowDuration(a)
	db, okb := windowDuration(b)
	switch {
	case oka && okb && da != db:
		return da < db
	case oka != okb:
		return oka
	}
	return a < b
}

// sameWindow matches a status window with the one a query asks for: "60m" is "1h".
func sameWindow(status, want string) bool {
	if status == want {
		return true
	}
	ds, ok1 := windowDuration(status)
	dw, ok2 := windowDuration(want)
	return ok1 && ok2 && ds == dw
}

// currentStatuses picks one status per location and KPI: of the wanted window, or the shortest window
// when none is wanted. A KPI judged over a window of its own (own: the ИВС's audits.status_window, the case
// KPIs' cases.status_window; "" for the others) has no status in any other, so it keeps that one whatever
// the wanted window. kpis limits the KPIs (nil: all).
func currentStatuses(sts []query.Status, window string, kpis []string, own func(kpi string) string) []query.Status {
	idx := map[string]int{}
	var out []query.Status
	for _, st := range sts {
		if len(kpis) > 0 && !slices.Contains(kpis, st.KPI) {
			continue
		}
		want := window
		if o := own(st.KPI); o != "" && want != "" {
			want = o
		}
		if want != "" && !sameWindow(st.Window, want) {
			continue
		}
		k := st.Location + "\x00" + st.KPI
		if i, ok := idx[k]; ok {
			if windowLess(st.Window, out[i].Window) {
				out[i] = st
			}
			continue
		}
		idx[k] = len(out)
		out = append(out, st)
	}
	return out
}

// ownWindow is the KPI's own status window in the data source's configuration ("" when it has none).
func (d *Datasource) ownWindow(kpi string) string {
	if w, ok := d.cfg.OwnStatusWindow(kpi); ok {
		return w.Name
	}
	return ""
}
