package plugin

import (
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/cxm-project/cxm/internal/kpi"
)

// displayOf is how Grafana shows a KPI, from the KPI metadata of internal/kpi (title, Grafana unit,
// decimals, fixed range), which the API documents too; a KPI without metadata is shown by its name.
func displayOf(name string) kpi.Meta {
	if m, ok := kpi.MetaOf(name); ok {
		return m
	}
	return kpi.Meta{Name: name, Title: name, Unit: "none", Decimals: 2}
}

// kpiFieldConfig is the KPI's field config without thresholds: display name, unit, decimals, the fixed
// range where it has one, and the drill-down to the location dashboard.
func kpiFieldConfig(m kpi.Meta, displayName string) *data.FieldConfig {
	fc := &data.FieldConfig{DisplayName: displayName, Unit: m.Unit, Decimals: ptrU16(uint16(max(m.Decimals, 0))), Links: locationLinks()}
	if m.HasRange {
		fc.Min, fc.Max = ptr(m.Min), ptr(m.Max)
	}
	return fc
}
