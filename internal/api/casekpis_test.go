package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/clickhouse"
	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/processor/status"
)

// TestCaseKPIsAsKPIs: the case KPIs are KPIs of /v1/kpis (per location and region, by the time the cases
// opened), equal to /v1/cases/figures on the same cases, and the status evaluator's lights over
// cases.status_window reach /v1/status and the flags of /v1/locations. Hand-computed (SLA 24 h): msk-1 two
// cases resolved after 30 h and 36 h (0 % in SLA, 33 h); msk-2 one resolved after 2 h (100 %, 2 h) and one
// open since 30 h (overdue); region central: 1 of 3 resolved in SLA, (30+36+2)/3 = 22.67 h.
func TestCaseKPIsAsKPIs(t *testing.T) {
	f, conn, db := setup(t, nil)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)
	cfg, err := config.Load("", nil)
	must(t, err)
	cfg.ClickHouse.Database = db
	cfg.Locations = apiLocations
	cfg.KPI.Windows, cfg.KPI.StatusWindow = []string{"15m", "1h"}, "1h"
	cfg.API.Tokens = []config.APIToken{{Name: "all", Hash: HashToken(tokAll), All: true}}
	must(t, cfg.Validate())

	var rows []clickhouse.EventRow
	full := map[string]bool{"contacted": true, "justified": true, "recovered": true}
	addCase := func(loc, id string, opened time.Time, resolvedAfter time.Duration) {
		c := event.Case{ID: id, Action: "open", Rule: "complaint", Source: "message", Trigger: "m-" + id}
		rows = append(rows, clickhouse.EventRow{Event: event.Event{ID: id + ":open", Type: event.TypeCase, Location: loc, Time: opened, Case: &c}, Received: opened})
		if resolvedAfter > 0 {
			r := event.Case{ID: id, Action: "resolve", Source: "message", Checklist: full, Causes: []string{"process.queue"}, Actor: "ann"}
			at := opened.Add(resolvedAfter)
			rows = append(rows, clickhouse.EventRow{Event: event.Event{ID: id + ":r", Type: event.TypeCase, Location: loc, Time: at, Case: &r}, Received: at})
		}
	}
	addCase("msk-1", "a1", now.Add(-72*time.Hour), 30*time.Hour)
	addCase("msk-1", "a2", now.Add(-48*time.Hour), 36*time.Hour)
	addCase("msk-2", "b1", now.Add(-40*time.Hour), 2*time.Hour)
	addCase("msk-2", "b2", now.Add(-30*time.Hour), 0)
	must(t, clickhouse.InsertEvents(ctx, conn, db, rows))

	s := New(cfg, conn, nil, nil)
	f.mux = http.NewServeMux()
	s.Routes(f.mux)
	rng := "&from=" + now.Add(-7*24*time.Hour).Format(time.RFC3339) + "&to=" + now.Format(time.RFC3339)
	kpis := "kpi=cases_resolved_in_sla&kpi=case_resolution_hours&kpi=cases_overdue"
	got := map[string]string{}
	for _, q := range []string{"&group=location", "&group=region&region=central"} {
		for _, sr := range decode[kpisBody](t, f.get(tokAll, "/v1/kpis?"+kpis+q+rng)).Series {
			p := sr.Points[0]
			v := "nil"
			if p.Value != nil {
				v = fmt.Sprintf("%.4f", *p.Value)
			}
			got[sr.Location+sr.Region+" "+sr.KPI] = fmt.Sprintf("%s n%d", v, p.N)
		}
	}
	want := map[string]string{
		"msk-1central cases_resolved_in_sla": "0.0000 n2", "msk-1central case_resolution_hours": "33.0000 n2", "msk-1central cases_overdue": "0.0000 n2",
		"msk-2central cases_resolved_in_sla": "100.0000 n1", "msk-2central case_resolution_hours": "2.0000 n1", "msk-2central cases_overdue": "1.0000 n2",
		"del-1south cases_resolved_in_sla": "nil n0", "del-1south cases_overdue": "nil n0",
		"central cases_resolved_in_sla": "33.3333 n3", "central case_resolution_hours": "22.6667 n3", "central cases_overdue": "1.0000 n4",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("/v1/kpis %s = %q, want %q", k, got[k], w)
		}
	}
	// /v1/cases/figures says the same of the same cases.
	type figs struct {
		Figures []struct {
			Location string
			Values   []struct {
				KPI   string
				Value float64
				Valid bool
				N     int64
			}
		}
	}
	for _, g := range decode[figs](t, f.get(tokAll, "/v1/cases/figures?group_by=location"+rng)).Figures {
		for _, v := range g.Values {
			k := g.Location + "central " + v.KPI
			if w, ok := want[k]; ok && w != fmt.Sprintf("%.4f n%d", v.Value, v.N) && !(w == "nil n0" && !v.Valid) {
				t.Errorf("/v1/cases/figures %s = %v n %d, /v1/kpis %s", k, v.Value, v.N, w)
			}
		}
	}

	must(t, status.New(cfg, conn, nil, prometheus.NewRegistry()).EvaluateAt(ctx, now))
	type statusBody struct {
		Statuses []struct {
			Location, KPI, Window, Status string
			N                             int64
			Value                         *float64
		}
	}
	lights := map[string]string{}
	for _, x := range decode[statusBody](t, f.get(tokAll, "/v1/status")).Statuses {
		lights[x.Location+" "+x.KPI+" "+x.Window] = fmt.Sprintf("%s n%d", x.Status, x.N)
	}
	// msk-1: 0 % of 2 resolved in time — under min_n 3, grey; its mean resolution too. msk-2 yellow by its
	// overdue case.
	for k, w := range map[string]string{"msk-1 cases_resolved_in_sla 7d": "grey n2", "msk-2 cases_overdue 7d": "yellow n2",
		"msk-1 cases_overdue 7d": "green n2", "del-1 cases_overdue 7d": "grey n0"} {
		if lights[k] != w {
			t.Errorf("/v1/status %s = %q, want %q", k, lights[k], w)
		}
	}
	type locsBody struct {
		Locations []struct {
			ID, Status string
			WorstKPIs  []string `json:"worst_kpis"`
		}
	}
	// The flag keeps the case KPIs' own window whatever window is asked for (nothing else is judged here).
	for _, q := range []string{"", "?window=15m"} {
		for _, l := range decode[locsBody](t, f.get(tokAll, "/v1/locations"+q)).Locations {
			if l.ID == "msk-2" && (l.Status != "yellow" || !slices.Contains(l.WorstKPIs, "cases_overdue")) {
				t.Errorf("/v1/locations%s: msk-2 flag %s %v, want yellow by cases_overdue", q, l.Status, l.WorstKPIs)
			}
		}
	}
}
