package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cxm-project/cxm/internal/config"
	"github.com/cxm-project/cxm/internal/event"
	"github.com/cxm-project/cxm/internal/kpi"
	"github.com/cxm-project/cxm/processor/buckets"
	"github.com/cxm-project/cxm/processor/status"
)

// TestIVSAsKPI: the ИВС of a configured template is a KPI like any other. Hand-computed visits of a
// template with greet (weight 3) and smile (weight 1): msk-1 75 (smile not met: 3/4) and 100, so 87.5 with
// n 2 and the interval of a mean 87.5 ± 1.95996·12.5 (s = 17.678, clamped to 100); msk-2 one visit of 25
// (greet not met: 1/4). /v1/kpis serves them from audit_minute (and region central sums the three
// visits: 200/3, never the mean of the stores' means); with audits.thresholds yellow 90 / red 80 the
// status evaluator writes msk-1 yellow and msk-2 red to kpi_status, which /v1/status and the flags of
// /v1/locations serve.
func TestIVSAsKPI(t *testing.T) {
	f, conn, db := setup(t, nil)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)

	cfg, err := config.Load("", nil)
	must(t, err)
	cfg.ClickHouse.Database = db
	cfg.Locations = apiLocations
	cfg.KPI.Windows, cfg.KPI.StatusWindow = []string{"15m", "1h"}, "1h"
	cfg.API.Tokens = []config.APIToken{{Name: "all", Hash: HashToken(tokAll), All: true}}
	cfg.Audits.Thresholds = auditThresholds(90, 80, 1)
	cfg.Audits.StatusWindow = 7 * 24 * time.Hour
	ti := config.Titles{RU: "Розница", EN: "Retail"}
	cfg.Audits.Templates = []config.AuditTemplate{{ID: "retail", Title: ti, Factors: []config.AuditFactor{
		{ID: "g", Title: ti, Elements: []config.AuditElement{{ID: "greet", Title: ti, Weight: 3}}},
		{ID: "s", Title: ti, Elements: []config.AuditElement{{ID: "smile", Title: ti, Weight: 1}}},
	}}}
	must(t, cfg.Validate())
	t.Cleanup(func() { _ = kpi.Builtin.SetAudits(nil) })
	if d, ok := kpi.Builtin.Lookup("ivs:retail:s"); !ok || d.TitleRU != "ИВС: Розница: Розница" || !slices.Contains(kpi.Names, "ivs:retail") {
		t.Fatalf("registry: %+v %v", d, kpi.Names)
	}

	visit := func(id, loc string, at time.Time, greet, smile string) event.Event {
		c := 0.0
		return event.Event{ID: id, Type: event.TypeAudit, Location: loc, Time: at, Audit: &event.Audit{Template: "retail", Cap: &c,
			Auditor: event.Auditor{Role: event.AuditorInternal, ID: "a"}, Elements: []event.AuditResult{
				{Element: "greet", Result: greet, Factor: "g", Weight: 3}, {Element: "smile", Result: smile, Factor: "s", Weight: 1}}}}
	}
	for i, e := range []event.Event{
		visit("v1", "msk-1", now.Add(-3*time.Hour), event.ResultMet, event.ResultNotMet),
		visit("v2", "msk-1", now.Add(-2*time.Hour), event.ResultMet, event.ResultMet),
		visit("v3", "msk-2", now.Add(-time.Hour), event.ResultNotMet, event.ResultMet),
	} {
		d := buckets.NewDeltas()
		d.Add(&e)
		must(t, buckets.InsertAudits(ctx, conn, db, []buckets.AuditDeltas{{Mark: buckets.Mark{LastOffset: int64(i)}, Audits: d.Audits}}))
	}

	s := New(cfg, conn, nil, nil)
	f.mux = http.NewServeMux()
	s.Routes(f.mux)
	rng := "&from=" + now.Add(-24*time.Hour).Format(time.RFC3339) + "&to=" + now.Add(time.Minute).Format(time.RFC3339)
	body := decode[kpisBody](t, f.get(tokAll, "/v1/kpis?kpi=ivs:retail&kpi=ivs:retail:s&location=msk-1&location=msk-2"+rng))
	got := map[string]string{}
	for _, sr := range body.Series {
		p := sr.Points[0]
		v := "nil"
		if p.Value != nil {
			v = fmt.Sprintf("%.4f", *p.Value)
		}
		got[sr.Location+" "+sr.KPI] = fmt.Sprintf("%s n%d", v, p.N)
		if sr.Location == "msk-1" && sr.KPI == "ivs:retail" &&
			(p.Low == nil || math.Abs(*p.Low-(87.5-1.959963984540054*12.5)) > 1e-6 || *p.High != 100) {
			t.Errorf("msk-1 interval %v..%v", p.Low, p.High)
		}
	}
	want := map[string]string{"msk-1 ivs:retail": "87.5000 n2", "msk-1 ivs:retail:s": "50.0000 n2",
		"msk-2 ivs:retail": "25.0000 n1", "msk-2 ivs:retail:s": "100.0000 n1"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("/v1/kpis %s = %q, want %q", k, got[k], w)
		}
	}
	reg := decode[kpisBody](t, f.get(tokAll, "/v1/kpis?kpi=ivs:retail&region=central&group=region"+rng))
	if p := reg.Series[0].Points[0]; p.N != 3 || p.Value == nil || math.Abs(*p.Value-200.0/3) > 1e-9 {
		t.Errorf("region central: %+v, want 200/3 over 3 visits", p)
	}

	must(t, status.New(cfg, conn, nil, prometheus.NewRegistry()).EvaluateAt(ctx, now.Add(time.Minute)))
	type statusBody struct {
		Statuses []struct {
			Location, KPI, Window, Status string
			N                             int64
			Value                         *float64
		}
	}
	st := decode[statusBody](t, f.get(tokAll, "/v1/status"))
	lights := map[string]string{}
	for _, x := range st.Statuses {
		lights[x.Location+" "+x.KPI+" "+x.Window] = fmt.Sprintf("%s n%d", x.Status, x.N)
	}
	for k, w := range map[string]string{"msk-1 ivs:retail 7d": "yellow n2", "msk-2 ivs:retail 7d": "red n1", "del-1 ivs:retail 7d": "grey n0"} {
		if lights[k] != w {
			t.Errorf("/v1/status %s = %q, want %q (all: %v)", k, lights[k], w, lights)
		}
	}
	type locsBody struct {
		Locations []struct {
			ID, Status string
			WorstKPIs  []string `json:"worst_kpis"`
		}
	}
	for _, l := range decode[locsBody](t, f.get(tokAll, "/v1/locations")).Locations {
		if l.ID == "msk-2" && (l.Status != "red" || !slices.Contains(l.WorstKPIs, "ivs:retail")) {
			t.Errorf("msk-2 flag %s %v, want red by ivs:retail", l.Status, l.WorstKPIs)
		}
	}
}
