package config

import (
	"fmt"
	"time"

	"github.com/cxm-project/cxm/internal/kpi"
)

// OwnStatusWindow is the window a KPI is judged over instead of kpi.windows, and which is then its traffic
// light (flags, alerts, cxm_indicator_status): audits.status_window for the ИВС KPIs and
// cases.status_window for the case KPIs, whose few visits or cases a short window would leave grey. ok is
// false for the other KPIs, and when the setting is 0 (judged over kpi.windows like every KPI).
func (c *Config) OwnStatusWindow(name string) (Window, bool) {
	var d time.Duration
	switch {
	case IsAuditKPI(name):
		d = c.Audits.StatusWindow
	case kpi.IsCase(name):
		d = c.Cases.StatusWindow
	}
	if d <= 0 {
		return Window{}, false
	}
	// Labelled like kpi.windows: "30d" for 720h.
	label := d.String()
	if d%(24*time.Hour) == 0 {
		label = fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return Window{Name: label, Duration: d}, true
}

// StatusWindowOf is the label of the window whose status is the KPI's traffic light: its own
// (OwnStatusWindow), else kpi.status_window.
func (c *Config) StatusWindowOf(name string) string {
	if w, ok := c.OwnStatusWindow(name); ok {
		return w.Name
	}
	return c.KPI.StatusWindowName()
}
