package config

// KPI configures rolling windows, thresholds and the NPS policy (owned by the KPI/status work).
type KPI struct {
}

func (k *KPI) validate(c *Config, es *Errors) {}

// kpiDefaults are the defaults of the kpi section, keyed "kpi.…".
func kpiDefaults() map[string]any { return map[string]any{} }
