package config

import (
	"fmt"
	"time"

	"github.com/cxm-project/cxm/internal/kpi"
)

// registerAuditKPIs makes the templates' ИВС (kpi.IVSDefs: "ivs:<template>" and "ivs:<template>:<factor>")
// KPIs of the registry, before kpi.thresholds are checked (they may name them), and gives each the
// threshold of audits.thresholds unless kpi.thresholds sets its own. Like the indices, nothing configured
// leaves the registry as it is (tools load a default config on the side).
func (c *Config) registerAuditKPIs(es *Errors) {
	a := &c.Audits
	if len(a.Templates) == 0 {
		return
	}
	ts := make([]kpi.AuditTemplateDef, len(a.Templates))
	for i, t := range a.Templates {
		ts[i] = kpi.AuditTemplateDef{ID: t.ID, Title: kpi.AuditTitles{EN: t.Title.EN, RU: t.Title.RU}}
		for _, f := range t.Factors {
			ts[i].Factors = append(ts[i].Factors, kpi.AuditFactorDef{ID: f.ID, Title: kpi.AuditTitles{EN: f.Title.EN, RU: f.Title.RU}})
		}
	}
	defs := kpi.IVSDefs(ts)
	if err := kpi.Builtin.SetAudits(defs); err != nil {
		es.add("audits.templates", "%v", err)
		return
	}
	if c.KPI.Thresholds == nil {
		c.KPI.Thresholds = map[string]ThresholdConfig{}
	}
	for _, d := range defs {
		if _, ok := c.KPI.Thresholds[d.Name]; !ok {
			c.KPI.Thresholds[d.Name] = a.Thresholds
		}
	}
}

// AuditWindow is the window the ИВС KPIs are judged over (audits.status_window, labelled "30d" for 720h);
// ok is false when it is 0 and they are judged over kpi.windows like every KPI.
func (a *Audits) AuditWindow() (Window, bool) {
	d := a.StatusWindow
	if d <= 0 {
		return Window{}, false
	}
	name := d.String()
	if d%(24*time.Hour) == 0 {
		name = fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return Window{Name: name, Duration: d}, true
}

// IsAuditKPI reports whether the KPI is an ИВС KPI (it reads audit components).
func IsAuditKPI(name string) bool {
	d, ok := kpi.Builtin.Lookup(name)
	return ok && len(d.Audits) > 0
}

// StatusWindowOf is the label of the window whose status is the KPI's traffic light (flags, alerts,
// cxm_indicator_status): audits.status_window for the ИВС KPIs, whose few visits a month a short window
// would leave grey, else kpi.status_window.
func (c *Config) StatusWindowOf(name string) string {
	if w, ok := c.Audits.AuditWindow(); ok && IsAuditKPI(name) {
		return w.Name
	}
	return c.KPI.StatusWindowName()
}

// IVSThreshold is the threshold of an ИВС KPI at a location id (a region or "" for the network: the global
// one), for /v1/audits and the plugin's audits query, which colour what kpi_status holds. A config whose
// ИВС KPIs are not registered (templates added in Go after validation) falls back to audits.thresholds.
func (c *Config) IVSThreshold(name, location string) (kpi.Threshold, bool) {
	if !kpi.Known(name) {
		return c.Audits.Threshold(), true
	}
	return c.KPI.ThresholdFor(name, c.Location(location))
}
