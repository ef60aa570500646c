package config

import (
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

// IsAuditKPI reports whether the KPI is an ИВС KPI (it reads audit components).
func IsAuditKPI(name string) bool {
	d, ok := kpi.Builtin.Lookup(name)
	return ok && len(d.Audits) > 0
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
